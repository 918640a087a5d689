import { beforeEach, describe, expect, it } from '@jest/globals';
import { writeCheckpoints } from '../runner/checkpoint.js';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, dump, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import { BatchSummaryProjection } from './batch-summary.projection.js';
import { getBatch, listBatches } from './batch-summary.queries.js';

describeOnEachReadDb('batch summary projection', (openDb) => {
  let db: ReadDb;
  let projection: BatchSummaryProjection;

  beforeEach(async () => {
    db = await openDb();
    projection = new BatchSummaryProjection();
    await projection.migrate(db);
    await projection.load(db);
  });
  it('follows collection, dispatch and receipt: custodian, owner, mass and anomalies', async () => {
    const log = new EventLog();
    const batch = uid(1);
    log.collect(batch, 100_000, { programmeTags: ['tekstilsymbiose-herning'] });
    const transfer = log.dispatch(batch, ORG.collector, ORG.sorter, 100_500);
    await project(db, projection, log.projected());

    const inTransit = await getBatch(db, batch);
    expect(inTransit).toMatchObject({
      status: 'in-transit',
      custodianOrgId: ORG.collector,
      massGrams: 100_000,
      pendingTransfer: { transferId: transfer, toOrgId: ORG.sorter, massGrams: 100_500, ownershipTransferred: true },
      origin: { kind: 'collected', kommuneCode: '0657', collectionScheme: 'kerbside', collectorOrgId: ORG.collector },
      programmeTags: ['tekstilsymbiose-herning'],
      grade: 'unsorted',
    });

    log.receive(batch, transfer, 100_500, 95_000, ORG.sorter);
    await project(db, projection, log.projected(2));
    const received = await getBatch(db, batch);
    expect(received).toMatchObject({ status: 'available', custodianOrgId: ORG.sorter, ownerOrgId: ORG.sorter, massGrams: 95_000, anomalies: 1, pendingTransfer: null });
    expect(received!.updated.position).toBe(2);
    expect(received!.created.position).toBe(0);
  });

  it("shows a process's effects only once ProcessCompleted arrives", async () => {
    const log = new EventLog();
    const input = uid(1);
    const [a, b] = [uid(2), uid(3)];
    const processId = uid(50);
    log.collect(input, 10_000);
    log.process(
      { processId, organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: a, massGrams: 6_000, grade: 'reuse' }, { batchId: b, massGrams: 3_500 }], losses: [{ kind: 'moisture-dust', massGrams: 500 }] },
      'pending',
    );
    await project(db, projection, log.projected());

    expect(await getBatch(db, a)).toBeUndefined();
    expect(await getBatch(db, b)).toBeUndefined();
    expect(await getBatch(db, input)).toMatchObject({ status: 'available', consumedByProcessId: null });
    expect(await dump(db, 'batch_summary_pending_process')).toHaveLength(1);

    const completed = log.completeProcess(processId, ORG.collector);
    await project(db, projection, log.projected(completed.position));
    expect(await getBatch(db, input)).toMatchObject({ status: 'consumed', consumedByProcessId: processId });
    expect(await getBatch(db, a)).toMatchObject({
      status: 'available',
      grade: 'reuse',
      massGrams: 6_000,
      custodianOrgId: ORG.collector,
      origin: { kind: 'produced', processId, processType: 'sorting', organisationId: ORG.collector },
    });
    expect((await getBatch(db, input))!.updated.position).toBe(completed.position);
    expect(await dump(db, 'batch_summary_pending_process')).toHaveLength(0);
  });

  it('keeps a pending process across a restart and completes it afterwards', async () => {
    const log = new EventLog();
    const [input, output, processId] = [uid(1), uid(2), uid(50)];
    log.collect(input, 10_000);
    log.process({ processId, organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: output, massGrams: 10_000 }] }, 'pending');
    await project(db, projection, log.projected());

    const restarted = new BatchSummaryProjection();
    await restarted.load(db);
    const completed = log.completeProcess(processId, ORG.collector);
    await project(db, restarted, log.projected(completed.position));
    expect(await getBatch(db, output)).toMatchObject({ massGrams: 10_000, status: 'available' });
    expect(await getBatch(db, input)).toMatchObject({ status: 'consumed' });
  });

  it('leaves nothing behind for a rejected process', async () => {
    const log = new EventLog();
    const [input, output, processId] = [uid(1), uid(2), uid(50)];
    log.collect(input, 10_000);
    await project(db, projection, log.projected());
    const before = await dump(db, 'batch_summary_batch');

    log.process({ processId, organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: output, massGrams: 10_000 }] }, 'reject');
    await project(db, projection, log.projected(1));
    expect(await dump(db, 'batch_summary_batch')).toEqual(before);
    expect(await dump(db, 'batch_summary_pending_process')).toEqual([]);
    expect(await getBatch(db, output)).toBeUndefined();
  });

  it('is idempotent when a page is applied twice', async () => {
    const log = new EventLog();
    const [input, output] = [uid(1), uid(2)];
    log.collect(input, 10_000);
    const transfer = log.dispatch(input, ORG.collector, ORG.sorter, 10_000);
    log.receive(input, transfer, 10_000, 9_990, ORG.sorter);
    log.process({ processId: uid(50), organisationId: ORG.sorter, inputs: [{ batchId: input, massGrams: 9_990 }], outputs: [{ batchId: output, massGrams: 9_990 }] });
    const page = log.projected();
    await project(db, projection, page);
    const once = await dump(db, 'batch_summary_batch');
    await project(db, projection, page);
    expect(await dump(db, 'batch_summary_batch')).toEqual(once);

    // And after a restart, where the guard comes from the runner's checkpoint rather than memory.
    await db.transaction().execute((tx) => writeCheckpoints(tx, new Map([[projection.name, page[page.length - 1]!.position]])));
    const other = new BatchSummaryProjection();
    await other.load(db);
    await project(db, other, page);
    expect(await dump(db, 'batch_summary_batch')).toEqual(once);
  });

  it('applies a mass correction and outcomes', async () => {
    const log = new EventLog();
    const batch = uid(1);
    const collected = log.collect(batch, 10_000);
    log.correct(batch, collected.eventId, 10_000, 12_000, ORG.collector);
    log.incinerate(batch, ORG.collector);
    await project(db, projection, log.projected());
    expect(await getBatch(db, batch)).toMatchObject({ massGrams: 12_000, status: 'closed', outcome: 'incinerated', massEventId: 'batch-' + batch + ':1' });
  });

  it('lists batches by custodian, status and grade with a cursor', async () => {
    const log = new EventLog();
    for (let n = 1; n <= 5; n++) log.collect(uid(n), 1_000 * n);
    log.register(uid(6), 600, ORG.maker);
    await project(db, projection, log.projected());

    const first = await listBatches(db, { custodianOrgId: ORG.collector, limit: 2 });
    expect(first.items.map((b) => b.batchId)).toEqual([uid(1), uid(2)]);
    const second = await listBatches(db, { custodianOrgId: ORG.collector, limit: 2, after: first.nextCursor! });
    expect(second.items.map((b) => b.batchId)).toEqual([uid(3), uid(4)]);
    const third = await listBatches(db, { custodianOrgId: ORG.collector, limit: 2, after: second.nextCursor! });
    expect(third).toEqual({ items: [expect.objectContaining({ batchId: uid(5) })], nextCursor: null });
    expect((await listBatches(db, { custodianOrgId: ORG.maker })).items).toEqual([
      expect.objectContaining({ batchId: uid(6), origin: { kind: 'residual', originClass: 'pre-consumer', organisationId: ORG.maker } }),
    ]);
    expect((await listBatches(db, { status: 'available', grade: 'unsorted' })).items).toHaveLength(6);
    expect((await listBatches(db, { grade: 'reuse' })).items).toHaveLength(0);
  });

  describe('voids (decision 011)', () => {
    function sorted(log: EventLog): { input: string; a: string; b: string; processId: string } {
      const [input, a, b, processId] = [uid(1), uid(2), uid(3), uid(50)];
      log.collect(input, 10_000);
      log.process({ processId, organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: a, massGrams: 6_000, grade: 'reuse' }, { batchId: b, massGrams: 3_500 }], losses: [{ kind: 'moisture-dust', massGrams: 500 }] });
      return { input, a, b, processId };
    }

    it('takes effect at ProcessVoided: the outputs become voided and the inputs available again, stamped with the void', async () => {
      const log = new EventLog();
      const { input, a, b, processId } = sorted(log);
      const voided = voidProcess(log, processId, { mode: 'unrestored' });
      await project(db, projection, log.projected(0, voided.voided!.position));
      // Intent and BatchVoided written, the void not decided yet: nothing changes.
      expect(await getBatch(db, a)).toMatchObject({ status: 'available' });
      expect(await getBatch(db, input)).toMatchObject({ status: 'consumed', consumedByProcessId: processId });

      await project(db, projection, log.projected(voided.voided!.position));
      expect(await getBatch(db, a)).toMatchObject({ status: 'voided', massGrams: 6_000, custodianOrgId: ORG.collector });
      expect(await getBatch(db, b)).toMatchObject({ status: 'voided' });
      const restored = await getBatch(db, input);
      expect(restored).toMatchObject({ status: 'available', consumedByProcessId: null, custodianOrgId: ORG.collector, massGrams: 10_000 });
      expect(restored!.updated.position).toBe(voided.voided!.position);
      expect((await listBatches(db, { status: 'voided' })).items.map((i) => i.batchId)).toEqual([a, b]);
    });

    it('ignores the restores that follow ProcessVoided, and lets a restored input be used again', async () => {
      const log = new EventLog();
      const { input, processId } = sorted(log);
      voidProcess(log, processId);
      const again = uid(4);
      log.process({ processId: uid(51), organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: again, massGrams: 10_000 }] });
      await project(db, projection, log.projected());
      expect(await getBatch(db, input)).toMatchObject({ status: 'consumed', consumedByProcessId: uid(51) });
      expect(await getBatch(db, again)).toMatchObject({ status: 'available' });
    });

    it('writes the same rows whatever the pages, across restarts (inputs are read back for the void)', async () => {
      const log = new EventLog();
      const { input, processId } = sorted(log);
      voidProcess(log, processId);
      log.process({ processId: uid(51), organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: uid(4), massGrams: 10_000 }] });
      const rows = await expectSameRowsWhateverThePages(openDb, () => new BatchSummaryProjection(), log.projected());
      expect(rows.batch_summary_batch).toHaveLength(4);
    });

    it('leaves nothing changed by a rejected void', async () => {
      const log = new EventLog();
      const { processId } = sorted(log);
      await project(db, projection, log.projected());
      const before = await dump(db, 'batch_summary_batch');
      const from = log.events.length;
      voidProcess(log, processId, { mode: 'rejected' });
      await project(db, projection, log.projected(from));
      expect(await dump(db, 'batch_summary_batch')).toEqual(before);
    });
  });
});
