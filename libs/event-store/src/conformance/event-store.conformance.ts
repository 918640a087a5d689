import { createHash, randomUUID } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type StoredEvent,
} from '../event-store.port.js';
import { CheckpointOrderError, supportsCheckpoints, type CheckpointLog, type SignedCheckpoint } from '../checkpoint-log.port.js';
import { GENESIS_HASH, computeEventHash, verifyStreamChain } from '../integrity/event-hash.js';

export interface ConformanceHarness {
  /** Its checkpoint log (CheckpointLog) must be empty: checkpoints are global to the log, not per test. */
  readonly store: EventStore;
  /**
   * Opens a new store instance on the same data (after `store.close()`), to test catch-up after a
   * restart. Stores without one are reused as they are. `cleanup` must close reopened stores too.
   */
  readonly reopen?: () => Promise<EventStore>;
  readonly cleanup: () => Promise<void>;
}

export interface ConformanceOptions {
  /**
   * SQL stores number the log 0, 1, 2, ... without gaps; EventStoreDB positions are byte offsets and
   * only increase. Default true.
   */
  readonly gapFreePositions?: boolean;
}

/**
 * The behaviour every EventStore adapter must show. The tests do not assume an empty store: they use
 * fresh stream ids and measure the log relative to the head position they start from, so the suite
 * can run against a shared server.
 */
