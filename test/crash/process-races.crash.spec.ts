import { afterEach, describe, expect, it } from '@jest/globals';
import { decideStartProcess, DEFAULT_POLICY, streamIds, type DomainEvent, type LoadedInput, type ProcessStarted } from '#domain';
import type { EventStore, ExpectedRevision } from '#event-store';
import { v7 as uuidv7 } from 'uuid';
import { CommandExecutor } from '../../apps/ledger-api/src/ledger/command-executor.js';
import type { CommandMetadata } from '../../apps/ledger-api/src/ledger/command-metadata.js';
import { loadBatch, loadProcess } from '../../apps/ledger-api/src/ledger/stream-loader.js';
import { ProcessManager } from '../../apps/ledger-api/src/processes/process-manager.js';
import { COTTON } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** One pause point: `reached` settles when a matching call arrives; the call waits for `release`. */
interface PausePoint {
  readonly matches: (op: 'append' | 'readStream', streamId: string, expected: ExpectedRevision | undefined) => boolean;
  readonly reached: Deferred;
  readonly release: Deferred;
  used: boolean;
}

/**
 * A view of the shared store as a second process instance would have it, with pause points, so a
 * test can force the exact interleaving of two drivers of the same process (the in-process lock of
 * ProcessManager does not span instances, which is what two ProcessManager objects model here).
 */
class PausingStore {
  private readonly points: PausePoint[] = [];
  readonly store: EventStore;

  constructor(target: EventStore) {
    const before = async (op: 'append' | 'readStream', streamId: string, expected: ExpectedRevision | undefined): Promise<void> => {
      const point = this.points.find((p) => !p.used && p.matches(op, streamId, expected));
      if (!point) return;
      point.used = true;
      point.reached.resolve();
      await point.release.promise;
    };
    this.store = new Proxy(target, {
      get(t, property, receiver) {
        if (property === 'append') {
          return async (...args: Parameters<EventStore['append']>) => {
            await before('append', args[0], args[2]);
            return t.append(...args);
          };
        }
        if (property === 'readStream') {
          return async (...args: Parameters<EventStore['readStream']>) => {
            await before('readStream', args[0], undefined);
            return t.readStream(...args);
          };
        }
        const value: unknown = Reflect.get(t, property, receiver);
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  }

  pauseAt(matches: PausePoint['matches']): PausePoint {
    const point: PausePoint = { matches, reached: deferred(), release: deferred(), used: false };
    this.points.push(point);
    return point;
  }
}

describe('two drivers of one process in different instances (a slow request and recovery)', () => {
  let ledger: LedgerHarness | undefined;
  afterEach(async () => {
    await ledger?.close();
  });

  async function setUp(): Promise<{ sorter: RegisteredOrganisation; other: RegisteredOrganisation; x: string; y: string; started: ProcessStarted; meta: CommandMetadata }> {
    ledger = await LedgerHarness.start();
    const sorter = await ledger.registerOrganisation('Sorter', ['sorter', 'collector']);
    const other = await ledger.registerOrganisation('Other sorter', ['sorter']);
    // a collector records collections only for a kommune whose municipality authorised it.
    await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), sorter.id);
    const ids: string[] = [];
    for (const massGrams of [40_000, 60_000]) {
      const r = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams }, sorter.key);
      ids.push(r.body.batchId);
    }
    const loaded = new Map<string, LoadedInput>();
    for (const id of ids) {
      const b = await loadBatch(ledger.store, id);
      loaded.set(id, { state: b.state, revision: b.revision });
    }
    const started = decideStartProcess(
      loaded,
      new Set(),
      { processId: uuidv7(), processType: 'blending', inputs: ids.map((batchId) => ({ batchId })), externalInputs: [], outputs: [{ batchId: uuidv7(), massGrams: 100_000, grade: 'recycling', composition: COTTON as never }], losses: [], occurredAt: new Date().toISOString() },
      { now: new Date(), actor: { organisationId: sorter.id, name: 'Sorter', roles: ['sorter'] }, organisation: () => undefined, policy: DEFAULT_POLICY },
    );
    const meta: CommandMetadata = { actorOrgId: sorter.id, commandId: uuidv7(), correlationId: uuidv7(), causationId: uuidv7(), idempotent: false };
    return { sorter, other, x: ids[0]!, y: ids[1]!, started: started.data, meta };
  }

