import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { SqliteEventStore } from '#event-store';
import { openPostgresReadDb, openSqliteReadDb } from '#read-store';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres-server.js';
import { createLedgerProjections } from '../index.js';
import { EventLog, appendToStore, syntheticFlow } from '../testing/fixtures.js';
import { CheckpointRegressionError, migrateCheckpoints, readCheckpoints, writeCheckpoints } from './checkpoint.js';
import type { ProjectedEvent, Projection, ReadDb, ReadTx } from './projection.js';
import { ProjectionRunner, type ProjectionRunnerLog, type ProjectionRunnerOptions } from './projection-runner.js';
import { dynamicDb } from './sql-rows.js';
import { DEFAULT_LEASE_RENEW_INTERVAL_MS, DEFAULT_LEASE_TTL_MS, NotProjectionWriterError, ProjectionWriterFencedError, WriterLease } from './writer-lease.js';

/** Counts what it is given and what it flushes, so a test can tell which runner wrote. */
class CountingProjection implements Projection {
  readonly name = 'counting';
  readonly tables = ['counting_seen'] as const;
  applied = 0;
  flushed = 0;
  private pending: number[] = [];

  async migrate(db: ReadDb): Promise<void> {
    await db.schema.createTable('counting_seen').ifNotExists().addColumn('position', 'bigint', (c) => c.primaryKey()).execute();
  }
  async load(): Promise<void> {}
  apply(event: ProjectedEvent): void {
    this.applied += 1;
    this.pending.push(event.position);
  }
  async flush(tx: ReadTx): Promise<void> {
    const rows = this.pending.map((position) => ({ position }));
    this.pending = [];
    this.flushed += rows.length;
    if (rows.length > 0) await dynamicDb(tx).insertInto('counting_seen').values(rows).execute();
  }
  reset(): void {
    this.pending = [];
  }
}

