import { beforeEach, expect, it } from '@jest/globals';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, dump, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import { CustodyProjection } from './custody.projection.js';
import { timeline } from './custody.queries.js';

describeOnEachReadDb('custody projection', (openDb) => {
  let db: ReadDb;
  let projection: CustodyProjection;

  beforeEach(async () => {
    db = await openDb();
    projection = new CustodyProjection();
    await projection.migrate(db);
    await projection.load(db);
  });
  it('keeps the batch with the sender while in transit and starts the consignee period at receipt', async () => {
    const log = new EventLog();
    const batch = uid(1);
    log.collect(batch, 10_000, { occurredAt: '2025-03-03T07:00:00Z' });
    const transfer = log.dispatch(batch, ORG.collector, ORG.sorter, 10_000, { occurredAt: '2025-03-03T07:10:00Z' });
    await project(db, projection, log.projected());

    const inTransit = (await timeline(db, batch))!;
    expect(inTransit.currentCustodianOrgId).toBe(ORG.collector);
    expect(inTransit.inTransit).toEqual({ transferId: transfer, toOrgId: ORG.sorter, massGrams: 10_000, dispatchedAt: '2025-03-03T07:10:00.000Z', ownershipTransferred: true, status: 'in-transit' });
    expect(inTransit.periods).toHaveLength(1);

    log.receive(batch, transfer, 10_000, 9_990, ORG.sorter, '2025-03-03T09:00:00+01:00');
    await project(db, projection, log.projected(2));
    const received = (await timeline(db, batch))!;
    expect(received.axis).toBe('occurredAt');
    expect(received.periods).toEqual([
      expect.objectContaining({
        seq: 0,
        organisationId: ORG.collector,
        from: expect.objectContaining({ kind: 'collected', occurredAt: '2025-03-03T07:00:00.000Z' }),
        to: expect.objectContaining({ endedBy: 'dispatched', detail: transfer, occurredAt: '2025-03-03T08:00:00.000Z', position: 2 }),
        shipment: expect.objectContaining({ status: 'received', toOrgId: ORG.sorter }),
      }),
      expect.objectContaining({ seq: 1, organisationId: ORG.sorter, ownerOrgId: ORG.sorter, from: expect.objectContaining({ kind: 'received', detail: transfer }), to: null, shipment: null }),
    ]);
    expect(received.currentCustodianOrgId).toBe(ORG.sorter);
    expect(received.inTransit).toBeNull();
  });

  it('clears a cancelled shipment and keeps the owner when ownership is not transferred', async () => {
    const log = new EventLog();
    const batch = uid(1);
    log.collect(batch, 10_000);
    const first = log.dispatch(batch, ORG.collector, ORG.sorter, 10_000);
    log.cancel(batch, first, ORG.collector);
    const second = log.dispatch(batch, ORG.collector, ORG.recycler, 10_000, { ownershipTransferred: false });
    log.receive(batch, second, 10_000, 10_000, ORG.recycler);
    await project(db, projection, log.projected());
    const result = (await timeline(db, batch))!;
    expect(result.periods.map((p) => [p.organisationId, p.ownerOrgId, p.to?.endedBy ?? null, p.shipment?.transferId ?? null])).toEqual([
      [ORG.collector, ORG.collector, 'dispatched', second],
      [ORG.recycler, ORG.collector, null, null],
    ]);
  });

  it('ends a period by consumption only when the process completes, and by an outcome', async () => {
    const log = new EventLog();
    const [input, output, rejected] = [uid(1), uid(2), uid(3)];
    log.collect(input, 10_000);
    log.process({ processId: uid(60), organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: rejected, massGrams: 10_000 }] }, 'reject');
    log.process({ processId: uid(61), organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: output, massGrams: 10_000 }], occurredAt: '2025-03-03T06:00:00Z' }, 'pending');
    await project(db, projection, log.projected());
    expect((await timeline(db, input))!.periods[0]!.to).toBeNull();
    expect(await timeline(db, output)).toBeUndefined();
    expect(await timeline(db, rejected)).toBeUndefined();

    const done = log.completeProcess(uid(61), ORG.collector);
    log.incinerate(output, ORG.collector);
    await project(db, projection, log.projected(done.position));
    expect((await timeline(db, input))!.periods[0]!.to).toEqual(expect.objectContaining({ endedBy: 'consumed', detail: uid(61), occurredAt: '2025-03-03T06:00:00.000Z', position: done.position }));
    const out = (await timeline(db, output))!;
    expect(out.periods).toEqual([
      expect.objectContaining({ from: expect.objectContaining({ kind: 'produced', detail: uid(61), position: done.position }), to: expect.objectContaining({ endedBy: 'closed', detail: 'BatchIncinerated' }) }),
    ]);
    expect(out.currentCustodianOrgId).toBeNull();
  });

  it('is idempotent when a page is applied twice', async () => {
    const log = new EventLog();
    const batch = uid(1);
    log.collect(batch, 10_000);
    const t = log.dispatch(batch, ORG.collector, ORG.sorter, 10_000);
    log.receive(batch, t, 10_000, 10_000, ORG.sorter);
    const page = log.projected();
    await project(db, projection, page);
    const once = await dump(db, 'custody_period');
    await project(db, projection, page);
    expect(await dump(db, 'custody_period')).toEqual(once);
  });

  it('ends the outputs of a voided process (voided) and re-opens the period its consumption ended, without a gap', async () => {
    const log = new EventLog();
    const [input, output, processId] = [uid(1), uid(2), uid(50)];
    log.collect(input, 10_000, { occurredAt: '2025-03-03T07:00:00Z' });
    const transfer = log.dispatch(input, ORG.collector, ORG.sorter, 10_000);
    log.receive(input, transfer, 10_000, 10_000, ORG.sorter);
    log.process({ processId, organisationId: ORG.sorter, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: output, massGrams: 10_000 }] });
    await project(db, projection, log.projected());
    const consumed = (await timeline(db, input))!;
    expect(consumed.currentCustodianOrgId).toBeNull();

    const from = log.events.length;
    const voided = voidProcess(log, processId, { occurredAt: '2025-03-04T10:00:00Z' });
    await project(db, projection, log.projected(from));
    const restored = (await timeline(db, input))!;
    expect(restored.currentCustodianOrgId).toBe(ORG.sorter);
    expect(restored.periods.map((p) => [p.seq, p.organisationId, p.from.kind, p.to?.endedBy ?? null])).toEqual([
      [0, ORG.collector, 'collected', 'dispatched'],
      [1, ORG.sorter, 'received', null],
    ]);
    expect(restored.periods[1]).toEqual(consumed.periods[1] && { ...consumed.periods[1], to: null });

    const gone = (await timeline(db, output))!;
    expect(gone.currentCustodianOrgId).toBeNull();
    expect(gone.periods).toEqual([
      expect.objectContaining({ organisationId: ORG.sorter, to: expect.objectContaining({ endedBy: 'voided', detail: processId, occurredAt: '2025-03-04T10:00:00.000Z', position: voided.voided!.position }) }),
    ]);
  });

  it('writes the same rows for a void whatever the pages, and carries on after it', async () => {
    const log = new EventLog();
    const [input, output, processId] = [uid(1), uid(2), uid(50)];
    log.collect(input, 10_000);
    log.process({ processId, organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 10_000 }], outputs: [{ batchId: output, massGrams: 10_000 }] });
    voidProcess(log, processId);
    const transfer = log.dispatch(input, ORG.collector, ORG.sorter, 10_000);
    log.receive(input, transfer, 10_000, 10_000, ORG.sorter);
    const rows = await expectSameRowsWhateverThePages(openDb, () => new CustodyProjection(), log.projected());
    expect((rows.custody_period as Array<{ batch_id: string }>).filter((r) => r.batch_id === input)).toHaveLength(2);
  });
});