export function eventStoreConformance(
  name: string,
  factory: () => Promise<ConformanceHarness>,
  options: ConformanceOptions = {},
): void {
  const gapFree = options.gapFreePositions ?? true;

  describe(`EventStore conformance: ${name}`, () => {
    let harness: ConformanceHarness;
    let store: EventStore;
    /** Unique per test, so stream ids and event ids never collide on a shared store. */
    let run: string;

    const stream = (label: string): string => `${label}-${run}`;
    const evt = (label: string, data: Record<string, unknown> = { label }): EventToAppend => ({
      eventId: `${run}-${label}`,
      type: 'TestEvent',
      schemaVersion: 1,
      data,
      metadata: {
        actorOrgId: 'org-1',
        commandId: `cmd-${label}`,
        correlationId: `corr-${run}`,
        causationId: `cause-${label}`,
      },
    });
    const evts = (prefix: string, count: number): EventToAppend[] =>
      Array.from({ length: count }, (_, i) => evt(`${prefix}${i}`, { prefix, i }));

    /** Reads the whole log after `after`, in pages, keeping only this test's streams. */
    const readAllAfter = async (after: number, pageSize = 1000, from: EventStore = store): Promise<StoredEvent[]> => {
      const out: StoredEvent[] = [];
      let checkpoint = after;
      for (;;) {
        const page = await from.readAll({ after: checkpoint, maxCount: pageSize });
        if (page.length === 0) {
          return out.filter((e) => e.streamId.endsWith(run));
        }
        out.push(...page);
        checkpoint = page[page.length - 1]!.position;
      }
    };

    const expectWrongRevision = async (
      promise: Promise<unknown>,
      streamId: string,
      expected: unknown,
      actual: number | 'no-stream',
    ): Promise<void> => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      const wrong = error as WrongExpectedRevisionError;
      expect(wrong.streamId).toBe(streamId);
      expect(wrong.expected).toBe(expected);
      expect(wrong.actual).toBe(actual);
    };

    /** `eventId`: the stored id the error must name; when several ids of the append exist, any of them. */
    const expectDuplicate = async (
      promise: Promise<unknown>,
      eventId: string | readonly string[],
      streamId: string,
    ): Promise<void> => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(typeof eventId === 'string' ? [eventId] : eventId).toContain((error as DuplicateEventIdError).eventId);
      expect((error as DuplicateEventIdError).streamId).toBe(streamId);
    };

    /** Resolves once `count` events arrived, or rejects after `ms`. */
    const collector = (count: number, ms = 10_000) => {
      const received: StoredEvent[] = [];
      const pages: number[] = [];
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve, reject) => {
        done = resolve;
        setTimeout(() => reject(new Error(`timed out with ${received.length}/${count} events`)), ms).unref();
      });
      const handler = async (page: readonly StoredEvent[]): Promise<void> => {
        pages.push(page.length);
        received.push(...page);
        if (received.filter((e) => e.streamId.endsWith(run)).length >= count) {
          done();
        }
      };
      return { received, pages, handler, finished, mine: () => received.filter((e) => e.streamId.endsWith(run)) };
    };

    beforeEach(async () => {
      run = randomUUID().slice(0, 8);
      harness = await factory();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    describe('append and expected revision', () => {
      it("appends to a new stream with 'no-stream' and reads the events back with store-assigned fields", async () => {
        const s = stream('order');
        const before = await store.headPosition();
        const events = [evt('a', { grams: 1200, nested: { z: 1, a: [1, 'two', null] } }), evt('b'), evt('c')];
        const result = await store.append(s, events, 'no-stream');

        expect(result.nextExpectedRevision).toBe(2);
        expect(result.position).toBeGreaterThan(before);
        expect(await store.headPosition()).toBe(result.position);

        const read = await store.readStream(s);
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(read.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
        for (const [i, stored] of read.entries()) {
          expect(stored.streamId).toBe(s);
          expect(stored.type).toBe(events[i]!.type);
          expect(stored.schemaVersion).toBe(1);
          expect(stored.data).toEqual(events[i]!.data);
          expect(stored.metadata).toEqual(events[i]!.metadata);
          expect(new Date(stored.recordedAt).toISOString()).toBe(stored.recordedAt);
          expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);
        }
        expect(read[2]!.position).toBe(result.position);
        expect(read[0]!.position).toBeLessThan(read[1]!.position);
        expect(read[1]!.position).toBeLessThan(read[2]!.position);
        if (gapFree) {
          expect(read.map((e) => e.position)).toEqual([before + 1, before + 2, before + 3]);
        }
      });

      it("rejects 'no-stream' on an existing stream and writes nothing", async () => {
        const s = stream('order');
        await store.append(s, [evt('a'), evt('b')], 'no-stream');
        const head = await store.headPosition();
        await expectWrongRevision(store.append(s, [evt('c')], 'no-stream'), s, 'no-stream', 1);
        expect(await store.headPosition()).toBe(head);
        expect((await store.readStream(s)).map((e) => e.eventId)).toEqual([evt('a').eventId, evt('b').eventId]);
      });

      it('appends at the exact expected revision and rejects a stale or future one', async () => {
        const s = stream('order');
        await store.append(s, [evt('a')], 'no-stream');
        const second = await store.append(s, [evt('b'), evt('c')], 0);
        expect(second.nextExpectedRevision).toBe(2);

        const head = await store.headPosition();
        await expectWrongRevision(store.append(s, [evt('d')], 0), s, 0, 2);
        await expectWrongRevision(store.append(s, [evt('d')], 5), s, 5, 2);
        await expectWrongRevision(store.append(stream('missing'), [evt('e')], 0), stream('missing'), 0, 'no-stream');
        expect(await store.headPosition()).toBe(head);

        const third = await store.append(s, [evt('d')], 2);
        expect(third.nextExpectedRevision).toBe(3);
        expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      });

      it("'stream-exists' fails on a new stream and succeeds on an existing one", async () => {
        const s = stream('order');
        await expectWrongRevision(store.append(s, [evt('a')], 'stream-exists'), s, 'stream-exists', 'no-stream');
        expect(await store.readStream(s)).toEqual([]);
        await store.append(s, [evt('a')], 'no-stream');
        const result = await store.append(s, [evt('b')], 'stream-exists');
        expect(result.nextExpectedRevision).toBe(1);
      });

      it("'any' appends to new and existing streams", async () => {
        const s = stream('order');
        expect((await store.append(s, [evt('a')], 'any')).nextExpectedRevision).toBe(0);
        expect((await store.append(s, [evt('b'), evt('c')], 'any')).nextExpectedRevision).toBe(2);
        expect((await store.readStream(s)).map((e) => e.eventId)).toEqual(
          ['a', 'b', 'c'].map((l) => evt(l).eventId),
        );
      });

      it('WrongExpectedRevisionError is an Error carrying stream, expected and actual', async () => {
        const s = stream('order');
        await store.append(s, [evt('a')], 'no-stream');
        const error = await store.append(s, [evt('b')], 7).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(Error);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        const wrong = error as WrongExpectedRevisionError;
        expect(wrong.name).toBe('WrongExpectedRevisionError');
        expect(wrong.streamId).toBe(s);
        expect(wrong.expected).toBe(7);
        expect(wrong.actual).toBe(0);
        expect(wrong.message).toContain(s);
      });
    });

    describe('idempotency and duplicate event ids', () => {
      it('returns the original result for a retry of the same event ids and writes nothing', async () => {
        const s = stream('order');
        const first = await store.append(s, [evt('a'), evt('b')], 'no-stream');
        const second = await store.append(s, [evt('c')], 1);
        const head = await store.headPosition();

        expect(await store.append(s, [evt('a'), evt('b')], 'no-stream')).toEqual(first);
        expect(await store.append(s, [evt('c')], 1)).toEqual(second);
        expect(await store.append(s, [evt('c')], 'any')).toEqual(second);
        expect(await store.append(s, [evt('a'), evt('b')], 'any')).toEqual(first);
        expect(await store.append(s, [evt('c')], 'stream-exists')).toEqual(second);

        expect(await store.headPosition()).toBe(head);
        expect(await store.readStream(s)).toHaveLength(3);
        // The stream moves on normally after retries.
        expect((await store.append(s, [evt('d')], 2)).nextExpectedRevision).toBe(3);
      });

      it('rejects a partial duplicate and writes none of its events', async () => {
        const s = stream('order');
        await store.append(s, [evt('a'), evt('b')], 'no-stream');
        const head = await store.headPosition();

        await expectDuplicate(store.append(s, [evt('a'), evt('x')], 'no-stream'), evt('a').eventId, s);
        await expectDuplicate(store.append(s, [evt('x'), evt('b')], 1), evt('b').eventId, s);
        // Same ids, but not in the stored order.
        await expectDuplicate(store.append(s, [evt('b'), evt('a')], 'any'), [evt('a').eventId, evt('b').eventId], s);
        expect(await store.headPosition()).toBe(head);
        expect(await store.readStream(s)).toHaveLength(2);
        // 'x' was rolled back with the rest of its append, so it can still be appended.
        expect((await store.append(s, [evt('x')], 1)).nextExpectedRevision).toBe(2);
      });

      it('rejects an event id that exists in another stream or at another place in the same stream', async () => {
        const s = stream('order');
        const other = stream('other');
        await store.append(s, [evt('a'), evt('b')], 'no-stream');
        const head = await store.headPosition();

        await expectDuplicate(store.append(other, [evt('a')], 'any'), evt('a').eventId, other);
        // 'b' is stored at revision 1, not as the first event after 'no-stream'.
        await expectDuplicate(store.append(s, [evt('b')], 'no-stream'), evt('b').eventId, s);
        expect(await store.headPosition()).toBe(head);
        expect(await store.readStream(other)).toEqual([]);
      });

      it('rejects the same event id twice within one append', async () => {
        const s = stream('order');
        await expectDuplicate(store.append(s, [evt('a'), evt('a')], 'no-stream'), evt('a').eventId, s);
        expect(await store.readStream(s)).toEqual([]);
      });
    });

    describe('reading', () => {
      it('reads a stream from a revision with a maximum count', async () => {
        const s = stream('order');
        await store.append(s, evts('e', 10), 'no-stream');
        expect((await store.readStream(s, { fromRevision: 4 })).map((e) => e.revision)).toEqual([4, 5, 6, 7, 8, 9]);
        expect((await store.readStream(s, { fromRevision: 4, maxCount: 3 })).map((e) => e.revision)).toEqual([4, 5, 6]);
        expect((await store.readStream(s, { maxCount: 2 })).map((e) => e.revision)).toEqual([0, 1]);
        expect(await store.readStream(s, { fromRevision: 10 })).toEqual([]);
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.readStream(stream('never-written'))).toEqual([]);
      });

      it('reads the global log in commit order, paged with an exclusive `after`', async () => {
        const before = await store.headPosition();
        const appended: { streamId: string; eventId: string }[] = [];
        for (let round = 0; round < 6; round++) {
          for (let k = 0; k < 5; k++) {
            const s = stream(`s${k}`);
            const batch = [evt(`r${round}k${k}a`), evt(`r${round}k${k}b`)];
            await store.append(s, batch, round === 0 ? 'no-stream' : round * 2 - 1);
            appended.push(...batch.map((e) => ({ streamId: s, eventId: e.eventId })));
          }
        }

        const pages: StoredEvent[][] = [];
        let checkpoint = before;
        for (;;) {
          const page = await store.readAll({ after: checkpoint, maxCount: 7 });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(7);
          expect(page[0]!.position).toBeGreaterThan(checkpoint);
          pages.push(page);
          checkpoint = page[page.length - 1]!.position;
        }
        const all = pages.flat().filter((e) => e.streamId.endsWith(run));
        expect(all.map((e) => ({ streamId: e.streamId, eventId: e.eventId }))).toEqual(appended);
        for (let i = 1; i < all.length; i++) {
          expect(all[i]!.position).toBeGreaterThan(all[i - 1]!.position);
          if (gapFree) expect(all[i]!.position).toBe(all[i - 1]!.position + 1);
        }
        expect(checkpoint).toBe(await store.headPosition());

        // `after` is exclusive: starting after the 10th event yields the 11th first.
        const tenth = all[9]!;
        const next = await store.readAll({ after: tenth.position, maxCount: 1 });
        expect(next.map((e) => e.eventId)).toEqual([all[10]!.eventId]);
      });

      it('reports -1 or the last position as head, and a healthy status', async () => {
        const before = await store.headPosition();
        expect(before).toBeGreaterThanOrEqual(-1);
        const result = await store.append(stream('order'), [evt('a')], 'no-stream');
        expect(await store.headPosition()).toBe(result.position);
        const status = await store.status();
        expect(status.ok).toBe(true);
        expect(status.headPosition).toBe(result.position);
        expect(typeof status.store).toBe('string');
      });
    });

    describe('hash chain', () => {
      it('links every event to the previous one in its stream', async () => {
        const s = stream('order');
        const other = stream('other');
        await store.append(s, [evt('a'), evt('b')], 'no-stream');
        await store.append(other, [evt('o1')], 'no-stream');
        await store.append(s, [evt('c')], 1);
        await store.append(s, [evt('d'), evt('e')], 2);

        const read = await store.readStream(s);
        expect(read).toHaveLength(5);
        expect(read[0]!.prevHash).toBe(GENESIS_HASH);
        for (let i = 1; i < read.length; i++) {
          expect(read[i]!.prevHash).toBe(read[i - 1]!.hash);
        }
        for (const e of read) {
          expect(e.hash).toBe(computeEventHash(e.prevHash, e));
        }
        expect(new Set(read.map((e) => e.hash)).size).toBe(5);
        expect(verifyStreamChain(read)).toEqual({ ok: true });
        expect((await store.readStream(other))[0]!.prevHash).toBe(GENESIS_HASH);

        const tampered = read.map((e) => (e.revision === 3 ? { ...e, data: { label: 'forged' } } : e));
        expect(verifyStreamChain(tampered)).toMatchObject({ ok: false, firstBadRevision: 3 });
      });
    });

    describe('subscriptions', () => {
      it('catches up from a checkpoint after a restart, then delivers live events', async () => {
        const s = stream('order');
        const before = await store.headPosition();
        await store.append(s, evts('e', 10), 'no-stream');
        const stored = await store.readStream(s);
        const checkpoint = stored[3]!.position;

        let reopened = store;
        if (harness.reopen) {
          await store.close();
          reopened = await harness.reopen();
        }
        expect(await reopened.headPosition()).toBe(stored[9]!.position);
        expect(await readAllAfter(before, 1000, reopened)).toEqual(stored);

        const c = collector(6 + 3);
        const subscription = reopened.subscribeToAll(c.handler, { after: checkpoint, pageSize: 4 });
        try {
          await reopened.append(s, [evt('live1')], 9);
          await reopened.append(s, [evt('live2'), evt('live3')], 10);
          await c.finished;
        } finally {
          await subscription.close();
        }
        expect(c.mine().map((e) => e.eventId)).toEqual([
          ...stored.slice(4).map((e) => e.eventId),
          evt('live1').eventId,
          evt('live2').eventId,
          evt('live3').eventId,
        ]);
        expect(c.received[0]!.position).toBeGreaterThan(checkpoint);
        expect(Math.max(...c.pages)).toBeLessThanOrEqual(4);
        for (let i = 1; i < c.received.length; i++) {
          expect(c.received[i]!.position).toBeGreaterThan(c.received[i - 1]!.position);
        }
      });

      it('delivers events appended after subscribing, one page at a time', async () => {
        const head = await store.headPosition();
        let active = 0;
        let maxActive = 0;
        const received: StoredEvent[] = [];
        let done: () => void = () => {};
        const finished = new Promise<void>((resolve) => (done = resolve));
        const subscription = store.subscribeToAll(
          async (page) => {
            active += 1;
            maxActive = Math.max(maxActive, active);
            await new Promise((r) => setTimeout(r, 5));
            received.push(...page);
            active -= 1;
            if (received.filter((e) => e.streamId.endsWith(run)).length >= 20) done();
          },
          { after: head, pageSize: 3 },
        );
        try {
          for (let i = 0; i < 10; i++) {
            await store.append(stream('a'), [evt(`a${i}`)], i === 0 ? 'no-stream' : i - 1);
            await store.append(stream('b'), [evt(`b${i}`)], 'any');
          }
          await finished;
        } finally {
          await subscription.close();
        }
        expect(maxActive).toBe(1);
        const mine = received.filter((e) => e.streamId.endsWith(run));
        expect(mine.map((e) => e.eventId)).toEqual(
          Array.from({ length: 10 }, (_, i) => [evt(`a${i}`).eventId, evt(`b${i}`).eventId]).flat(),
        );
        expect(received[0]!.position).toBeGreaterThan(head);
      });

      it('stops after close() and after a handler error, which goes to onError', async () => {
        const head = await store.headPosition();
        const s = stream('order');

        const closedPages: StoredEvent[][] = [];
        const closed = store.subscribeToAll(async (page) => void closedPages.push([...page]), { after: head });
        await closed.close();

        const failure = new Error('handler failed');
        let calls = 0;
        let reported: unknown;
        let onError: () => void = () => {};
        const errored = new Promise<void>((resolve) => (onError = resolve));
        const failing = store.subscribeToAll(
          async () => {
            calls += 1;
            throw failure;
          },
          {
            after: head,
            onError: (e) => {
              reported = e;
              onError();
            },
          },
        );

        await store.append(s, [evt('a')], 'no-stream');
        await errored;
        await store.append(s, [evt('b')], 0);
        await new Promise((r) => setTimeout(r, 400));
        await failing.close();

        expect(reported).toBe(failure);
        expect(calls).toBe(1);
        expect(closedPages).toEqual([]);
      });
    });

    describe('checkpoints', () => {
      /** A well-formed signed checkpoint; `variant` changes everything but the tree size. */
      const checkpoint = (treeSize: number, variant = 0): SignedCheckpoint => ({
        origin: `textile-ledger/conformance/${run}`,
        treeSize,
        rootHash: createHash('sha256').update(`${run}|root|${treeSize}|${variant}`).digest('hex'),
        lastPosition: treeSize - 1,
        signedAt: new Date(Date.UTC(2026, 0, 1) + treeSize * 1000 + variant).toISOString(),
        keyId: createHash('sha256').update(`${run}|key|${variant}`).digest('hex').slice(0, 16),
        // The length of an Ed25519 signature; the store never checks it, it keeps it.
        signature: createHash('sha512').update(`${run}|sig|${treeSize}|${variant}`).digest('base64'),
      });
      const checkpointLog = (from: EventStore = store): EventStore & CheckpointLog => {
        if (!supportsCheckpoints(from)) throw new Error(`${name} does not implement CheckpointLog`);
        return from;
      };
      const appendAll = async (log: CheckpointLog, sizes: readonly number[]): Promise<void> => {
        for (const size of sizes) expect(await log.appendCheckpoint(checkpoint(size))).toBe(true);
      };
      const rejection = (promise: Promise<unknown>): Promise<unknown> =>
        promise.then(
          () => undefined,
          (e: unknown) => e,
        );

      it('stores checkpoints in ascending tree size and gives them back exactly, the empty tree included', async () => {
        const log = checkpointLog();
        expect(await log.latestCheckpoint()).toBeUndefined();
        expect(await log.listCheckpoints()).toEqual([]);
        expect(await log.checkpointCovering(0)).toBeUndefined();

        await appendAll(log, [0, 3, 10]);
        expect(await log.listCheckpoints()).toEqual([checkpoint(0), checkpoint(3), checkpoint(10)]);
        expect(await log.latestCheckpoint()).toEqual(checkpoint(10));
      });

      it('answers false for a tree size already stored, the latest or an older one, and keeps the first', async () => {
        const log = checkpointLog();
        expect(await log.appendCheckpoint(checkpoint(5))).toBe(true);
        expect(await log.appendCheckpoint(checkpoint(5, 1))).toBe(false);
        expect(await log.appendCheckpoint(checkpoint(5))).toBe(false);
        expect(await log.appendCheckpoint(checkpoint(8))).toBe(true);
        expect(await log.appendCheckpoint(checkpoint(5, 2))).toBe(false);
        expect(await log.listCheckpoints()).toEqual([checkpoint(5), checkpoint(8)]);
      });

      it('refuses a tree size below the latest with CheckpointOrderError and stores nothing', async () => {
        const log = checkpointLog();
        await appendAll(log, [5, 8]);
        const error = await rejection(log.appendCheckpoint(checkpoint(6)));
        expect(error).toBeInstanceOf(CheckpointOrderError);
        expect(error).toBeInstanceOf(Error);
        expect(error).toMatchObject({ name: 'CheckpointOrderError', treeSize: 6, latestTreeSize: 8 });
        expect(await rejection(log.appendCheckpoint(checkpoint(0)))).toBeInstanceOf(CheckpointOrderError);
        expect(await log.listCheckpoints()).toEqual([checkpoint(5), checkpoint(8)]);
        expect(await log.appendCheckpoint(checkpoint(9))).toBe(true);
        expect(await log.latestCheckpoint()).toEqual(checkpoint(9));
      });

      it('finds the oldest checkpoint whose tree size is at least the one asked for', async () => {
        const log = checkpointLog();
        await appendAll(log, [4, 8, 16]);
        const covering = async (size: number): Promise<number | undefined> => (await log.checkpointCovering(size))?.treeSize;
        expect(await covering(0)).toBe(4);
        expect(await covering(1)).toBe(4);
        expect(await covering(4)).toBe(4);
        expect(await covering(5)).toBe(8);
        expect(await covering(8)).toBe(8);
        expect(await covering(9)).toBe(16);
        expect(await covering(16)).toBe(16);
        expect(await covering(17)).toBeUndefined();
        expect(await log.checkpointCovering(9)).toEqual(checkpoint(16));

        // Enough checkpoints that a search (not a scan of the first few) has to get every size right.
        const sizes = Array.from({ length: 37 }, (_, i) => 20 + 3 * i);
        await appendAll(log, sizes);
        const all = [4, 8, 16, ...sizes];
        for (let size = 0; size <= sizes[sizes.length - 1]! + 1; size++) {
          expect(await covering(size)).toBe(all.find((s) => s >= size));
        }
        await expect(log.checkpointCovering(-1)).rejects.toThrow(RangeError);
      });

      it('pages the list with an inclusive fromTreeSize and a limit', async () => {
        const log = checkpointLog();
        const sizes = Array.from({ length: 25 }, (_, i) => 1 + 2 * i);
        await appendAll(log, sizes);

        const paged: SignedCheckpoint[] = [];
        let pages = 0;
        for (let from = 0; ; pages++) {
          const page = await log.listCheckpoints({ fromTreeSize: from, limit: 10 });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(10);
          paged.push(...page);
          from = page[page.length - 1]!.treeSize + 1;
        }
        expect(pages).toBe(3);
        expect(paged).toEqual(sizes.map((s) => checkpoint(s)));
        expect((await log.listCheckpoints({ limit: 3 })).map((c) => c.treeSize)).toEqual([1, 3, 5]);
        expect((await log.listCheckpoints({ fromTreeSize: 6 }))[0]?.treeSize).toBe(7);
        expect((await log.listCheckpoints({ fromTreeSize: 7, limit: 2 })).map((c) => c.treeSize)).toEqual([7, 9]);
        expect(await log.listCheckpoints({ fromTreeSize: 50 })).toEqual([]);
        await expect(log.listCheckpoints({ limit: 0 })).rejects.toThrow(RangeError);
        await expect(log.listCheckpoints({ fromTreeSize: -1 })).rejects.toThrow(RangeError);
      });

      it('serialises concurrent appends: one winner per tree size, and never a smaller one after a larger', async () => {
        const log = checkpointLog();
        const small = Array.from({ length: 5 }, (_, v) => checkpoint(20, v));
        const large = Array.from({ length: 5 }, (_, v) => checkpoint(30, v));
        const settled = await Promise.allSettled([...small, ...large].map((c) => log.appendCheckpoint(c)));
        const smallResults = settled.slice(0, 5);
        const largeResults = settled.slice(5);

        // Nothing is ever stored above 30, so exactly one of the 30s wins and the others find it stored.
        expect(largeResults.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(1);
        expect(largeResults.filter((r) => r.status === 'fulfilled' && r.value === false)).toHaveLength(4);
        const largeWinner = large[largeResults.findIndex((r) => r.status === 'fulfilled' && r.value === true)]!;

        // A 20 either lands before the 30 (one wins, later ones find it) or after it (order error).
        const smallWins = smallResults.filter((r) => r.status === 'fulfilled' && r.value === true);
        expect(smallWins.length).toBeLessThanOrEqual(1);
        for (const r of smallResults) {
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CheckpointOrderError);
        }
        const stored = await log.listCheckpoints();
        if (smallWins.length === 1) {
          const smallWinner = small[smallResults.findIndex((r) => r.status === 'fulfilled' && r.value === true)]!;
          expect(stored).toEqual([smallWinner, largeWinner]);
        } else {
          expect(smallResults.every((r) => r.status === 'rejected')).toBe(true);
          expect(stored).toEqual([largeWinner]);
        }
      });

      it('refuses a malformed checkpoint with a RangeError and stores nothing', async () => {
        const log = checkpointLog();
        const malformed: SignedCheckpoint[] = [
          { ...checkpoint(3), origin: '' },
          { ...checkpoint(3), treeSize: -1 },
          { ...checkpoint(3), treeSize: 2.5 },
          { ...checkpoint(0), lastPosition: 4 },
          { ...checkpoint(3), lastPosition: -1 },
          { ...checkpoint(3), lastPosition: 1 },
          { ...checkpoint(3), rootHash: checkpoint(3).rootHash.toUpperCase() },
          { ...checkpoint(3), rootHash: checkpoint(3).rootHash.slice(2) },
          { ...checkpoint(3), signedAt: '2026-01-01 10:00:00' },
          { ...checkpoint(3), keyId: 'not-hex' },
          { ...checkpoint(3), signature: 'not base64!' },
          { ...checkpoint(3), signature: '' },
        ];
        for (const bad of malformed) {
          expect(await rejection(log.appendCheckpoint(bad))).toBeInstanceOf(RangeError);
        }
        expect(await log.listCheckpoints()).toEqual([]);
        // Not a shape the port forbids: positions may have gaps (EventStoreDB's are byte offsets).
        expect(await log.appendCheckpoint({ ...checkpoint(3), lastPosition: 4096 })).toBe(true);
      });

      it('keeps checkpoints apart from the event log: no event, no position, nothing delivered', async () => {
        const checkpoints = checkpointLog();
        const head = await store.headPosition();
        const c = collector(1);
        const subscription = store.subscribeToAll(c.handler, { after: head });
        try {
          await appendAll(checkpoints, [1, 2, 3]);
          await store.append(stream('order'), [evt('a')], 'no-stream');
          await c.finished;
        } finally {
          await subscription.close();
        }
        // On a shared store other runs' events may pass by; this run's checkpoints carry `run` in their origin.
        const leaked = (events: readonly StoredEvent[]): StoredEvent[] => events.filter((e) => !e.streamId.endsWith(run) && JSON.stringify(e).includes(run));
        expect(c.mine().map((e) => e.eventId)).toEqual([evt('a').eventId]);
        expect(leaked(c.received)).toEqual([]);
        const log = await store.readAll({ after: head, maxCount: 1000 });
        expect(leaked(log)).toEqual([]);
        expect(log.filter((e) => e.streamId.endsWith(run)).map((e) => e.eventId)).toEqual([evt('a').eventId]);
        if (gapFree) expect(await store.headPosition()).toBe(head + 1);
      });

      it('keeps checkpoints and their order across a restart', async () => {
        await appendAll(checkpointLog(), [2, 7, 11]);
        let reopened = store;
        if (harness.reopen) {
          await store.close();
          reopened = await harness.reopen();
        }
        const log = checkpointLog(reopened);
        expect(await log.listCheckpoints()).toEqual([checkpoint(2), checkpoint(7), checkpoint(11)]);
        expect(await log.latestCheckpoint()).toEqual(checkpoint(11));
        expect(await log.checkpointCovering(8)).toEqual(checkpoint(11));
        expect(await log.appendCheckpoint(checkpoint(7, 1))).toBe(false);
        expect(await rejection(log.appendCheckpoint(checkpoint(9)))).toBeInstanceOf(CheckpointOrderError);
        expect(await log.appendCheckpoint(checkpoint(12))).toBe(true);
      });
    });

    describe('concurrent writers', () => {
      it('lets exactly one of 50 concurrent appends at the same expected revision win', async () => {
        const s = stream('order');
        await store.append(s, [evt('seed0'), evt('seed1'), evt('seed2')], 'no-stream');
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) => store.append(s, [evt(`w${i}`)], 2)),
        );
        const won = results.filter((r): r is PromiseFulfilledResult<AppendResult> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(won[0]!.value.nextExpectedRevision).toBe(3);
        expect(lost).toHaveLength(49);
        for (const r of lost) {
          expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
          expect((r.reason as WrongExpectedRevisionError).actual).toBe(3);
        }
        const read = await store.readStream(s);
        expect(read).toHaveLength(4);
        expect(read[3]!.position).toBe(won[0]!.value.position);
        expect(verifyStreamChain(read)).toEqual({ ok: true });
      });

      it('commits 200 concurrent appends to distinct streams with distinct positions, read back in order', async () => {
        const before = await store.headPosition();
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => store.append(stream(`s${i}`), [evt(`e${i}`, { i })], 'no-stream')),
        );
        const positions = results.map((r) => r.position);
        expect(new Set(positions).size).toBe(200);
        expect(results.every((r) => r.nextExpectedRevision === 0)).toBe(true);

        const log = await readAllAfter(before, 64);
        expect(log).toHaveLength(200);
        for (let i = 1; i < log.length; i++) {
          expect(log[i]!.position).toBeGreaterThan(log[i - 1]!.position);
          if (gapFree) expect(log[i]!.position).toBe(log[i - 1]!.position + 1);
        }
        if (gapFree) expect(log[0]!.position).toBe(before + 1);
        const byEventId = new Map(log.map((e) => [e.eventId, e]));
        results.forEach((r, i) => {
          const e = byEventId.get(evt(`e${i}`).eventId);
          expect(e?.position).toBe(r.position);
          expect(e?.streamId).toBe(stream(`s${i}`));
        });
      });

      // Written so that the outcome does not depend on the order in which the store processes the
      // concurrent calls: an adapter may run them in any order, but each must be isolated.
      it('isolates each append of a concurrent batch: conflicts fail alone, the rest commit', async () => {
        const existing = stream('existing');
        const seeded = await store.append(existing, [evt('x0'), evt('x1')], 'no-stream');
        const head = await store.headPosition();
        const a = stream('a');
        const b = stream('b');
        const c = stream('c');

        const [okNew, wrongRev, dupElsewhere, retry, okAny, partial, race1, race2] = await Promise.allSettled([
          store.append(a, [evt('a0'), evt('a1')], 'no-stream'),
          store.append(existing, [evt('y')], 0),
          store.append(b, [evt('x0')], 'no-stream'),
          store.append(existing, [evt('x0'), evt('x1')], 'no-stream'),
          store.append(existing, [evt('x2')], 'any'),
          store.append(b, [evt('b0'), evt('x1')], 'no-stream'),
          // Whichever runs second must see the first one's (not yet committed) write.
          store.append(c, [evt('c0')], 'no-stream'),
          store.append(c, [evt('c1')], 'no-stream'),
        ]);

        expect(okNew).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1 } });
        expect(wrongRev.status).toBe('rejected');
        expect((wrongRev as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(dupElsewhere.status).toBe('rejected');
        expect((dupElsewhere as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
        expect(retry).toEqual({ status: 'fulfilled', value: seeded });
        expect(okAny).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 2 } });
        expect(partial.status).toBe('rejected');
        expect((partial as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
        const races = [race1, race2];
        expect(races.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const raceLoser = races.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(raceLoser?.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect((raceLoser?.reason as WrongExpectedRevisionError).actual).toBe(0);

        expect((await store.readStream(a)).map((e) => e.eventId)).toEqual(['a0', 'a1'].map((l) => evt(l).eventId));
        expect(await store.readStream(b)).toEqual([]);
        expect(await store.readStream(c)).toHaveLength(1);
        expect((await store.readStream(existing)).map((e) => e.eventId)).toEqual(
          ['x0', 'x1', 'x2'].map((l) => evt(l).eventId),
        );
        const log = await readAllAfter(head);
        const winner = race1.status === 'fulfilled' ? 'c0' : 'c1';
        expect(log.map((e) => e.eventId).sort()).toEqual(['a0', 'a1', 'x2', winner].map((l) => evt(l).eventId).sort());
        if (gapFree) expect(await store.headPosition()).toBe(head + 4);
        expect(verifyStreamChain(await store.readStream(a))).toEqual({ ok: true });
        expect(verifyStreamChain(await store.readStream(existing))).toEqual({ ok: true });
      });
    });
  });
}