  /** The invariant on the write side: a completed process holds every input; a rejected one holds none. */
  async function expectConsistent(processId: string): Promise<'completed' | 'rejected'> {
    const process = await loadProcess(ledger!.store, processId);
    const status = process.state?.status;
    expect(status === 'completed' || status === 'rejected').toBe(true);
    for (const input of process.state!.started.inputs) {
      const batch = await loadBatch(ledger!.store, input.batchId);
      if (status === 'completed') expect({ batchId: input.batchId, consumedBy: batch.state?.consumedByProcessId }).toEqual({ batchId: input.batchId, consumedBy: processId });
      else expect({ batchId: input.batchId, heldByThisProcess: batch.state?.consumedByProcessId === processId }).toEqual({ batchId: input.batchId, heldByThisProcess: false });
    }
    return status as 'completed' | 'rejected';
  }

  /**
   * Both drivers get past input X (A consumes it, B sees A's consumption), then wait before reading
   * input Y, which is dispatched meanwhile: A will see it in transit and reject, B (released after the
   * transfer is cancelled) will see it available.
   */
  async function bothPastFirstInput(started: ProcessStarted, meta: CommandMetadata, y: string, options: { pauseAEnd: boolean }) {
    const a = new PausingStore(ledger!.store);
    const aBeforeY = a.pauseAt((op, streamId) => op === 'readStream' && streamId === streamIds.batch(y));
    const aBeforeEnd = options.pauseAEnd ? a.pauseAt((op, streamId, expected) => op === 'append' && streamId === streamIds.process(started.processId) && expected === 0) : undefined;
    const runA = new ProcessManager(a.store).start(started, meta);
    await aBeforeY.reached.promise;

    const b = new PausingStore(ledger!.store);
    const bBeforeY = b.pauseAt((op, streamId) => op === 'readStream' && streamId === streamIds.batch(y));
    const runB = new ProcessManager(b.store).resume(started.processId);
    await bBeforeY.reached.promise;
    return { runA, runB, aBeforeY, aBeforeEnd, bBeforeY };
  }

  it('never completes a process whose input another driver already reverted (double consumption)', async () => {
    const { sorter, other, y, started, meta } = await setUp();
    const { runA, runB, aBeforeY, aBeforeEnd, bBeforeY } = await bothPastFirstInput(started, meta, y, { pauseAEnd: true });

    expect((await ledger!.post(`/batches/${y}/dispatch`, { toOrgId: other.id }, sorter.key)).status).toBe(200);
    aBeforeY.release.resolve();
    // A has decided to reject and is about to append its end event.
    await aBeforeEnd!.reached.promise;
    expect((await ledger!.post(`/batches/${y}/cancel-transfer`, { reason: 'driver went home' }, sorter.key)).status).toBe(200);

    bBeforeY.release.resolve();
    const outcomeB = await runB;
    aBeforeEnd!.release.resolve();
    const outcomeA = await runA;

    const status = await expectConsistent(started.processId);
    expect(outcomeA.status).toBe(status);
    expect(outcomeB?.status).toBe(status);
  });

  it('reverts what a late driver consumed when the other driver had already rejected the process', async () => {
    const { sorter, other, y, started, meta } = await setUp();
    const { runA, runB, aBeforeY, bBeforeY } = await bothPastFirstInput(started, meta, y, { pauseAEnd: false });

    expect((await ledger!.post(`/batches/${y}/dispatch`, { toOrgId: other.id }, sorter.key)).status).toBe(200);
    aBeforeY.release.resolve();
    expect((await runA).status).toBe('rejected');
    expect((await ledger!.post(`/batches/${y}/cancel-transfer`, { reason: 'driver went home' }, sorter.key)).status).toBe(200);

    bBeforeY.release.resolve();
    expect((await runB)?.status).toBe('rejected');
    expect(await expectConsistent(started.processId)).toBe('rejected');
  });

