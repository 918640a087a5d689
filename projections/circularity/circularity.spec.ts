import { vectorFromJson, vectorSum } from '#domain';
import fc from 'fast-check';
import {
  chainFlow,
  COHORTS,
  commit,
  dumpTables,
  FlowLog,
  openDb,
  ORGS,
  projectedOf,
  randomFlow,
  type FlowStep,
} from '../provenance/flow.fixtures.js';
import type { FoldBatchRow } from '../provenance/fold-store.js';
import { ProvenanceProjection } from '../provenance/provenance.projection.js';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, dump, project as projectPage, uid } from '../testing/fixtures.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { BUCKET_COLUMNS, BUCKETS, CircularityProjection, circularityDb, closedBucket, type Bucket } from './circularity.projection.js';
import { circularity } from './circularity.queries.js';

const zero = (): Record<Bucket, number> => Object.fromEntries(BUCKETS.map((b) => [b, 0])) as Record<Bucket, number>;

async function cohortRows(db: ReadDb) {
  const rows = await circularityDb(db).selectFrom('circularity_cohorts').selectAll().orderBy('cohort').execute();
  return rows.map((row) => {
    const buckets = zero();
    for (const b of BUCKETS) buckets[b] = Number(row[BUCKET_COLUMNS[b]]);
    return { cohort: row.cohort, collected: Number(row.collected_grams), buckets };
  });
}

/** The standing invariant of docs/domain.md: every collected gram is in exactly one bucket. */
async function expectCollectedEqualsBuckets(db: ReadDb, p: CircularityProjection): Promise<void> {
  // Exact: cohort totals may pass 2^53 (decision 021), where Number() would round both sides alike.
  for (const row of await circularityDb(db).selectFrom('circularity_cohorts').selectAll().execute()) {
    const sum = BUCKETS.reduce((s, b) => s + BigInt(String(row[BUCKET_COLUMNS[b]])), 0n);
    expect({ cohort: row.cohort, sum }).toEqual({ cohort: row.cohort, sum: BigInt(String(row.collected_grams)) });
  }
  for (const [cohort, totals] of p.snapshot()) {
    const sum = BUCKETS.reduce((s, b) => s + totals.buckets[b], 0n);
    expect({ cohort, sum }).toEqual({ cohort, sum: totals.collected });
  }
}

