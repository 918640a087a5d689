import { createHash } from 'node:crypto';
import { castEvent } from '#domain';
import type { EventStore, StoredEvent, Subscription } from '#event-store';
import { sql, type RawBuilder } from 'kysely';
import { deleteCheckpoints, migrateCheckpoints, migrateProjectionVersions, readCheckpoints, readProjectionVersions, writeCheckpoints, writeProjectionVersion } from './checkpoint.js';
import { withReadModelMigrationLock } from './migration-lock.js';
import { DEFAULT_LEASE_RENEW_INTERVAL_MS, DEFAULT_LEASE_TTL_MS, NotProjectionWriterError, ProjectionWriterFencedError, WriterLease } from './writer-lease.js';
import type { ProjectedEvent, Projection, ReadDb, ReadTx } from './projection.js';
import { ProjectionEngine, type ProjectionHealth } from './projection-engine.js';
import { failureDetails, ProjectionFailure, type ProjectionFailureReport } from './projection-failure.js';
import { PositionWaiters } from './position-waiters.js';
import { dynamicDb, isSqlite, textType, type SqlValue } from './sql-rows.js';

export interface ProjectionRunnerOptions {
  readonly store: EventStore;
  readonly db: ReadDb;
  readonly projections: readonly Projection[];
  /** Events per live page (default 500). */
  readonly pageSize?: number;
  /**
   * Events per page during a rebuild (default 50,000): one transaction and one flush per page. Rows
   * touched in several pages are written once per page, so larger pages write fewer rows (measured:
   * +40 % events/s from 5,000 to 100,000) at the cost of holding the page in memory (~1 KB an event).
   */
  readonly rebuildPageSize?: number;
  /** First delay before re-subscribing after a failed page; doubles up to 30 s (default 1000 ms). */
  readonly retryDelayMs?: number;
  /**
   * Told about every failed page or subscription error (the runner retries by itself), once the
   * failure is in health(): a failed page's error is a ProjectionFailure naming the projection and event.
   */
  readonly onError?: (error: unknown) => void;
  /**
   * Told the new committed position after every committed page (live or rebuild), and, on a runner
   * that is not the writer, whenever the shared checkpoint it follows moves.
   */
  readonly onCommitted?: (position: number) => void;
  /**
   * One writer per read-model database (default true; docs/decisions/023-single-projection-writer.md):
   * runners elect a writer through a lease row with a fencing epoch, the others follow its checkpoint.
   * `false` is for the bench only, to measure what the guard costs: two runners on one database
   * without it corrupt the read models.
   */
  readonly singleWriter?: boolean;
  /** How long the writer lease lasts without renewal (default 4000 ms). */
  readonly leaseTtlMs?: number;
  /** How often the writer renews its lease and the others try to take it over (default 1000 ms). */
  readonly leaseRenewIntervalMs?: number;
  /** How often a runner that is not the writer re-reads the checkpoint while callers wait on it (default 25 ms). */
  readonly followIntervalMs?: number;
  /** Where takeovers, lost leases and failed pages are reported (default: the console). */
  readonly log?: ProjectionRunnerLog;
}

export interface ProjectionRunnerLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface RebuildOptions {
  /**
   * Called after each committed page with the position reached and the head position when the
   * rebuild began. On the SQL stores positions are gap-free from 0, so these are event counts − 1.
   */
  readonly onProgress?: (done: number, total: number) => void;
  readonly pageSize?: number;
}

export interface RebuildResult {
  readonly events: number;
  readonly pages: number;
  /** Checkpoint after the rebuild. */
  readonly position: number;
  readonly durationMs: number;
}

export interface ProjectionChecksum {
  /** SHA-256 over the per-table digests, in table-name order. */
  readonly total: string;
  readonly perTable: Readonly<Record<string, string>>;
  /** The checkpoint the snapshot was taken at (the slowest projection's). */
  readonly position: number;
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Feeds the read models from the event log: a checkpointed catch-up subscription that applies each
 * page to every projection in memory, then commits every projection's rows and the checkpoints in
 * ONE transaction. A failed page commits nothing: the projections are reloaded from their tables and
 * the subscription resumes from the checkpoint after a back-off.
 */
export class ProjectionRunner implements ProjectionEngine {
  private readonly store: EventStore;
  private readonly db: ReadDb;
  private readonly projections: readonly Projection[];
  private readonly pageSize: number;
  private readonly rebuildPageSize: number;
  private readonly retryDelayMs: number;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly onCommitted: ((position: number) => void) | undefined;

