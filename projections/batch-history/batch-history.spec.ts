import { beforeEach, expect, it } from '@jest/globals';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, dump, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { voidProcess } from '../processes/testing/void-log.js';
import { BatchHistoryProjection } from './batch-history.projection.js';
import { history } from './batch-history.queries.js';

describeOnEachReadDb('batch history projection', (openDb) => {
  let db: ReadDb;
  let projection: BatchHistoryProjection;

  beforeEach(async () => {
    db = await openDb();
    projection = new BatchHistoryProjection();
    await projection.migrate(db);
    await projection.load(db);
  });
  function scenario(): { log: EventLog; batch: string } {
    const log = new EventLog('2025-03-03T08:00:00.000Z');
    const batch = uid(1);
    log.organisation(ORG.sorter, 'Sorter', ['sorter']);
    log.collect(batch, 10_000, { occurredAt: '2025-03-03T08:30:00+01:00' }); // recorded 08:00:02
    log.collect(uid(2), 5_000); // another stream, interleaved
    const transfer = log.dispatch(batch, ORG.collector, ORG.sorter, 10_000); // recorded 08:00:04
    log.advance(3_600_000);
    log.receive(batch, transfer, 10_000, 9_950, ORG.sorter); // recorded 09:00:05
    return { log, batch };
  }

  it('returns every event of the stream in order with its envelope', async () => {
    const { log, batch } = scenario();
    await project(db, projection, log.projected());
    const result = await history(db, batch);
    expect(result.asOf).toEqual({ axis: 'latest' });
    expect(result.events.map((e) => [e.position, e.revision, e.type])).toEqual([
      [1, 0, 'BatchCollected'],
      [3, 1, 'CustodyTransferDispatched'],
      [4, 2, 'CustodyTransferReceived'],
    ]);
    expect(result.events[0]).toEqual({
      position: 1,
      revision: 0,
      eventId: `batch-${batch}:0`,
      type: 'BatchCollected',
      data: expect.objectContaining({ batchId: batch, massGrams: 10_000 }),
      occurredAt: '2025-03-03T08:30:00+01:00',
      recordedAt: '2025-03-03T08:00:02.000Z',
      actorOrgId: ORG.collector,
      hash: log.events[1]!.hash,
      corrects: null,
      correctedBy: [],
    });
  });

  it('cuts the history as of a position and as of a recorded time, and says which axis', async () => {
    const { log, batch } = scenario();
    await project(db, projection, log.projected());

    const byPosition = await history(db, batch, { position: 3 });
    expect(byPosition.asOf).toEqual({ axis: 'position', position: 3 });
    expect(byPosition.events.map((e) => e.type)).toEqual(['BatchCollected', 'CustodyTransferDispatched']);

    const byTime = await history(db, batch, { recordedAt: '2025-03-03T09:30:00+01:00' }); // 08:30Z
    expect(byTime.asOf).toEqual({ axis: 'recordedAt', recordedAt: '2025-03-03T08:30:00.000Z' });
    expect(byTime.events.map((e) => e.type)).toEqual(['BatchCollected', 'CustodyTransferDispatched']);

    expect((await history(db, batch, { recordedAt: '2025-03-03T08:00:03Z' })).events.map((e) => e.position)).toEqual([1]);
    expect((await history(db, batch, { position: 0 })).events).toEqual([]);
    await expect(history(db, batch, { recordedAt: 'yesterday' })).rejects.toThrow(RangeError);
  });

  it('records process steps as written, and is idempotent per page', async () => {
    const log = new EventLog();
    const [input, output] = [uid(1), uid(2)];
    log.collect(input, 1_000);
    log.process({ processId: uid(50), organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 1_000 }], outputs: [{ batchId: output, massGrams: 1_000 }] }, 'reject');
    const page = log.projected();
    await project(db, projection, page);
    expect((await history(db, input)).events.map((e) => e.type)).toEqual(['BatchCollected', 'BatchConsumed', 'BatchConsumptionReverted']);
    const once = await dump(db, 'batch_history_event');
    await project(db, projection, page);
    expect(await dump(db, 'batch_history_event')).toEqual(once);
  });

  it('shows each correction next to the event it corrects; an as-of before the correction shows the original alone', async () => {
    const log = new EventLog();
    const [input, output, processId] = [uid(1), uid(2), uid(50)];
    const collected = log.collect(input, 1_000);
    const corrected = log.correct(input, collected.eventId, 1_000, 1_010, ORG.collector);
    log.process({ processId, organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 1_010 }], outputs: [{ batchId: output, massGrams: 1_010 }] });
    const voided = voidProcess(log, processId);
    await project(db, projection, log.projected());

    const inputHistory = (await history(db, input)).events;
    expect(inputHistory.map((e) => [e.type, e.corrects, e.correctedBy])).toEqual([
      ['BatchCollected', null, [corrected.eventId]],
      ['BatchMassCorrected', collected.eventId, []],
      ['BatchConsumed', null, [voided.restored[0]!.eventId]],
      ['BatchRestored', inputHistory[2]!.eventId, []],
    ]);
    const outputHistory = (await history(db, output)).events;
    expect(outputHistory.map((e) => [e.type, e.corrects, e.correctedBy])).toEqual([
      ['BatchProduced', null, [voided.outputsVoided[0]!.eventId]],
      ['BatchVoided', outputHistory[0]!.eventId, []],
    ]);

    // As the ledger knew it just before the void: the original alone, with no correction named.
    const before = await history(db, input, { position: voided.intent.position });
    expect(before.events.map((e) => [e.type, e.correctedBy])).toEqual([
      ['BatchCollected', [corrected.eventId]],
      ['BatchMassCorrected', []],
      ['BatchConsumed', []],
    ]);
    const byTime = await history(db, input, { recordedAt: voided.intent.recordedAt });
    expect(byTime.events.map((e) => e.type)).toEqual(['BatchCollected', 'BatchMassCorrected', 'BatchConsumed']);
  });

  it('does not count a void that was rejected and reverted as a correction', async () => {
    const log = new EventLog();
    const [input, a, b, processId] = [uid(1), uid(2), uid(3), uid(50)];
    log.collect(input, 1_000);
    log.process({ processId, organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 1_000 }], outputs: [{ batchId: a, massGrams: 600 }, { batchId: b, massGrams: 400 }] });
    voidProcess(log, processId, { mode: 'rejected' });
    await project(db, projection, log.projected());
    const events = (await history(db, a)).events;
    expect(events.map((e) => [e.type, e.correctedBy.length])).toEqual([
      ['BatchProduced', 0],
      ['BatchVoided', 0],
      ['BatchVoidReverted', 0],
    ]);
  });
});
