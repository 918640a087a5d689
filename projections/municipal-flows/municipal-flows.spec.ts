import fc from 'fast-check';
import { BUCKETS, CircularityProjection, circularityDb, BUCKET_COLUMNS, type Bucket } from '../circularity/circularity.projection.js';
import { voidProcess, expectSameRowsWhateverThePages } from '../processes/testing/void-log.js';
import { chainFlow, commit, dumpTables, FlowLog, openDb, ORGS, projectedOf, randomFlow, type FlowStep } from '../provenance/flow.fixtures.js';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, project as projectPage, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { MunicipalFlowsProjection, NOT_SORTED, SORTING_LOSS } from './municipal-flows.projection.js';
import { municipalFlows, type MunicipalFlows } from './municipal-flows.queries.js';

const sum = (flows: ReadonlyArray<{ grams: number }>): number => flows.reduce((s, f) => s + f.grams, 0);

/** Every level of a flows answer sums to what the kommune collected in the period. */
function expectLevelsBalance(flows: MunicipalFlows): void {
  expect({
    collectors: sum(flows.collectors),
    sorters: sum(flows.sorters),
    grades: sum(flows.grades),
    fates: sum(flows.fates),
    buckets: BUCKETS.reduce((s, b) => s + flows.buckets[b], 0),
  }).toEqual({ collectors: flows.collectedGrams, sorters: flows.collectedGrams, grades: flows.collectedGrams, fates: flows.collectedGrams, buckets: flows.collectedGrams });
}

/** The circularity's buckets for every kommune cohort month, as the flows' rows sum them. */
async function expectFatesEqualCircularity(db: ReadDb): Promise<void> {
  const cohorts = await circularityDb(db).selectFrom('circularity_cohorts').selectAll().where('origin_key', 'like', 'kommune:%').execute();
  const years = new Set<string>();
  const byKommuneYear = new Map<string, { collected: bigint; buckets: Record<Bucket, bigint> }>();
  for (const row of cohorts) {
    const key = `${row.origin_key.slice('kommune:'.length)}|${row.year}`;
    years.add(key);
    const totals = byKommuneYear.get(key) ?? { collected: 0n, buckets: Object.fromEntries(BUCKETS.map((b) => [b, 0n])) as Record<Bucket, bigint> };
    totals.collected += BigInt(String(row.collected_grams));
    for (const b of BUCKETS) totals.buckets[b] += BigInt(String(row[BUCKET_COLUMNS[b]]));
    byKommuneYear.set(key, totals);
  }
  for (const [key, totals] of byKommuneYear) {
    const [kommune = '', year = ''] = key.split('|');
    const flows = await municipalFlows(db, kommune, Number(year));
    expectLevelsBalance(flows);
    expect({ key, collected: flows.collectedGrams, buckets: flows.buckets }).toEqual({
      key,
      collected: Number(totals.collected),
      buckets: Object.fromEntries(BUCKETS.map((b) => [b, Number(totals.buckets[b])])),
    });
  }
}