  /** Committed checkpoint of each projection, by index. */
  private readonly checkpoints: number[];
  private initialised: Promise<void> | undefined;
  private running = false;
  private rebuilding = false;
  private subscription: Subscription | undefined;
  /** Bumped whenever a subscription is abandoned, so pages it still delivers are ignored. */
  private generation = 0;
  /** Pages are handled strictly one after another even if a store were to deliver them eagerly. */
  private pageChain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  /** Set when a page failed after applying in memory: the projections must be reloaded first. */
  private needsReload = false;
  private readonly waiters = new PositionWaiters(() => this.position());
  private failure: unknown;
  /** Undefined when the single-writer guard is off (bench only). */
  private readonly lease: WriterLease | undefined;
  private readonly leaseRenewIntervalMs: number;
  private readonly followIntervalMs: number;
  private readonly log: ProjectionRunnerLog;
  /** The fencing epoch of the writer lease while this runner holds it. */
  private epoch: number | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private leaseTicks: Promise<void> = Promise.resolve();
  private followTimer: NodeJS.Timeout | undefined;
  /** Set from the first failed attempt until a page commits again (what /health reports). */
  private failing: ProjectionFailureReport | undefined;

  constructor(options: ProjectionRunnerOptions) {
    this.store = options.store;
    this.db = options.db;
    this.projections = [...options.projections];
    this.pageSize = options.pageSize ?? 500;
    this.rebuildPageSize = options.rebuildPageSize ?? 50_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.retryDelay = this.retryDelayMs;
    this.onError = options.onError;
    this.onCommitted = options.onCommitted;
    this.checkpoints = this.projections.map(() => -1);
    this.lease = options.singleWriter === false ? undefined : new WriterLease(options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS);
    this.leaseRenewIntervalMs = options.leaseRenewIntervalMs ?? DEFAULT_LEASE_RENEW_INTERVAL_MS;
    this.followIntervalMs = options.followIntervalMs ?? 25;
    // Standard error by default: the CLI's standard output carries its JSON answer.
    this.log = options.log ?? { info: (message) => process.stderr.write(`${message}\n`), warn: (message) => process.stderr.write(`${message}\n`) };
    const names = new Set<string>();
    const tables = new Set<string>();
    for (const projection of this.projections) {
      if (names.has(projection.name)) throw new Error(`two projections are named ${projection.name}`);
      names.add(projection.name);
      for (const table of projection.tables) {
        if (tables.has(table)) throw new Error(`table ${table} is claimed by two projections`);
        tables.add(table);
      }
    }
  }

  /**
   * Migrates every projection, the checkpoint and lease tables (under the read-model migration lock,
   * so that instances starting together all succeed), then loads the checkpoints, and the projections'
   * state too unless it must wait for the writer lease (taken in start()). Idempotent.
   */
  init(): Promise<void> {
    this.initialised ??= (async () => {
      await withReadModelMigrationLock(this.db, async (db) => {
        await migrateCheckpoints(db);
        await WriterLease.migrate(db);
        await this.migrateVersions(db);
        for (const projection of this.projections) await projection.migrate(db);
        await restoreDeferredIndexes(db);
      });
      if (this.lease === undefined) {
        await this.reloadState();
      } else {
        // State is loaded once this runner holds the lease, from a snapshot taken after the takeover.
        await this.followCheckpoint();
        this.needsReload = true;
      }
    })().catch((error: unknown) => {
      this.initialised = undefined;
      throw error;
    });
    return this.initialised;
  }

