import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { COTTON } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

type Json = Record<string, unknown>;
interface Flow {
  grams: number;
}
interface FlowsAnswer {
  collectedGrams: number;
  collectors: Array<Flow & { collectorOrgId: string; collectorOrgName: string | null }>;
  sorters: Array<Flow & { collectorOrgId: string; sorterOrgId: string | null }>;
  grades: Array<Flow & { sorterOrgId: string | null; grade: string }>;
  fates: Array<Flow & { grade: string; bucket: string }>;
  buckets: Record<string, number>;
}
interface ReportAnswer {
  collected: { grams: number };
  circularity: { collected: { grams: number }; buckets: Record<string, { grams: number }> };
}

const sum = (flows: readonly Flow[]): number => flows.reduce((s, f) => s + f.grams, 0);

/** The flows answer against the municipal report for the same kommune and period: every level, every bucket. */
function expectFlowsMatchReport(flows: FlowsAnswer, report: ReportAnswer): void {
  const collected = report.circularity.collected.grams;
  expect(report.collected.grams).toBe(collected);
  expect({ collected: flows.collectedGrams, collectors: sum(flows.collectors), sorters: sum(flows.sorters), grades: sum(flows.grades), fates: sum(flows.fates) }).toEqual({
    collected,
    collectors: collected,
    sorters: collected,
    grades: collected,
    fates: collected,
  });
  const byBucket: Record<string, number> = {};
  for (const fate of flows.fates) byBucket[fate.bucket] = (byBucket[fate.bucket] ?? 0) + fate.grams;
  for (const [bucket, figure] of Object.entries(report.circularity.buckets)) {
    expect({ bucket, grams: byBucket[bucket] ?? 0, answer: flows.buckets[bucket] }).toEqual({ bucket, grams: figure.grams, answer: figure.grams });
  }
  // Each level's flows are the next level's sources: what reaches a sorter leaves it by grade, and so on.
  const sorterIn = new Map<string, number>();
  for (const s of flows.sorters) sorterIn.set(String(s.sorterOrgId), (sorterIn.get(String(s.sorterOrgId)) ?? 0) + s.grams);
  const sorterOut = new Map<string, number>();
  for (const g of flows.grades) sorterOut.set(String(g.sorterOrgId), (sorterOut.get(String(g.sorterOrgId)) ?? 0) + g.grams);
  expect(Object.fromEntries(sorterOut)).toEqual(Object.fromEntries(sorterIn));
  const gradeIn = new Map<string, number>();
  for (const g of flows.grades) gradeIn.set(g.grade, (gradeIn.get(g.grade) ?? 0) + g.grams);
  const gradeOut = new Map<string, number>();
  for (const f of flows.fates) gradeOut.set(f.grade, (gradeOut.get(f.grade) ?? 0) + f.grams);
  expect(Object.fromEntries([...gradeOut].filter(([, g]) => g !== 0))).toEqual(Object.fromEntries([...gradeIn].filter(([, g]) => g !== 0)));
}

