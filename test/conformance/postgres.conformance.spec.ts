import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';

import type { EventToAppend, StoredEvent } from '../../libs/event-store/src/event-store.port.js';
import { CheckpointOrderError, type SignedCheckpoint } from '../../libs/event-store/src/checkpoint-log.port.js';
import { verifyStreamChain } from '../../libs/event-store/src/integrity/event-hash.js';

import { eventStoreConformance } from '../../libs/event-store/src/conformance/event-store.conformance.js';
import { PostgresEventStore } from '../../libs/event-store/src/postgres/postgres-event-store.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

/**
 * The suite registers its tests synchronously, so the server starts on first use (inside a
 * beforeEach, which has the 60 s test timeout) and is stopped once for the whole file.
 */
let server: Promise<TestPostgres> | undefined;
const testServer = (): Promise<TestPostgres> => (server ??= startTestPostgres());

// Dropping the suite's databases and a fast shutdown (which checkpoints) can take a while on a loaded
// 2-core machine; pg_ctl alone may wait 60 s.
afterAll(async () => {
  if (server !== undefined) {
    await (await server).stop();
  }
}, 180_000);

eventStoreConformance('PostgreSQL (group commit, fsync on)', async () => {
  const connectionString = await (await testServer()).createDatabase();
  const opened: PostgresEventStore[] = [];
  const open = async (): Promise<PostgresEventStore> => {
    const store = await PostgresEventStore.open({ connectionString, pollIntervalMs: 50 });
    opened.push(store);
    return store;
  };
  return {
    store: await open(),
    reopen: open,
    cleanup: async () => {
      for (const store of opened) await store.close();
    },
  };
});