  /**
   * A projection whose version differs from the one its tables were built with loses its tables and
   * its checkpoint (one transaction), so that its migrate() creates the new tables and the runner
   * replays the log into them; the others keep their checkpoints. Tables built before versions were
   * recorded count as version 1.
   */
  private async migrateVersions(db: ReadDb): Promise<void> {
    await migrateProjectionVersions(db);
    const stored = await readProjectionVersions(db);
    for (const projection of this.projections) {
      const version = projection.version ?? 1;
      const previous = stored.get(projection.name);
      if (previous === version) continue;
      const replay = previous !== undefined || version !== 1;
      await db.transaction().execute(async (tx) => {
        if (replay) {
          for (const table of projection.tables) await sql`drop table if exists ${sql.table(table)}`.execute(tx);
          await deleteCheckpoints(tx, [projection.name]);
        }
        await writeProjectionVersion(tx, projection.name, version);
      });
    }
  }

  /** Subscribes from the checkpoint: catches up, then follows the log live. */
  async start(): Promise<void> {
    await this.init();
    if (this.running) return;
    this.running = true;
    if (this.lease === undefined || this.epoch !== undefined) this.subscribe();
    else await this.tickLease();
    this.scheduleLeaseTick();
  }

  /**
   * Stops for good: like stop(), and also settles every pending waitForPosition, whose timers would
   * otherwise keep the process alive until they expire.
   */
  async close(): Promise<void> {
    await this.stop();
    this.waiters.closeAll();
  }

  /**
   * Stops following the log; resolves once the page in hand is committed or abandoned and the writer
   * lease, if held, is released (so another runner takes over at its next try, not after the TTL).
   */
  async stop(): Promise<void> {
    await this.halt();
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.leaseTimer = undefined;
    if (this.followTimer) clearTimeout(this.followTimer);
    this.followTimer = undefined;
    await this.leaseTicks;
    await this.releaseLease();
    // A step that was in flight may have scheduled the next one.
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.leaseTimer = undefined;
  }

  /** Stops following the log but keeps the writer lease (a rebuild holds it throughout). */
  private async halt(): Promise<void> {
    this.running = false;
    this.generation += 1;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    await this.pageChain;
  }

  /** The position every projection has committed (the slowest one), or -1. */
  position(): number {
    return this.checkpoints.length === 0 ? -1 : Math.min(...this.checkpoints);
  }

  /** How far the read models trail the log, in positions (events, on the SQL stores). */
  async lag(): Promise<number> {
    const head = await this.store.headPosition();
    return Math.max(0, head - this.position());
  }

  /** For /health: what the runner is doing and the last error, if any. */
  health(): ProjectionHealth {
    const base = { running: this.running, rebuilding: this.rebuilding, position: this.position() };
    if (this.failure === undefined) return base;
    const lastError = this.failure instanceof Error ? this.failure.message : String(this.failure);
    return { ...base, lastError, ...(this.failing ? { failure: this.failing } : {}) };
  }

  /**
   * Resolves once every projection has committed `position` (read-your-writes after an append).
   * Rejects with WaitForPositionTimeoutError after `timeoutMs`.
   */
  waitForPosition(position: number, timeoutMs = 5000): Promise<void> {
    const waiting = this.waiters.wait(position, timeoutMs);
    if (this.lease !== undefined && this.epoch === undefined && this.running) this.followWhileWaited();
    return waiting;
  }

