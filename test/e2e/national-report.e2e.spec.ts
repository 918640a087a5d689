/**
 * The national view (GET /reports/national/:year) and the municipal report's parties and rate
 * definitions (docs/decisions/040-municipal-and-national-reports.md): the country's figures are the
 * municipal reports', row by row and in total, to the gram.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KOMMUNER } from '#domain';
import { COTTON } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

type Json = Record<string, unknown>;
interface Figure {
  grams: number;
  kg: string;
}
interface Circ {
  collected: Figure;
  buckets: Record<string, Figure>;
  rates: Record<string, number | null>;
  ratesPercent: Record<string, string | null>;
}
interface NationalRow {
  kommuneCode: string;
  kommuneName: string;
  collected: Figure & { batches: number };
  preparedForReuse: Figure;
  recycled: Figure;
  circularity: Circ;
}
interface NationalAnswer {
  year: number;
  kommuner: NationalRow[];
  total: Omit<NationalRow, 'kommuneCode' | 'kommuneName'>;
  rateDefinitions: Record<string, string>;
}
interface MunicipalAnswer {
  kommuneCode: string;
  kommuneName: string;
  collected: Figure & { batches: number };
  circularity: Circ;
  collectors: Array<Figure & { collectorOrgId: string; collectorOrgName: string | null }>;
  receivers: Array<Figure & { receiverOrgId: string; receiverOrgName: string | null }>;
  notSorted: Figure;
  rateDefinitions: Record<string, string>;
}

describe('the national view and the municipal report’s parties (GET /reports/national/:year)', () => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let ikast: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  let collector: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;

  async function ok<T = Json>(response: Promise<{ status: number; body: unknown }>, status = 200): Promise<T> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as T;
  }

  async function collect(municipality: RegisteredOrganisation, kommuneCode: string, by: RegisteredOrganisation, massGrams: number, occurredAt: string, scheme = 'bring-bank'): Promise<string> {
    const body = await ok(ledger.post('/batches/collections', { kommuneCode, collectionScheme: scheme, ewcCode: '20 01 11', massGrams, collectorOrgId: by.id, occurredAt }, municipality.key), 201);
    return body['batchId'] as string;
  }

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process' } });
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    ikast = await ledger.registerOrganisation('Ikast-Brande Kommune', ['municipality'], '0756');
    auditor = await ledger.registerOrganisation('Revisionsfirma A/S', ['auditor']);
    collector = await ledger.registerOrganisation('Midtjysk Indsamling', ['collector']);
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering, "Vest"', ['sorter', 'collector']);
    await ledger.authoriseCollector(herning, collector.id);
    await ledger.authoriseCollector(herning, sorter.id);
    await ledger.authoriseCollector(ikast, collector.id);

    // Given Herning's two collections, one shipped to the sorter and sorted with the sorter's own, reuse
    // sold and recycling recycled; Ikast-Brande's one collection still with the collector; one in 2024
    const a = await collect(herning, '0657', collector, 400_003, '2025-02-10T09:00:00+01:00', 'kerbside');
    const b = await collect(herning, '0657', sorter, 250_001, '2025-05-20T09:00:00+02:00');
    await collect(herning, '0657', collector, 77_777, '2025-08-01T09:00:00+02:00');
    await collect(ikast, '0756', collector, 123_457, '2025-03-03T09:00:00+01:00');
    await collect(ikast, '0756', collector, 99_000, '2024-12-03T09:00:00+01:00');
    await ok(ledger.post(`/batches/${a}/dispatch`, { toOrgId: sorter.id, massGrams: 400_003 }, collector.key));
    await ok(ledger.post(`/batches/${a}/receive`, { receivedMassGrams: 400_003 }, sorter.key));
    const sorting = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'sorting',
          inputs: [{ batchId: a }, { batchId: b }],
          outputs: [
            { massGrams: 300_001, grade: 'reuse', composition: COTTON },
            { massGrams: 340_000, grade: 'recycling', composition: COTTON },
          ],
          losses: [{ kind: 'moisture-dust', massGrams: 10_003 }],
        },
        sorter.key,
      ),
      201,
    );
    const [reuse] = sorting['outputBatchIds'] as string[];
    await ok(ledger.post(`/batches/${reuse}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, sorter.key));
  }, 120_000);

  afterAll(async () => {
    await ledger?.close();
  }, 60_000);

  it('lists all 98 kommuner, each equal to its municipal report, and totals that are their exact sums', async () => {
    // When the operator asks for 2025
    const national = await ok<NationalAnswer>(ledger.get('/reports/national/2025'));
    // Then every kommune of the reference data is there once, in code order, named
    expect(national.kommuner.map((k) => k.kommuneCode)).toEqual(KOMMUNER.map((k) => k.code).sort());
    expect(national.kommuner.find((k) => k.kommuneCode === '0657')?.kommuneName).toBe('Herning');
    // And each row is its municipal report for the year
    const sums = { collected: 0, batches: 0, reuse: 0, recycled: 0, buckets: {} as Record<string, number> };
    for (const row of national.kommuner) {
      const report = await ok<MunicipalAnswer>(ledger.get(`/reports/municipal/${row.kommuneCode}/2025`));
      expect(row.collected).toEqual(report.collected);
      expect(row.circularity).toEqual(report.circularity);
      expect(row.preparedForReuse).toEqual(report.circularity.buckets['reuse']);
      expect(row.recycled.grams).toBe(report.circularity.buckets['recycledTextile']!.grams + report.circularity.buckets['recycledOther']!.grams);
      sums.collected += report.collected.grams;
      sums.batches += report.collected.batches;
      sums.reuse += report.circularity.buckets['reuse']!.grams;
      sums.recycled += row.recycled.grams;
      for (const [bucket, figure] of Object.entries(report.circularity.buckets)) sums.buckets[bucket] = (sums.buckets[bucket] ?? 0) + figure.grams;
    }
    // And the country's totals are the sums, exactly
    expect(national.total.collected).toMatchObject({ grams: sums.collected, batches: sums.batches });
    expect(national.total.collected.grams).toBe(400_003 + 250_001 + 77_777 + 123_457);
    expect(national.total.preparedForReuse.grams).toBe(sums.reuse);
    expect(national.total.preparedForReuse.grams).toBe(300_001);
    expect(national.total.recycled.grams).toBe(sums.recycled);
    expect(Object.fromEntries(Object.entries(national.total.circularity.buckets).map(([b, f]) => [b, f.grams]))).toEqual(sums.buckets);
    expect(national.total.circularity.ratesPercent['reuse']).toBe(((300_001 / sums.collected) * 100).toFixed(2));
    // And a kommune that collected nothing is listed with zeros and no rates
    const aarhus = national.kommuner.find((k) => k.kommuneCode === '0751');
    expect(aarhus).toMatchObject({ kommuneName: 'Aarhus', collected: { grams: 0, batches: 0 }, circularity: { rates: { circularity: null } } });
    expect(Object.keys(national.rateDefinitions)).toEqual(expect.arrayContaining(['circularity', 'fibreToFibre', 'resolved', 'reuse']));
  });

  it('answers the same as CSV: one line per kommune and a DK total, the same grams', async () => {
    const national = await ok<NationalAnswer>(ledger.get('/reports/national/2025', auditor.key));
    const r = await ledger.request('GET', '/reports/national/2025?format=csv', { key: auditor.key });
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain('text/csv');
    expect(String(r.headers['content-disposition'])).toContain('national-2025.csv');
    const lines = String(r.body).trimEnd().split('\r\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 7)).toEqual(['kommune_code', 'kommune_name', 'period', 'collected_batches', 'collected_grams', 'prepared_for_reuse_grams', 'recycled_grams']);
    expect(header).toEqual(expect.arrayContaining(['reuse_grams', 'in-stock_grams', 'circularity_rate']));
    expect(lines).toHaveLength(1 + 98 + 1);
    const field = (line: string, name: string): string => line.split(',')[header.indexOf(name)]!;
    const herningLine = lines.find((l) => l.startsWith('0657,'))!;
    const herningRow = national.kommuner.find((k) => k.kommuneCode === '0657')!;
    expect(Number(field(herningLine, 'collected_grams'))).toBe(herningRow.collected.grams);
    expect(Number(field(herningLine, 'prepared_for_reuse_grams'))).toBe(herningRow.preparedForReuse.grams);
    expect(Number(field(herningLine, 'in-stock_grams'))).toBe(herningRow.circularity.buckets['inStock']!.grams);
    const total = lines.at(-1)!;
    expect(total.startsWith('DK,total,2025,')).toBe(true);
    expect(Number(field(total, 'collected_grams'))).toBe(national.total.collected.grams);
    expect(Number(field(total, 'recycled_grams'))).toBe(national.total.recycled.grams);
  });

  it('is for auditors and the operator: a municipality, even for its own year, gets a 403 problem', async () => {
    for (const key of [herning.key, ikast.key, collector.key]) {
      const r = await ledger.request('GET', '/reports/national/2025', { key });
      expect(r.status).toBe(403);
      expect(String(r.headers['content-type'])).toContain('application/problem+json');
    }
    expect((await ledger.request('GET', '/reports/national/2025?format=csv', { key: herning.key })).status).toBe(403);
    expect((await ledger.request('GET', '/reports/national/1999', { key: auditor.key })).status).toBe(400);
    expect((await ledger.request('GET', '/reports/national/2025?format=xml', { key: auditor.key })).status).toBe(400);
  });

  it('names the municipal report’s collectors and receivers with exact grams, and defines its rates', async () => {
    // When Herning reads its 2025 report
    const report = await ok<MunicipalAnswer>(ledger.get('/reports/municipal/0657/2025', herning.key));
    // Then the collectors and the first sorter are named, and each list sums to what was collected
    const collected = report.collected.grams;
    expect(Object.fromEntries(report.collectors.map((c) => [c.collectorOrgName, c.grams]))).toEqual({
      'Midtjysk Indsamling': 400_003 + 77_777,
      'Herning Tekstilsortering, "Vest"': 250_001,
    });
    expect(report.receivers).toEqual([{ receiverOrgId: sorter.id, receiverOrgName: 'Herning Tekstilsortering, "Vest"', grams: 650_004, kg: '650.004' }]);
    expect(report.notSorted).toEqual({ grams: 77_777, kg: '77.777' });
    expect(report.receivers.reduce((s, r) => s + r.grams, report.notSorted.grams)).toBe(collected);
    expect(report.rateDefinitions['circularity']).toMatch(/reuse/i);
    // And the CSV keeps its nine first columns and adds the parties' lines
    const csv = String((await ledger.request('GET', '/reports/municipal/0657/2025?format=csv', { key: herning.key })).body);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('kommune_code,period,measure,ewc_code,collection_scheme,batches,grams,kg,rate,organisation_id,organisation_name,definition');
    expect(lines).toContain(`0657,2025,receiver,,,,650004,650.004,,${sorter.id},"Herning Tekstilsortering, ""Vest""",`);
    expect(lines).toContain(`0657,2025,collector,,,,477780,477.780,,${collector.id},Midtjysk Indsamling,`);
    expect(lines).toContain('0657,2025,not-sorted,,,,77777,77.777,,,,');
    expect(lines.find((l) => l.startsWith('0657,2025,circularity,'))).toContain(report.rateDefinitions['circularity']!.split(',')[0]);
  });
});
