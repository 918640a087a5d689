import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LedgerHarness, type LedgerResponse, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

/**
 * The symbiosis catalogue end to end (docs/decisions/046-symbiosis-catalogue.md): a laundry offers
 * its linen, a spinner wants cotton, the two match, the spinner asks, the laundry accepts (reserving
 * the batch), and the ordinary dispatch and receipt carry the deal out, which the deal's history
 * records. A batch consumed, shipped or closed leaves the catalogue by itself.
 */
const LINEN = [
  { fibre: 'cotton', share: 8_000 },
  { fibre: 'polyester', share: 2_000 },
];

async function ok<T>(response: Promise<LedgerResponse<T>>, status = 201): Promise<T> {
  const r = await response;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('the symbiosis catalogue', () => {
  let ledger: LedgerHarness;
  let laundry: RegisteredOrganisation;
  let spinner: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let outsider: RegisteredOrganisation;

  const residual = async (massGrams: number): Promise<string> =>
    (await ok(ledger.post<{ batchId: string }>('/batches/residuals', { originClass: 'post-consumer-business', ewcCode: '20 01 11', massGrams, composition: LINEN, description: 'hospital linen' }, laundry.key))).batchId;
  const offer = async (batchId: string, extra: Record<string, unknown> = {}): Promise<string> =>
    (await ok(ledger.post<{ offerId: string }>('/catalogue/offers', { batchId, title: 'Hospital linen', ewcCode: '20 01 11', place: { kommuneCode: '0657' }, ...extra }, laundry.key))).offerId;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    laundry = await ledger.registerOrganisation('Vaskeri Vest', ['sorter']);
    spinner = await ledger.registerOrganisation('Spinderi Nord', ['manufacturer']);
    recycler = await ledger.registerOrganisation('Genfiber A/S', ['recycler']);
    outsider = await ledger.registerOrganisation('Brand ApS', ['brand']);
  }, 60_000);
  afterAll(async () => {
    await ledger.close();
  });

  it('offer → want → match → request → accept (reserve) → dispatch → receipt, with the deal’s history', async () => {
    const batchId = await residual(2_000_000);
    const offerId = await offer(batchId);
    const wantId = (
      await ok(
        ledger.post<{ wantId: string }>('/catalogue/wants', { title: 'Cotton for spinning', fibres: [{ fibre: 'cotton', minShare: 6_000 }], minGrams: 500_000, maxGrams: 5_000_000, place: { kommuneCode: '0657' } }, spinner.key),
      )
    ).wantId;

    // The spinner sees the offer ranked for its want, with why and what it would save.
    const matches = await ok(ledger.get<{ matches: Array<{ offer: { offerId: string; holder: { name: string } }; score: { total: number; parts: Record<string, number> }; co2e: { grams: number; tCo2e: string | null } }> }>(`/catalogue/wants/${wantId}/matches`, spinner.key), 200);
    const match = matches.matches.find((m) => m.offer.offerId === offerId)!;
    expect(match.score.parts).toEqual({ fibre: 80, grade: 0, ewc: 0, mass: 50, distance: 30 });
    expect(match.score.total).toBe(160);
    expect(match.co2e.grams).toBe(2_000_000);
    expect(match.offer.holder.name).toBe('Vaskeri Vest');
    // And the laundry sees the want its offer fits.
    const wants = await ok(ledger.get<{ matches: Array<{ want: { wantId: string } }> }>(`/catalogue/offers/${offerId}/matches`, laundry.key), 200);
    expect(wants.matches.map((m) => m.want.wantId)).toContain(wantId);

    const dealId = (await ok(ledger.post<{ dealId: string }>(`/catalogue/offers/${offerId}/requests`, { message: 'We collect on Tuesdays' }, spinner.key))).dealId;
    const otherDeal = (await ok(ledger.post<{ dealId: string }>(`/catalogue/offers/${offerId}/requests`, {}, recycler.key))).dealId;
    // Before acceptance the buyer does not learn the batch id.
    expect((await ok(ledger.get<{ batchId: string | null; status: string }>(`/catalogue/deals/${dealId}`, spinner.key), 200)).batchId).toBeNull();

    await ok(ledger.post(`/catalogue/requests/${dealId}/accept`, {}, laundry.key), 200);
    // Promised once: the other request, and a second offer of the batch, are refused.
    const second = await ledger.post<{ code: string }>(`/catalogue/requests/${otherDeal}/accept`, {}, laundry.key);
    expect([second.status, second.body.code]).toEqual([409, 'batch-reserved']);
    const again = await ledger.post<{ code: string }>('/catalogue/offers', { batchId, title: 'Again', ewcCode: '20 01 11', place: { kommuneCode: '0657' } }, laundry.key);
    expect([again.status, again.body.code]).toEqual([409, 'batch-already-offered']);
    expect((await ok(ledger.get<{ state: string; reservedFor: string }>(`/catalogue/offers/${offerId}`, laundry.key), 200))).toMatchObject({ state: 'reserved', reservedFor: dealId });
    expect((await ok(ledger.get<{ offers: Array<{ offerId: string }> }>('/catalogue/offers', outsider.key), 200)).offers.map((o) => o.offerId)).not.toContain(offerId);
    await ok(ledger.post(`/catalogue/requests/${otherDeal}/decline`, { reason: 'Promised to another buyer' }, laundry.key), 200);

    await ok(ledger.post(`/batches/${batchId}/dispatch`, { toOrgId: spinner.id }, laundry.key), 200);
    await ok(ledger.post(`/batches/${batchId}/receive`, { receivedMassGrams: 1_990_000 }, spinner.key), 200);

    const deal = await ok(
      ledger.get<{ status: string; batchId: string; transferId: string; receivedGrams: number; symbiosis: string; holder: { name: string }; history: Array<{ kind: string; transferId: string | null }> }>(`/catalogue/deals/${dealId}`, spinner.key),
      200,
    );
    expect(deal).toMatchObject({ status: 'received', batchId, receivedGrams: 1_990_000, symbiosis: 'classic', holder: { name: 'Vaskeri Vest' } });
    expect(deal.history.map((h) => h.kind)).toEqual(['requested', 'reserved', 'dispatched', 'received']);
    expect(deal.history[2]!.transferId).toBe(deal.transferId);
    expect((await ok(ledger.get<{ state: string }>(`/catalogue/offers/${offerId}`, laundry.key), 200)).state).toBe('taken');
    // The holder's own list, every state: the taken offer is there; the open list no longer has it.
    const mine = await ok(ledger.get<{ offers: Array<{ offerId: string; state: string }> }>('/catalogue/offers?mine=true', laundry.key), 200);
    expect(mine.offers.find((o) => o.offerId === offerId)?.state).toBe('taken');
    expect((await ok(ledger.get<{ offers: Array<{ offerId: string }> }>('/catalogue/offers', laundry.key), 200)).offers.map((o) => o.offerId)).not.toContain(offerId);
    expect((await ok(ledger.get<{ status: string }>(`/catalogue/deals/${otherDeal}`, recycler.key), 200)).status).toBe('declined');
    // A deal is its parties' only.
    const hidden = await ledger.get<{ code: string }>(`/catalogue/deals/${dealId}`, outsider.key);
    expect([hidden.status, hidden.body.code]).toEqual([404, 'unknown-deal']);
    // The spinner's own deals list names it.
    expect((await ok(ledger.get<{ deals: Array<{ dealId: string }> }>('/catalogue/deals', spinner.key), 200)).deals.map((d) => d.dealId)).toContain(dealId);
  });

  it('a batch consumed, shipped or closed leaves the catalogue by itself, and is not reserved', async () => {
    const shipped = await residual(300_000);
    const closed = await residual(400_000);
    const consumed = await residual(500_000);
    const shippedOffer = await offer(shipped);
    const closedOffer = await offer(closed);
    const consumedOffer = await offer(consumed);
    const listed = async (): Promise<string[]> => (await ok(ledger.get<{ offers: Array<{ offerId: string }> }>('/catalogue/offers', recycler.key), 200)).offers.map((o) => o.offerId);
    expect(await listed()).toEqual(expect.arrayContaining([shippedOffer, closedOffer, consumedOffer]));
    const request = (await ok(ledger.post<{ dealId: string }>(`/catalogue/offers/${shippedOffer}/requests`, {}, recycler.key))).dealId;

    await ok(ledger.post(`/batches/${shipped}/dispatch`, { toOrgId: outsider.id }, laundry.key), 200);
    await ok(ledger.post(`/batches/${closed}/outcome`, { outcome: 'incinerated', energyRecovery: true }, laundry.key), 200);
    await ok(ledger.post('/processes', { processType: 'sorting', inputs: [{ batchId: consumed }], outputs: [{ massGrams: 500_000, grade: 'recycling', composition: LINEN }] }, laundry.key));
    const now = await listed();
    expect(now).not.toContain(consumedOffer);
    expect((await ok(ledger.get<{ state: string }>(`/catalogue/offers/${consumedOffer}`, laundry.key), 200)).state).toBe('unavailable');
    expect(now).not.toContain(shippedOffer);
    expect(now).not.toContain(closedOffer);
    expect((await ok(ledger.get<{ state: string }>(`/catalogue/offers/${shippedOffer}`, laundry.key), 200)).state).toBe('unavailable');
    expect((await ok(ledger.get<{ state: string }>(`/catalogue/offers/${closedOffer}`, laundry.key), 200)).state).toBe('ended');
    const refused = await ledger.post<{ code: string }>(`/catalogue/requests/${request}/accept`, {}, laundry.key);
    expect([refused.status, refused.body.code]).toEqual([409, 'batch-not-available']);
  });

  it('shows an offer only to its audience, and only what it discloses; a hidden offer is 404 like one that does not exist', async () => {
    const batchId = await residual(2_345_678);
    const offerId = await offer(batchId, {
      visibility: { audience: { kind: 'organisations', organisationIds: [spinner.id] }, disclosure: { name: false, mass: 'band', location: 'region' } },
    });
    const seen = await ok(ledger.get<Record<string, unknown>>(`/catalogue/offers/${offerId}`, spinner.key), 200);
    expect(seen).toMatchObject({ holder: null, batchId: null, mass: { kind: 'band', minGrams: 1_000_000, maxGrams: 5_000_000 }, location: { precision: 'region', region: 'Midtjylland', kommuneCode: null } });
    expect(JSON.stringify(seen)).not.toContain('2345678');
    expect(JSON.stringify(seen)).not.toContain(laundry.id);
    const hidden = await ledger.get<{ code: string }>(`/catalogue/offers/${offerId}`, recycler.key);
    const none = await ledger.get<{ code: string; detail: string }>('/catalogue/offers/0190ffff-0000-7000-8000-000000000001', recycler.key);
    expect([hidden.status, hidden.body.code]).toEqual([404, 'unknown-offer']);
    expect([none.status, none.body.code]).toEqual([404, 'unknown-offer']);
    // A mass filter applies to the band shown, so it cannot narrow down the grams.
    const filtered = await ok(ledger.get<{ offers: Array<{ offerId: string }> }>('/catalogue/offers?minGrams=2400000', spinner.key), 200);
    expect(filtered.offers.map((o) => o.offerId)).toContain(offerId);
    // The holder sees it in full.
    expect(await ok(ledger.get<Record<string, unknown>>(`/catalogue/offers/${offerId}`, laundry.key), 200)).toMatchObject({ full: true, batchId, mass: { kind: 'exact', grams: 2_345_678 } });
  });

  it('pushes a new match as a server-sent event to the organisation concerned, and nothing to one the offer is not for', async () => {
    const want = { title: 'Cotton, pushed', fibres: [{ fibre: 'cotton', minShare: 6_000 }], minGrams: 100_000, place: { kommuneCode: '0661' } };
    await ok(ledger.post('/catalogue/wants', want, spinner.key));
    await ok(ledger.post('/catalogue/wants', want, outsider.key));
    await ledger.app.listen(0, '127.0.0.1');
    const base = await ledger.app.getUrl();
    const open = async (key: string): Promise<{ text: () => string }> => {
      const response = await fetch(`${base.replace('[::1]', '127.0.0.1')}/catalogue/events?maxSeconds=30`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      let received = '';
      const reader = response.body!.getReader();
      void (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            received += new TextDecoder().decode(value);
          }
        } catch {
          // the ledger ends the stream when it stops
        }
      })();
      return { text: () => received };
    };
    {
      // The streams stay open: the ledger ends them when it stops (afterAll).
      const spinnerStream = await open(spinner.key);
      const outsiderStream = await open(outsider.key);
      const batchId = await residual(1_500_000);
      const offerId = await offer(batchId, { visibility: { audience: { kind: 'organisations', organisationIds: [spinner.id] }, disclosure: { name: true, mass: 'band', location: 'kommune' } } });
      const deadline = Date.now() + 10_000;
      while (!spinnerStream.text().includes(offerId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const event = spinnerStream.text().split('\n\n').find((chunk) => chunk.startsWith('event: match') && chunk.includes(offerId))!;
      const match = JSON.parse(event.split('\ndata: ')[1]!) as { side: string; offer: { offerId: string; mass: { kind: string } }; score: { total: number } };
      expect(match).toMatchObject({ side: 'want', offer: { offerId, mass: { kind: 'band' } } });
      expect(match.score.total).toBeGreaterThan(0);
      expect(JSON.stringify(match)).not.toContain('1500000');
      // Another poll or two: the outsider, whose want fits too, is told nothing of an offer not for it.
      await new Promise((r) => setTimeout(r, 1_200));
      expect(outsiderStream.text()).not.toContain(offerId);
    }
  }, 30_000);

  it('offers a recurring stream, and withdraws it; bad input is a specific problem that appends nothing', async () => {
    const offerId = (
      await ok(
        ledger.post<{ offerId: string }>(
          '/catalogue/stream-offers',
          { title: 'Linen, about 2 t a month', grade: 'recycling', composition: LINEN, ewcCode: '20 01 11', period: 'month', massGramsPerPeriod: 2_000_000, place: { kommuneCode: '0101' } },
          laundry.key,
        ),
      )
    ).offerId;
    expect((await ok(ledger.get<{ period: string; kind: string }>(`/catalogue/offers/${offerId}`, spinner.key), 200))).toMatchObject({ kind: 'stream', period: 'month' });
    const before = await ledger.store.headPosition();
    const bad = await ledger.post<{ code: string }>('/catalogue/wants', { title: 'x', minGrams: 500, maxGrams: 100, place: { kommuneCode: '0101' } }, spinner.key);
    expect([bad.status, bad.body.code]).toEqual([422, 'mass-range-empty']);
    const unknownKommune = await ledger.post<{ code: string }>('/catalogue/wants', { title: 'x', minGrams: 500, place: { kommuneCode: '9999' } }, spinner.key);
    expect([unknownKommune.status, unknownKommune.body.code]).toEqual([422, 'unknown-kommune']);
    const notMine = await ledger.post<{ code: string }>(`/catalogue/offers/${offerId}/withdraw`, {}, spinner.key);
    expect([notMine.status, notMine.body.code]).toEqual([403, 'not-offer-holder']);
    expect(await ledger.store.headPosition()).toBe(before);
    await ok(ledger.post(`/catalogue/offers/${offerId}/withdraw`, { reason: 'Contract signed elsewhere' }, laundry.key), 200);
    expect((await ok(ledger.get<{ state: string }>(`/catalogue/offers/${offerId}`, laundry.key), 200)).state).toBe('withdrawn');
  });
});