describe('municipal flows over HTTP (GET /reports/municipal/:kommuneCode/:year/flows)', () => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let ikast: RegisteredOrganisation;
  let collector: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process' } });
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    ikast = await ledger.registerOrganisation('Ikast-Brande Kommune', ['municipality'], '0756');
    collector = await ledger.registerOrganisation('Midtjysk Indsamling', ['collector']);
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler']);
    await ledger.authoriseCollector(herning, collector.id);
    await ledger.authoriseCollector(herning, sorter.id);
  }, 60_000);

  afterAll(async () => {
    await ledger.close();
  }, 60_000);

  async function ok(response: Promise<{ status: number; body: Json }>, status = 200): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function collect(by: RegisteredOrganisation, massGrams: number, occurredAt: string, scheme = 'bring-bank'): Promise<string> {
    const body = await ok(ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: scheme, ewcCode: '20 01 11', massGrams, collectorOrgId: by.id, occurredAt }, herning.key), 201);
    return body.batchId as string;
  }

  async function ship(batchId: string, from: RegisteredOrganisation, to: RegisteredOrganisation, massGrams: number, receivedMassGrams: number): Promise<void> {
    await ok(ledger.post(`/batches/${batchId}/dispatch`, { toOrgId: to.id, massGrams }, from.key));
    await ok(ledger.post(`/batches/${batchId}/receive`, { receivedMassGrams }, to.key));
  }

  async function sort(by: RegisteredOrganisation, inputs: readonly string[], outputs: ReadonlyArray<{ massGrams: number; grade: string }>, loss: number): Promise<string[]> {
    const body = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'sorting',
          inputs: inputs.map((batchId) => ({ batchId })),
          outputs: outputs.map((o) => ({ ...o, composition: COTTON })),
          losses: loss > 0 ? [{ kind: 'moisture-dust', massGrams: loss }] : [],
        },
        by.key,
      ),
      201,
    );
    return body.outputBatchIds as string[];
  }

  async function both(year: number, quarter?: number): Promise<{ flows: FlowsAnswer; report: ReportAnswer }> {
    const q = quarter === undefined ? '' : `?quarter=${quarter}`;
    const flows = (await ok(ledger.get(`/reports/municipal/0657/${year}/flows${q}`, herning.key))) as unknown as FlowsAnswer;
    const report = (await ok(ledger.get(`/reports/municipal/0657/${year}${q}`, herning.key))) as unknown as ReportAnswer;
    return { flows, report };
  }

  it('follows Herning’s collection through collectors, the sorter and grades to its fates, summing to the report at every level', async () => {
    // Given two collectors' collections in Q1 and Q2, the sorter sorting three of them together,
    // a transit gain on the recycling grade, reuse sold, residual burnt, the rest still in stock
    const a = await collect(collector, 400_003, '2025-02-10T09:00:00+01:00', 'kerbside');
    const b = await collect(sorter, 250_001, '2025-03-20T09:00:00+01:00');
    const c = await collect(sorter, 120_000, '2025-05-05T09:00:00+02:00');
    const unsorted = await collect(collector, 33_333, '2025-06-01T09:00:00+02:00');
    await ship(a, collector, sorter, 400_003, 400_003);
    const [reuse, recycling, residual] = await sort(sorter, [a, b, c], [
      { massGrams: 300_000, grade: 'reuse' },
      { massGrams: 400_000, grade: 'recycling' },
      { massGrams: 60_000, grade: 'residual' },
    ], 10_004);
    await ok(ledger.post(`/batches/${reuse}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, sorter.key));
    await ok(ledger.post(`/batches/${residual}/outcome`, { outcome: 'incinerated', energyRecovery: true }, sorter.key));
    await ship(recycling!, sorter, recycler, 400_000, 401_000);
    await ok(ledger.post(`/batches/${unsorted}/outcome`, { outcome: 'exported', destinationCountry: 'PL', purpose: 'unknown' }, collector.key));

    // When Herning asks for its 2025 flows, and per quarter
    const year = await both(2025);
    // Then every level sums to the report's collected figure and the fates to its buckets
    expect(year.flows.collectedGrams).toBe(803_337);
    expectFlowsMatchReport(year.flows, year.report);
    expect(Object.fromEntries(year.flows.collectors.map((f) => [f.collectorOrgName, f.grams]))).toEqual({ 'Midtjysk Indsamling': 433_336, 'Herning Tekstilsortering': 370_001 });
    expect(year.flows.grades.find((g) => g.grade === 'not-sorted')).toEqual({ sorterOrgId: null, grade: 'not-sorted', grams: 33_333 });
    expect(year.flows.fates.find((f) => f.grade === 'not-sorted')).toEqual({ grade: 'not-sorted', bucket: 'exportUnknown', grams: 33_333 });
    // The 1 kg gain is a negative weighing difference on the recycling grade, shown, not hidden
    expect(year.flows.fates.find((f) => f.grade === 'recycling' && f.bucket === 'weighingDifference')?.grams).toBe(-1_000);
    for (const quarter of [1, 2, 3]) {
      const q = await both(2025, quarter);
      expectFlowsMatchReport(q.flows, q.report);
    }
    expect((await both(2025, 1)).flows.collectedGrams).toBe(650_004);
    expect((await both(2025, 3)).flows.collectedGrams).toBe(0);
    // As of a past log position (decision 013): a later collection is not in the answer
    const beforeLater = await ledger.store.headPosition();
    const later = await collect(collector, 1_000, '2025-07-01T09:00:00+02:00');
    expect(later).toBeDefined();
    const asOf = (await ok(ledger.get(`/reports/municipal/0657/2025/flows?asOfPosition=${beforeLater}`, herning.key))) as unknown as FlowsAnswer;
    expect(asOf.collectedGrams).toBe(803_337);
    expect(asOf.fates).toEqual(year.flows.fates);
    expect((await both(2025)).flows.collectedGrams).toBe(804_337);
  });

  it('refuses another kommune’s flows, a bad quarter and an unknown kommune with problems', async () => {
    const refused = await ledger.get('/reports/municipal/0657/2025/flows', ikast.key);
    expect(refused.status).toBe(403);
    expect(String(refused.headers['content-type'])).toContain('application/problem+json');
    const badQuarter = await ledger.get('/reports/municipal/0657/2025/flows?quarter=5', herning.key);
    expect(badQuarter.status).toBe(400);
    expect(String(badQuarter.headers['content-type'])).toContain('application/problem+json');
    const unknown = await ledger.get('/reports/municipal/0001/2025/flows');
    expect(unknown.status).toBe(404);
    expect((unknown.body as Json).code).toBe('unknown-kommune');
    expect((await ledger.get('/reports/municipal/0756/2025/flows', ikast.key)).status).toBe(200);
  });

  it('balances every level for random small scenarios (property)', async () => {
    const grades = ['reuse', 'recycling', 'residual'] as const;
    const outcomes = [
      { outcome: 'sold-for-reuse', market: 'domestic' },
      { outcome: 'incinerated', energyRecovery: false },
      { outcome: 'exported', destinationCountry: 'DE', purpose: 'recycling' },
      { outcome: 'landfilled' },
    ] as const;
    const scenario = fc.record({
      collections: fc.array(fc.record({ grams: fc.integer({ min: 1, max: 200_000 }), bySorter: fc.boolean(), month: fc.integer({ min: 1, max: 12 }) }), { minLength: 1, maxLength: 4 }),
      sortCount: fc.nat(4),
      shares: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }),
      lossPerMille: fc.integer({ min: 0, max: 50 }),
      fates: fc.array(fc.nat(4), { minLength: 3, maxLength: 3 }),
      weighing: fc.integer({ min: -500, max: 500 }),
    });
    let year = 2000;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        year += 1;
        const ids: Array<{ id: string; grams: number; by: RegisteredOrganisation }> = [];
        for (const c of s.collections) {
          const by = c.bySorter ? sorter : collector;
          const occurredAt = `${year}-${String(c.month).padStart(2, '0')}-15T10:00:00Z`;
          ids.push({ id: await collect(by, c.grams, occurredAt), grams: c.grams, by });
        }
        // The sorter takes in the first `sortCount` collections (shipping the collector's), weighed again on arrival
        const toSort = ids.slice(0, Math.min(s.sortCount, ids.length));
        for (const item of toSort) {
          if (item.by === collector) {
            const received = Math.max(1, item.grams + s.weighing);
            await ship(item.id, collector, sorter, item.grams, received);
            item.grams = received;
          }
        }
        if (toSort.length > 0) {
          const total = toSort.reduce((t, i) => t + i.grams, 0);
          const loss = Math.floor((total * s.lossPerMille) / 1000);
          const weights = s.shares.reduce((t, w) => t + w, 0);
          const out = s.shares.map((w) => Math.floor(((total - loss) * w) / weights));
          out[0]! += total - loss - out.reduce((t, g) => t + g, 0);
          const outputs = out.map((massGrams, i) => ({ massGrams, grade: grades[i % grades.length]! })).filter((o) => o.massGrams > 0);
          const made = await sort(sorter, toSort.map((i) => i.id), outputs, loss);
          for (const [i, batchId] of made.entries()) {
            const fate = outcomes[s.fates[i]! % 5];
            if (fate) await ok(ledger.post(`/batches/${batchId}/outcome`, fate, sorter.key));
          }
        }
        const whole = await both(year);
        expectFlowsMatchReport(whole.flows, whole.report);
        expect(whole.flows.collectedGrams).toBe(s.collections.reduce((t, c) => t + c.grams, 0));
        const q = await both(year, Math.floor((s.collections[0]!.month - 1) / 3) + 1);
        expectFlowsMatchReport(q.flows, q.report);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