  it('finishes the reverts of a rejection on the next run after a crash between ProcessRejected and them', async () => {
    const { sorter, other, x, y, started, meta } = await setUp();
    expect((await ledger!.post(`/batches/${y}/dispatch`, { toOrgId: other.id }, sorter.key)).status).toBe(200);
    // ProcessStarted, BatchConsumed on X and ProcessRejected get through; the revert of X does not.
    let appends = 0;
    const dying = new Proxy(ledger!.store, {
      get(t, property, receiver) {
        if (property === 'append') {
          return async (...args: Parameters<EventStore['append']>) => {
            if (appends >= 3) throw new Error('killed');
            appends += 1;
            return t.append(...args);
          };
        }
        const value: unknown = Reflect.get(t, property, receiver);
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
    await expect(new ProcessManager(dying).start(started, meta)).rejects.toThrow('killed');
    expect((await loadProcess(ledger!.store, started.processId)).state?.status).toBe('rejected');
    expect((await loadBatch(ledger!.store, x)).state?.consumedByProcessId).toBe(started.processId);

    // A client retry (or any later driver) sees the rejection and completes the compensation.
    expect((await new ProcessManager(ledger!.store).resume(started.processId))?.status).toBe('rejected');
    expect(await expectConsistent(started.processId)).toBe('rejected');
  });

  it('carries on when the other driver stored our BatchConsumed after a revision this driver did not read', async () => {
    const { sorter, other, x, started, meta } = await setUp();
    const a = new PausingStore(ledger!.store);
    const aBeforeX = a.pauseAt((op, streamId) => op === 'readStream' && streamId === streamIds.batch(x));
    const runA = new ProcessManager(a.store).start(started, meta);
    await aBeforeX.reached.promise;

    // B read X and is about to append BatchConsumed with the revision it read.
    const b = new PausingStore(ledger!.store);
    const bAppendX = b.pauseAt((op, streamId) => op === 'append' && streamId === streamIds.batch(x));
    const runB = new ProcessManager(b.store).resume(started.processId);
    await bAppendX.reached.promise;

    // X moves on twice and ends up as it was; then A consumes it after those two events.
    expect((await ledger!.post(`/batches/${x}/dispatch`, { toOrgId: other.id }, sorter.key)).status).toBe(200);
    expect((await ledger!.post(`/batches/${x}/cancel-transfer`, { reason: 'wrong truck' }, sorter.key)).status).toBe(200);
    aBeforeX.release.resolve();
    expect((await runA).status).toBe('completed');

    // B's append now finds its event id stored, but not right after the revision it expected.
    bAppendX.release.resolve();
    expect((await runB)?.status).toBe('completed');
    expect(await expectConsistent(started.processId)).toBe('completed');
  });
});

describe('a retried single-stream command racing with its first attempt', () => {
  let ledger: LedgerHarness | undefined;
  afterEach(async () => {
    await ledger?.close();
  });

  it('replays when the first attempt landed after a revision the retry did not read', async () => {
    ledger = await LedgerHarness.start();
    const batchId = uuidv7();
    const streamId = streamIds.batch(batchId);
    const metaFor = (commandId: string): CommandMetadata => ({ actorOrgId: uuidv7(), commandId, correlationId: uuidv7(), causationId: uuidv7(), idempotent: true });
    // The store does not validate data; the executor only needs some events to put on the stream.
    const landfilled = (): DomainEvent[] => [{ type: 'BatchLandfilled', data: { batchId, occurredAt: new Date().toISOString() } }];
    const fold = (events: readonly unknown[]): number => events.length;
    await new CommandExecutor(ledger.store).execute(streamId, fold, landfilled, metaFor(uuidv7()));

    const command = metaFor(uuidv7());
    const slow = new PausingStore(ledger.store);
    const retryBeforeAppend = slow.pauseAt((op, id) => op === 'append' && id === streamId);
    const retry = new CommandExecutor(slow.store).execute(streamId, fold, landfilled, command);
    await retryBeforeAppend.reached.promise;

    // Another command, then the first attempt, land after the revision the retry read.
    await new CommandExecutor(ledger.store).execute(streamId, fold, landfilled, metaFor(uuidv7()));
    const first = await new CommandExecutor(ledger.store).execute(streamId, fold, landfilled, command);

    retryBeforeAppend.release.resolve();
    const replayed = await retry;
    expect(replayed).toMatchObject({ replayed: true, eventIds: first.eventIds, position: first.position });
    expect(await ledger.store.readStream(streamId)).toHaveLength(3);
  });
});
