import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADS_CSV_COLUMNS } from '#domain';
import { COTTON } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

type Json = Record<string, unknown>;
interface AdsRow {
  originKommuneCode: string | null;
  eakCode: string | null;
  fraction: string;
  treatmentCode: string;
  measurement: string;
  grams: number;
  tonnes: string;
}
interface AdsAnswer {
  pNumber: string;
  rows: AdsRow[];
  totals: { grams: number };
  reconciliation: { balanced: boolean; rowsGrams: number; intakeGrams: number; differenceGrams: number; balance: Json & { closingGrams: number; receivedGrams: number; collectedGrams: number } };
}

const P_NUMBER = '1012345678';
const AT = (day: number, hour = 9): string => `2025-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+01:00`;

/**
 * A demo-like year of one receiving site: a sorter's hall in Herning takes in collections from three
 * kommuner (a collector's, received there, one estimated; and its own, collected there), sorts some,
 * sells the re-use grade, incinerates the residual, ships the recycling grade on and keeps the rest
 * in store. Its ADS export must reconcile with the site's (and here the sorter's) mass balance to the gram.
 */
describe('sites and the ADS-ready annual export over HTTP', () => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let holstebro: RegisteredOrganisation;
  let ikast: RegisteredOrganisation;
  let collector: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  let hall: string;
  let depot: string;
  let recyclerSite: string;
  const expected = { intake: 0 };

  async function ok(response: Promise<{ status: number; body: unknown }>, status = 200): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Json;
  }

  async function collectAndShip(kommuneCode: string, massGrams: number, receivedMassGrams: number, measurement: 'weighed' | 'estimated', day: number): Promise<string> {
    const { batchId } = await ok(ledger.post('/batches/collections', { kommuneCode, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, occurredAt: AT(day) }, collector.key), 201);
    await ok(ledger.post(`/batches/${String(batchId)}/dispatch`, { toOrgId: sorter.id, occurredAt: AT(day, 12) }, collector.key));
    await ok(ledger.post(`/batches/${String(batchId)}/receive`, { receivedMassGrams, siteId: hall, measurement, occurredAt: AT(day, 15) }, sorter.key));
    expected.intake += receivedMassGrams;
    return String(batchId);
  }

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    holstebro = await ledger.registerOrganisation('Holstebro Kommune', ['municipality'], '0661');
    ikast = await ledger.registerOrganisation('Ikast-Brande Kommune', ['municipality'], '0756');
    collector = await ledger.registerOrganisation('Midtjysk Tekstilindsamling', ['collector']);
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler']);
    auditor = await ledger.registerOrganisation('Revisionsfirma', ['auditor']);
    for (const municipality of [herning, holstebro, ikast]) await ledger.authoriseCollector(municipality, collector.id);
    await ledger.authoriseCollector(herning, sorter.id);

    hall = String(
      (await ok(ledger.post(`/organisations/${sorter.id}/sites`, { name: 'Sorteringshal Herning', address: 'Industrivej 12, 7400 Herning', kommuneCode: '0657', pNumber: P_NUMBER, latitude: 56.1393, longitude: 8.9738, occurredAt: AT(1) }, sorter.key), 201)).siteId,
    );
    // The operator may declare a site for an organisation.
    depot = String((await ok(ledger.post(`/organisations/${sorter.id}/sites`, { name: 'Depot Ikast', address: 'Nørregade 2, 7430 Ikast', kommuneCode: '0756', occurredAt: AT(1) }), 201)).siteId);
    recyclerSite = String((await ok(ledger.post(`/organisations/${recycler.id}/sites`, { name: 'Fibre Loop Brande', address: 'Fabriksvej 1, 7330 Brande', kommuneCode: '0756', pNumber: '1023456789', occurredAt: AT(1) }, recycler.key), 201)).siteId);
  }, 60_000);

  afterAll(async () => {
    await ledger.close();
  }, 60_000);

  it('declares, amends and closes sites as events, and refuses a P-number already taken', async () => {
    const taken = await ledger.post(`/organisations/${recycler.id}/sites`, { name: 'Stolen', address: 'X 1', kommuneCode: '0657', pNumber: P_NUMBER }, recycler.key);
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'p-number-taken' });
    const badPNumber = await ledger.post(`/organisations/${recycler.id}/sites`, { name: 'Short', address: 'X 1', kommuneCode: '0657', pNumber: '12345' }, recycler.key);
    expect(badPNumber.status).toBe(400);
    const offGlobe = await ledger.post(`/organisations/${recycler.id}/sites`, { name: 'Off', address: 'X 1', kommuneCode: '0657', latitude: 91, longitude: 9 }, recycler.key);
    expect(offGlobe.status).toBe(400);
    const unknownKommune = await ledger.post(`/organisations/${recycler.id}/sites`, { name: 'Nowhere', address: 'X 1', kommuneCode: '0001' }, recycler.key);
    expect(unknownKommune).toMatchObject({ status: 422, body: { code: 'unknown-kommune' } });
    const otherFirm = await ledger.post(`/organisations/${sorter.id}/sites`, { name: 'Hijack', address: 'X 1', kommuneCode: '0657' }, recycler.key);
    expect(otherFirm).toMatchObject({ status: 403, body: { code: 'not-own-organisation' } });
    expect((await ledger.post(`/organisations/${sorter.id}/sites`, { name: 'Audit', address: 'X 1', kommuneCode: '0657' }, auditor.key)).status).toBe(403);

    await ok(ledger.post(`/organisations/${sorter.id}/sites/${depot}/amend`, { name: 'Depot Ikast Nord', address: 'Nørregade 4, 7430 Ikast', kommuneCode: '0756', reason: 'New number', occurredAt: AT(2) }, sorter.key));
    await ok(ledger.post(`/organisations/${sorter.id}/sites/${depot}/close`, { reason: 'Lease ended', occurredAt: AT(2, 10) }, sorter.key));
    const again = await ledger.post(`/organisations/${sorter.id}/sites/${depot}/close`, { reason: 'Twice' }, sorter.key);
    expect(again).toMatchObject({ status: 409, body: { code: 'site-closed' } });
  });

  it('shows name, kommune and P-number to anyone signed in, the address only to the organisation, auditors and the operator', async () => {
    const own = await ok(ledger.get(`/organisations/${sorter.id}/sites`, sorter.key));
    expect(own.sites).toEqual([
      expect.objectContaining({ siteId: hall, name: 'Sorteringshal Herning', kommuneCode: '0657', kommuneName: 'Herning', pNumber: P_NUMBER, open: true, address: 'Industrivej 12, 7400 Herning', latitude: 56.1393 }),
      expect.objectContaining({ siteId: depot, name: 'Depot Ikast Nord', open: false, address: 'Nørregade 4, 7430 Ikast' }),
    ]);
    for (const insider of [auditor.key, undefined]) expect(await ok(ledger.get(`/organisations/${sorter.id}/sites`, insider))).toEqual(own);
    const outsider = await ok(ledger.get(`/organisations/${sorter.id}/sites`, recycler.key));
    expect(outsider.sites).toEqual([
      expect.objectContaining({ siteId: hall, pNumber: P_NUMBER, kommuneCode: '0657' }),
      expect.objectContaining({ siteId: depot, open: false }),
    ]);
    for (const site of outsider.sites as Json[]) {
      expect(site).not.toHaveProperty('address');
      expect(site).not.toHaveProperty('latitude');
    }
  });

  it('refuses a receipt naming a site that is not an open site of the consignee with a 422, appending nothing', async () => {
    const { batchId } = await ok(ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 10', massGrams: 1_000, occurredAt: AT(3) }, collector.key), 201);
    await ok(ledger.post(`/batches/${String(batchId)}/dispatch`, { toOrgId: sorter.id, occurredAt: AT(3, 12) }, collector.key));
    for (const [siteId, code] of [
      [recyclerSite, 'unknown-site'],
      ['0190aaaa-0000-7000-8000-000000000001', 'unknown-site'],
      [depot, 'site-closed'],
    ] as const) {
      const before = await ledger.store.headPosition();
      const refused = await ledger.post(`/batches/${String(batchId)}/receive`, { receivedMassGrams: 1_000, siteId, occurredAt: AT(3, 15) }, sorter.key);
      expect(refused.status).toBe(422);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({ code, siteId });
      expect(await ledger.store.headPosition()).toBe(before);
    }
    // A collection naming a site of the collector's own, an outcome naming another's: refused alike.
    const collected = await ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 10', massGrams: 1_000, siteId: recyclerSite }, sorter.key);
    expect(collected).toMatchObject({ status: 422, body: { code: 'unknown-site' } });
    const process = await ledger.post('/processes', { processType: 'sorting', inputs: [{ batchId: '0190aaaa-0000-7000-8000-000000000002' }], outputs: [{ massGrams: 1, grade: 'reuse', composition: COTTON }], siteId: recyclerSite }, sorter.key);
    expect(process).toMatchObject({ status: 422, body: { code: 'unknown-site' } });
    // Received without a site, it is still the sorter's, and on no site's books.
    await ok(ledger.post(`/batches/${String(batchId)}/receive`, { receivedMassGrams: 1_000, occurredAt: AT(3, 16) }, sorter.key));
  });

  it("exports the hall's year for ADS: rows by origin kommune, EAK code, fraction, treatment and method, reconciled to the gram", async () => {
    const herningBatch = await collectAndShip('0657', 400_000, 399_500, 'weighed', 4);
    const holstebroBatch = await collectAndShip('0661', 250_000, 250_000, 'estimated', 5);
    await collectAndShip('0756', 120_000, 119_880, 'weighed', 6);
    // The sorter collects in Herning itself, at its hall, with an estimated weight.
    const { batchId: own } = await ok(
      ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'recycling-centre', ewcCode: '20 01 10', massGrams: 80_000, siteId: hall, measurement: 'estimated', occurredAt: AT(7) }, sorter.key),
      201,
    );
    expected.intake += 80_000;

    // Sorting at the hall: the Herning and Holstebro batches into re-use, recycling and residual.
    const sorting = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'sorting',
          siteId: hall,
          inputs: [{ batchId: herningBatch }, { batchId: holstebroBatch }],
          outputs: [
            { massGrams: 300_000, grade: 'reuse', composition: COTTON },
            { massGrams: 249_000, grade: 'recycling', composition: COTTON, ewcCode: '19 12 08' },
            { massGrams: 90_000, grade: 'residual', composition: COTTON, ewcCode: '19 12 08' },
          ],
          losses: [{ kind: 'moisture-dust', massGrams: 10_500 }],
          occurredAt: AT(10),
        },
        sorter.key,
      ),
      201,
    );
    const [reuse, recycling, residual] = sorting.outputBatchIds as string[];
    await ok(ledger.post(`/batches/${reuse!}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic', siteId: hall, occurredAt: AT(12) }, sorter.key));
    await ok(ledger.post(`/batches/${residual!}/outcome`, { outcome: 'incinerated', energyRecovery: true, siteId: hall, occurredAt: AT(13) }, sorter.key));
    await ok(ledger.post(`/batches/${recycling!}/dispatch`, { toOrgId: recycler.id, occurredAt: AT(14) }, sorter.key));
    await ok(ledger.post(`/batches/${recycling!}/receive`, { receivedMassGrams: 249_000, siteId: recyclerSite, occurredAt: AT(14, 16) }, recycler.key));
    // The sorter's own collection is dispatched to the recycler straight from the hall: R13 at the hall.
    await ok(ledger.post(`/batches/${String(own)}/dispatch`, { toOrgId: recycler.id, occurredAt: AT(15) }, sorter.key));

    const answer = (await ok(ledger.get(`/reports/ads/${P_NUMBER}/2025`, sorter.key))) as unknown as AdsAnswer;
    expect(answer.rows.map((r) => [r.originKommuneCode, r.eakCode, r.fraction, r.treatmentCode, r.measurement, r.grams, r.tonnes])).toEqual([
      ['0657', '20 01 10', 'Tekstilaffald', 'R13', 'estimated', 80_000, '0.080'],
      ['0657', '20 01 11', 'Tekstilaffald', 'R12', 'weighed', 399_500, '0.400'],
      ['0661', '20 01 11', 'Tekstilaffald', 'R12', 'estimated', 250_000, '0.250'],
      ['0756', '20 01 11', 'Tekstilaffald', 'R13', 'weighed', 119_880, '0.120'],
    ]);
    expect(answer.reconciliation).toMatchObject({ balanced: true, rowsGrams: expected.intake, intakeGrams: expected.intake, differenceGrams: 0 });
    expect(answer.totals.grams).toBe(answer.rows.reduce((sum, row) => sum + row.grams, 0));

    // Everything the sorter did this year happened at the hall (apart from the one receipt of the
    // 422 test, which named no site), so the hall's balance is the sorter's, less that batch.
    const inventory = await ok(ledger.get(`/reports/inventory/${sorter.id}?from=2025-01-01T00:00:00%2B01:00&to=2026-01-01T00:00:00%2B01:00`, sorter.key));
    const balance = answer.reconciliation.balance;
    expect(balance.receivedGrams + balance.collectedGrams).toBe(Number(inventory.receivedGrams) + Number(inventory.collectedGrams) - 1_000);
    expect(balance.closingGrams).toBe(Number(inventory.closingGrams) - 1_000);
    expect(balance).toMatchObject({ producedGrams: inventory.producedGrams, consumedGrams: inventory.consumedGrams, outcomeGrams: inventory.outcomeGrams, dispatchedGrams: inventory.dispatchedGrams, balanced: true });
  });

  it('writes the same rows as CSV in ADS field order, by format=csv or Accept: text/csv', async () => {
    const json = (await ok(ledger.get(`/reports/ads/${P_NUMBER}/2025`, sorter.key))) as unknown as AdsAnswer;
    const byFormat = await ledger.get<string>(`/reports/ads/${P_NUMBER}/2025?format=csv`, sorter.key);
    expect(byFormat.status).toBe(200);
    expect(byFormat.headers['content-type']).toMatch(/^text\/csv/);
    expect(byFormat.headers['content-disposition']).toBe(`attachment; filename="ads-${P_NUMBER}-2025.csv"`);
    const lines = byFormat.body.split('\r\n');
    expect(lines[0]).toBe(ADS_CSV_COLUMNS.join(';'));
    expect(lines[0]).toBe('P-nummer;År;Oprindelseskommune;EAK-kode;Fraktion;Behandling;Mængde (ton);Opgørelsesmetode');
    expect(lines.slice(1, -1)).toEqual(
      json.rows.map((r) => [P_NUMBER, '2025', r.originKommuneCode, r.eakCode, r.fraction, r.treatmentCode, r.tonnes.replace('.', ','), r.measurement === 'weighed' ? 'Vejet' : 'Estimeret'].join(';')),
    );
    const byAccept = await ledger.request<string>('GET', `/reports/ads/${P_NUMBER}/2025`, { key: sorter.key, headers: { accept: 'text/csv' } });
    expect(byAccept.body).toBe(byFormat.body);
  });

  it("lets the site's organisation, auditors and the operator read the export, and no one else", async () => {
    expect((await ledger.get(`/reports/ads/${P_NUMBER}/2025`, auditor.key)).status).toBe(200);
    expect((await ledger.get(`/reports/ads/${P_NUMBER}/2025`)).status).toBe(200);
    expect(await ledger.get(`/reports/ads/${P_NUMBER}/2025`, recycler.key)).toMatchObject({ status: 403, body: { code: 'not-own-organisation' } });
    expect(await ledger.get(`/reports/ads/${P_NUMBER}/2025`, herning.key)).toMatchObject({ status: 403 });
    expect(await ledger.get('/reports/ads/1099999999/2025', sorter.key)).toMatchObject({ status: 404, body: { code: 'unknown-p-number' } });
    expect(await ledger.get('/reports/ads/1099999999/2025')).toMatchObject({ status: 404, body: { code: 'unknown-p-number' } });
    expect((await ledger.get('/reports/ads/12/2025', sorter.key)).status).toBe(400);
    expect((await ledger.get(`/reports/ads/${P_NUMBER}/1999`, sorter.key)).status).toBe(400);
    // The recycler's own site has no intake this year but the receipt: its export reconciles too.
    const recyclerAnswer = (await ok(ledger.get('/reports/ads/1023456789/2025', recycler.key))) as unknown as AdsAnswer;
    expect(recyclerAnswer.rows).toEqual([expect.objectContaining({ originKommuneCode: '0657', eakCode: '19 12 08', treatmentCode: 'R13', grams: 249_000 })]);
    expect(recyclerAnswer.reconciliation.balanced).toBe(true);
  });
});