  /**
   * Rebuilds every read model from position zero: stops the live subscription, empties every
   * projection table and the checkpoints, resets the projections, replays the whole log in large
   * pages (one transaction each), then resumes live if it was running. Queries see partly rebuilt
   * tables meanwhile; a failed page leaves a consistent prefix that the live runner continues from.
   */
  async rebuild(options: RebuildOptions = {}): Promise<RebuildResult> {
    if (this.rebuilding) throw new Error('a rebuild is already running');
    this.rebuilding = true;
    const wasRunning = this.running;
    const began = performance.now();
    let events = 0;
    let pages = 0;
    try {
      await this.halt();
      await this.init();
      await this.holdLeaseForRebuild();
      const names = this.projections.map((p) => p.name);
      await this.db.transaction().execute(async (tx) => {
        await this.lease?.fence(tx, this.epoch);
        for (const projection of this.projections) {
          for (const table of projection.tables) await dynamicDb(tx).deleteFrom(table).execute();
        }
        await deleteCheckpoints(tx, names);
      });
      for (const projection of this.projections) projection.reset();
      this.checkpoints.fill(-1);
      this.needsReload = false;
      // Filling tables without their secondary indexes and building each index once at the end
      // costs far less than maintaining the indexes row by row.
      await deferSecondaryIndexes(this.db, this.projections.flatMap((p) => [...p.tables]));

      const total = await this.store.headPosition();
      const pageSize = options.pageSize ?? this.rebuildPageSize;
      let after = -1;
      for (;;) {
        const page = await this.store.readAll({ after, maxCount: pageSize });
        if (page.length === 0) break;
        await this.commitPage(page);
        after = page[page.length - 1]!.position;
        events += page.length;
        pages += 1;
        options.onProgress?.(after, Math.max(total, after));
        if (page.length < pageSize && after >= total) break;
      }
      return { events, pages, position: this.position(), durationMs: performance.now() - began };
    } finally {
      await restoreDeferredIndexes(this.db);
      this.rebuilding = false;
      if (wasRunning) await this.start();
      else await this.releaseLease();
    }
  }

  /**
   * SHA-256 over every projection table's rows in primary-key order, each row serialised as the JSON
   * array of its column values in table order. Equal checksums mean byte-identical read models, which
   * is how a rebuild is proven equal to the live projection.
   */
  async checksum(): Promise<ProjectionChecksum> {
    await this.init();
    const tables = this.projections.flatMap((p) => [...p.tables]).sort();
    // One transaction: a consistent snapshot of all tables and the checkpoints, even while pages commit.
    // SQLite's transactions are snapshots already; PostgreSQL's default (read committed) takes a
    // fresh snapshot per statement, so it must be asked for repeatable read.
    const snapshot = isSqlite(this.db) ? this.db.transaction() : this.db.transaction().setIsolationLevel('repeatable read');
    return snapshot.execute(async (tx) => {
      const perTable: Record<string, string> = {};
      const total = createHash('sha256');
      for (const table of tables) {
        const digest = await tableDigest(tx, table);
        perTable[table] = digest;
        total.update(`${table}:${digest}\n`);
      }
      const checkpoints = await readCheckpoints(tx);
      const positions = this.projections.map((p) => checkpoints.get(p.name) ?? -1);
      return { total: total.digest('hex'), perTable, position: positions.length === 0 ? -1 : Math.min(...positions) };
    });
  }

  private subscribe(): void {
    if (!this.running || this.subscription) return;
    if (this.lease !== undefined && this.epoch === undefined) return;
    const generation = ++this.generation;
    void (async () => {
      try {
        if (this.needsReload) await this.reloadState();
      } catch (error) {
        this.fail(generation, new ProjectionFailure('load', undefined, undefined, undefined, error));
        return;
      }
      if (!this.running || generation !== this.generation) return;
      this.subscription = this.store.subscribeToAll((page) => this.enqueuePage(generation, page), {
        after: this.position(),
        pageSize: this.pageSize,
        onError: (error) => this.fail(generation, error),
      });
      // A failure to read the log clears once the log can be read again, even if no page comes.
      if (this.failing) void this.clearFailureIfCaughtUp(generation);
    })();
  }

  /**
   * Never rejects: a failed page is handled here (fail() abandons the subscription and schedules a
   * fresh one), and pages a store still delivers afterwards are dropped by the generation check. So
   * recovery does not depend on how a store reacts to a rejected handler.
   */
  private enqueuePage(generation: number, page: readonly StoredEvent[]): Promise<void> {
    this.pageChain = this.pageChain.then(async () => {
      if (generation !== this.generation || !this.running) return;
      try {
        await this.commitPage(page);
        this.retryDelay = this.retryDelayMs;
      } catch (error) {
        // Anything not already named (the transaction or the checkpoints) is about the whole page.
        this.fail(generation, error instanceof ProjectionFailure ? error : new ProjectionFailure('flush', undefined, undefined, page.at(-1)?.position, error));
      }
    });
    return this.pageChain;
  }