/** Keeps what the runner logs, so the takeovers and lost leases it reports can be asserted. */
class RecordingLog implements ProjectionRunnerLog {
  readonly lines: { at: number; level: 'info' | 'warn'; message: string }[] = [];
  info(message: string): void {
    this.lines.push({ at: Date.now(), level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ at: Date.now(), level: 'warn', message });
  }
  firstAt(pattern: RegExp): number | undefined {
    return this.lines.find((l) => pattern.test(l.message))?.at;
  }
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let server: Promise<TestPostgres> | undefined;
let database: Promise<string> | undefined;
let schemas = 0;
afterAll(async () => {
  if (server !== undefined) await (await server).stop();
}, 60_000);

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`one projection writer per read-model database [${dialect}]`, () => {
    let dir: string;
    let store: SqliteEventStore;
    const dbs: ReadDb[] = [];
    const runners: ProjectionRunner[] = [];

    beforeEach(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'writer-lease-'));
      let tick = Date.parse('2025-03-03T08:00:00Z');
      store = await SqliteEventStore.open({ filename: path.join(dir, 'events.sqlite'), synchronous: 'NORMAL', clock: () => new Date((tick += 1000)), pollIntervalMs: 20 });
    });
    afterEach(async () => {
      for (const runner of runners.splice(0)) await runner.close();
      for (const db of dbs.splice(0)) await db.destroy().catch(() => undefined);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /**
     * A fresh read-model database, and a function that opens another connection pool to it, as a
     * second process would: a second connection to one SQLite file, or a second pool on one
     * PostgreSQL schema.
     */
    async function sharedReadDb(): Promise<() => ReadDb> {
      let open: () => ReadDb;
      if (dialect === 'sqlite') {
        const filename = path.join(dir, `read-${++schemas}.sqlite`);
        open = () => openSqliteReadDb({ filename });
      } else {
        server ??= startTestPostgres();
        const started = server;
        database ??= started.then((s) => s.createDatabase());
        const url = new URL(await database);
        const schema = `lease_${process.pid}_${++schemas}`;
        url.searchParams.set('options', `-c search_path=${schema}`);
        open = () => openPostgresReadDb({ connectionString: url.toString(), poolSize: 3 });
        const admin = open();
        await sql`create schema ${sql.id(schema)}`.execute(admin);
        await admin.destroy();
      }
      return () => {
        const db = open();
        dbs.push(db);
        return db;
      };
    }

    function runner(db: ReadDb, projections: Projection[], options: Partial<ProjectionRunnerOptions> = {}): ProjectionRunner {
      const created = new ProjectionRunner({ store, db, projections, retryDelayMs: 10, log: new RecordingLog(), ...options });
      runners.push(created);
      return created;
    }

    /** The checksum of the same log projected into an empty database by one runner alone. */
    async function freshRebuildChecksum(): Promise<string> {
      const open = await sharedReadDb();
      const fresh = runner(open(), [...createLedgerProjections(), new CountingProjection()]);
      await fresh.rebuild();
      return (await fresh.checksum()).total;
    }

    it('given two runners on one database, when events arrive, then only one writes and the other follows its position', async () => {
      const open = await sharedReadDb();
      const first = new CountingProjection();
      const second = new CountingProjection();
      const followed: number[] = [];
      const writer = runner(open(), [...createLedgerProjections(), first]);
      const follower = runner(open(), [...createLedgerProjections(), second], { onCommitted: (position) => followed.push(position) });
      await writer.start();
      await follower.start();

      const log = new EventLog();
      syntheticFlow(log, 300, 3);
      await appendToStore(store, log.events);
      const head = await store.headPosition();

      // The follower's read-your-writes wait is settled by the writer's commits.
      await follower.waitForPosition(head, 20_000);
      await writer.waitForPosition(head, 20_000);
      expect(follower.position()).toBe(head);
      expect(followed.at(-1)).toBe(head);
      expect(first.flushed).toBe(head + 1);
      expect(second.applied).toBe(0);
      expect(second.flushed).toBe(0);
      expect((await follower.lag())).toBe(0);
      expect((await writer.checksum()).total).toBe(await freshRebuildChecksum());
    }, 60_000);

    it('given a writer that dies without releasing its lease, then another runner takes over within TTL + one renewal and the read models equal a fresh rebuild', async () => {
      const open = await sharedReadDb();
      const writerDb = open();
      const writer = runner(writerDb, [...createLedgerProjections(), new CountingProjection()]);
      const takerLog = new RecordingLog();
      const taker = runner(open(), [...createLedgerProjections(), new CountingProjection()], { log: takerLog });
      await writer.start();
      await taker.start();
      const log = new EventLog();
      syntheticFlow(log, 400, 5);
      await appendToStore(store, log.events.slice(0, 200));
      await taker.waitForPosition(await store.headPosition(), 20_000);

      // As SIGKILL leaves it: its connections are gone, nothing was released.
      const died = Date.now();
      await writerDb.destroy();
      const tookOver = await eventually('the takeover', () => takerLog.firstAt(/is now the read-model writer/));
      expect(tookOver - died).toBeLessThanOrEqual(DEFAULT_LEASE_TTL_MS + DEFAULT_LEASE_RENEW_INTERVAL_MS + 1000);

      await appendToStore(store, log.events.slice(200));
      const head = await store.headPosition();
      await taker.waitForPosition(head, 20_000);
      expect((await taker.checksum()).total).toBe(await freshRebuildChecksum());
    }, 60_000);

    it('given a writer that stopped renewing while another took over, when it commits a page it still had, then the commit is refused and it follows instead', async () => {
      const open = await sharedReadDb();
      const zombieLog = new RecordingLog();
      const zombieProjection = new CountingProjection();
      // Renewing once a minute on a 300 ms lease: to the others it looks paused.
      const zombie = runner(open(), [...createLedgerProjections(), zombieProjection], { leaseTtlMs: 300, leaseRenewIntervalMs: 60_000, log: zombieLog });
      await zombie.start();
      const log = new EventLog();
      syntheticFlow(log, 300, 9);
      await appendToStore(store, log.events.slice(0, 100));
      await zombie.waitForPosition(await store.headPosition(), 20_000);

      const successor = runner(open(), [...createLedgerProjections(), new CountingProjection()], { leaseTtlMs: 300, leaseRenewIntervalMs: 50 });
      await successor.start();
      const lease = await eventually('the takeover', async () => {
        const state = await WriterLease.read(open());
        return state !== undefined && state.epoch >= 2 ? state : undefined;
      });
      expect(lease.epoch).toBe(2);

      const flushedBefore = zombieProjection.flushed;
      await appendToStore(store, log.events.slice(100));
      const head = await store.headPosition();
      await successor.waitForPosition(head, 20_000);
      await eventually('the zombie to notice', () => zombieLog.firstAt(/lost the read-model writer lease \(epoch 1\)/));
      // It applied the page in memory, and its flush ran inside the refused transaction: nothing of it stayed.
      expect(zombieProjection.flushed).toBe(flushedBefore);
      await zombie.waitForPosition(head, 20_000);
      expect((await successor.checksum()).total).toBe(await freshRebuildChecksum());
    }, 60_000);

    it('given a lease taken over, when the old holder fences a transaction with its old epoch, then nothing it wrote in it is committed', async () => {
      const db = (await sharedReadDb())();
      await WriterLease.migrate(db);
      await migrateCheckpoints(db);
      const stale = new WriterLease(50);
      const current = new WriterLease(50);
      const old = await stale.tryAcquire(db);
      expect(old).toBe(1);
      expect(await current.tryAcquire(db)).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await current.tryAcquire(db)).toBe(2);

      await expect(
        db.transaction().execute(async (tx) => {
          await writeCheckpoints(tx, new Map([['late', 7]]));
          await stale.fence(tx, old);
        }),
      ).rejects.toThrow(ProjectionWriterFencedError);
      expect(await readCheckpoints(db)).toEqual(new Map());
      expect(await stale.renew(db, old!)).toBe(false);
      expect(await current.renew(db, 2)).toBe(true);
    });

    it('given a checkpoint at 10, when a commit writes 8 or 10 for it, then the commit is refused and the checkpoint stays at 10', async () => {
      const db = (await sharedReadDb())();
      await migrateCheckpoints(db);
      await db.transaction().execute((tx) => writeCheckpoints(tx, new Map([['a', 10], ['b', 3]])));
      for (const behind of [8, 10]) {
        await expect(db.transaction().execute((tx) => writeCheckpoints(tx, new Map([['b', 5], ['a', behind]])))).rejects.toThrow(CheckpointRegressionError);
      }
      // The refused transactions rolled back as a whole: b did not move either.
      expect(await readCheckpoints(db)).toEqual(new Map([['a', 10], ['b', 3]]));
      await db.transaction().execute((tx) => writeCheckpoints(tx, new Map([['a', 11], ['b', 5]])));
      expect(await readCheckpoints(db)).toEqual(new Map([['a', 11], ['b', 5]]));
    });

    // PostgreSQL only: three SQLite connections in one thread cannot wait for each other (better-sqlite3
    // waits for a lock synchronously, blocking the very thread that holds it), and the embedded file
    // is one process's in production.
    const onPostgres = dialect === 'postgres' ? it : it.skip;
    onPostgres('given an empty database, when three instances start at the same moment, then every start succeeds (five times over)', async () => {
      for (let round = 0; round < 5; round++) {
        const open = await sharedReadDb();
        const starting = [0, 1, 2].map(() => runner(open(), createLedgerProjections()));
        const results = await Promise.allSettled(starting.map((r) => r.init()));
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      }
    }, 60_000);

    it('given another runner writing, when this one is asked to rebuild, then it refuses and leaves the read models alone', async () => {
      const open = await sharedReadDb();
      const writer = runner(open(), createLedgerProjections());
      await writer.start();
      const log = new EventLog();
      syntheticFlow(log, 100, 2);
      await appendToStore(store, log.events);
      await writer.waitForPosition(await store.headPosition(), 20_000);
      const before = await writer.checksum();
      const other = runner(open(), createLedgerProjections());
      await expect(other.rebuild()).rejects.toThrow(NotProjectionWriterError);
      expect(await writer.checksum()).toEqual(before);
    }, 60_000);

    it('given a commit landing while the state loads, then the state and the checkpoint it resumes from come from one snapshot', async () => {
      const open = await sharedReadDb();
      const db = open();
      const other = open();
      const probe = new SnapshotProbe(other);
      const setup = runner(db, [probe]);
      await setup.init();
      await db.transaction().execute(async (tx) => {
        await dynamicDb(tx).insertInto('snapshot_seen').values([0, 1, 2, 3, 4].map((position) => ({ position }))).execute();
        await writeCheckpoints(tx, new Map([['snapshot', 4]]));
      });
      const loading = runner(db, [probe]);
      await loading.start();
      await eventually('the load', () => (probe.loadedUpTo === undefined ? undefined : true));
      await eventually('the reload to finish', () => (loading.position() === 4 ? true : undefined), 5_000).catch(() => undefined);
      // The commit made during load() moved the stored checkpoint to 5, but not in the snapshot loaded.
      expect((await readCheckpoints(other)).get('snapshot')).toBe(5);
      expect(loading.position()).toBe(probe.loadedUpTo);
    }, 60_000);
  });
}

