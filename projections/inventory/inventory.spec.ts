import { beforeEach, expect, it } from '@jest/globals';
import { BatchSummaryProjection } from '../batch-summary/batch-summary.projection.js';
import type { ProjectedEvent, ReadDb } from '../runner/projection.js';
import { dynamicDb } from '../runner/sql-rows.js';
import { EventLog, ORG, dump, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import { InventoryProjection } from './inventory.projection.js';
import { inventory } from './inventory.queries.js';

const [c1, c2, a, b, x] = [uid(1), uid(2), uid(3), uid(4), uid(5)];

/** Collector collects two batches in February, ships one to the sorter, which sorts it in March. */
function scenario(log: EventLog): void {
  log.collect(c1, 10_000, { occurredAt: '2025-02-10T10:00:00+01:00' });
  log.collect(c2, 5_000, { occurredAt: '2025-02-11T10:00:00+01:00' });
  // Dispatch weight differs from the book mass (+50), the consignee weighs 9,990 (transit −60).
  const t1 = log.dispatch(c1, ORG.collector, ORG.sorter, 10_050, { occurredAt: '2025-02-20T08:00:00Z' });
  log.receive(c1, t1, 10_050, 9_990, ORG.sorter, '2025-02-21T08:00:00Z');
  // A shipment cancelled: the dispatch is reversed.
  const t2 = log.dispatch(c2, ORG.collector, ORG.sorter, 5_000, { occurredAt: '2025-02-22T08:00:00Z' });
  log.cancel(c2, t2, ORG.collector, '2025-02-23T08:00:00Z');
  log.process({
    processId: uid(60),
    organisationId: ORG.sorter,
    inputs: [{ batchId: c1, massGrams: 9_990 }],
    outputs: [{ batchId: a, massGrams: 6_000, grade: 'reuse' }, { batchId: b, massGrams: 3_500 }],
    losses: [{ kind: 'moisture-dust', massGrams: 490 }],
    occurredAt: '2025-03-05T12:00:00Z',
  });
  log.append(`batch-${a}`, { type: 'BatchSoldForReuse', data: { batchId: a, market: 'domestic', occurredAt: '2025-03-10T12:00:00Z' } }, { actorOrgId: ORG.sorter });
}

describeOnEachReadDb('inventory projection', (openDb) => {
  let db: ReadDb;
  let inv: InventoryProjection;
  let summary: BatchSummaryProjection;

  beforeEach(async () => {
    db = await openDb();
    inv = new InventoryProjection();
    summary = new BatchSummaryProjection();
    for (const p of [inv, summary]) {
      await p.migrate(db);
      await p.load(db);
    }
  });
  async function both(events: readonly ProjectedEvent[]): Promise<void> {
    await project(db, inv, events);
    await project(db, summary, events);
  }

  it('balances every organisation exactly, with dispatch and transit weighing differences', async () => {
    const log = new EventLog();
    scenario(log);
    log.correct(c2, `batch-${c2}:0`, 5_000, 5_100, ORG.collector);
    await both(log.projected());

    const collector = await inventory(db, ORG.collector);
    expect(collector).toMatchObject({
      openingGrams: 0,
      collectedGrams: 15_000,
      receivedGrams: 0,
      adjustmentGrams: 150,
      dispatchedGrams: 10_050,
      consumedGrams: 0,
      outcomeGrams: 0,
      closingGrams: 5_100,
      balanced: true,
      stock: { availableGrams: 5_100, availableBatches: 1, inTransitGrams: 0, byGrade: [{ grade: 'unsorted', availableGrams: 5_100, availableBatches: 1, inTransitGrams: 0, inTransitBatches: 0 }] },
    });

    const sorter = await inventory(db, ORG.sorter);
    expect(sorter).toMatchObject({
      openingGrams: 0,
      receivedGrams: 9_990,
      consumedGrams: 9_990,
      producedGrams: 9_500,
      outcomeGrams: 6_000,
      closingGrams: 3_500,
      processLossGrams: 490,
      transitDifferenceGrams: -60,
      balanced: true,
    });
    expect(sorter.stock.byGrade).toEqual([{ grade: 'recycling', availableGrams: 3_500, availableBatches: 1, inTransitGrams: 0, inTransitBatches: 0 }]);
  });

  it('reports a period with an opening balance, on business time', async () => {
    const log = new EventLog();
    scenario(log);
    await both(log.projected());
    const march = await inventory(db, ORG.sorter, { from: '2025-03-01T00:00:00+01:00', to: '2025-04-01T00:00:00+02:00' });
    expect(march).toMatchObject({
      period: { axis: 'occurredAt', from: '2025-02-28T23:00:00.000Z', to: '2025-03-31T22:00:00.000Z' },
      openingGrams: 9_990,
      receivedGrams: 0,
      consumedGrams: 9_990,
      producedGrams: 9_500,
      outcomeGrams: 6_000,
      closingGrams: 3_500,
      processLossGrams: 490,
      balanced: true,
    });
    const february = await inventory(db, ORG.collector, { to: '2025-03-01T00:00:00Z' });
    expect(february).toMatchObject({ openingGrams: 0, collectedGrams: 15_000, adjustmentGrams: 50, dispatchedGrams: 10_050, closingGrams: 5_000, balanced: true });
  });

  it("counts a process's steps only once it completes; a rejected process leaves nothing", async () => {
    const log = new EventLog();
    scenario(log);
    log.process({ processId: uid(70), organisationId: ORG.sorter, inputs: [{ batchId: b, massGrams: 3_500 }], outputs: [{ batchId: x, massGrams: 3_500 }] }, 'reject');
    log.process({ processId: uid(71), organisationId: ORG.sorter, inputs: [{ batchId: b, massGrams: 3_500 }], outputs: [{ batchId: x, massGrams: 3_400 }], losses: [{ kind: 'unknown', massGrams: 100 }] }, 'pending');
    await both(log.projected());
    expect(await inventory(db, ORG.sorter)).toMatchObject({ consumedGrams: 9_990, producedGrams: 9_500, closingGrams: 3_500, processLossGrams: 490, balanced: true });

    const done = log.completeProcess(uid(71), ORG.sorter);
    await both(log.projected(done.position));
    expect(await inventory(db, ORG.sorter)).toMatchObject({ consumedGrams: 13_490, producedGrams: 12_900, closingGrams: 3_400, processLossGrams: 590, balanced: true });
  });

  it('reports in-transit stock separately and notices a book that does not match the stock', async () => {
    const log = new EventLog();
    log.collect(c1, 10_000);
    log.dispatch(c1, ORG.collector, ORG.sorter, 10_000);
    log.collect(c2, 2_000);
    await both(log.projected());
    const report = await inventory(db, ORG.collector);
    expect(report).toMatchObject({ closingGrams: 2_000, balanced: true, stock: { availableGrams: 2_000, inTransitGrams: 10_000, inTransitBatches: 1 } });

    await dynamicDb(db)
      .insertInto('inventory_movement')
      .values({ position: 999, seq: 0, organisation_id: ORG.collector, batch_id: c2, kind: 'collected', grams: 1, occurred_at: '2025-01-01T00:00:00.000Z', recorded_at: '2025-01-01T00:00:00.000Z', reference: null })
      .execute();
    expect((await inventory(db, ORG.collector)).balanced).toBe(false);
  });

  it('is idempotent when a page is applied twice', async () => {
    const log = new EventLog();
    scenario(log);
    const page = log.projected();
    await both(page);
    const once = [await dump(db, 'inventory_movement'), await dump(db, 'inventory_holding')];
    await both(page);
    expect([await dump(db, 'inventory_movement'), await dump(db, 'inventory_holding')]).toEqual(once);
  });

  it('un-counts a voided process at its own business time: every period balances as if it had never happened', async () => {
    const log = new EventLog();
    scenario(log);
    await both(log.projected());
    const march = { from: '2025-03-01T00:00:00+01:00', to: '2025-04-01T00:00:00+02:00' };
    const before = [await inventory(db, ORG.sorter), await inventory(db, ORG.sorter, march)];

    const from = log.events.length;
    log.process({
      processId: uid(72),
      organisationId: ORG.sorter,
      processType: 'blending',
      inputs: [{ batchId: b, massGrams: 3_500 }],
      externalInputs: [{ description: 'virgin polyester', massGrams: 200, originClass: 'virgin' }],
      outputs: [{ batchId: x, massGrams: 3_600 }],
      losses: [{ kind: 'process-waste', massGrams: 100 }],
      occurredAt: '2025-03-15T12:00:00Z',
    });
    await both(log.projected(from));
    expect(await inventory(db, ORG.sorter)).toMatchObject({ consumedGrams: 13_490, producedGrams: 13_100, externalInputGrams: 200, closingGrams: 3_600, balanced: true });

    const voidFrom = log.events.length;
    voidProcess(log, uid(72), { occurredAt: '2025-04-02T09:00:00Z' });
    await both(log.projected(voidFrom));
    expect([await inventory(db, ORG.sorter), await inventory(db, ORG.sorter, march)]).toEqual(before);
    expect((await inventory(db, ORG.sorter)).stock.byGrade).toEqual([{ grade: 'recycling', availableGrams: 3_500, availableBatches: 1, inTransitGrams: 0, inTransitBatches: 0 }]);
    // The restored input is the sorter's again: it can ship it.
    const shipFrom = log.events.length;
    const transfer = log.dispatch(b, ORG.sorter, ORG.recycler, 3_500);
    log.receive(b, transfer, 3_500, 3_500, ORG.recycler);
    await both(log.projected(shipFrom));
    expect(await inventory(db, ORG.sorter)).toMatchObject({ dispatchedGrams: 3_500, closingGrams: 0, balanced: true });
  });

  it('writes the same rows for a void whatever the pages', async () => {
    const log = new EventLog();
    scenario(log);
    log.process({ processId: uid(72), organisationId: ORG.sorter, inputs: [{ batchId: b, massGrams: 3_500 }], outputs: [{ batchId: x, massGrams: 3_500 }] });
    voidProcess(log, uid(72));
    await expectSameRowsWhateverThePages(openDb, () => new InventoryProjection(), log.projected());
  });
});