describeOnEachReadDb('circularity', (openReadDb, dialect) => {
  async function project(log: FlowLog) {
    const p = new CircularityProjection();
    const db = await openDb(openReadDb, [p]);
    await commit(db, [p], projectedOf(log));
    return { p, db };
  }

  describe('CircularityProjection', () => {
    it('puts every gram of the chain in the bucket where it is now, to the gram', async () => {
      const { p, db } = await project(chainFlow());
      await expectCollectedEqualsBuckets(db, p);
      const byCohort = Object.fromEntries((await cohortRows(db)).map((r) => [r.cohort, r]));
      // Numbers follow provenance.spec's allocation: losses are 1 333 (sorting) + 4 866 (recycling) +
      // 2 049 (manufacturing); the transit loss of 333 g is a weighing difference.
      expect(byCohort[COHORTS.herning]).toEqual({
        cohort: COHORTS.herning,
        collected: 100_000,
        buckets: { ...zero(), reuse: 26_667, energyRecovery: 5_334, processLoss: 8_248, weighingDifference: 333, recycledTextile: 40_978, recycledOther: 18_440 },
      });
      expect(byCohort[COHORTS.ikast]).toEqual({
        cohort: COHORTS.ikast,
        collected: 50_000,
        buckets: { ...zero(), reuse: 13_333, energyRecovery: 2_666, processLoss: 4_124, weighingDifference: 167, recycledTextile: 20_489, recycledOther: 9_221 },
      });
      expect(byCohort[COHORTS.linen]?.buckets).toEqual({ ...zero(), processLoss: 3_128, recycledTextile: 18_533, recycledOther: 8_339 });
      expect(byCohort[COHORTS.cutting]?.buckets).toEqual({ ...zero(), processLoss: 667, recycledTextile: 13_333, recycledOther: 6_000 });
      // Virgin and untracked material is not waste: no circularity cohort for it.
      expect(byCohort[COHORTS.virgin]).toBeUndefined();
    });

    it('sums cohorts to origin key × month, quarter and year, with rates computed from grams', async () => {
      const { db } = await project(chainFlow());
      const [q1] = await circularity(db, { kommuneCode: '0657', period: 'quarter', from: '2024', to: '2024' });
      expect(q1).toMatchObject({ originKey: 'kommune:0657', period: '2024-Q1', collectedGrams: 100_000 });
      expect(q1?.rates.circularity).toBeCloseTo((26_667 + 40_978 + 18_440) / 100_000, 12);
      expect(q1?.rates.fibreToFibre).toBe(0.40978);
      expect(q1?.rates.resolved).toBe(1);
      expect(q1?.rates.processLoss).toBe(0.08248);

      const months = await circularity(db, { period: 'month' });
      expect(months.map((r) => [r.originKey, r.period])).toEqual([
        ['kommune:0657', '2024-03'],
        ['kommune:0756', '2024-04'],
        [`post-consumer-business:${ORGS.laundry}`, '2024-02'],
        [`pre-consumer:${ORGS.mill}`, '2024-04'],
      ]);
      const years = await circularity(db, { period: 'year', from: '2024-04', to: '2024-Q2' });
      expect(years.map((r) => [r.originKey, r.period, r.collectedGrams])).toEqual([
        ['kommune:0756', '2024', 50_000],
        [`pre-consumer:${ORGS.mill}`, '2024', 20_000],
      ]);
      expect(await circularity(db, { originKey: 'kommune:0657', period: 'month', from: '2024-04' })).toEqual([]);
    });

    it('books a transit loss or gain as a weighing difference and leaves collected alone', async () => {
      const log = new FlowLog('2024-06-01T08:00:00.000Z');
      const a = uid(1, 2);
      const b = uid(2, 2);
      log.collectAt(a, 1_000, { kommuneCode: '0101', occurredAt: '2024-05-02T08:00:00Z', collectorOrgId: ORGS.collector });
      log.collectAt(b, 1_000, { kommuneCode: '0101', occurredAt: '2024-05-03T08:00:00Z', collectorOrgId: ORGS.collector });
      const t1 = log.dispatch(a, ORGS.collector, ORGS.sorter, 1_000);
      log.receive(a, t1, 1_000, 950, ORGS.sorter);
      const t2 = log.dispatch(b, ORGS.collector, ORGS.sorter, 1_000);
      log.receive(b, t2, 1_000, 1_020, ORGS.sorter);
      const { p, db } = await project(log);
      await expectCollectedEqualsBuckets(db, p);
      const [row] = await cohortRows(db);
      expect(row).toEqual({ cohort: 'kommune:0101|2024-05', collected: 2_000, buckets: { ...zero(), inStock: 1_970, weighingDifference: 30 } });
    });

    it('changes what was collected when the origin mass is corrected', async () => {
      const log = new FlowLog('2024-06-01T08:00:00.000Z');
      const a = uid(1, 2);
      log.collectAt(a, 10_000, { kommuneCode: '0101', occurredAt: '2024-05-02T08:00:00Z', collectorOrgId: ORGS.collector });
      log.correctMass(a, 9_000, ORGS.collector);
      const t = log.dispatch(a, ORGS.collector, ORGS.sorter, 9_000);
      log.receive(a, t, 9_000, 8_900, ORGS.sorter);
      log.correctMass(a, 8_950, ORGS.sorter);
      const { p, db } = await project(log);
      await expectCollectedEqualsBuckets(db, p);
      expect(await cohortRows(db)).toEqual([{ cohort: 'kommune:0101|2024-05', collected: 9_000, buckets: { ...zero(), inStock: 8_950, weighingDifference: 50 } }]);
    });

    it('moves nothing for a process that has not completed, nor for a rejected one', async () => {
      const log = new FlowLog('2024-06-01T08:00:00.000Z');
      const input = uid(1, 2);
      log.collectAt(input, 5_000, { kommuneCode: '0657', occurredAt: '2024-05-02T08:00:00Z', collectorOrgId: ORGS.collector });
      const spec = {
        organisationId: ORGS.recycler,
        processType: 'mechanical-recycling' as const,
        inputs: [{ batchId: input, massGrams: 5_000 }],
        outputs: [{ batchId: uid(3, 2), massGrams: 4_500, grade: 'fibre' as const }],
        losses: [{ kind: 'process-waste' as const, massGrams: 500 }],
      };
      log.process({ ...spec, processId: uid(1, 3), outputs: [{ batchId: uid(2, 2), massGrams: 4_500, grade: 'fibre' }] }, 'reject');
      log.process({ ...spec, processId: uid(2, 3) }, 'pending');
      const p = new CircularityProjection();
      const db = await openDb(openReadDb, [p]);
      await commit(db, [p], projectedOf(log));
      const before = await cohortRows(db);
      expect(before).toEqual([{ cohort: 'kommune:0657|2024-05', collected: 5_000, buckets: { ...zero(), inStock: 5_000 } }]);

      const mark = log.events.length;
      log.completeProcess(uid(2, 3), ORGS.recycler);
      await commit(db, [p], projectedOf(log, mark));
      expect(await cohortRows(db)).toEqual([
        { cohort: 'kommune:0657|2024-05', collected: 5_000, buckets: { ...zero(), recycledOther: 4_500, processLoss: 500 } },
      ]);
    });

    it('classifies outcomes: reuse only for material that was not reprocessed', () => {
      const base = { batchId: uid(1, 2), vector: new Map(), massFromOrigin: false, state: 'open' as const };
      const raw = { ...base, reprocessed: false };
      const fibre = { ...base, reprocessed: true };
      const product = { ...base, reprocessed: true, application: 'textile' as const };
      expect(closedBucket(raw, { kind: 'sold-for-reuse' })).toBe('reuse');
      expect(closedBucket(raw, { kind: 'exported', purpose: 'reuse' })).toBe('reuse');
      expect(closedBucket(fibre, { kind: 'sold-for-reuse' })).toBe('recycledOther');
      expect(closedBucket(fibre, { kind: 'exported', purpose: 'reuse' })).toBe('recycledOther');
      expect(closedBucket(product, { kind: 'placed-on-market' })).toBe('recycledTextile');
      expect(closedBucket(product, { kind: 'exported', purpose: 'recycling' })).toBe('exportRecycling');
      expect(closedBucket(raw, { kind: 'exported', purpose: 'unknown' })).toBe('exportUnknown');
      expect(closedBucket(fibre, { kind: 'incinerated', energyRecovery: true })).toBe('energyRecovery');
      expect(closedBucket(raw, { kind: 'incinerated', energyRecovery: false })).toBe('incineration');
      expect(closedBucket(raw, { kind: 'landfilled' })).toBe('landfill');
    });

    it('counts descendants of reprocessed material as recycled, even when sold on or split without reprocessing', async () => {
      const log = new FlowLog('2024-06-01T08:00:00.000Z');
      const raw = uid(1, 2);
      const fibre = uid(2, 2);
      const halfA = uid(3, 2);
      const halfB = uid(4, 2);
      log.collectAt(raw, 1_000, { kommuneCode: '0657', occurredAt: '2024-05-02T08:00:00Z', collectorOrgId: ORGS.collector });
      log.process({
        processId: uid(1, 3),
        organisationId: ORGS.recycler,
        processType: 'mechanical-recycling',
        inputs: [{ batchId: raw, massGrams: 1_000 }],
        outputs: [{ batchId: fibre, massGrams: 1_000, grade: 'fibre' }],
      });
      log.process({
        processId: uid(2, 3),
        organisationId: ORGS.recycler,
        processType: 'splitting',
        inputs: [{ batchId: fibre, massGrams: 1_000 }],
        outputs: [
          { batchId: halfA, massGrams: 600, grade: 'fibre' },
          { batchId: halfB, massGrams: 400, grade: 'fibre' },
        ],
      });
      log.sellForReuse(halfA, ORGS.recycler);
      const { p, db } = await project(log);
      await expectCollectedEqualsBuckets(db, p);
      expect((await cohortRows(db))[0]?.buckets).toEqual({ ...zero(), recycledOther: 1_000 });
    });

    it('gives the same rows in one page, in many pages and across restarts', async () => {
      const log = chainFlow();
      const events = projectedOf(log);
      const whole = await project(log);
      const expected = await dumpTables(whole.db, whole.p.tables);
      const db = await openDb(openReadDb, [new CircularityProjection()]);
      let current = new CircularityProjection();
      for (let i = 0; i < events.length; i += 4) {
        current = new CircularityProjection();
        await current.load(db);
        await commit(db, [current], events.slice(0, i + 4)); // the already-applied prefix is ignored
      }
      expect(await dumpTables(db, current.tables)).toBe(expected);
    });
  });

  const step = fc.record({ op: fc.nat(99), a: fc.nat(1_000), b: fc.nat(1_000_000), c: fc.nat(1_000_000), d: fc.nat(1_000) });

  describe('circularity and provenance over random flows (property)', () => {
    it('keep collected = Σ buckets per cohort, vectors summing to their batch, and rebuild byte for byte', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 60 }), fc.integer({ min: 1, max: 12 }), fc.nat(40), async (steps: FlowStep[], pageSize, restartAt) => {
          const { log, collected } = randomFlow(steps);
          const events = projectedOf(log);

          // Live: small pages, with a restart (reload from the tables) part-way.
          let live = [new ProvenanceProjection(), new CircularityProjection()] as const;
          const db = await openDb(openReadDb, live);
          for (let i = 0, page = 0; i < events.length; i += pageSize, page++) {
            if (page === restartAt) {
              live = [new ProvenanceProjection(), new CircularityProjection()] as const;
              for (const p of live) await p.load(db);
            }
            await commit(db, live, events.slice(i, i + pageSize));
          }
          const [, circ] = live;
          await expectCollectedEqualsBuckets(db, circ);

          // Collected per cohort is what the command side collected, origin corrections included.
          const rows = await cohortRows(db);
          expect(Object.fromEntries(rows.map((r) => [r.cohort, r.collected]))).toEqual(
            Object.fromEntries([...collected].map(([c, g]) => [c, Number(g)])),
          );

          // Every vector sums to its batch's mass as evolveBatch sees it.
          const states = log.batchStates();
          const batches = await db.withTables<{ provenance_batches: FoldBatchRow }>().selectFrom('provenance_batches').selectAll().execute();
          for (const row of batches) {
            const sum = Number(vectorSum(vectorFromJson(row.vector)));
            expect({ id: row.batch_id, sum, mass: Number(row.mass_grams) }).toEqual({ id: row.batch_id, sum: states.get(row.batch_id)?.massGrams, mass: sum });
            const status = states.get(row.batch_id)?.status;
            expect({ id: row.batch_id, state: row.state }).toEqual({
              id: row.batch_id,
              state: status === 'closed' ? 'closed' : row.state === 'consumed' ? 'consumed' : 'open',
            });
            if (row.state === 'consumed') expect(status).toBe('consumed');
          }

          // A rebuild in one page gives byte-identical tables.
          const rebuilt = [new ProvenanceProjection(), new CircularityProjection()] as const;
          const fresh = await openDb(openReadDb, rebuilt);
          await commit(fresh, rebuilt, events);
          const tables = rebuilt.flatMap((p) => [...p.tables]);
          expect(await dumpTables(db, tables)).toBe(await dumpTables(fresh, tables));
        }),
        // PostgreSQL round trips make a run ~10× slower; a few runs there show the SQL agrees.
        { numRuns: dialect === 'sqlite' ? 120 : 10 },
      );
    });
  });

  describe('voids (decision 011)', () => {
    const [c1, c2, fibre, felt, recycling, making] = [uid(1, 4), uid(2, 4), uid(3, 4), uid(4, 4), uid(5, 4), uid(6, 4)];
    /** Two collections recycled into fibre (with virgin fibre blended in), then the fibre made into felt. */
    function flow(): EventLog {
      const log = new EventLog();
      log.collect(c1, 10_000, { kommuneCode: '0657', occurredAt: '2025-01-10T10:00:00Z' });
      log.collect(c2, 7_001, { kommuneCode: '0101', occurredAt: '2025-02-10T10:00:00Z' });
      log.process({
        processId: recycling,
        organisationId: ORG.collector,
        processType: 'mechanical-recycling',
        inputs: [{ batchId: c1, massGrams: 10_000 }, { batchId: c2, massGrams: 7_001 }],
        externalInputs: [{ description: 'virgin polyester', massGrams: 999, originClass: 'virgin' }],
        outputs: [{ batchId: fibre, massGrams: 16_500, grade: 'fibre' }],
        losses: [{ kind: 'process-waste', massGrams: 1_200 }, { kind: 'moisture-dust', massGrams: 300 }],
      });
      return log;
    }

    it('moves every gram back where it was before the process, for every cohort', async () => {
      const log = flow();
      const db = await openReadDb();
      const p = new CircularityProjection();
      await p.migrate(db);
      await p.load(db);
      const beforeProcess = log.events.findIndex((e) => e.type === 'ProcessStarted');
      await projectPage(db, p, log.projected(0, beforeProcess));
      const asCollected = await cohortRows(db);
      expect(asCollected.map((r) => r.buckets.inStock)).toEqual([7_001, 10_000]);

      await projectPage(db, p, log.projected(beforeProcess));
      expect((await cohortRows(db)).map((r) => [r.buckets.recycledOther > 0, r.buckets.processLoss > 0, r.buckets.inStock])).toEqual([
        [true, true, 0],
        [true, true, 0],
      ]);
      const from = log.events.length;
      voidProcess(log, recycling);
      await projectPage(db, p, log.projected(from));
      expect(await cohortRows(db)).toEqual(asCollected);
      await expectCollectedEqualsBuckets(db, p);
    });

    it('writes the same rows whatever the pages, with a void in the middle of a chain', async () => {
      const log = flow();
      log.process({ processId: making, organisationId: ORG.collector, processType: 'manufacturing', inputs: [{ batchId: fibre, massGrams: 16_500 }], outputs: [{ batchId: felt, massGrams: 16_500, grade: 'product', productType: 'felt', application: 'non-textile' }] });
      voidProcess(log, making);
      voidProcess(log, recycling);
      const rows = await expectSameRowsWhateverThePages(openReadDb, () => new CircularityProjection(), log.projected());
      const db = await openReadDb();
      const p = new CircularityProjection();
      await p.migrate(db);
      await p.load(db);
      await projectPage(db, p, log.projected());
      expect(await dump(db, 'circularity_cohorts')).toEqual(rows.circularity_cohorts);
      expect((await cohortRows(db)).map((r) => r.buckets.inStock)).toEqual([7_001, 10_000]);
      await expectCollectedEqualsBuckets(db, p);
    });
  });
});

