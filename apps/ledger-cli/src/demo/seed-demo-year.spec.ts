import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADS_CSV_COLUMNS } from '#domain';
import { LedgerHarness } from '../../../../test/fixtures/ledger-harness.js';
import { DemoClient } from './demo-client.js';
import { demoLinks } from './demo-summary.js';
import { copenhagenTime, seedDemoYear, type DemoYear } from './seed-demo-year.js';

type Json = Record<string, unknown>;
interface AdsAnswer {
  rows: { originKommuneCode: string | null; eakCode: string | null; fraction: string; treatmentCode: string; measurement: 'weighed' | 'estimated'; grams: number; tonnes: string }[];
  totals: { grams: number };
  reconciliation: { balanced: boolean; rowsGrams: number; intakeGrams: number; differenceGrams: number; balance: Record<string, number | boolean> };
}
/** The terms of a year's mass balance, named alike by the site balance and the organisation's inventory. */
const BALANCE_TERMS = ['openingGrams', 'collectedGrams', 'registeredGrams', 'receivedGrams', 'producedGrams', 'adjustmentGrams', 'dispatchedGrams', 'consumedGrams', 'outcomeGrams', 'closingGrams'] as const;
const PERIOD = `from=${encodeURIComponent('2025-01-01T00:00:00+01:00')}&to=${encodeURIComponent('2026-01-01T00:00:00+01:00')}`;

