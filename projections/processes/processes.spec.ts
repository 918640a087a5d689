import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ProcessStarted } from '#domain';
import type { ReadDb } from '../runner/projection.js';
import { COTTON, EventLog, ORG, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { expectSameRowsWhateverThePages, voidProcess } from './testing/void-log.js';
import { ProcessesProjection } from './processes.projection.js';
import { getProcess, needsVoidDriver, unfinishedProcesses } from './processes.queries.js';

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

  describe('voids (decision 011)', () => {
    /** A completed sorting of a fresh input into two outputs, by the sorter. */
    function sorting(n: number): string {
      const input = uid(100 + n);
      const processId = uid(n, 7);
      log.collect(input, 1_000, { collectorOrgId: ORG.sorter });
      log.process({ processId, organisationId: ORG.sorter, inputs: [{ batchId: input, massGrams: 1_000 }], outputs: [{ batchId: uid(200 + n), massGrams: 600 }, { batchId: uid(300 + n), massGrams: 400 }] });
      return processId;
    }
    /** Projects what was appended since `from` with a fresh projection, as after a restart. */
    async function restartAndProject(from: number): Promise<void> {
      const restarted = new ProcessesProjection();
      await restarted.load(db);
      await project(db, restarted, log.projected(from));
    }
    const append = (processId: string, batchId: string, type: 'BatchRestored' | 'BatchVoidReverted') =>
      log.append(
        `batch-${batchId}`,
        type === 'BatchRestored'
          ? { type, data: { batchId, processId, correctedEventId: 'evt-consumed', massGrams: 1_000, reason: 'wrong lot', occurredAt: log.now() } }
          : { type, data: { batchId, processId, attempt: 0 } },
        { actorOrgId: ORG.sorter },
      );

    it('records the void of a completed process: what, why, who and when', async () => {
      const processId = sorting(1);
      await project(db, projection, log.projected());
      const from = log.events.length;
      const record = voidProcess(log, processId, { reason: 'recorded against the wrong lot' });
      await restartAndProject(from);
      expect(await getProcess(db, processId)).toMatchObject({
        status: 'voided',
        heldInputs: 0,
        void: {
          attempts: 1,
          status: 'voided',
          reason: 'recorded against the wrong lot',
          correctedEventId: `process-${processId}:1`,
          actorOrgId: ORG.sorter,
          startedAt: record.intent.recordedAt,
          endedAt: record.voided!.recordedAt,
          rejectionReason: null,
          voidedOutputs: 2,
        },
      });
      expect(await ids()).toEqual([]);
    });

    it('lists for recovery a void not ended, a rejected one still holding outputs, and a voided process still holding inputs', async () => {
      const [pending, rejected, unrestored, done] = [sorting(1), sorting(2), sorting(3), sorting(4)];
      await project(db, projection, log.projected());
      let from = log.events.length;
      voidProcess(log, pending, { mode: 'pending' });
      voidProcess(log, rejected, { mode: 'rejected-unreverted' });
      voidProcess(log, unrestored, { mode: 'unrestored' });
      voidProcess(log, done);
      await restartAndProject(from);
      expect(await ids()).toEqual([pending, rejected, unrestored].sort());
      const views = await unfinishedProcesses(db);
      expect(views.every(needsVoidDriver)).toBe(true);
      expect(await getProcess(db, rejected)).toMatchObject({ status: 'completed', void: { status: 'rejected', voidedOutputs: 1, rejectionReason: 'an output was used meanwhile' } });
      expect(await getProcess(db, unrestored)).toMatchObject({ status: 'voided', heldInputs: 1 });

      from = log.events.length;
      append(rejected, uid(202), 'BatchVoidReverted');
      append(unrestored, uid(103), 'BatchRestored');
      await restartAndProject(from);
      expect(await ids()).toEqual([pending]);
    });

    it('writes the same rows whatever the pages', async () => {
      const [a, b] = [sorting(1), sorting(2)];
      voidProcess(log, a, { mode: 'rejected' });
      voidProcess(log, a, { attempt: 1 });
      voidProcess(log, b, { mode: 'unrestored' });
      const rows = await expectSameRowsWhateverThePages(openDb, () => new ProcessesProjection(), log.projected());
      expect((rows.processes_process as Array<{ status: string; void_attempts: number }>).map((r) => [r.status, Number(r.void_attempts)]).sort()).toEqual([
        ['voided', 1],
        ['voided', 2],
      ]);
    });
  });
});
