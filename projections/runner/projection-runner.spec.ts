import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { SqliteEventStore } from '#event-store';
import { openSqliteReadDb } from '#read-store';
import { appendScenario, generateScenario } from '#scenarios';
import { createCoreProjections, createLedgerProjections } from '../index.js';
import { BatchSummaryProjection } from '../batch-summary/batch-summary.projection.js';
import { getBatch } from '../batch-summary/batch-summary.queries.js';
import { inventory } from '../inventory/inventory.queries.js';
import { EventLog, ORG, appendToStore, dump, syntheticFlow, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { readCheckpoints, readProjectionVersions } from './checkpoint.js';
import type { ProjectedEvent, Projection, ReadDb, ReadTx } from './projection.js';
import { ProjectionRunner } from './projection-runner.js';
import { ProjectionFailure, type ProjectionFailureReport } from './projection-failure.js';
import { ProjectionRunnerClosedError, WaitForPositionTimeoutError } from './position-waiters.js';
import { dynamicDb } from './sql-rows.js';

/** Records what it is given, and can be told to fail its next flushes after writing a row. */
class ProbeProjection implements Projection {
  readonly name = 'probe';
  readonly tables = ['probe_seen'] as const;
  applied: number[] = [];
  failFlushes = 0;
  private pending: number[] = [];

  async migrate(db: ReadDb): Promise<void> {
    await db.schema.createTable('probe_seen').ifNotExists().addColumn('position', 'bigint', (c) => c.primaryKey()).execute();
  }
  async load(): Promise<void> {}
  apply(event: ProjectedEvent): void {
    this.applied.push(event.position);
    this.pending.push(event.position);
  }
  async flush(tx: ReadTx): Promise<void> {
    const rows = this.pending.map((position) => ({ position }));
    this.pending = [];
    if (rows.length > 0) await dynamicDb(tx).insertInto('probe_seen').values(rows).execute();
    if (this.failFlushes > 0) {
      this.failFlushes -= 1;
      throw new Error('disk on fire');
    }
  }
  reset(): void {
    this.pending = [];
  }
}

/** A projection whose fold throws on the event at one position, until it is told to stop. */
class TrippingProjection implements Projection {
  readonly name = 'tripping';
  readonly tables = ['tripping_seen'] as const;
  tripAt: number | undefined;
  private pending: number[] = [];

  async migrate(db: ReadDb): Promise<void> {
    await db.schema.createTable('tripping_seen').ifNotExists().addColumn('position', 'bigint', (c) => c.primaryKey()).execute();
  }
  async load(): Promise<void> {}
  apply(event: ProjectedEvent): void {
    if (event.position === this.tripAt) throw new TypeError(`cannot fold ${event.event.type}`);
    this.pending.push(event.position);
  }
  async flush(tx: ReadTx): Promise<void> {
    const rows = this.pending.map((position) => ({ position }));
    this.pending = [];
    if (rows.length > 0) await dynamicDb(tx).insertInto('tripping_seen').values(rows).execute();
  }
  reset(): void {
    this.pending = [];
  }
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((resolve) => setTimeout(resolve, 5))) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describeOnEachReadDb('ProjectionRunner', (openDb, dialect) => {
  let dir: string;
  let store: SqliteEventStore;
  const dbs: ReadDb[] = [];
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'runner-'));
    let tick = Date.parse('2025-03-03T08:00:00Z');
    store = await SqliteEventStore.open({ filename: path.join(dir, 'events.sqlite'), synchronous: 'NORMAL', clock: () => new Date((tick += 1000)), pollIntervalMs: 20 });
  });
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    for (const db of dbs.splice(0)) await db.destroy();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** On SQLite a file per name, as the app has it; on PostgreSQL a fresh schema (the helper drops it). */
  async function readDb(name = 'read.sqlite'): Promise<ReadDb> {
    if (dialect === 'postgres') return openDb();
    const db = openSqliteReadDb({ filename: path.join(dir, name) });
    dbs.push(db);
    return db;
  }
  function runner(db: ReadDb, projections: Projection[], options: { pageSize?: number; retryDelayMs?: number; onError?: (e: unknown) => void } = {}): ProjectionRunner {
    const created = new ProjectionRunner({ store, db, projections, retryDelayMs: 10, ...options });
    runners.push(created);
    return created;
  }

  it('close() settles pending waitForPosition calls instead of leaving their timers running', async () => {
    const closing = runner(await readDb(), createCoreProjections());
    await closing.start();
    const waiting = closing.waitForPosition(1_000_000, 600_000);
    await closing.close();
    await expect(waiting).rejects.toThrow(ProjectionRunnerClosedError);
  });

  it('catches up from its checkpoint after a restart instead of replaying from zero', async () => {
    const log = new EventLog();
    log.collect(uid(1), 10_000);
    log.collect(uid(2), 20_000);
    await appendToStore(store, log.events);
    const db = await readDb();
    const probe = new ProbeProjection();
    const first = runner(db, [...createCoreProjections(), probe], { pageSize: 1 });
    await first.start();
    await first.waitForPosition(1, 5000);
    await first.stop();
    expect(probe.applied).toEqual([0, 1]);

    const t = log.dispatch(uid(1), ORG.collector, ORG.sorter, 10_000);
    log.receive(uid(1), t, 10_000, 9_900, ORG.sorter);
    await appendToStore(store, log.events.slice(2));

    const probeAgain = new ProbeProjection();
    const second = runner(db, [...createCoreProjections(), probeAgain]);
    await second.start();
    expect(second.position()).toBeGreaterThanOrEqual(1);
    await second.waitForPosition(3, 5000);
    expect(probeAgain.applied).toEqual([2, 3]);
    expect(await getBatch(db, uid(1))).toMatchObject({ custodianOrgId: ORG.sorter, massGrams: 9_900 });
    expect(await second.lag()).toBe(0);
    expect(Object.fromEntries(await readCheckpoints(db))).toMatchObject({ batch_summary: 3, probe: 3, inventory: 3 });
  });

  it('replays only a projection whose version changed, into fresh tables; the others keep their checkpoints', async () => {
    const log = new EventLog();
    log.collect(uid(1), 10_000);
    log.collect(uid(2), 20_000);
    await appendToStore(store, log.events);
    const db = await readDb();
    const probe = new ProbeProjection();
    const first = runner(db, [...createCoreProjections(), probe]);
    await first.start();
    await first.waitForPosition(1, 5000);
    await first.stop();
    // A row the new version's fold would never write: it must be gone after the migration.
    await dynamicDb(db).insertInto('probe_seen').values({ position: 999 }).execute();

    const sameVersion = new ProbeProjection();
    const unchanged = runner(db, [...createCoreProjections(), sameVersion]);
    await unchanged.start();
    await unchanged.waitForPosition(1, 5000);
    await unchanged.stop();
    expect(sameVersion.applied).toEqual([]);

    class ProbeV2 extends ProbeProjection {
      readonly version = 2;
    }
    const core = createCoreProjections();
    const upgraded = new ProbeV2();
    const second = runner(db, [...core, upgraded]);
    await second.start();
    await second.waitForPosition(1, 5000);
    expect(upgraded.applied).toEqual([0, 1]);
    const rows = await dynamicDb(db).selectFrom('probe_seen').select('position').orderBy('position').execute();
    expect(rows.map((r) => Number(r.position))).toEqual([0, 1]);
    // The core projections kept their checkpoints and versions (the unchanged run above shows that
    // a projection whose version stands is given nothing again).
    expect(Object.fromEntries(await readCheckpoints(db))).toMatchObject({ batch_summary: 1, probe: 1 });
    expect(Object.fromEntries(await readProjectionVersions(db))).toMatchObject({ probe: 2, batch_summary: new BatchSummaryProjection().version });
  });

  it('commits rows and checkpoint atomically: a failing flush leaves both unchanged, then it recovers', async () => {
    const log = new EventLog();
    log.collect(uid(1), 10_000);
    await appendToStore(store, log.events);
    const db = await readDb();
    const probe = new ProbeProjection();
    const errors: unknown[] = [];
    // The back-off must outlast the checks below, which on a loaded machine take a while on PostgreSQL.
    const r = runner(db, [...createCoreProjections(), probe], { onError: (e) => errors.push(e), retryDelayMs: 3000 });
    await r.start();
    await r.waitForPosition(0, 5000);
    const before = await r.checksum();

    probe.failFlushes = 1;
    log.collect(uid(2), 5_000);
    await appendToStore(store, log.events.slice(1));
    // Wait for the failure itself rather than a fixed time: under a full suite on PostgreSQL the page
    // can take longer than any short timeout to be read, applied and rolled back.
    for (const deadline = Date.now() + 10_000; errors.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(r.waitForPosition(1, 100)).rejects.toBeInstanceOf(WaitForPositionTimeoutError);
    // The failed page wrote probe and core rows inside its transaction; none of it was committed.
    expect(errors).toHaveLength(1);
    expect(r.position()).toBe(0);
    expect(await readCheckpoints(db)).toEqual(new Map([...(await readCheckpoints(db)).keys()].map((k) => [k, 0])));
    expect(await dump(db, 'probe_seen')).toEqual([{ position: 0 }]);
    expect(await getBatch(db, uid(2))).toBeUndefined();
    expect(await r.checksum()).toEqual(before);
    expect(r.health().lastError).toContain('disk on fire');
    expect(r.health().failure).toMatchObject({ stage: 'flush', projection: 'probe', position: 1, error: 'disk on fire', attempts: 1 });

    // After the back-off the runner resubscribes from the checkpoint and commits the page.
    await r.waitForPosition(1, 15_000);
    expect(errors).toHaveLength(1);
    expect(await dump(db, 'probe_seen')).toEqual([{ position: 0 }, { position: 1 }]);
    expect(await getBatch(db, uid(2))).toMatchObject({ massGrams: 5_000 });
    expect((await inventory(db, ORG.collector)).collectedGrams).toBe(15_000);
  });

  it('a projection that throws on one event is named with the event, retried with back-off, and cleared once it recovers', async () => {
    // Given a log whose third event one projection cannot fold
    const log = new EventLog();
    log.collect(uid(1), 10_000);
    log.collect(uid(2), 20_000);
    log.collect(uid(3), 30_000);
    await appendToStore(store, log.events);
    const bad = (await store.readAll({ after: -1, maxCount: 10 }))[2]!;
    const tripping = new TrippingProjection();
    tripping.tripAt = bad.position;
    const errors: unknown[] = [];
    const reports: ProjectionFailureReport[] = [];
    const r = runner(await readDb(), [...createCoreProjections(), tripping], {
      retryDelayMs: 20,
      onError: (error) => {
        errors.push(error);
        reports.push(r.health().failure!);
      },
    });

    // When the runner follows the log
    await r.start();
    await until('three failed attempts', () => (reports.length >= 3 ? true : undefined));

    // Then the failure names the projection, the event's position, stream and type, and the cause
    expect(errors[0]).toBeInstanceOf(ProjectionFailure);
    expect((errors[0] as ProjectionFailure).cause).toBeInstanceOf(TypeError);
    expect(reports[0]).toMatchObject({ stage: 'apply', projection: 'tripping', position: bad.position, streamId: bad.streamId, eventType: 'BatchCollected', error: 'cannot fold BatchCollected', attempts: 1 });
    expect(r.health().lastError).toBe(`projection tripping failed to apply event at position ${bad.position} (stream ${bad.streamId}, BatchCollected): cannot fold BatchCollected`);
    // …counts its attempts, keeps when it began, and waits twice as long before each retry
    expect(reports.slice(0, 3).map((f) => f.attempts)).toEqual([1, 2, 3]);
    expect(new Set(reports.map((f) => f.failingSince)).size).toBe(1);
    const waits = reports.slice(0, 3).map((f) => Date.parse(f.nextRetryAt!) - Date.parse(f.failingSince));
    expect(waits[1]! - waits[0]!).toBeGreaterThanOrEqual(40);
    // …and the page failed whole: no projection committed the bad event
    expect(r.position()).toBeLessThan(bad.position);

    // When the projection can fold the event again
    tripping.tripAt = undefined;
    await r.waitForPosition(bad.position, 10_000);

    // Then the failure is gone from health
    expect(r.health().failure).toBeUndefined();
    expect(r.health().lastError).toBeUndefined();
  });

  it('an event whose data cannot be decoded is named by position, stream and type, before any projection sees it', async () => {
    // Given an event of a type the domain does not know, appended straight to the store
    await store.append('mystery-1', [{ eventId: 'mystery-1', type: 'NoSuchEvent', schemaVersion: 1, data: {}, metadata: { actorOrgId: ORG.collector, commandId: 'c', correlationId: 'c', causationId: 'c' } }], 'no-stream');
    const errors: unknown[] = [];
    const r = runner(await readDb(), createCoreProjections(), { retryDelayMs: 10_000, onError: (error) => errors.push(error) });

    // When the runner reads it
    await r.start();
    const failure = await until('the failure', () => r.health().failure);

    // Then the report names the event and says it failed to decode, naming no projection
    expect(failure).toMatchObject({ stage: 'decode', position: 0, streamId: 'mystery-1', eventType: 'NoSuchEvent', attempts: 1, error: 'unknown event type NoSuchEvent' });
    expect(failure.projection).toBeUndefined();
    expect(Date.parse(failure.nextRetryAt!)).toBeGreaterThan(Date.parse(failure.failingSince));
  });

  it('a failure to read the log clears once the log can be read again, even when no page follows', async () => {
    // Given a store whose first subscription fails to read, and a runner that is caught up
    const errors: unknown[] = [];
    let failures = 1;
    const flaky = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'subscribeToAll') {
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (...args: Parameters<SqliteEventStore['subscribeToAll']>) => {
          if (failures-- > 0) setTimeout(() => args[1]?.onError?.(new Error('connection reset')), 0);
          return target.subscribeToAll(...args);
        };
      },
    });
    const r = new ProjectionRunner({ store: flaky, db: await readDb(), projections: createCoreProjections(), retryDelayMs: 20, onError: (error) => errors.push(error) });
    runners.push(r);

    // When it starts, fails to read once, and resubscribes with nothing new in the log
    await r.start();
    await until('the read failure', () => (errors.length > 0 ? true : undefined));
    expect(errors[0]).toMatchObject({ message: 'connection reset' });

    // Then the failure clears without any page being committed
    await until('the failure to clear', () => (r.health().failure === undefined ? true : undefined));
    expect(r.position()).toBe(-1);
  });

  it('a failed rebuild page commits nothing, and the rebuild can simply be run again', async () => {
    const log = new EventLog();
    log.collect(uid(1), 10_000);
    await appendToStore(store, log.events);
    const db = await readDb();
    const probe = new ProbeProjection();
    const r = runner(db, [...createCoreProjections(), probe]);
    await r.rebuild();
    const before = { checkpoints: await readCheckpoints(db), checksum: await r.checksum() };

    log.collect(uid(2), 5_000);
    await appendToStore(store, log.events.slice(1));
    probe.failFlushes = 100;
    await expect(r.rebuild()).rejects.toThrow('disk on fire');
    // The rebuild emptied the tables first, so compare with a state that also has nothing committed.
    expect(await readCheckpoints(db)).toEqual(new Map());
    expect(await getBatch(db, uid(1))).toBeUndefined();
    expect(await dump(db, 'probe_seen')).toEqual([]);
    probe.failFlushes = 0;
    await r.rebuild();
    expect((await r.checksum()).total).not.toBe(before.checksum.total);
    expect(await readCheckpoints(db)).toEqual(new Map([...before.checkpoints].map(([k]) => [k, 1])));
  });

  it('a rebuild gives the same checksum as the live projection fed in many small pages', async () => {
    const log = new EventLog();
    syntheticFlow(log, 1_500, 7);
    const db = await readDb('live.sqlite');
    const live = runner(db, createCoreProjections(), { pageSize: 7 });
    await live.start();
    // Events arrive in several bursts while the runner follows the log live.
    for (let from = 0; from < log.events.length; from += 400) {
      await appendToStore(store, log.events.slice(from, from + 400));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const head = await store.headPosition();
    await live.waitForPosition(head, 20_000);
    const liveChecksum = await live.checksum();
    expect(Object.keys(liveChecksum.perTable).sort()).toEqual(
      [
        'batch_history_event',
        'batch_summary_batch',
        'batch_summary_pending_process',
        'custody_pending_process',
        'custody_period',
        'inventory_holding',
        'inventory_movement',
        'inventory_pending_process',
        'lineage_edge',
        'lineage_pending_process',
        'organisations_api_key',
        'organisations_collector_authorisation',
        'organisations_organisation',
      ].sort(),
    );

    // Secondary indexes (not those behind primary keys). Only SQLite drops them during a rebuild.
    const indexes = async (): Promise<string[]> =>
      dialect === 'sqlite'
        ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and sql is not null order by name`.execute(db)).rows.map((r) => r.name)
        : (
            await sql<{ name: string }>`
              select indexname as name from pg_indexes
              where schemaname = current_schema() and indexname not like '%\_pkey' order by indexname collate "C"`.execute(db)
          ).rows.map((r) => r.name);
    const indexesBefore = await indexes();
    expect(indexesBefore).toEqual(expect.arrayContaining(['batch_history_event_batch', 'inventory_movement_org_time', 'lineage_edge_parent']));

    const progress: [number, number][] = [];
    const result = await live.rebuild({ onProgress: (done, total) => progress.push([done, total]), pageSize: 500 });
    expect(result).toMatchObject({ events: head + 1, pages: Math.ceil((head + 1) / 500), position: head });
    expect(progress[progress.length - 1]).toEqual([head, head]);
    expect(await live.checksum()).toEqual(liveChecksum);
    // The rebuild drops secondary indexes while it fills the tables, and puts every one back.
    expect(await indexes()).toEqual(indexesBefore);

    // And a fresh database rebuilt in one go agrees too.
    const fresh = runner(await readDb('fresh.sqlite'), createCoreProjections());
    await fresh.rebuild();
    expect(await fresh.checksum()).toEqual(liveChecksum);

    // The rebuild resumed live following: new events still arrive.
    const more = new EventLog('2025-06-01T00:00:00Z');
    more.collect(uid(9_999), 1_234);
    await store.append(more.events[0]!.streamId, [{ eventId: 'late', type: more.events[0]!.type, schemaVersion: 1, data: more.events[0]!.data, metadata: more.events[0]!.metadata }], 'no-stream');
    await live.waitForPosition(head + 1, 5000);
    expect(await getBatch(db, uid(9_999))).toMatchObject({ massGrams: 1_234 });
  });

  it('balances every organisation after a generated flow', async () => {
    const log = new EventLog();
    syntheticFlow(log, 2_000, 3);
    await appendToStore(store, log.events);
    const db = await readDb();
    const r = runner(db, createCoreProjections());
    await r.rebuild();
    for (const org of [ORG.collector, ORG.sorter, ORG.recycler, ORG.maker]) {
      const report = await inventory(db, org);
      expect({ org, balanced: report.balanced }).toEqual({ org, balanced: true });
    }
  });

  it('resolves waitForPosition at once for a position already reached, and times out otherwise', async () => {
    const db = await readDb();
    const r = runner(db, createCoreProjections());
    await r.start();
    await expect(r.waitForPosition(-1, 10)).resolves.toBeUndefined();
    await expect(r.waitForPosition(5, 20)).rejects.toThrow('reached position -1, not 5');
    expect(r.health()).toMatchObject({ running: true, rebuilding: false, position: -1 });
  });
  it('a rebuild equals the live read models by checksum over a generated scenario, and so does the other dialect', async () => {
    const scenario = generateScenario({ seed: 11, batches: 300 });
    const db = await readDb('live.sqlite');
    const errors: unknown[] = [];
    const live = runner(db, createLedgerProjections(), { onError: (e) => errors.push(e) });
    await live.start();
    const appended = await appendScenario(store, scenario, { concurrency: 64 });
    await live.waitForPosition(appended.lastPosition, 30_000);
    const liveChecksum = await live.checksum();
    expect(liveChecksum.position).toBe(appended.lastPosition);

    await live.rebuild({ pageSize: 1_000 });
    expect(await live.checksum()).toEqual(liveChecksum);
    expect(errors).toEqual([]);

    // The same log rebuilt on SQLite gives byte-identical rows: the dialects store and read back alike.
    if (dialect === 'postgres') {
      // Every text column compares bytes like SQLite, whatever locale the database has (see textType).
      const collated = await sql<{ column: string; collation: string | null }>`
        select table_name || '.' || column_name as column, collation_name as collation from information_schema.columns
        where table_schema = current_schema() and data_type = 'text' and collation_name is distinct from 'C'`.execute(db);
      expect(collated.rows).toEqual([]);
      const sqliteDb = openSqliteReadDb({ filename: ':memory:' });
      dbs.push(sqliteDb);
      const onSqlite = runner(sqliteDb, createLedgerProjections());
      await onSqlite.rebuild();
      expect(await onSqlite.checksum()).toEqual(liveChecksum);
    }
  });
});