describe('PostgresEventStore specifics', () => {
  const evt = (id: string): EventToAppend => ({
    eventId: id,
    type: 'TestEvent',
    schemaVersion: 1,
    data: { id, at: new Date(0), skipped: undefined },
    metadata: { actorOrgId: 'org-1', commandId: `cmd-${id}`, correlationId: 'corr', causationId: 'cause' },
  });

  it('group-commits concurrent appends: fewer transactions than appends, one recordedAt per group', async () => {
    const connectionString = await (await testServer()).createDatabase();
    const store = await PostgresEventStore.open({ connectionString });
    try {
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(`s-${i}`, [evt(`e-${i}`)], 'no-stream')));
      const stats = store.stats();
      expect(stats.appends).toBe(100);
      expect(stats.transactions).toBeLessThan(100);
      const log = await store.readAll({ maxCount: 1000 });
      expect(log.map((e) => e.position)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(new Set(log.map((e) => e.recordedAt)).size).toBeLessThanOrEqual(stats.transactions);
      // Dates and undefined fields are hashed as a reader gets them back.
      expect(log[0]!.data).toEqual({ id: 'e-0', at: new Date(0).toISOString() });
      expect(verifyStreamChain(log.filter((e) => e.streamId === 's-0'))).toEqual({ ok: true });
      expect(await store.status()).toMatchObject({ store: 'postgres', ok: true, headPosition: 99 });
    } finally {
      await store.close();
    }
  });

  const checkpoint = (treeSize: number, variant = 0): SignedCheckpoint => ({
    origin: 'textile-ledger/postgres-spec',
    treeSize,
    rootHash: (variant % 2 === 0 ? 'ab' : 'cd').repeat(32),
    lastPosition: treeSize - 1,
    signedAt: '2026-01-01T00:00:00.000Z',
    keyId: '0123456789abcdef',
    signature: Buffer.alloc(64, treeSize + variant).toString('base64'),
  });

  it('writes checkpoints in the group transaction of the appends queued with them; a refused one fails alone', async () => {
    const connectionString = await (await testServer()).createDatabase();
    const store = await PostgresEventStore.open({ connectionString });
    try {
      await store.appendCheckpoint(checkpoint(5));
      const before = store.stats().transactions;
      const [append, stored, refused] = await Promise.allSettled([
        store.append('s', [evt('c-1')], 'no-stream'),
        store.appendCheckpoint(checkpoint(6)),
        store.appendCheckpoint(checkpoint(4)),
      ]);
      expect(append).toEqual({ status: 'fulfilled', value: { nextExpectedRevision: 0, position: 0 } });
      expect(stored).toEqual({ status: 'fulfilled', value: true });
      expect(refused.status === 'rejected' && refused.reason instanceof CheckpointOrderError).toBe(true);
      expect(store.stats().transactions - before).toBe(1);
      expect((await store.listCheckpoints()).map((c) => c.treeSize)).toEqual([5, 6]);
    } finally {
      await store.close();
    }
  });

  it('lets one of two instances (as two processes) store a tree size; the other answers false', async () => {
    const connectionString = await (await testServer()).createDatabase();
    const a = await PostgresEventStore.open({ connectionString });
    const b = await PostgresEventStore.open({ connectionString });
    try {
      for (let size = 1; size <= 10; size++) {
        const results = await Promise.all([a.appendCheckpoint(checkpoint(size, 0)), b.appendCheckpoint(checkpoint(size, 1))]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await b.latestCheckpoint()).toEqual(checkpoint(size, results[0] ? 0 : 1));
      }
      expect((await a.listCheckpoints()).map((c) => c.treeSize)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('writes zeros instead of the hash chain only when a benchmark turns hashChain off, on both append paths', async () => {
    const connectionString = await (await testServer()).createDatabase();
    const store = await PostgresEventStore.open({ connectionString, hashChain: false });
    try {
      // New ids only: the one-statement path for the whole group.
      await Promise.all([store.append('s', [evt('h-1'), evt('h-2')], 'no-stream'), store.append('t', [evt('h-3')], 'no-stream')]);
      // A group holding a retry takes the per-append path with savepoints.
      await Promise.all([store.append('s', [evt('h-1'), evt('h-2')], 'no-stream'), store.append('s', [evt('h-4')], 1)]);
      const log = await store.readAll({ maxCount: 10 });
      expect(log.map((e) => e.eventId)).toEqual(['h-1', 'h-2', 'h-3', 'h-4']);
      expect(new Set(log.flatMap((e) => [e.prevHash, e.hash]))).toEqual(new Set(['0'.repeat(64)]));
      expect(verifyStreamChain(await store.readStream('s'))).toMatchObject({ ok: false, firstBadRevision: 0 });
    } finally {
      await store.close();
    }
  });

  it('keeps positions gap-free and chains intact with two instances (as two processes) writing one stream', async () => {
    const connectionString = await (await testServer()).createDatabase();
    const a = await PostgresEventStore.open({ connectionString });
    const b = await PostgresEventStore.open({ connectionString });
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).append('shared', [evt(`x-${i}`), evt(`y-${i}`)], 'any')),
      );
      const log = await a.readAll({ maxCount: 1000 });
      expect(log.map((e) => e.position)).toEqual(Array.from({ length: 120 }, (_, i) => i));
      const stream = await b.readStream('shared');
      expect(stream.map((e) => e.revision)).toEqual(Array.from({ length: 120 }, (_, i) => i));
      expect(verifyStreamChain(stream)).toEqual({ ok: true });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("wakes a subscription on another instance through NOTIFY, well before its poll interval", async () => {
    const connectionString = await (await testServer()).createDatabase();
    const writer = await PostgresEventStore.open({ connectionString });
    const reader = await PostgresEventStore.open({ connectionString, pollIntervalMs: 60_000 });
    try {
      const received: StoredEvent[] = [];
      let delivered: () => void = () => {};
      const arrived = new Promise<void>((resolve) => (delivered = resolve));
      const subscription = reader.subscribeToAll(async (page) => {
        received.push(...page);
        if (received.length >= 1) delivered();
      });
      try {
        // Let the subscription find the log empty and go idle first.
        await new Promise((r) => setTimeout(r, 200));
        await writer.append('notified', [evt('n-1')], 'no-stream');
        await Promise.race([
          arrived,
          new Promise((_, reject) => setTimeout(() => reject(new Error('not woken by NOTIFY')), 10_000).unref()),
        ]);
      } finally {
        await subscription.close();
      }
      expect(received.map((e) => e.eventId)).toEqual(['n-1']);
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('survives its connections being killed: appends resume on a fresh writer, and NOTIFY wakes again', async () => {
    const connectionString = await (await testServer()).createDatabase();
    const writer = await PostgresEventStore.open({ connectionString });
    const reader = await PostgresEventStore.open({ connectionString, pollIntervalMs: 60_000 });
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      const received: string[] = [];
      const subscription = reader.subscribeToAll(async (page) => {
        received.push(...page.map((e) => e.eventId));
      });
      try {
        await writer.append('before-kill', [evt('k-1')], 'no-stream');
        await waitFor(() => received.includes(evt('k-1').eventId));

        // What a failover or an administrator does to every connection of both stores.
        const killed = await admin.query<{ pid: number }>('SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        expect(killed.rows.length).toBeGreaterThanOrEqual(2);

        // The group in flight when the writer died may fail; an identical retry is idempotent.
        let result: Awaited<ReturnType<PostgresEventStore['append']>> | undefined;
        for (let attempt = 0; attempt < 20 && result === undefined; attempt++) {
          result = await writer.append('after-kill', [evt('k-2')], 'no-stream').catch(async () => {
            await new Promise((r) => setTimeout(r, 100));
            return undefined;
          });
        }
        expect(result).toBeDefined();
        expect((await writer.status()).ok).toBe(true);
        // Woken by NOTIFY on the re-opened LISTEN connection, long before the 60 s poll.
        await waitFor(() => received.includes(evt('k-2').eventId));
        expect(received).toEqual([evt('k-1').eventId, evt('k-2').eventId]);
      } finally {
        await subscription.close();
      }
    } finally {
      await admin.end();
      await Promise.all([writer.close(), reader.close()]);
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