  /** Abandons the subscription of `generation` and schedules a fresh one from the checkpoint. */
  private fail(generation: number, error: unknown): void {
    this.failure = error;
    if (generation !== this.generation) {
      this.onError?.(error);
      return;
    }
    this.generation += 1;
    const subscription = this.subscription;
    this.subscription = undefined;
    void subscription?.close().catch(() => undefined);
    const delay = this.retryDelay;
    const now = Date.now();
    this.failing = {
      ...failureDetails(error),
      attempts: (this.failing?.attempts ?? 0) + 1,
      failingSince: this.failing?.failingSince ?? new Date(now).toISOString(),
      ...(this.running ? { nextRetryAt: new Date(now + delay).toISOString() } : {}),
    };
    this.onError?.(error);
    if (!this.running) return;
    this.retryDelay = Math.min(MAX_RETRY_DELAY_MS, this.retryDelay * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.subscribe();
    }, delay);
    this.retryTimer.unref();
  }

  private async clearFailureIfCaughtUp(generation: number): Promise<void> {
    const head = await this.store.headPosition().catch(() => Number.POSITIVE_INFINITY);
    if (generation !== this.generation || head > this.position()) return;
    this.failure = undefined;
    this.failing = undefined;
    this.retryDelay = this.retryDelayMs;
    this.onCommitted?.(this.position());
  }

  /**
   * Applies one page in memory to every projection that has not committed it yet, then commits all
   * their rows and checkpoints in one transaction. On failure nothing is committed and in-memory state
   * is reloaded from the tables, so memory never runs ahead of what is stored.
   */
  private async commitPage(stored: readonly StoredEvent[]): Promise<void> {
    if (stored.length === 0) return;
    if (this.needsReload) await this.reloadState();
    const events = stored.map(decodeEvent);
    const last = events[events.length - 1]!.position;
    const advanced = new Map<string, number>();
    const touched: Projection[] = [];
    try {
      for (let i = 0; i < this.projections.length; i++) {
        const checkpoint = this.checkpoints[i]!;
        if (last <= checkpoint) continue;
        const projection = this.projections[i]!;
        for (const event of events) if (event.position > checkpoint) applyTo(projection, event);
        advanced.set(projection.name, last);
        touched.push(projection);
      }
      if (touched.length === 0) return;
      await this.db.transaction().execute(async (tx) => {
        await this.lease?.fence(tx, this.epoch);
        for (const projection of touched) {
          try {
            await projection.flush(tx);
          } catch (error) {
            throw new ProjectionFailure('flush', projection.name, undefined, last, error);
          }
        }
        await writeCheckpoints(tx, advanced);
      });
    } catch (error) {
      this.needsReload = true;
      if (error instanceof ProjectionWriterFencedError) {
        // Not a failure of the page: another runner writes now, and this one follows it.
        this.loseLease(error.message);
        if (this.rebuilding) throw error;
        return;
      }
      this.log.warn(`projection page ${events[0]!.position}..${last} failed and was rolled back (${describe(error)}); state is reloaded and the page retried from the checkpoint`);
      await this.reloadState().catch(() => undefined);
      throw error;
    }
    for (let i = 0; i < this.projections.length; i++) {
      if (advanced.has(this.projections[i]!.name)) this.checkpoints[i] = last;
    }
    // Cleared before the waiters hear of the page, so whoever waited sees the recovery in health().
    this.failure = undefined;
    this.failing = undefined;
    this.notifyWaiters();
  }

  /**
   * Loads every projection's state and the checkpoints from one snapshot, so that no projection's
   * state is newer or older than the checkpoint it resumes from, even if a commit lands meanwhile.
   * SQLite's transactions are snapshots already; PostgreSQL's must be asked for repeatable read.
   */
  private async reloadState(): Promise<void> {
    const snapshot = isSqlite(this.db) ? this.db.transaction() : this.db.transaction().setIsolationLevel('repeatable read');
    const stored = await snapshot.execute(async (tx) => {
      for (const projection of this.projections) {
        projection.reset();
        await projection.load(tx);
      }
      return readCheckpoints(tx);
    });
    this.projections.forEach((projection, i) => {
      this.checkpoints[i] = stored.get(projection.name) ?? -1;
    });
    this.needsReload = false;
  }

