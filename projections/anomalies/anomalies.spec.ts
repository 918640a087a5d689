import { beforeEach, expect, it } from '@jest/globals';
import type { StoredEvent } from '#event-store';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, dump, project, syntheticFlow, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { AnomaliesProjection } from './anomalies.projection.js';
import { anomalies, DEFAULT_ANOMALY_SETTINGS, type AnomalyFilter, type AnomalyKind, type AnomalySettings } from './anomalies.queries.js';

const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
const HOUR = 3_600_000;

describeOnEachReadDb('anomalies read model', (openDb) => {
  let db: ReadDb;
  let projection: AnomaliesProjection;
  let log: EventLog;

  beforeEach(async () => {
    db = await openDb();
    projection = new AnomaliesProjection();
    await projection.migrate(db);
    await projection.load(db);
    log = new EventLog();
  });

  const sync = async () => project(db, projection, log.projected());
  const list = async (filter: Partial<AnomalyFilter> = {}, settings: AnomalySettings = DEFAULT_ANOMALY_SETTINGS) =>
    (await anomalies(db, { judgedAt: '2025-03-03T09:00:00.000Z', ...filter }, settings)).items;
  const ofKind = async (kind: AnomalyKind, filter: Partial<AnomalyFilter> = {}, settings?: AnomalySettings) => list({ kind, ...filter }, settings);
  const lastOfType = (type: string): StoredEvent => [...log.events].reverse().find((e) => e.type === type)!;

  /** A sorting of `input` grams into one output, losing `loss` grams. */
  function sorting(n: number, input: number, loss: number, mode: 'complete' | 'pending' | 'reject' = 'complete', processType: 'sorting' | 'blending' = 'sorting', external = 0): string {
    const batchId = uid(n);
    const processId = uid(n, 8);
    log.collect(batchId, input, { collectorOrgId: ORG.sorter });
    log.process(
      {
        processId,
        organisationId: ORG.sorter,
        processType,
        inputs: [{ batchId, massGrams: input }],
        externalInputs: external > 0 ? [{ description: 'virgin polyester', massGrams: external, originClass: 'virgin' }] : [],
        outputs: [{ batchId: uid(n, 7), massGrams: input + external - loss }],
        losses: loss > 0 ? [{ kind: 'moisture-dust', massGrams: loss }] : [],
      },
      mode,
    );
    return processId;
  }

  it('lists the receipts the domain flagged, with the tolerance recorded in each receipt', async () => {
    const [a, b, c] = [uid(1), uid(2), uid(3)];
    for (const id of [a, b, c]) log.collect(id, 100_000);
    const atTolerance = log.dispatch(a, ORG.collector, ORG.sorter, 100_000);
    log.receive(a, atTolerance, 100_000, 98_000, ORG.sorter); // exactly 2 %: within
    const above = log.dispatch(b, ORG.collector, ORG.sorter, 100_000);
    const flagged = log.receive(b, above, 100_000, 97_999, ORG.sorter); // 2.001 %: above
    // A receipt judged under a tighter tolerance then (1 %): its own verdict and figures stand.
    const tight = log.dispatch(c, ORG.collector, ORG.recycler, 100_000);
    log.append(
      `batch-${c}`,
      {
        type: 'CustodyTransferReceived',
        data: { batchId: c, transferId: tight, receivedMassGrams: 101_500, dispatchedMassGrams: 100_000, differenceGrams: 1_500, anomaly: true, toleranceBasisPoints: 100, occurredAt: log.now() },
      },
      { actorOrgId: ORG.recycler },
    );
    await sync();

    const found = await ofKind('transit-discrepancy');
    expect(found).toEqual([
      expect.objectContaining({
        kind: 'transit-discrepancy',
        position: flagged.position,
        eventId: flagged.eventId,
        eventType: 'CustodyTransferReceived',
        batchIds: [b],
        transferId: above,
        organisationIds: [ORG.collector, ORG.sorter],
        recordedAt: flagged.recordedAt,
        relatedEvents: [expect.objectContaining({ type: 'CustodyTransferDispatched', position: flagged.position - 1 })],
        figures: { dispatchedMassGrams: 100_000, receivedMassGrams: 97_999, differenceGrams: -2_001, differencePercent: -2, toleranceBasisPoints: 200, tolerancePercent: 2 },
      }),
      expect.objectContaining({ batchIds: [c], figures: expect.objectContaining({ differenceGrams: 1_500, differencePercent: 1.5, toleranceBasisPoints: 100 }) }),
    ]);
  });

  it('flags a loss strictly above its process type’s norm, only once the process completed', async () => {
    sorting(1, 100_000, 10_000); // exactly 10 %: at the norm
    const above = sorting(2, 100_000, 10_001);
    const fifteen = sorting(3, 200_000, 30_000);
    sorting(4, 100_000, 50_000, 'reject'); // a rejected process lost nothing
    const pending = sorting(5, 100_000, 50_000, 'pending');
    // Blending's norm is 3 %, of inputs plus external inputs: 3,000 of 100,000 is at it, 3,001 above.
    sorting(6, 90_000, 3_000, 'complete', 'blending', 10_000);
    const blended = sorting(7, 90_000, 3_001, 'complete', 'blending', 10_000);
    await sync();

    const found = await ofKind('process-loss');
    expect(found.map((a) => a.processId)).toEqual([above, fifteen, blended]);
    const completed = log.events.find((e) => e.type === 'ProcessCompleted' && (e.data as { processId: string }).processId === fifteen)!;
    const started = log.events.find((e) => e.type === 'ProcessStarted' && (e.data as { processId: string }).processId === fifteen)!;
    expect(found[1]).toEqual({
      kind: 'process-loss',
      position: completed.position,
      eventId: completed.eventId,
      eventType: 'ProcessCompleted',
      occurredAt: (started.data as { occurredAt: string }).occurredAt,
      recordedAt: completed.recordedAt,
      batchIds: [uid(3)],
      processId: fifteen,
      transferId: null,
      organisationIds: [ORG.sorter],
      relatedEvents: [{ type: 'ProcessStarted', eventId: started.eventId, position: started.position, recordedAt: started.recordedAt }],
      figures: { processType: 'sorting', inputMassGrams: 200_000, lossMassGrams: 30_000, lossPercent: 15, normBasisPoints: 1_000, normPercent: 10, losses: [{ kind: 'moisture-dust', massGrams: 30_000 }] },
    });
    expect(found[2]?.figures).toMatchObject({ processType: 'blending', inputMassGrams: 100_000, lossMassGrams: 3_001, normBasisPoints: 300 });

    // The norms are applied when asked: a looser sorting norm drops both sortings, no replay needed.
    const loose = { ...DEFAULT_ANOMALY_SETTINGS, lossNormsBasisPoints: { ...DEFAULT_ANOMALY_SETTINGS.lossNormsBasisPoints, sorting: 1_500 } };
    expect((await ofKind('process-loss', {}, loose)).map((a) => a.processId)).toEqual([blended]);

    // The pending process's loss counts once it completes.
    log.completeProcess(pending, ORG.sorter);
    await project(db, projection, log.projected(log.events.length - 1));
    expect((await ofKind('process-loss')).map((a) => a.processId)).toEqual([above, fifteen, blended, pending]);
  });

  it('drops the loss of a process voided later, except as the ledger knew it before the void', async () => {
    const kept = sorting(1, 100_000, 15_000);
    const voided = sorting(2, 100_000, 15_000);
    const completed = lastOfType('ProcessCompleted');
    const voiding = log.append(`process-${voided}`, {
      type: 'ProcessVoided',
      data: {
        processId: voided,
        attempt: 0,
        correctedEventId: completed.eventId,
        reason: 'recorded against the wrong batch',
        organisationId: ORG.sorter,
        processType: 'sorting',
        processOccurredAt: log.now(),
        inputs: [{ batchId: uid(2), massGrams: 100_000 }],
        outputs: [{ batchId: uid(2, 7), massGrams: 85_000 }],
        externalInputs: [],
        losses: [{ kind: 'moisture-dust', massGrams: 15_000 }],
        occurredAt: log.now(),
      },
    });
    await sync();
    expect((await ofKind('process-loss')).map((a) => a.processId)).toEqual([kept]);
    expect((await ofKind('process-loss', { knownAt: plus(voiding.recordedAt, -1) })).map((a) => a.processId)).toEqual([kept, voided]);
    expect((await ofKind('process-loss', { knownAt: voiding.recordedAt })).map((a) => a.processId)).toEqual([kept]);
  });

  it('answers as of a recorded time exactly as a read model built from the events recorded by then', async () => {
    syntheticFlow(log, 600, 5);
    await sync();
    // Every loss, open shipment and open process counts at once, so each kind shows up in a short flow.
    const eager: AnomalySettings = {
      lossNormsBasisPoints: { sorting: 0, splitting: 0, blending: 0, 'mechanical-recycling': 0, 'chemical-recycling': 0, manufacturing: 0, repair: 0 },
      custodyGapHours: 0,
      unfinishedProcessGraceMinutes: 0,
    };
    // heldInputs is the figure as it stands now, not as of then.
    const comparable = (page: Awaited<ReturnType<typeof anomalies>>) => page.items.map((a) => (a.kind === 'unfinished-process' ? { ...a, figures: { ...a.figures, heldInputs: 0 } } : a));
    let kinds = new Set<string>();
    for (const cut of [150, 300, 451, 599]) {
      const knownAt = log.events[cut]!.recordedAt;
      const partial = await openDb();
      const then = new AnomaliesProjection();
      await then.migrate(partial);
      await project(partial, then, log.projected(0, cut + 1));
      const judgedAt = plus(knownAt, 1);
      const replayed = await anomalies(partial, { judgedAt, limit: 500 }, eager);
      const asOf = await anomalies(db, { judgedAt, knownAt, limit: 500 }, eager);
      expect(comparable(asOf)).toEqual(comparable(replayed));
      kinds = new Set([...kinds, ...replayed.items.map((a) => a.kind)]);
    }
    expect([...kinds].sort()).toEqual(['custody-gap', 'process-loss', 'transit-discrepancy', 'unfinished-process']);
  });

  it('finds shipments open longer than the gap at the judging time, and ones closed too late', async () => {
    const [open, late, cancelled, prompt] = [uid(1), uid(2), uid(3), uid(4)];
    for (const id of [open, late, cancelled, prompt]) log.collect(id, 50_000);
    const t0 = '2025-03-03T06:00:00.000Z';
    const openTransfer = log.dispatch(open, ORG.collector, ORG.sorter, 50_000, { occurredAt: t0 });
    const lateTransfer = log.dispatch(late, ORG.collector, ORG.recycler, 50_000, { occurredAt: t0 });
    const cancelledTransfer = log.dispatch(cancelled, ORG.collector, ORG.sorter, 50_000, { occurredAt: t0 });
    const promptTransfer = log.dispatch(prompt, ORG.collector, ORG.sorter, 50_000, { occurredAt: t0 });
    log.receive(prompt, promptTransfer, 50_000, 50_000, ORG.sorter, plus(t0, 72 * HOUR)); // within 72 h, exactly
    log.cancel(cancelled, cancelledTransfer, ORG.collector, plus(t0, 10 * HOUR));
    log.advance(90 * HOUR);
    const lateReceipt = log.receive(late, lateTransfer, 50_000, 50_000, ORG.recycler, plus(t0, 80 * HOUR));
    await sync();

    const dispatchOf = (transferId: string) => log.events.find((e) => e.type === 'CustodyTransferDispatched' && (e.data as { transferId: string }).transferId === transferId)!;
    // At exactly 72 h the open shipment is not yet a gap; a millisecond later it is.
    expect((await ofKind('custody-gap', { judgedAt: plus(t0, 72 * HOUR) })).map((a) => a.transferId)).toEqual([lateTransfer]);
    const found = await ofKind('custody-gap', { judgedAt: plus(t0, 100 * HOUR + 1) });
    expect(found).toEqual([
      expect.objectContaining({
        position: dispatchOf(openTransfer).position,
        eventType: 'CustodyTransferDispatched',
        occurredAt: t0,
        batchIds: [open],
        organisationIds: [ORG.collector, ORG.sorter],
        relatedEvents: [],
        figures: { massGrams: 50_000, fromOrgId: ORG.collector, toOrgId: ORG.sorter, dispatchedAt: t0, status: 'in-transit', endedAt: null, hoursOpen: 100, gapHours: 72 },
      }),
      expect.objectContaining({
        position: dispatchOf(lateTransfer).position,
        relatedEvents: [{ type: 'CustodyTransferReceived', eventId: lateReceipt.eventId, position: lateReceipt.position, recordedAt: lateReceipt.recordedAt }],
        figures: expect.objectContaining({ status: 'received', endedAt: plus(t0, 80 * HOUR), hoursOpen: 80 }),
      }),
    ]);
    // As the ledger knew it before the late receipt was recorded, that shipment was still open.
    const before = await ofKind('custody-gap', { judgedAt: plus(t0, 75 * HOUR), knownAt: plus(lateReceipt.recordedAt, -1) });
    expect(before.map((a) => [a.transferId, a.kind === 'custody-gap' ? a.figures.status : null, a.kind === 'custody-gap' ? a.figures.hoursOpen : null])).toEqual([
      [openTransfer, 'in-transit', 75],
      [lateTransfer, 'in-transit', 75],
    ]);
    // A longer gap setting leaves only the shipment still open.
    expect((await ofKind('custody-gap', { judgedAt: plus(t0, 100 * HOUR + 1) }, { ...DEFAULT_ANOMALY_SETTINGS, custodyGapHours: 90 })).map((a) => a.transferId)).toEqual([openTransfer]);
  });

  it('finds processes unfinished beyond the grace, including rejected ones that still hold inputs', async () => {
    const stuck = sorting(1, 10_000, 0, 'pending');
    const stuckStart = lastOfType('ProcessStarted');
    sorting(2, 10_000, 0); // completed
    sorting(3, 10_000, 0, 'reject'); // rejected and reverted
    // Rejected, but stopped before reverting the input it had consumed.
    const reverting = uid(4, 8);
    log.collect(uid(4), 10_000, { collectorOrgId: ORG.sorter });
    log.append(`process-${reverting}`, {
      type: 'ProcessStarted',
      data: {
        processId: reverting,
        organisationId: ORG.sorter,
        processType: 'sorting',
        inputs: [{ batchId: uid(4), massGrams: 10_000, expectedRevision: 0 }],
        externalInputs: [],
        outputs: [{ batchId: uid(4, 7), massGrams: 10_000, grade: 'reuse', composition: [{ fibre: 'cotton', share: 10_000 }], parents: [] }],
        losses: [],
        occurredAt: log.now(),
      },
    });
    log.append(`batch-${uid(4)}`, { type: 'BatchConsumed', data: { batchId: uid(4), processId: reverting, massGrams: 10_000 } });
    const rejection = log.append(`process-${reverting}`, { type: 'ProcessRejected', data: { processId: reverting, reason: 'an input was taken' } });
    await sync();

    const grace = DEFAULT_ANOMALY_SETTINGS.unfinishedProcessGraceMinutes * 60_000;
    const at = (ms: number) => ofKind('unfinished-process', { judgedAt: plus(stuckStart.recordedAt, ms) });
    expect(await at(grace)).toEqual([]);
    const found = await at(grace + 1);
    expect(found.map((a) => a.processId)).toEqual([stuck]);
    expect(found[0]).toEqual(
      expect.objectContaining({
        position: stuckStart.position,
        eventId: stuckStart.eventId,
        eventType: 'ProcessStarted',
        recordedAt: stuckStart.recordedAt,
        organisationIds: [ORG.sorter],
        batchIds: [uid(1)],
        figures: { processType: 'sorting', stage: 'started', startedRecordedAt: stuckStart.recordedAt, hoursOpen: 0.17, graceMinutes: 10, heldInputs: 1 },
      }),
    );
    const later = await at(HOUR);
    expect(later.map((a) => [a.processId, a.kind === 'unfinished-process' ? a.figures.stage : null])).toEqual([
      [stuck, 'started'],
      [reverting, 'reverting'],
    ]);
    expect(later[1]?.relatedEvents).toEqual([{ type: 'ProcessRejected', eventId: rejection.eventId, position: rejection.position, recordedAt: rejection.recordedAt }]);

    // Recovery finishes both; as the ledger knew it before that, they were still unfinished.
    const from = log.events.length;
    const done = log.completeProcess(stuck, ORG.sorter);
    log.append(`batch-${uid(4)}`, { type: 'BatchConsumptionReverted', data: { batchId: uid(4), processId: reverting } });
    await project(db, projection, log.projected(from));
    expect(await at(HOUR)).toEqual([]);
    const then = await ofKind('unfinished-process', { judgedAt: plus(stuckStart.recordedAt, HOUR), knownAt: plus(done.recordedAt, -1) });
    expect(then.map((a) => [a.processId, a.kind === 'unfinished-process' ? a.figures.stage : null])).toEqual([
      [stuck, 'started'],
      [reverting, 'reverting'],
    ]);
  });

  it('filters by kind, organisation and business time, and pages in log order', async () => {
    const [a, b] = [uid(1), uid(2)];
    log.collect(a, 100_000, { occurredAt: '2025-03-01T10:00:00.000Z' });
    log.collect(b, 100_000);
    const ta = log.dispatch(a, ORG.collector, ORG.sorter, 100_000, { occurredAt: '2025-03-01T10:00:00.000Z' });
    log.receive(a, ta, 100_000, 90_000, ORG.sorter, '2025-03-01T12:00:00.000Z'); // discrepancy, sorter and collector
    const tb = log.dispatch(b, ORG.collector, ORG.recycler, 100_000, { occurredAt: '2025-02-20T10:00:00.000Z' }); // gap, recycler and collector
    const loss = sorting(3, 100_000, 20_000); // loss at the sorter, business time 2025-03-03
    await sync();
    const all = await list();
    expect(all.map((x) => x.kind)).toEqual(['transit-discrepancy', 'custody-gap', 'process-loss']);
    expect(all.map((x) => x.position)).toEqual([...all.map((x) => x.position)].sort((p, q) => p - q));

    expect((await list({ organisationId: ORG.sorter })).map((x) => x.kind)).toEqual(['transit-discrepancy', 'process-loss']);
    expect((await list({ organisationId: ORG.recycler })).map((x) => x.transferId)).toEqual([tb]);
    expect((await list({ organisationId: ORG.maker })).length).toBe(0);
    expect((await list({ from: '2025-03-01T00:00:00+01:00', to: '2025-03-02T00:00:00Z' })).map((x) => x.transferId)).toEqual([ta]);
    expect((await list({ from: '2025-03-01T12:00:00.000Z' })).map((x) => x.kind)).toEqual(['transit-discrepancy', 'process-loss']);
    expect((await list({ to: '2025-03-01T12:00:00.000Z' })).map((x) => x.kind)).toEqual(['custody-gap']);
    expect((await list({ kind: 'process-loss' })).map((x) => x.processId)).toEqual([loss]);

    // Page by page, one at a time, gives the same list.
    const paged: number[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await anomalies(db, { judgedAt: '2025-03-03T09:00:00.000Z', limit: 1, ...(after !== undefined ? { after } : {}) });
      paged.push(...page.items.map((x) => x.position));
      if (page.nextCursor === null) break;
      after = Number(page.nextCursor);
    }
    expect(paged).toEqual(all.map((x) => x.position));
    const page = await anomalies(db, { judgedAt: '2025-03-03T09:00:00.000Z', limit: 2 });
    expect(page).toMatchObject({ judgedAt: '2025-03-03T09:00:00.000Z', knownAt: null, axis: 'occurredAt', nextCursor: String(all[1]!.position) });
    expect(page.settings.lossNormsPercent).toEqual({ sorting: 10, splitting: 2, blending: 3, 'mechanical-recycling': 15, 'chemical-recycling': 30, manufacturing: 5, repair: 5 });
  });

  it('ignores a page applied twice, and survives a restart', async () => {
    sorting(1, 100_000, 20_000, 'pending');
    const t = log.dispatch(uid(1, 3), ORG.collector, ORG.sorter, 1_000);
    const page = log.projected();
    await project(db, projection, page);
    const once = [await dump(db, 'anomalies_transfer'), await dump(db, 'anomalies_process')];
    await project(db, projection, page);
    expect([await dump(db, 'anomalies_transfer'), await dump(db, 'anomalies_process')]).toEqual(once);

    // A restarted projection still knows the open process and shipment, and finishes them.
    const restarted = new AnomaliesProjection();
    await restarted.load(db);
    const from = log.events.length;
    log.completeProcess(uid(1, 8), ORG.sorter);
    log.receive(uid(1, 3), t, 1_000, 500, ORG.sorter);
    await project(db, restarted, log.projected(from));
    expect((await list()).map((x) => x.kind)).toEqual(['process-loss', 'transit-discrepancy']);
  });

  it('gives the same rows live, in small pages with a restart, as in one rebuild', async () => {
    syntheticFlow(log, 1_200, 11);
    const events = log.projected();
    let live = projection;
    for (let i = 0, page = 0; i < events.length; i += 37, page++) {
      if (page === 10) {
        live = new AnomaliesProjection();
        await live.load(db);
      }
      await project(db, live, events.slice(i, i + 37));
    }
    const fresh = await openDb();
    const rebuilt = new AnomaliesProjection();
    await rebuilt.migrate(fresh);
    await project(fresh, rebuilt, events);
    for (const table of rebuilt.tables) expect(await dump(db, table)).toEqual(await dump(fresh, table));
    // The flow has pending processes and receipts; the tables are not trivially empty.
    expect((await dump(fresh, 'anomalies_process')).length).toBeGreaterThan(10);
    expect((await dump(fresh, 'anomalies_transfer')).length).toBeGreaterThan(10);
  });
});

