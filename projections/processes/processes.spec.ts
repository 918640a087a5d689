import { beforeEach, expect, it } from '@jest/globals';
import type { ProcessStarted } from '#domain';
import type { ReadDb } from '../runner/projection.js';
import { COTTON, EventLog, ORG, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { ProcessesProjection } from './processes.projection.js';
import { getProcess, unfinishedProcesses } from './processes.queries.js';

/** The processes read model is what recovery reads: every process that still needs a driver. */
describeOnEachReadDb('processes read model', (openDb) => {
  let db: ReadDb;
  let projection: ProcessesProjection;
  let log: EventLog;

  beforeEach(async () => {
    db = await openDb();
    projection = new ProcessesProjection();
    await projection.migrate(db);
    log = new EventLog();
  });
  function start(n: number, inputs: string[]): ProcessStarted {
    const data: ProcessStarted = {
      processId: uid(n, 9),
      organisationId: ORG.sorter,
      processType: 'blending',
      inputs: inputs.map((batchId) => ({ batchId, massGrams: 1_000, expectedRevision: 0 })),
      externalInputs: [],
      outputs: [{ batchId: uid(n, 8), massGrams: 1_000 * inputs.length, grade: 'recycling', composition: COTTON, parents: [] }],
      losses: [],
      occurredAt: log.now(),
    };
    log.append(`process-${data.processId}`, { type: 'ProcessStarted', data });
    return data;
  }
  const consumed = (p: ProcessStarted, batchId: string) => log.append(`batch-${batchId}`, { type: 'BatchConsumed', data: { batchId, processId: p.processId, massGrams: 1_000 } });
  const reverted = (p: ProcessStarted, batchId: string) => log.append(`batch-${batchId}`, { type: 'BatchConsumptionReverted', data: { batchId, processId: p.processId } });
  const ended = (p: ProcessStarted, how: 'ProcessCompleted' | 'ProcessRejected') =>
    log.append(`process-${p.processId}`, how === 'ProcessCompleted' ? { type: how, data: { processId: p.processId } } : { type: how, data: { processId: p.processId, reason: 'input taken' } });
  const ids = async () => (await unfinishedProcesses(db)).map((p) => p.processId).sort();

  it('lists started processes and rejected ones that still hold inputs, and nothing else', async () => {
    const [a, b] = [uid(1), uid(2)];
    const running = start(1, [a]);
    consumed(running, a);
    const done = start(2, [b]);
    consumed(done, b);
    ended(done, 'ProcessCompleted');
    const [c, d] = [uid(3), uid(4)];
    const halfRejected = start(3, [c, d]);
    consumed(halfRejected, c);
    ended(halfRejected, 'ProcessRejected'); // the driver died before reverting c
    await project(db, projection, log.projected());
    expect(await ids()).toEqual([running.processId, halfRejected.processId].sort());
    expect((await getProcess(db, halfRejected.processId))?.heldInputs).toBe(1);

    const from = log.events.length;
    reverted(halfRejected, c);
    await project(db, projection, log.projected(from));
    expect(await ids()).toEqual([running.processId]);
    expect(await getProcess(db, done.processId)).toMatchObject({ status: 'completed', heldInputs: 1 });
  });

  it('counts a consumption that arrives after the rejection, and survives a restart', async () => {
    const e = uid(5);
    const late = start(5, [e]);
    ended(late, 'ProcessRejected');
    await project(db, projection, log.projected());
    expect(await ids()).toEqual([]);

    // Another instance's driver consumed e before learning of the rejection.
    const restarted = new ProcessesProjection();
    await restarted.load(db);
    const from = log.events.length;
    consumed(late, e);
    await project(db, restarted, log.projected(from));
    expect(await ids()).toEqual([late.processId]);
  });

  it('ignores an event it has already applied', async () => {
    const f = uid(6);
    const p = start(6, [f]);
    consumed(p, f);
    const events = log.projected();
    await project(db, projection, events);
    await project(db, projection, events);
    expect((await getProcess(db, p.processId))?.heldInputs).toBe(1);
  });
});