  /**
   * One step of the writer election, every leaseRenewIntervalMs while running or holding the lease:
   * the writer renews its lease (and stops writing if it was taken over); the others try to take it
   * over, and otherwise follow the checkpoint the writer commits. Steps never overlap.
   */
  private tickLease(): Promise<void> {
    this.leaseTicks = this.leaseTicks.then(async () => {
      const lease = this.lease;
      if (lease === undefined) return;
      try {
        if (this.epoch !== undefined) {
          const epoch = this.epoch;
          if (!(await lease.renew(this.db, epoch)) && this.epoch === epoch) this.loseLease('another runner took the lease over');
          return;
        }
        if (!this.running) return;
        const epoch = await lease.tryAcquire(this.db);
        if (epoch === undefined) {
          await this.followCheckpoint();
          return;
        }
        this.takeOver(epoch);
      } catch (error) {
        // The next step retries; a writer that cannot renew keeps writing only while its fence holds.
        this.log.warn(`projection writer lease check failed (${describe(error)}); retrying in ${this.leaseRenewIntervalMs} ms`);
      }
    });
    return this.leaseTicks;
  }

  private scheduleLeaseTick(): void {
    if (this.lease === undefined || this.leaseTimer !== undefined) return;
    if (!this.running && this.epoch === undefined) return;
    this.leaseTimer = setTimeout(() => {
      void this.tickLease().then(() => {
        this.leaseTimer = undefined;
        this.scheduleLeaseTick();
      });
    }, this.leaseRenewIntervalMs);
    this.leaseTimer.unref();
  }

  private takeOver(epoch: number): void {
    this.epoch = epoch;
    // The first lease of a read-model database is routine; a later one means another writer held it.
    if (epoch > 1) this.log.info(`projection runner ${this.lease!.holder} is now the read-model writer (lease epoch ${epoch}); resuming from the checkpoint`);
    // In-memory state dates from before the takeover: reload it from a snapshot taken after it.
    this.needsReload = true;
    this.subscribe();
  }

  /** This runner was fenced off or outlived its lease: it stops writing at once and follows instead. */
  private loseLease(reason: string): void {
    if (this.epoch === undefined) return;
    this.log.warn(`projection runner ${this.lease!.holder} lost the read-model writer lease (epoch ${this.epoch}): ${reason}; following the shared checkpoint`);
    this.epoch = undefined;
    this.needsReload = true;
    this.generation += 1;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    void subscription?.close().catch(() => undefined);
  }

  /** A rebuild writes, so it needs the lease: taken if free, refused if another runner holds it. */
  private async holdLeaseForRebuild(): Promise<void> {
    if (this.lease === undefined || this.epoch !== undefined) return;
    const epoch = await this.lease.tryAcquire(this.db);
    if (epoch === undefined) throw new NotProjectionWriterError((await WriterLease.read(this.db))?.holder);
    this.epoch = epoch;
    if (epoch > 1) this.log.info(`projection runner ${this.lease.holder} took the read-model writer lease for a rebuild (epoch ${epoch})`);
    this.scheduleLeaseTick();
  }

  private async releaseLease(): Promise<void> {
    const epoch = this.epoch;
    if (this.lease === undefined || epoch === undefined) return;
    this.epoch = undefined;
    this.needsReload = true;
    await this.lease.release(this.db, epoch).catch((error: unknown) => this.log.warn(`releasing the read-model writer lease failed (${describe(error)}); it expires by itself`));
  }

  /** A runner that is not the writer takes its position from the checkpoints the writer commits. */
  private async followCheckpoint(): Promise<void> {
    const before = this.position();
    const stored = await readCheckpoints(this.db);
    if (this.epoch !== undefined) return;
    this.projections.forEach((projection, i) => {
      this.checkpoints[i] = stored.get(projection.name) ?? -1;
    });
    if (this.position() !== before) this.notifyWaiters();
  }