describeOnEachReadDb('municipal flows', (openReadDb, dialect) => {
  it('follows each kommune’s grams through collector, first sorter and grade to their fate, to the gram', async () => {
    // Given the CØ59-style chain: both kommuner sorted together, the recycling grade reweighed and recycled
    const log = chainFlow();
    const flowsP = new MunicipalFlowsProjection();
    const circ = new CircularityProjection();
    const db = await openDb(openReadDb, [flowsP, circ]);
    // When both projections fold it
    await commit(db, [flowsP, circ], projectedOf(log));
    // Then Herning's 100 kg went through the collector and the sorter, and split by grade as the
    // sorting's largest-remainder shares (40/150, 100/150, 8/150, 2/150 of 100 000 g, as circularity.spec's buckets)
    const herning = await municipalFlows(db, '0657', 2024);
    expect(herning.collectedGrams).toBe(100_000);
    expect(herning.collectors).toEqual([{ collectorOrgId: ORGS.collector, grams: 100_000 }]);
    expect(herning.sorters).toEqual([{ collectorOrgId: ORGS.collector, sorterOrgId: ORGS.sorter, grams: 100_000 }]);
    expect(Object.fromEntries(herning.grades.map((g) => [g.grade, g.grams]))).toEqual({ reuse: 26_667, recycling: 66_666, residual: 5_334, [SORTING_LOSS]: 1_333 });
    expect(herning.grades.every((g) => g.sorterOrgId === ORGS.sorter)).toBe(true);
    // The reuse grade was sold for reuse, the residual burnt with energy recovery, the loss is a loss
    const fate = (grade: string, bucket: Bucket) => herning.fates.find((f) => f.grade === grade && f.bucket === bucket)?.grams;
    expect(fate('reuse', 'reuse')).toBe(26_667);
    expect(fate(SORTING_LOSS, 'processLoss')).toBe(1_333);
    expect(fate('recycling', 'weighingDifference')).toBe(333);
    // And the fates sum by bucket to the circularity's figures, and every level balances
    await expectFatesEqualCircularity(db);
    const ikastQ2 = await municipalFlows(db, '0756', 2024, 2);
    expect(ikastQ2.collectedGrams).toBe(50_000);
    expectLevelsBalance(ikastQ2);
    expect((await municipalFlows(db, '0756', 2024, 1)).collectedGrams).toBe(0);
  });

  it('keeps not-sorted grams under their collector until a sorting names a sorter and grade', async () => {
    // Given a collection sold for reuse as collected, and one still in stock
    const log = new FlowLog('2025-06-01T08:00:00.000Z');
    log.collect(uid(1), 7_000, { kommuneCode: '0657', occurredAt: '2025-01-10T10:00:00Z' });
    log.collect(uid(2), 3_000, { kommuneCode: '0657', occurredAt: '2025-02-10T10:00:00Z' });
    log.sellForReuse(uid(1), ORG.collector);
    const p = new MunicipalFlowsProjection();
    const db = await openDb(openReadDb, [p]);
    await commit(db, [p], projectedOf(log));
    // Then both are not sorted, one reused and one in stock
    const flows = await municipalFlows(db, '0657', 2025);
    expect(flows.grades).toEqual([{ sorterOrgId: null, grade: NOT_SORTED, grams: 10_000 }]);
    expect(flows.fates).toEqual([
      { grade: NOT_SORTED, bucket: 'inStock', grams: 3_000 },
      { grade: NOT_SORTED, bucket: 'reuse', grams: 7_000 },
    ]);
  });

  it('moves every gram back on a void, and writes the same rows whatever the pages', async () => {
    const [c1, c2, sorted, rest, sorting] = [uid(1, 4), uid(2, 4), uid(3, 4), uid(4, 4), uid(5, 4)];
    const log = new EventLog();
    log.collect(c1, 10_001, { kommuneCode: '0657', occurredAt: '2025-01-10T10:00:00Z' });
    log.collect(c2, 7_003, { kommuneCode: '0101', occurredAt: '2025-02-10T10:00:00Z' });
    log.process({
      processId: sorting,
      organisationId: ORG.collector,
      processType: 'sorting',
      inputs: [{ batchId: c1, massGrams: 10_001 }, { batchId: c2, massGrams: 7_003 }],
      outputs: [{ batchId: sorted, massGrams: 9_000, grade: 'reuse' }, { batchId: rest, massGrams: 7_000, grade: 'recycling' }],
      losses: [{ kind: 'moisture-dust', massGrams: 1_004 }],
    });
    voidProcess(log, sorting);
    const rows = await expectSameRowsWhateverThePages(openReadDb, () => new MunicipalFlowsProjection(), log.projected());
    const db = await openReadDb();
    const p = new MunicipalFlowsProjection();
    await p.migrate(db);
    await p.load(db);
    await projectPage(db, p, log.projected());
    expect(rows.municipal_flows).toBeDefined();
    const flows = await municipalFlows(db, '0657', 2025);
    // Only the collection's own path holds grams again; the sorted paths went back to zero.
    expect(flows.grades).toEqual([{ sorterOrgId: null, grade: NOT_SORTED, grams: 10_001 }]);
    expect(flows.fates).toEqual([{ grade: NOT_SORTED, bucket: 'inStock', grams: 10_001 }]);
  });

  const step = fc.record({ op: fc.nat(99), a: fc.nat(1_000), b: fc.nat(1_000_000), c: fc.nat(1_000_000), d: fc.nat(1_000) });

  it('over random flows: levels balance, fates equal circularity, and live with restarts equals a rebuild (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 60 }), fc.integer({ min: 1, max: 12 }), fc.nat(40), async (steps: FlowStep[], pageSize, restartAt) => {
        const { log } = randomFlow(steps);
        const events = projectedOf(log);
        let live = [new MunicipalFlowsProjection(), new CircularityProjection()] as const;
        const db = await openDb(openReadDb, live);
        for (let i = 0, page = 0; i < events.length; i += pageSize, page++) {
          if (page === restartAt) {
            live = [new MunicipalFlowsProjection(), new CircularityProjection()] as const;
            for (const p of live) await p.load(db);
          }
          await commit(db, live, events.slice(i, i + pageSize));
        }
        await expectFatesEqualCircularity(db);

        const rebuilt = new MunicipalFlowsProjection();
        const fresh = await openDb(openReadDb, [rebuilt]);
        await commit(fresh, [rebuilt], events);
        expect(await dumpTables(db, live[0].tables)).toBe(await dumpTables(fresh, rebuilt.tables));
      }),
      { numRuns: dialect === 'sqlite' ? 80 : 5 },
    );
  });
});