/** Decision 021: whatever a store written by an older version holds, the read model folds it. */
describeOnEachReadDb('anomalies read model over events beyond today’s bounds', (openDb) => {
  it('folds a process whose inputs sum beyond 2^53 g and judges its loss on the exact figures', async () => {
    // Given a sorting of two MAX_SAFE_INTEGER g batches that loses 20 % of them
    const log = new EventLog();
    const max = Number.MAX_SAFE_INTEGER;
    log.collect(uid(1), max, { collectorOrgId: ORG.sorter });
    log.collect(uid(2), max, { collectorOrgId: ORG.sorter });
    const loss = Math.floor(max / 5) * 2;
    log.process({
      processId: uid(1, 8),
      organisationId: ORG.sorter,
      inputs: [{ batchId: uid(1), massGrams: max }, { batchId: uid(2), massGrams: max }],
      outputs: [{ batchId: uid(3), massGrams: max - Math.floor(max / 5) }, { batchId: uid(4), massGrams: max - Math.floor(max / 5) }],
      losses: [{ kind: 'process-waste', massGrams: loss }],
    });
    // When the anomalies projection folds it
    const db = await openDb();
    const projection = new AnomaliesProjection();
    await projection.migrate(db);
    await projection.load(db);
    await project(db, projection, log.projected());
    // Then its row holds the exact input, and the loss is flagged above sorting's 10 % norm
    const [row] = await dump(db, 'anomalies_process');
    expect(String((row as Record<string, unknown>)['input_mass_grams'])).toBe(String(2n * BigInt(max)));
    const found = (await anomalies(db, { judgedAt: '2025-03-03T09:00:00.000Z', kind: 'process-loss' }, DEFAULT_ANOMALY_SETTINGS)).items;
    expect(found.map((a) => a.processId)).toEqual([uid(1, 8)]);
  });
});