  /** Read-your-writes on an instance that does not write: re-read the checkpoint often while anyone waits. */
  private followWhileWaited(): void {
    if (this.followTimer !== undefined) return;
    this.followTimer = setTimeout(() => {
      void this.followCheckpoint()
        .catch(() => undefined)
        .then(() => {
          this.followTimer = undefined;
          if (this.waiters.pending > 0 && this.running && this.epoch === undefined) this.followWhileWaited();
        });
    }, this.followIntervalMs);
    this.followTimer.unref();
  }

  private notifyWaiters(): void {
    this.waiters.notify();
    this.onCommitted?.(this.position());
  }
}

/** toProjectedEvent, naming the event when its data cannot be parsed or upcast. */
function decodeEvent(stored: StoredEvent): ProjectedEvent {
  try {
    return toProjectedEvent(stored);
  } catch (error) {
    throw ProjectionFailure.ofEvent('decode', undefined, stored, error);
  }
}

/** One projection's fold of one event, naming both when it throws. */
function applyTo(projection: Projection, event: ProjectedEvent): void {
  try {
    projection.apply(event);
  } catch (error) {
    throw ProjectionFailure.ofEvent('apply', projection.name, { position: event.position, streamId: event.streamId, type: event.event.type }, error);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The store hands over parsed data (the SQLite adapter parses each row once); a string is parsed
 * here. castEvent upcasts old schema versions but does not re-run zod: every event was validated when
 * it was appended, and validation would cost more than the whole fold.
 */
export function toProjectedEvent(stored: StoredEvent): ProjectedEvent {
  const data: unknown = typeof stored.data === 'string' ? JSON.parse(stored.data) : stored.data;
  return {
    event: castEvent(stored.type, stored.schemaVersion, data),
    eventId: stored.eventId,
    streamId: stored.streamId,
    revision: stored.revision,
    position: stored.position,
    recordedAt: stored.recordedAt,
    actorOrgId: stored.metadata.actorOrgId,
    hash: stored.hash,
  };
}

/**
 * Index definitions dropped for a rebuild, kept in a table so that a rebuild interrupted by a crash
 * gets its indexes back at the next start (init restores them).
 */
const DEFERRED_INDEX_TABLE = 'projection_deferred_index';

async function migrateDeferredIndexes(db: ReadDb): Promise<void> {
  await db.schema
    .createTable(DEFERRED_INDEX_TABLE)
    .ifNotExists()
    .addColumn('name', textType(db), (c) => c.primaryKey())
    .addColumn('definition', textType(db), (c) => c.notNull())
    .execute();
}

/** SQLite only: other dialects keep their indexes during a rebuild (correct, just slower). */
async function deferSecondaryIndexes(db: ReadDb, tables: readonly string[]): Promise<void> {
  if (!isSqlite(db) || tables.length === 0) return;
  await migrateDeferredIndexes(db);
  // `sql is not null` leaves out the automatic indexes behind primary keys and unique constraints.
  const { rows } = await sql<{ name: string; sql: string }>`
    select name, sql from sqlite_master
    where type = 'index' and sql is not null and tbl_name in (${sql.join([...tables])})
    order by name`.execute(db);
  if (rows.length === 0) return;
  await db.transaction().execute(async (tx) => {
    await dynamicDb(tx)
      .insertInto(DEFERRED_INDEX_TABLE)
      .values(rows.map((r) => ({ name: r.name, definition: r.sql })))
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    for (const row of rows) await sql`drop index if exists ${sql.id(row.name)}`.execute(tx);
  });
}

async function restoreDeferredIndexes(db: ReadDb): Promise<void> {
  if (!isSqlite(db)) return;
  await migrateDeferredIndexes(db);
  const rows = await dynamicDb(db).selectFrom(DEFERRED_INDEX_TABLE).select(['name', 'definition']).orderBy('name').execute();
  if (rows.length === 0) return;
  await db.transaction().execute(async (tx) => {
    for (const row of rows) {
      const exists = await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'index' and name = ${row.name}`.execute(tx);
      if (Number(exists.rows[0]?.n ?? 0) === 0) await sql.raw(String(row.definition)).execute(tx);
    }
    await dynamicDb(tx).deleteFrom(DEFERRED_INDEX_TABLE).execute();
  });
}

interface TableShape {
  readonly columns: string[];
  readonly primaryKey: string[];
  /** Columns of a character type, which PostgreSQL orders by the database's collation unless told. */
  readonly textColumns: ReadonlySet<string>;
}

async function tableShape(db: ReadDb | ReadTx, table: string): Promise<TableShape> {
  if (isSqlite(db)) {
    const { rows } = await sql<{ cid: number; name: string; pk: number }>`select cid, name, pk from pragma_table_info(${table})`.execute(db);
    const columns = [...rows].sort((a, b) => a.cid - b.cid);
    return {
      columns: columns.map((r) => r.name),
      primaryKey: columns
        .filter((r) => r.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((r) => r.name),
      // SQLite compares text with BINARY unless a column says otherwise, and none here does.
      textColumns: new Set(),
    };
  }
  const columns = await sql<{ column_name: string; data_type: string }>`
    select column_name, data_type from information_schema.columns
    where table_name = ${table} and table_schema = current_schema()
    order by ordinal_position`.execute(db);
  const keys = await sql<{ column_name: string }>`
    select kcu.column_name from information_schema.table_constraints tc
    join information_schema.key_column_usage kcu
      on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema and kcu.table_name = tc.table_name
    where tc.constraint_type = 'PRIMARY KEY' and tc.table_name = ${table} and tc.table_schema = current_schema()
    order by kcu.ordinal_position`.execute(db);
  return {
    columns: columns.rows.map((r) => r.column_name),
    primaryKey: keys.rows.map((r) => r.column_name),
    textColumns: new Set(columns.rows.filter((r) => r.data_type === 'text' || r.data_type.startsWith('character')).map((r) => r.column_name)),
  };
}

/** Rows per read while digesting a table. */
const DIGEST_PAGE_ROWS = 1000;

async function tableDigest(db: ReadDb | ReadTx, table: string): Promise<string> {
  const hash = createHash('sha256');
  const shape = await tableShape(db, table);
  const { columns } = shape;
  if (columns.length === 0) throw new Error(`checksum: table ${table} does not exist`);
  hash.update(`${JSON.stringify(columns)}\n`);
  for await (const row of orderedRows(db, table, shape)) {
    hash.update(`${JSON.stringify(columns.map((c) => serialiseValue(row[c])))}\n`);
  }
  return hash.digest('hex');
}

/**
 * Every row of a table in primary-key order (all columns without one, which is just as
 * deterministic). Text sorts by bytes on both dialects (SQLite's BINARY, PostgreSQL's "C"), so equal
 * tables give equal digests whatever collation a PostgreSQL database was created with.
 *
 * SQLite streams the rows. Kysely's PostgreSQL driver can stream only with the pg-cursor package,
 * so there the rows are read in pages, by key (or by offset for a table without a primary key),
 * inside the caller's transaction.
 */
async function* orderedRows(db: ReadDb | ReadTx, table: string, shape: TableShape): AsyncGenerator<Record<string, SqlValue>> {
  const { columns, primaryKey, textColumns } = shape;
  const order = primaryKey.length > 0 ? primaryKey : columns;
  const ordered = (column: string): RawBuilder<unknown> => (textColumns.has(column) ? sql`${sql.ref(column)} collate "C"` : sql`${sql.ref(column)}`);
  let query = dynamicDb(db).selectFrom(table).select(columns);
  for (const column of order) query = query.orderBy(ordered(column));
  if (isSqlite(db)) {
    yield* query.stream(DIGEST_PAGE_ROWS);
    return;
  }
  let after: Record<string, SqlValue> | undefined;
  for (let offset = 0; ; offset += DIGEST_PAGE_ROWS) {
    let page = query.limit(DIGEST_PAGE_ROWS);
    if (primaryKey.length === 0) {
      page = page.offset(offset);
    } else if (after !== undefined) {
      const last = after;
      const keys = sql.join(primaryKey.map(ordered));
      const values = sql.join(primaryKey.map((c) => last[c]));
      page = page.where(sql<boolean>`(${keys}) > (${values})`);
    }
    const rows = await page.execute();
    yield* rows;
    if (rows.length < DIGEST_PAGE_ROWS) return;
    after = rows[rows.length - 1];
  }
}

function serialiseValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}
