import { describe, expect, it } from '@jest/globals';
import { parseEvent } from '#domain';
import { EventLog, ORG, project as projectPage, uid } from '../testing/fixtures.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { chainFlow, COHORTS, commit, dumpTables, FlowLog, IDS, openDb, ORGS, projectedOf } from './flow.fixtures.js';
import { ProvenanceProjection } from './provenance.projection.js';
import { provenance, provenanceWeighingDifferences } from './provenance.queries.js';

describeOnEachReadDb('ProvenanceProjection', (openReadDb) => {
  async function project(log: FlowLog) {
    const p = new ProvenanceProjection();
    const db = await openDb(openReadDb, [p]);
    await commit(db, [p], projectedOf(log));
    return { p, db };
  }

  const grams = (view: Awaited<ReturnType<typeof provenance>>) => Object.fromEntries((view?.cohorts ?? []).map((c) => [c.cohort, c.grams]));

  it('builds its fixtures from events that pass their zod schemas', () => {
    for (const e of chainFlow().events) expect(() => parseEvent(e.type, e.schemaVersion, e.data)).not.toThrow();
  });

  it('allocates a sorting → recycling → manufacturing chain to the gram (independently computed)', async () => {
    const { db } = await project(chainFlow());
    // Sorting hands out 150 000 g: reuse 40 000, recycling 100 000, residual 8 000, then the loss.
    expect(grams(await provenance(db, IDS.sortedReuse))).toEqual({ [COHORTS.herning]: 26_667, [COHORTS.ikast]: 13_333 });
    expect(grams(await provenance(db, IDS.sortedResidual))).toEqual({ [COHORTS.herning]: 5_334, [COHORTS.ikast]: 2_666 });
    // 100 000 g {66 666, 33 334} arrived as 99 500 g: rescaled, not trimmed from one cohort.
    expect(grams(await provenance(db, IDS.sortedRecycling))).toEqual({ [COHORTS.herning]: 66_333, [COHORTS.ikast]: 33_167 });
    expect(grams(await provenance(db, IDS.fibre))).toEqual({ [COHORTS.herning]: 61_467, [COHORTS.ikast]: 30_734, [COHORTS.linen]: 27_799 });
    expect(grams(await provenance(db, IDS.felt))).toEqual({
      [COHORTS.herning]: 18_440,
      [COHORTS.ikast]: 9_221,
      [COHORTS.linen]: 8_339,
      [COHORTS.cutting]: 6_000,
      [COHORTS.virgin]: 3_000,
    });
  });

  it('answers the CØ59 question for the pillows: which kommuner, post/pre-consumer, recycled content', async () => {
    const { db } = await project(chainFlow());
    const pillows = await provenance(db, IDS.pillows);
    expect(pillows).toEqual({
      batchId: IDS.pillows,
      state: 'closed',
      massGrams: 100_000,
      cohorts: [
        { cohort: COHORTS.herning, originKey: 'kommune:0657', month: '2024-03', grams: 40_978 },
        { cohort: COHORTS.ikast, originKey: 'kommune:0756', month: '2024-04', grams: 20_489 },
        { cohort: COHORTS.linen, originKey: `post-consumer-business:${ORGS.laundry}`, month: '2024-02', grams: 18_533 },
        { cohort: COHORTS.cutting, originKey: `pre-consumer:${ORGS.mill}`, month: '2024-04', grams: 13_333 },
        { cohort: COHORTS.virgin, originKey: `virgin:${IDS.manufacturing}`, month: '2024-05', grams: 6_667 },
      ],
      byKommune: [
        { kommuneCode: '0657', grams: 40_978 },
        { kommuneCode: '0756', grams: 20_489 },
      ],
      postConsumerGrams: 80_000,
      preConsumerGrams: 13_333,
      virginGrams: 6_667,
      untrackedGrams: 0,
      recycledContentBasisPoints: 9_333,
    });
  });

  it('conserves every cohort across outputs, losses and weighing differences', async () => {
    const { db } = await project(chainFlow());
    const rows = await db.withTables<{ provenance_losses: { vector: string } }>().selectFrom('provenance_losses').select('vector').execute();
    const total = new Map<string, number>();
    const add = (vector: Record<string, number>, sign = 1) => {
      for (const [c, g] of Object.entries(vector)) total.set(c, (total.get(c) ?? 0) + sign * g);
    };
    for (const r of rows) add(JSON.parse(r.vector) as Record<string, number>);
    for (const id of [IDS.sortedReuse, IDS.sortedResidual, IDS.pillows, IDS.felt]) add(grams(await provenance(db, id)));
    for (const d of await provenanceWeighingDifferences(db, IDS.sortedRecycling)) total.set(d.cohort, (total.get(d.cohort) ?? 0) - d.differenceGrams);
    expect(Object.fromEntries(total)).toEqual({
      [COHORTS.herning]: 100_000,
      [COHORTS.ikast]: 50_000,
      [COHORTS.linen]: 30_000,
      [COHORTS.cutting]: 20_000,
      [COHORTS.virgin]: 10_000,
    });
  });

  it('books a transit loss per cohort as a weighing difference', async () => {
    const { db } = await project(chainFlow());
    const diffs = await provenanceWeighingDifferences(db, IDS.sortedRecycling);
    expect(diffs.map(({ cohort, differenceGrams }) => ({ cohort, differenceGrams }))).toEqual([
      { cohort: COHORTS.herning, differenceGrams: -333 },
      { cohort: COHORTS.ikast, differenceGrams: -167 },
    ]);
  });

  it('treats a correction of the origin mass as a change of what was collected, later ones as weighings', async () => {
    const log = new FlowLog('2024-06-01T08:00:00.000Z');
    const batch = uid(50, 2);
    log.collectAt(batch, 10_000, { kommuneCode: '0101', occurredAt: '2024-05-02T08:00:00Z', collectorOrgId: ORGS.collector });
    log.correctMass(batch, 9_000, ORGS.collector);
    log.correctMass(batch, 9_200, ORGS.collector); // corrects the correction: still the origin's mass
    const t = log.dispatch(batch, ORGS.collector, ORGS.sorter, 9_200);
    log.receive(batch, t, 9_200, 9_150, ORGS.sorter);
    log.correctMass(batch, 9_100, ORGS.sorter); // names the receipt: a weighing difference
    const { db } = await project(log);
    expect(grams(await provenance(db, batch))).toEqual({ 'kommune:0101|2024-05': 9_100 });
    expect((await provenanceWeighingDifferences(db, batch)).map((d) => d.differenceGrams)).toEqual([-50, -50]);
  });

  it('counts nothing of a process until it completes, and nothing of one that is rejected', async () => {
    const log = new FlowLog('2024-06-01T08:00:00.000Z');
    const input = uid(60, 2);
    const out = uid(61, 2);
    const rejectedOut = uid(62, 2);
    log.collectAt(input, 5_000, { kommuneCode: '0657', occurredAt: '2024-05-02T08:00:00Z', collectorOrgId: ORGS.collector });
    log.process(
      { processId: uid(70, 3), organisationId: ORGS.collector, inputs: [{ batchId: input, massGrams: 5_000 }], outputs: [{ batchId: rejectedOut, massGrams: 5_000 }] },
      'reject',
    );
    log.process(
      { processId: uid(71, 3), organisationId: ORGS.collector, inputs: [{ batchId: input, massGrams: 5_000 }], outputs: [{ batchId: out, massGrams: 5_000 }] },
      'pending',
    );
    const p = new ProvenanceProjection();
    const db = await openDb(openReadDb, [p]);
    await commit(db, [p], projectedOf(log));
    expect(await provenance(db, out)).toBeUndefined();
    expect(await provenance(db, rejectedOut)).toBeUndefined();
    expect((await provenance(db, input))?.state).toBe('open');
    expect(p.pendingProcessIds()).toEqual([uid(71, 3)]);

    // A restart in between: the pending process survives in the gate's table.
    const mark = log.events.length;
    log.completeProcess(uid(71, 3), ORGS.collector);
    const restarted = new ProvenanceProjection();
    await restarted.load(db);
    await commit(db, [restarted], projectedOf(log, mark));
    expect((await provenance(db, input))?.state).toBe('consumed');
    expect(grams(await provenance(db, out))).toEqual({ 'kommune:0657|2024-05': 5_000 });
  });

  it('is idempotent and gives the same rows whether events come in one page, many pages or after a restart', async () => {
    const log = chainFlow();
    const events = projectedOf(log);
    const whole = await project(log);
    const expected = await dumpTables(whole.db, whole.p.tables);

    const paged = new ProvenanceProjection();
    const db = await openDb(openReadDb, [paged]);
    for (let i = 0; i < events.length; i += 3) {
      await commit(db, [paged], events.slice(i, i + 3));
      // Replaying what was already applied changes nothing.
      await commit(db, [paged], events.slice(0, i + 3));
    }
    expect(await dumpTables(db, paged.tables)).toBe(expected);

    const restartedDb = await openDb(openReadDb, [new ProvenanceProjection()]);
    let current = new ProvenanceProjection();
    for (let i = 0; i < events.length; i += 5) {
      current = new ProvenanceProjection();
      await current.load(restartedDb);
      await commit(restartedDb, [current], events.slice(i, i + 5));
    }
    expect(await dumpTables(restartedDb, current.tables)).toBe(expected);
  });

  describe('voids (decision 011)', () => {
    const [c1, c2, o1, o2, o3, o4, p1, p2] = [uid(1, 3), uid(2, 3), uid(3, 3), uid(4, 3), uid(5, 3), uid(6, 3), uid(7, 3), uid(8, 3)];
    /** Two kommuner's collections blended with virgin fibre; the same blend again under `processId`. */
    function blendOnce(log: EventLog, processId: string, outputs: readonly [string, string]): void {
      log.process({
        processId,
        organisationId: ORG.collector,
        processType: 'blending',
        inputs: [{ batchId: c1, massGrams: 10_000 }, { batchId: c2, massGrams: 5_001 }],
        externalInputs: [{ description: 'virgin polyester', massGrams: 300, originClass: 'virgin' }],
        outputs: [{ batchId: outputs[0], massGrams: 9_001 }, { batchId: outputs[1], massGrams: 6_000 }],
        losses: [{ kind: 'moisture-dust', massGrams: 300 }],
      });
    }
    function flow(): EventLog {
      const log = new EventLog();
      log.collect(c1, 10_000, { kommuneCode: '0657', occurredAt: '2025-01-10T10:00:00Z' });
      log.collect(c2, 5_001, { kommuneCode: '0751', occurredAt: '2025-02-10T10:00:00Z' });
      blendOnce(log, p1, [o1, o2]);
      return log;
    }
    const wasteGrams = (view: Awaited<ReturnType<typeof provenance>>) => Object.fromEntries((view?.cohorts ?? []).filter((c) => c.originKey.startsWith('kommune:')).map((c) => [c.cohort, c.grams]));

    it('gives the inputs back their vectors, marks the outputs voided and drops the losses', async () => {
      const log = flow();
      const db = await openReadDb();
      const p = new ProvenanceProjection();
      await p.migrate(db);
      await p.load(db);
      await projectPage(db, p, log.projected());
      const produced = [await provenance(db, o1), await provenance(db, o2)];
      const from = log.events.length;
      voidProcess(log, p1);
      await projectPage(db, p, log.projected(from));

      expect(await provenance(db, c1)).toMatchObject({ state: 'open', massGrams: 10_000, cohorts: [{ originKey: 'kommune:0657', month: '2025-01', grams: 10_000 }] });
      expect(await provenance(db, c2)).toMatchObject({ state: 'open', massGrams: 5_001, cohorts: [{ originKey: 'kommune:0751', month: '2025-02', grams: 5_001 }] });
      expect(await provenance(db, o1)).toEqual({ ...produced[0], state: 'voided' });
      expect(await provenance(db, o2)).toEqual({ ...produced[1], state: 'voided' });
      const losses = await db.withTables<{ provenance_losses: { process_id: string } }>().selectFrom('provenance_losses').selectAll().execute();
      expect(losses).toEqual([]);

      // The same blend recorded again gives the same grams per kommune: the inputs are exactly as before.
      const again = log.events.length;
      blendOnce(log, p2, [o3, o4]);
      await projectPage(db, p, log.projected(again));
      expect(wasteGrams(await provenance(db, o3))).toEqual(wasteGrams(produced[0]));
      expect(wasteGrams(await provenance(db, o4))).toEqual(wasteGrams(produced[1]));
    });

    it('writes the same rows whatever the pages (the consumed inputs are read back for the void)', async () => {
      const log = flow();
      voidProcess(log, p1);
      blendOnce(log, p2, [o3, o4]);
      const rows = await expectSameRowsWhateverThePages(openReadDb, () => new ProvenanceProjection(), log.projected());
      expect(rows.provenance_losses).toHaveLength(1);
    });
  });
});