describe('the demo year, seeded over HTTP into a fresh ledger', () => {
  let ledger: LedgerHarness;
  let year: DemoYear;
  let api: DemoClient;
  let seconds: number;
  const read = <T = Json>(url: string, key: string) => api.get<T>(url, key);

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    await ledger.app.listen(0, '127.0.0.1');
    const started = performance.now();
    year = await seedDemoYear(await ledger.app.getUrl(), ledger.operatorKey);
    seconds = (performance.now() - started) / 1000;
    api = new DemoClient(year.baseUrl);
    api.reached(year.headPosition);
    // The time is reported, not asserted: it is the machine's load as much as the seeder's (target < 60 s).
    process.stdout.write(`demo year: ${JSON.stringify(year.counts)} in ${seconds.toFixed(1)} s\n`);
  }, 180_000);

  afterAll(async () => {
    await ledger?.close();
  });

  it('given Copenhagen’s summer time, then business times carry the offset of their day', () => {
    expect(copenhagenTime(3, 29, 12)).toBe('2025-03-29T12:00:00+01:00');
    expect(copenhagenTime(3, 30, 12)).toBe('2025-03-30T12:00:00+02:00');
    expect(copenhagenTime(10, 25, 9)).toBe('2025-10-25T09:00:00+02:00');
    expect(copenhagenTime(10, 27, 9)).toBe('2025-10-27T09:00:00+01:00');
  });

  it('when seeded, then six kommuner collected every month of 2025, in tonnes, and the same figures come out of every run', async () => {
    expect(year.kommuner.map((k) => k.code)).toEqual(['0657', '0756', '0661', '0791', '0740', '0751']);
    const collected: Record<string, number> = {};
    for (const k of year.kommuner) {
      const monthly = await read<{ rows: { period: string; collectedGrams: number }[] }>(`/reports/circularity?kommuneCode=${k.code}&period=month`, k.municipality.key);
      const months = monthly.rows.filter((row) => row.period.startsWith('2025-'));
      expect(months).toHaveLength(12);
      // A realistic scale: tonnes a month, not kilograms.
      for (const row of months) expect(row.collectedGrams).toBeGreaterThan(5_000_000);
      collected[k.code] = months.reduce((sum, row) => sum + row.collectedGrams, 0);
    }
    // Seeded PRNG: these totals are a pure function of the seed (they change only with the plan).
    expect(collected).toEqual({ '0657': 266_880_000, '0756': 118_220_000, '0661': 162_200_000, '0791': 288_870_000, '0740': 292_340_000, '0751': 1_092_590_000 });
    expect(year.counts.collections).toBeGreaterThan(300);
  });

  it('when seeded, then every organisation’s 2025 mass balance holds, by the API’s own verdict', async () => {
    for (const firm of Object.values(year.firms).filter((f) => !f.roles.includes('auditor'))) {
      const inventory = await read(`/reports/inventory/${firm.id}?${PERIOD}`, year.firms.auditor.key);
      expect({ firm: firm.name, balanced: inventory.balanced }).toEqual({ firm: firm.name, balanced: true });
    }
  });

  it('when seeded, then the auditor finds the planted exceptions: a loss above the norm, a short receipt, a load never received', async () => {
    const anomalies = (await read<{ items: { kind: string; processId?: string; batchIds?: string[] }[] }>('/audit/anomalies?limit=500', year.firms.auditor.key)).items;
    expect(new Set(anomalies.map((a) => a.kind))).toEqual(new Set(['process-loss', 'transit-discrepancy', 'custody-gap']));
    expect(anomalies.filter((a) => a.kind === 'process-loss').map((a) => a.processId)).toEqual([year.notable.lossySortingId]);
    expect(anomalies.filter((a) => a.kind === 'custody-gap').flatMap((a) => a.batchIds ?? [])).toEqual([year.notable.inTransitBatchId]);
    const voided = await read(`/processes/${year.notable.voidedProcessId}`, year.firms.herningSorter.key);
    expect(voided.status).toBe('voided');
    const corrected = await read<{ events: { type: string }[] }>(`/batches/${year.notable.correctedBatchId}/history`, year.firms.fibreWorks.key);
    expect(corrected.events.map((e) => e.type)).toContain('BatchMassCorrected');
  });

  it('when seeded, then the CØ59 pillows are recycled content from the kommuner and the hospital laundry, beside virgin filling', async () => {
    const provenance = await read<{ recycledContentBasisPoints: number; postConsumerGrams: number; virginGrams: number; byKommune: { kommuneCode: string }[]; cohorts: { originKey: string }[] }>(
      `/batches/${year.notable.pillowBatchId}/provenance`,
      year.firms.pillowMaker.key,
    );
    expect(provenance.recycledContentBasisPoints).toBeGreaterThan(5_000);
    expect(provenance.recycledContentBasisPoints).toBeLessThan(10_000);
    expect(provenance.virginGrams).toBeGreaterThan(0);
    expect(provenance.byKommune.map((k) => k.kommuneCode).sort()).toEqual(['0657', '0661', '0756', '0791']);
    expect(provenance.cohorts.some((c) => !c.originKey.startsWith('kommune:'))).toBe(true);
  });

  it('when seeded, then every site’s 2025 ADS export reconciles to the gram with its balance, which is its firm’s inventory (everything happened at the site)', async () => {
    for (const site of Object.values(year.sites)) {
      const firm = Object.values(year.firms).find((f) => f.id === site.organisationId)!;
      const ads = await read<AdsAnswer>(`/reports/ads/${site.pNumber}/2025`, firm.key);
      const inventory = await read<Record<string, number | boolean>>(`/reports/inventory/${firm.id}?${PERIOD}`, firm.key);
      const rowsSum = ads.rows.reduce((sum, row) => sum + row.grams, 0);
      const intake = Number(inventory.collectedGrams) + Number(inventory.registeredGrams) + Number(inventory.receivedGrams);
      expect({ site: site.name, rowsSum, totals: ads.totals.grams, ...ads.reconciliation, balance: undefined }).toEqual({
        site: site.name,
        rowsSum: intake,
        totals: intake,
        balanced: true,
        rowsGrams: intake,
        intakeGrams: intake,
        differenceGrams: 0,
        balance: undefined,
      });
      expect(intake).toBeGreaterThan(0);
      for (const term of BALANCE_TERMS) expect({ site: site.name, term, grams: ads.reconciliation.balance[term] }).toEqual({ site: site.name, term, grams: inventory[term] });
      expect(ads.reconciliation.balance.balanced).toBe(true);
    }
  });

  it('when seeded, then the Herning hall reports its own collections per kommune in full, Ikast-Brande’s recycling centre as estimated, the sorted loads as R12', async () => {
    const hall = year.sites.herningSorter;
    const ads = await read<AdsAnswer>(`/reports/ads/${hall.pNumber}/2025`, year.firms.herningSorter.key);
    const byKommune = (code: string) => ads.rows.filter((row) => row.originKommuneCode === code).reduce((sum, row) => sum + row.grams, 0);
    // Herning's and Ikast-Brande's loads are all collected by the sorter at its hall: their rows hold
    // each kommune's whole collected year (pinned above); the other kommuner's are received, a little drier.
    expect(byKommune('0657')).toBe(266_880_000);
    expect(byKommune('0756')).toBe(118_220_000);
    expect(byKommune('0661')).toBeGreaterThan(0.98 * 162_200_000);
    expect(byKommune('0661')).toBeLessThanOrEqual(162_200_000);
    expect(byKommune('0791')).toBeLessThan(288_870_000);
    expect(new Set(ads.rows.map((row) => row.originKommuneCode))).toEqual(new Set(['0657', '0756', '0661', '0791']));
    expect(ads.rows.filter((row) => row.measurement === 'estimated').map((row) => row.originKommuneCode)).toEqual(['0756']);
    // Every load is sorted in the month it arrives, December's too.
    expect(new Set(ads.rows.map((row) => row.treatmentCode))).toEqual(new Set(['R12']));
  });

  it('when seeded, then the recyclers’ plants report the sorted recycling grade as EAK 19 12 08 and the hospital linen as 20 01 11, treated R3', async () => {
    const plant = year.sites.fibreWorks;
    const fibreWorks = await read<AdsAnswer>(`/reports/ads/${plant.pNumber}/2025`, year.firms.fibreWorks.key);
    expect(new Set(fibreWorks.rows.map((row) => row.eakCode))).toEqual(new Set(['19 12 08', '20 01 11']));
    // The linen arose at the laundry in Silkeborg; the sorted grade at the hall in Herning.
    expect(new Set(fibreWorks.rows.map((row) => row.originKommuneCode))).toEqual(new Set([year.sites.hospitalLaundry.kommuneCode, year.sites.herningSorter.kommuneCode]));
    expect(new Set(fibreWorks.rows.map((row) => row.treatmentCode))).toEqual(new Set(['R3']));
    const chemical = await read<AdsAnswer>(`/reports/ads/${year.sites.chemicalRecycler.pNumber}/2025`, year.firms.chemicalRecycler.key);
    expect(chemical.rows.map((row) => [row.originKommuneCode, row.eakCode, row.treatmentCode])).toEqual([[year.sites.eastSorter.kommuneCode, '19 12 08', 'R3']]);
  });

  it('when seeded, then the hall’s ADS CSV has decision 039’s field order and the JSON rows, in Danish notation', async () => {
    const hall = year.sites.herningSorter;
    const ads = await read<AdsAnswer>(`/reports/ads/${hall.pNumber}/2025`, year.firms.herningSorter.key);
    const response = await fetch(`${year.baseUrl}/reports/ads/${hall.pNumber}/2025?format=csv`, { headers: { authorization: `Bearer ${year.firms.herningSorter.key}`, 'ledger-min-position': String(year.headPosition) } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await response.text()).split('\r\n');
    expect(lines[0]).toBe(ADS_CSV_COLUMNS.join(';'));
    expect(lines[0]).toBe('P-nummer;År;Oprindelseskommune;EAK-kode;Fraktion;Behandling;Mængde (ton);Opgørelsesmetode');
    expect(lines.slice(1, -1)).toEqual(
      ads.rows.map((r) => [hall.pNumber, '2025', r.originKommuneCode, r.eakCode, r.fraction, r.treatmentCode, r.tonnes.replace('.', ','), r.measurement === 'weighed' ? 'Vejet' : 'Estimeret'].join(';')),
    );
    expect(lines.at(-1)).toBe('');
  });

  it('then the summary links each user to their page, the sorter also to its hall’s ADS export', () => {
    const links = demoLinks(year);
    expect(links.map((l) => l.url)).toEqual(
      expect.arrayContaining([
        `${year.baseUrl}/#/municipality/0657/2025`,
        `${year.baseUrl}/#/batches/${year.notable.pillowBatchId}`,
        `${year.baseUrl}/#/audit`,
        `${year.baseUrl}/#/operator`,
        `${year.baseUrl}/#/organisations/${year.firms.herningSorter.id}/sites/${year.sites.herningSorter.id}/ads/2025`,
      ]),
    );
  });
});