/**
 * Loads the highest position in its table, then (once) commits one more row and its checkpoint
 * through another connection before returning, as another writer's page landing mid-load would.
 */
class SnapshotProbe implements Projection {
  readonly name = 'snapshot';
  readonly tables = ['snapshot_seen'] as const;
  loadedUpTo: number | undefined;
  private interfered = false;

  constructor(private readonly other: ReadDb) {}

  async migrate(db: ReadDb): Promise<void> {
    await db.schema.createTable('snapshot_seen').ifNotExists().addColumn('position', 'bigint', (c) => c.primaryKey()).execute();
  }
  async load(db: ReadDb): Promise<void> {
    const row = await dynamicDb(db).selectFrom('snapshot_seen').select(sql<number>`max(position)`.as('top')).executeTakeFirst();
    const top = row?.top === null || row?.top === undefined ? -1 : Number(row.top);
    if (top < 0 || this.interfered) return;
    this.interfered = true;
    await this.other.transaction().execute(async (tx) => {
      await dynamicDb(tx).insertInto('snapshot_seen').values({ position: top + 1 }).execute();
      await writeCheckpoints(tx, new Map([['snapshot', top + 1]]));
    });
    this.loadedUpTo = top;
  }
  apply(): void {}
  async flush(): Promise<void> {}
  reset(): void {}
}