/** Decision 021: whatever a store written by an older version holds, the read model folds it. */
describeOnEachReadDb('circularity over events beyond today’s bounds', (openReadDb) => {
  async function fold(log: EventLog) {
    const p = new CircularityProjection();
    const db = await openReadDb();
    await p.migrate(db);
    await p.load(db);
    await projectPage(db, p, log.projected());
    return { p, db };
  }

  it('gives a collection dated in year 0999 its own 0999-12 cohort, and one of year 0001 its 0001-01', async () => {
    // Given collections dated 0999-12-31 and 0001-01-01 (which no month formatting of Intl could place)
    const log = new EventLog();
    log.collect(uid(1), 5_000, { occurredAt: '0999-12-31T12:00:00Z' });
    log.collect(uid(2), 7_000, { occurredAt: '0001-01-01T00:00:00Z' });
    log.incinerate(uid(2), ORG.collector);
    // When the circularity projection folds them
    const { p, db } = await fold(log);
    // Then each is simply there, in its own month, quarter and year
    const rows = await circularityDb(db).selectFrom('circularity_cohorts').select(['cohort', 'quarter', 'year', 'collected_grams']).orderBy('cohort').execute();
    expect(rows.map((r) => ({ ...r, collected_grams: String(r.collected_grams) }))).toEqual([
      { cohort: 'kommune:0657|0001-01', quarter: '0001-Q1', year: '0001', collected_grams: '7000' },
      { cohort: 'kommune:0657|0999-12', quarter: '0999-Q4', year: '0999', collected_grams: '5000' },
    ]);
    expect((await circularity(db, { period: 'year', from: '0999', to: '0999' })).map((r) => [r.period, r.collectedGrams, r.buckets.inStock])).toEqual([['0999', 5_000, 5_000]]);
    await expectCollectedEqualsBuckets(db, p);
  });

  it('keeps cohort totals beyond 2^53 g exact, through a restart, and answers queries on them', async () => {
    // Given three collections of MAX_SAFE_INTEGER g in one kommune and month, one of them incinerated
    const log = new EventLog();
    const max = Number.MAX_SAFE_INTEGER;
    for (const n of [1, 2, 3]) log.collect(uid(n), max, { occurredAt: '2025-01-10T10:00:00Z' });
    log.incinerate(uid(3), ORG.collector, false);
    // When the projection folds them and a second instance loads what the first wrote
    const { db } = await fold(log);
    const reloaded = new CircularityProjection();
    await reloaded.load(db);
    log.collect(uid(4), 1, { occurredAt: '2025-01-11T10:00:00Z' });
    await projectPage(db, reloaded, log.projected(log.events.length - 1));
    // Then the totals are exact decimal integers (3 × (2^53 − 1) + 1), and collected = Σ buckets
    const [row] = await circularityDb(db).selectFrom('circularity_cohorts').selectAll().execute();
    expect(String(row?.collected_grams)).toBe(String(3n * BigInt(max) + 1n));
    expect(String(row?.in_stock_grams)).toBe(String(2n * BigInt(max) + 1n));
    expect(String(row?.incineration_grams)).toBe(String(max));
    await expectCollectedEqualsBuckets(db, reloaded);
    const [answer] = await circularity(db, { period: 'month' });
    expect(answer?.collectedGrams).toBe(Number(3n * BigInt(max) + 1n));
    expect(answer?.rates.incineration).toBeCloseTo(1 / 3, 12);
  });
});
