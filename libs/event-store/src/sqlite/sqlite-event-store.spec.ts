import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';

import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type EventToAppend,
  type StoredEvent,
} from '../event-store.port.js';
import { CheckpointOrderError, type SignedCheckpoint } from '../checkpoint-log.port.js';
import { verifyStreamChain } from '../integrity/event-hash.js';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store.js';

// The shared behaviour is covered by test/conformance/sqlite.conformance.spec.ts; these tests pin
// what is specific to this adapter: group commit, the file format, durability and multi-process use.

const evt = (id: string, data: unknown = { id }): EventToAppend => ({
  eventId: id,
  type: 'TestEvent',
  schemaVersion: 1,
  data,
  metadata: { actorOrgId: 'org-1', commandId: `cmd-${id}`, correlationId: 'corr', causationId: 'cause' },
});

const checkpoint = (treeSize: number): SignedCheckpoint => ({
  origin: 'textile-ledger/sqlite-spec',
  treeSize,
  rootHash: 'ab'.repeat(32),
  lastPosition: treeSize - 1,
  signedAt: '2026-01-01T00:00:00.000Z',
  keyId: '0123456789abcdef',
  signature: Buffer.alloc(64, treeSize).toString('base64'),
});

describe('SqliteEventStore', () => {
  let dir: string;
  let filename: string;
  const opened: SqliteEventStore[] = [];
  const open = async (options: Partial<SqliteEventStoreOptions> = {}): Promise<SqliteEventStore> => {
    const store = await SqliteEventStore.open({ filename, ...options });
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledger-sqlite-store-'));
    filename = join(dir, 'events.db');
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a WAL-mode file whose log starts at position 0', async () => {
    const store = await open();
    expect(await store.headPosition()).toBe(-1);
    expect(await store.status()).toMatchObject({ store: 'sqlite', ok: true, headPosition: -1 });
    const result = await store.append('s', [evt('a'), evt('b')], 'no-stream');
    expect(result).toEqual({ nextExpectedRevision: 1, position: 1 });

    const raw = new Database(filename, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('SELECT position, stream_id, revision FROM events ORDER BY position').all()).toEqual([
        { position: 0, stream_id: 's', revision: 0 },
        { position: 1, stream_id: 's', revision: 1 },
      ]);
    } finally {
      raw.close();
    }
  });

  describe('group commit', () => {
    it('commits appends requested in the same tick in one transaction', async () => {
      const store = await open();
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(`s${i}`, [evt(`e${i}`)], 'no-stream')));
      expect(store.stats()).toEqual({ transactions: 1, appends: 100 });

      for (let i = 0; i < 3; i++) await store.append('seq', [evt(`q${i}`)], 'any');
      expect(store.stats()).toEqual({ transactions: 4, appends: 103 });
    });

    it('splits a burst into groups of at most maxGroupSize, keeping call order', async () => {
      const store = await open({ maxGroupSize: 10 });
      const results = await Promise.all(
        Array.from({ length: 35 }, (_, i) => store.append('s', [evt(`e${i}`)], i === 0 ? 'no-stream' : i - 1)),
      );
      expect(store.stats().transactions).toBe(4);
      expect(results.map((r) => r.position)).toEqual(Array.from({ length: 35 }, (_, i) => i));
      expect(verifyStreamChain(await store.readStream('s'))).toEqual({ ok: true });
    });

    it('runs the appends of a group in call order, each seeing the previous ones', async () => {
      const store = await open();
      const [first, second, third] = await Promise.allSettled([
        store.append('s', [evt('a'), evt('b')], 'no-stream'),
        store.append('s', [evt('c')], 1),
        store.append('s', [evt('d')], 1),
      ]);
      expect(first).toEqual({ status: 'fulfilled', value: { nextExpectedRevision: 1, position: 1 } });
      expect(second).toEqual({ status: 'fulfilled', value: { nextExpectedRevision: 2, position: 2 } });
      expect(third.status).toBe('rejected');
      expect((third as PromiseRejectedResult).reason).toMatchObject({ actual: 2 });
      expect(store.stats().transactions).toBe(1);
    });

    it('answers an exact retry inside the same group with the original result', async () => {
      const store = await open();
      const [a, b] = await Promise.all([
        store.append('s', [evt('a')], 'no-stream'),
        store.append('s', [evt('a')], 'no-stream'),
      ]);
      expect(b).toEqual(a);
      expect(await store.headPosition()).toBe(0);
    });

    it('stamps one recordedAt per group from the injected clock', async () => {
      const times = ['2025-03-01T10:00:00.000Z', '2025-03-01T10:00:01.500Z'];
      let calls = 0;
      const store = await open({ clock: () => new Date(times[Math.min(calls++, times.length - 1)]!) });
      await Promise.all([store.append('a', [evt('a0')], 'no-stream'), store.append('b', [evt('b0')], 'no-stream')]);
      await store.append('a', [evt('a1')], 0);
      const log = await store.readAll({ maxCount: 10 });
      expect(log.map((e) => e.recordedAt)).toEqual([times[0], times[0], times[1]]);
      expect(verifyStreamChain(await store.readStream('a'))).toEqual({ ok: true });
    });

    it('rejects every append of a group whose transaction cannot start, and recovers', async () => {
      const store = await open({ busyTimeoutMs: 20 });
      await store.append('s', [evt('a')], 'no-stream');
      const locker = new Database(filename);
      locker.exec('BEGIN IMMEDIATE');
      let results: PromiseSettledResult<unknown>[];
      try {
        results = await Promise.allSettled([
          store.append('s', [evt('b')], 0),
          store.append('t', [evt('c')], 'no-stream'),
        ]);
      } finally {
        locker.exec('ROLLBACK');
        locker.close();
      }
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
      expect(await store.headPosition()).toBe(0);
      expect(await store.append('s', [evt('b')], 0)).toEqual({ nextExpectedRevision: 1, position: 1 });
    });

    it('rejects every append of a group whose COMMIT fails, and stores none of them', async () => {
      // Given a file with a deferred foreign key that an event of stream "doomed" breaks: SQLite
      // checks it at COMMIT, after every append of the group has passed its own savepoint.
      const store = await open();
      await store.append('s', [evt('a')], 'no-stream');
      const schema = new Database(filename);
      schema.exec(`
        CREATE TABLE commit_guard_parent (id TEXT PRIMARY KEY);
        CREATE TABLE commit_guard (parent TEXT REFERENCES commit_guard_parent (id) DEFERRABLE INITIALLY DEFERRED);
        CREATE TRIGGER commit_guard_doomed AFTER INSERT ON events WHEN NEW.stream_id = 'doomed'
        BEGIN INSERT INTO commit_guard (parent) VALUES ('missing'); END;`);
      schema.close();

      // When appends to other streams share the group with one to it,
      const results = await Promise.allSettled([
        store.append('s', [evt('b')], 0),
        store.append('doomed', [evt('c')], 'no-stream'),
        store.append('t', [evt('d')], 'no-stream'),
      ]);

      // then every caller of the group gets the COMMIT's error, and nothing of the group is stored.
      expect(store.stats().transactions).toBe(2);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const result of results) expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
      expect((await store.readAll({ maxCount: 10 })).map((e) => e.eventId)).toEqual(['a']);
      expect(await store.readStream('t')).toEqual([]);
      expect(await store.append('s', [evt('b')], 0)).toEqual({ nextExpectedRevision: 1, position: 1 });
    });

    it('rejects an event without a JSON form alone, not its whole group', async () => {
      const store = await open();
      const [bad, good] = await Promise.allSettled([
        store.append('s', [evt('a'), evt('b', { grams: 12n })], 'no-stream'),
        store.append('t', [evt('c')], 'no-stream'),
      ]);
      expect(bad.status).toBe('rejected');
      expect(good).toEqual({ status: 'fulfilled', value: { nextExpectedRevision: 0, position: 0 } });
      expect(await store.readStream('s')).toEqual([]);
    });
  });

  describe('checkpoints', () => {
    it('joins the group commit of the appends queued with it: one transaction, one fsync', async () => {
      const store = await open();
      const [first, stored, second] = await Promise.all([
        store.append('a', [evt('a0')], 'no-stream'),
        store.appendCheckpoint(checkpoint(0)),
        store.append('b', [evt('b0')], 'no-stream'),
      ]);
      expect(stored).toBe(true);
      expect([first.position, second.position]).toEqual([0, 1]);
      expect(store.stats()).toEqual({ transactions: 1, appends: 2 });
    });

    it('fails alone in its group: the appends queued with a refused checkpoint still commit', async () => {
      const store = await open();
      await store.appendCheckpoint(checkpoint(5));
      const [append, refused, duplicate] = await Promise.allSettled([
        store.append('a', [evt('a0')], 'no-stream'),
        store.appendCheckpoint(checkpoint(3)),
        store.appendCheckpoint(checkpoint(5)),
      ]);
      expect(append).toEqual({ status: 'fulfilled', value: { nextExpectedRevision: 0, position: 0 } });
      expect(refused.status === 'rejected' && refused.reason instanceof CheckpointOrderError).toBe(true);
      expect(duplicate).toEqual({ status: 'fulfilled', value: false });
      expect(store.stats().transactions).toBe(2);
    });

    it('lives in the events file, in ledger_checkpoints, one row per tree size', async () => {
      const store = await open();
      await store.appendCheckpoint(checkpoint(4));
      const raw = new Database(filename, { readonly: true });
      try {
        expect(raw.prepare('SELECT * FROM ledger_checkpoints').all()).toEqual([
          {
            tree_size: 4,
            origin: 'textile-ledger/sqlite-spec',
            root_hash: 'ab'.repeat(32),
            last_position: 3,
            signed_at: '2026-01-01T00:00:00.000Z',
            key_id: '0123456789abcdef',
            signature: Buffer.alloc(64, 4).toString('base64'),
          },
        ]);
      } finally {
        raw.close();
      }
    });

    it('adds its table to a file written before checkpoints existed, keeping the events', async () => {
      const old = new Database(filename);
      old.exec(`CREATE TABLE events (
        position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, event_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
        recorded_at TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream_id, revision))`);
      old.close();
      const store = await open();
      await store.append('s', [evt('a')], 'no-stream');
      expect(await store.appendCheckpoint(checkpoint(1))).toBe(true);
      expect(await store.listCheckpoints()).toEqual([checkpoint(1)]);
    });

    it('commits a checkpoint still queued before closing', async () => {
      const store = await open();
      const pending = store.appendCheckpoint(checkpoint(1));
      await store.close();
      await expect(pending).resolves.toBe(true);
      await expect(store.appendCheckpoint(checkpoint(2))).rejects.toThrow(/closed/);
      expect(await (await open()).latestCheckpoint()).toEqual(checkpoint(1));
    });
  });

  it('writes zeros instead of the hash chain only when a benchmark turns hashChain off', async () => {
    const store = await open({ hashChain: false });
    await Promise.all([store.append('s', [evt('a'), evt('b')], 'no-stream'), store.append('t', [evt('c')], 'no-stream')]);
    await store.append('s', [evt('d')], 1);
    const log = await store.readAll({ maxCount: 10 });
    expect(new Set(log.flatMap((e) => [e.prevHash, e.hash]))).toEqual(new Set(['0'.repeat(64)]));
    expect(verifyStreamChain(await store.readStream('s'))).toMatchObject({ ok: false, firstBadRevision: 0 });
    await store.close();

    // The same file opened as the ledger opens it chains again, from where it is: it still never verifies.
    const hashing = await open();
    await hashing.append('u', [evt('e')], 'no-stream');
    expect(verifyStreamChain(await hashing.readStream('u'))).toEqual({ ok: true });
  });

  it('hashes data as it reads back after the JSON round trip', async () => {
    const store = await open();
    const data = { when: new Date('2025-01-02T03:04:05.678Z'), skipped: undefined, list: [1, undefined] };
    await store.append('s', [evt('a', data), evt('b', { z: 1, a: 2 })], 'no-stream');
    const read = await store.readStream('s');
    expect(read[0]!.data).toEqual({ when: '2025-01-02T03:04:05.678Z', list: [1, null] });
    expect(verifyStreamChain(read)).toEqual({ ok: true });
  });

  it('rejects an empty append', async () => {
    const store = await open();
    await expect(store.append('s', [], 'any')).rejects.toBeInstanceOf(RangeError);
  });

  it('reports a duplicate id that only a later event of the append carries', async () => {
    const store = await open();
    await store.append('s', [evt('a')], 'no-stream');
    const error = await store.append('t', [evt('new'), evt('a')], 'no-stream').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateEventIdError);
    expect(error).toMatchObject({ eventId: 'a', streamId: 't' });
    expect(await store.readStream('t')).toEqual([]);
  });

  describe('close', () => {
    it('commits appends still queued before closing, and survives a reopen', async () => {
      const store = await open();
      const pending = store.append('s', [evt('a')], 'no-stream');
      await store.close();
      await expect(pending).resolves.toEqual({ nextExpectedRevision: 0, position: 0 });
      await expect(store.append('s', [evt('b')], 0)).rejects.toThrow(/closed/);
      await expect(store.readStream('s')).rejects.toThrow(/closed/);

      const reopened = await open();
      expect((await reopened.readStream('s')).map((e) => e.eventId)).toEqual(['a']);
      await expect(reopened.append('s', [evt('b')], 'no-stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    });

    it('stops its subscriptions', async () => {
      const store = await open();
      const pages: StoredEvent[][] = [];
      const subscription = store.subscribeToAll(async (page) => void pages.push([...page]));
      await store.append('s', [evt('a')], 'no-stream');
      await waitFor(() => pages.length === 1);
      await store.close();
      await subscription.close();
      expect(pages.flat().map((e) => e.eventId)).toEqual(['a']);
    });
  });

  it('wakes its own subscriptions on commit instead of waiting for the poll', async () => {
    const store = await open({ pollIntervalMs: 60_000 });
    const received: StoredEvent[] = [];
    const subscription = store.subscribeToAll(async (page) => void received.push(...page));
    try {
      await new Promise((r) => setTimeout(r, 20));
      await store.append('s', [evt('a')], 'no-stream');
      await waitFor(() => received.length === 1, 1000);
    } finally {
      await subscription.close();
    }
    expect(received.map((e) => e.eventId)).toEqual(['a']);
  });

  it('lets a subscription see events committed by another connection to the same file', async () => {
    const reader = await open({ pollIntervalMs: 30 });
    const writer = await open();
    const received: StoredEvent[] = [];
    const subscription = reader.subscribeToAll(async (page) => void received.push(...page));
    try {
      await writer.append('s', [evt('a')], 'no-stream');
      await reader.append('t', [evt('b')], 'no-stream');
      await writer.append('s', [evt('c')], 0);
      await waitFor(() => received.length === 3);
    } finally {
      await subscription.close();
    }
    expect(received.map((e) => [e.position, e.eventId])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    expect(verifyStreamChain(await reader.readStream('s'))).toEqual({ ok: true });
  });
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
