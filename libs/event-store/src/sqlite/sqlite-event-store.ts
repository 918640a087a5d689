import Database from 'better-sqlite3';
import { restrictToOwner } from './owner-only-file.js';

import {
  DuplicateEventIdError,
  NO_STREAM_REVISION,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type PageHandler,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
  type VerbatimImport,
} from '../event-store.port.js';
import { CheckpointOrderError, assertCheckpointShape, type CheckpointLog, type SignedCheckpoint } from '../checkpoint-log.port.js';
import { checkpointPage, chainEvents, matchesExpected, toSignedCheckpoint } from '../append-support.js';
import { GENESIS_HASH } from '../integrity/event-hash.js';

export interface SqliteEventStoreOptions {
  /** Path of the database file. ':memory:' works but cannot be reopened or shared with another process. */
  readonly filename: string;
  /**
   * FULL (default): an acknowledged append survives power loss. NORMAL in WAL mode can lose the last
   * commits on power loss (never on a process crash) and is several times faster.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Source of recordedAt; injectable so tests and replays are deterministic. */
  readonly clock?: () => Date;
  /** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
  /** Upper bound on appends per group commit, to keep one flush from blocking the event loop for long. */
  readonly maxGroupSize?: number;
  /** How often an idle subscription looks for events written by other processes. */
  readonly pollIntervalMs?: number;
  /**
   * BENCHMARKS ONLY (default true). false writes prevHash and hash as 64 zeros instead of chaining
   * the events, so that the bench can measure what hashing costs. Such a store never verifies:
   * verifyStreamChain, `ledger verify` and every checkpoint fail on it. The ledger's configuration
   * cannot reach this option (apps/ledger-api/src/ledger/event-log.ts never passes it).
   */
  readonly hashChain?: boolean;
}

/** Counters that make group commit observable in tests and benchmarks. */
export interface SqliteEventStoreStats {
  /** Write transactions committed (or attempted) by this instance. */
  readonly transactions: number;
  /** Append calls that reached a transaction. */
  readonly appends: number;
}

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  recorded_at: string;
  prev_hash: string;
  hash: string;
}

interface StreamHeadRow {
  revision: number;
  hash: string;
}

interface EventLocationRow {
  stream_id: string;
  revision: number;
  position: number;
}

interface CheckpointRow {
  tree_size: number;
  origin: string;
  root_hash: string;
  last_position: number;
  signed_at: string;
  key_id: string;
  signature: string;
}

interface PendingAppend {
  readonly kind: 'append';
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A checkpoint joins the group commit like an append: it shares the group's fsync and write lock. */
interface PendingCheckpoint {
  readonly kind: 'checkpoint';
  readonly checkpoint: SignedCheckpoint;
  readonly resolve: (stored: boolean) => void;
  readonly reject: (error: unknown) => void;
}

type PendingWrite = PendingAppend | PendingCheckpoint;

type Outcome = { ok: true; result: AppendResult | boolean } | { ok: false; error: unknown };

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY,
    stream_id      TEXT    NOT NULL,
    revision       INTEGER NOT NULL,
    event_id       TEXT    NOT NULL UNIQUE,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    data           TEXT    NOT NULL,
    metadata       TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    UNIQUE (stream_id, revision)
  );
  -- Signed checkpoints live with the log they sign (evidence, not a rebuildable read model).
  -- tree_size is the key: one checkpoint per tree size, listed and searched in tree-size order.
  CREATE TABLE IF NOT EXISTS ledger_checkpoints (
    tree_size     INTEGER PRIMARY KEY,
    origin        TEXT    NOT NULL,
    root_hash     TEXT    NOT NULL,
    last_position INTEGER NOT NULL,
    signed_at     TEXT    NOT NULL,
    key_id        TEXT    NOT NULL,
    signature     TEXT    NOT NULL
  );
`;

const CHECKPOINT_COLUMNS = 'tree_size, origin, root_hash, last_position, signed_at, key_id, signature';

const COLUMNS = 'position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, prev_hash, hash';

/**
 * Event store on one SQLite file (WAL mode).
 *
 * Appends are group-committed: every append requested before the next `setImmediate` tick joins one
 * write transaction, so N concurrent commands share a single fsync. Each append runs in its own
 * SAVEPOINT, so a conflict rolls back only that append and every caller gets its own result.
 */
export class SqliteEventStore implements EventStore, VerbatimImport, CheckpointLog {
  private readonly queue: PendingWrite[] = [];
  private flushScheduled = false;
  private closed = false;
  private transactionCount = 0;
  private appendCount = 0;
  private readonly subscriptions = new Set<SqliteSubscription>();
  /** Wakes idle subscriptions after a commit by this instance. */
  private readonly commitListeners = new Set<() => void>();

  private readonly stmt: {
    readonly streamHead: Database.Statement<[string], StreamHeadRow>;
    readonly findEvent: Database.Statement<[string], EventLocationRow>;
    readonly insert: Database.Statement<
      [string, number, string, string, number, string, string, string, string, string],
      never
    >;
    readonly readStream: Database.Statement<[string, number, number], EventRow>;
    readonly readAll: Database.Statement<[number, number], EventRow>;
    readonly head: Database.Statement<[], { position: number | null }>;
    readonly insertVerbatim: Database.Statement<[number, string, number, string, string, number, string, string, string, string, string], never>;
    readonly latestCheckpoint: Database.Statement<[], CheckpointRow>;
    readonly checkpointAt: Database.Statement<[number], { tree_size: number }>;
    readonly insertCheckpoint: Database.Statement<[number, string, string, number, string, string, string], never>;
    readonly listCheckpoints: Database.Statement<[number, number], CheckpointRow>;
    readonly checkpointCovering: Database.Statement<[number], CheckpointRow>;
  };

  private readonly runGroup: Database.Transaction<(group: readonly PendingWrite[], recordedAt: string) => Outcome[]>;
  private readonly appendInSavepoint: (pending: PendingAppend, recordedAt: string) => AppendResult;
  private readonly checkpointInSavepoint: (pending: PendingCheckpoint) => boolean;
  private readonly clock: () => Date;
  private readonly maxGroupSize: number;
  private readonly pollIntervalMs: number;
  private readonly hashChain: boolean;

  private constructor(
    private readonly db: Database.Database,
    private readonly filename: string,
    options: SqliteEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.maxGroupSize = options.maxGroupSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.hashChain = options.hashChain ?? true;

    this.stmt = {
      streamHead: db.prepare('SELECT revision, hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1'),
      findEvent: db.prepare('SELECT stream_id, revision, position FROM events WHERE event_id = ?'),
      // The position is max+1 computed inside the write transaction (not AUTOINCREMENT), so it is
      // gap-free even when a savepoint rolls back, and commit order equals position order across processes.
      insert: db.prepare(
        `INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
         VALUES ((SELECT coalesce(max(position), -1) + 1 FROM events), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      readStream: db.prepare(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      ),
      readAll: db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      head: db.prepare('SELECT max(position) AS position FROM events'),
      insertVerbatim: db.prepare(
        `INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      latestCheckpoint: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1`),
      checkpointAt: db.prepare('SELECT tree_size FROM ledger_checkpoints WHERE tree_size = ?'),
      insertCheckpoint: db.prepare(`INSERT INTO ledger_checkpoints (${CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      listCheckpoints: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT ?`),
      checkpointCovering: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT 1`),
    };

    // better-sqlite3 turns a nested transaction function into a SAVEPOINT and rolls back to it when
    // the function throws; the outer group catches that error and carries on with the next append.
    this.appendInSavepoint = db.transaction((pending: PendingAppend, recordedAt: string) =>
      this.appendWithinTransaction(pending, recordedAt),
    );
    this.checkpointInSavepoint = db.transaction((pending: PendingCheckpoint) => this.checkpointWithinTransaction(pending.checkpoint));
    this.runGroup = db.transaction((group: readonly PendingWrite[], recordedAt: string) =>
      group.map((pending): Outcome => {
        if (!db.inTransaction) {
          // SQLite rolls the whole transaction back by itself on some errors (I/O, full disk); a
          // later savepoint would then silently autocommit on its own, so abort the group instead.
          throw new Error('group transaction was rolled back by SQLite');
        }
        try {
          return {
            ok: true,
            result: pending.kind === 'append' ? this.appendInSavepoint(pending, recordedAt) : this.checkpointInSavepoint(pending),
          };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    restrictToOwner(options.filename);
    const db = new Database(options.filename);
    try {
      db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal' && options.filename !== ':memory:') {
        throw new Error(`could not switch ${options.filename} to WAL mode (got ${String(mode)})`);
      }
      db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      db.exec(SCHEMA);
      return new SqliteEventStore(db, options.filename, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) {
      return Promise.reject(new Error('SqliteEventStore is closed'));
    }
    if (events.length === 0) {
      return Promise.reject(new RangeError(`append to ${streamId}: no events given`));
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ kind: 'append', streamId, events, expected, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Queued with the appends and committed in the next group's transaction, in its own savepoint: no
   * extra fsync, no second writer competing for the lock, and the order check runs under the lock.
   */
  appendCheckpoint(checkpoint: SignedCheckpoint): Promise<boolean> {
    if (this.closed) {
      return Promise.reject(new Error('SqliteEventStore is closed'));
    }
    try {
      assertCheckpointShape(checkpoint);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ kind: 'checkpoint', checkpoint: toSignedCheckpoint(checkpoint), resolve, reject });
      this.scheduleFlush();
    });
  }

  async listCheckpoints(options?: { readonly fromTreeSize?: number; readonly limit?: number }): Promise<SignedCheckpoint[]> {
    this.assertOpen();
    const { fromTreeSize, limit } = checkpointPage(options);
    return this.stmt.listCheckpoints.all(fromTreeSize, limit ?? -1).map(toCheckpoint);
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | undefined> {
    this.assertOpen();
    const row = this.stmt.latestCheckpoint.get();
    return row === undefined ? undefined : toCheckpoint(row);
  }

  async checkpointCovering(treeSize: number): Promise<SignedCheckpoint | undefined> {
    this.assertOpen();
    if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
      throw new RangeError(`treeSize must be a non-negative integer, got ${String(treeSize)}`);
    }
    const row = this.stmt.checkpointCovering.get(treeSize);
    return row === undefined ? undefined : toCheckpoint(row);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const from = Math.max(0, options.fromRevision ?? 0);
    // LIMIT -1 means "no limit" in SQLite.
    const limit = options.maxCount ?? -1;
    return this.stmt.readStream.all(streamId, from, limit).map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.readAllNow(options.after ?? -1, options.maxCount);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.headNow();
  }

  subscribeToAll(
    handler: PageHandler,
    options: SubscribeOptions & { onError?: (error: unknown) => void } = {},
  ): Subscription {
    this.assertOpen();
    const subscription = new SqliteSubscription(handler, options, {
      readPage: (after, maxCount) => this.readAllNow(after, maxCount),
      onCommit: (listener) => this.onCommit(listener),
      pollIntervalMs: this.pollIntervalMs,
      onStopped: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async status(): Promise<{ store: string; ok: boolean; headPosition: number; detail?: string }> {
    if (this.closed) {
      return { store: 'sqlite', ok: false, headPosition: -1, detail: 'closed' };
    }
    try {
      return { store: 'sqlite', ok: true, headPosition: this.headNow(), detail: this.filename };
    } catch (error) {
      return { store: 'sqlite', ok: false, headPosition: -1, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Commits the appends still queued, stops all subscriptions, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    while (this.queue.length > 0) {
      this.flush();
    }
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.db.close();
  }

  async importVerbatim(events: readonly StoredEvent[]): Promise<void> {
    this.assertOpen();
    if (events.length === 0) return;
    // Immediate: the head check and the inserts happen under the write lock, so no append slips in.
    this.db
      .transaction(() => {
        let expected = this.headNow() + 1;
        for (const event of events) {
          if (event.position !== expected) {
            throw new RangeError(`import: expected position ${expected}, got ${event.position} (the log must continue the store's head)`);
          }
          this.stmt.insertVerbatim.run(
            event.position,
            event.streamId,
            event.revision,
            event.eventId,
            event.type,
            event.schemaVersion,
            JSON.stringify(event.data ?? null),
            JSON.stringify(event.metadata),
            event.recordedAt,
            event.prevHash,
            event.hash,
          );
          expected += 1;
        }
      })
      .immediate();
    this.announceCommit();
  }

  stats(): SqliteEventStoreStats {
    return { transactions: this.transactionCount, appends: this.appendCount };
  }

  private readAllNow(after: number, maxCount: number): StoredEvent[] {
    if (!Number.isInteger(maxCount) || maxCount <= 0) {
      throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
    }
    return this.stmt.readAll.all(after, maxCount).map(toStoredEvent);
  }

  private headNow(): number {
    return this.stmt.head.get()?.position ?? -1;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('SqliteEventStore is closed');
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) {
      return;
    }
    this.flushScheduled = true;
    // setImmediate (not a microtask) so that requests arriving from several I/O callbacks of the
    // same poll phase end up in one group.
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.closed) {
        this.flush();
      }
    });
  }

  /** Commits one group synchronously and settles its callers; leaves any overflow for the next tick. */
  private flush(): void {
    const group = this.queue.splice(0, this.maxGroupSize);
    if (group.length === 0) {
      return;
    }
    if (this.queue.length > 0) {
      this.scheduleFlush();
    }
    this.transactionCount += 1;
    this.appendCount += group.filter((pending) => pending.kind === 'append').length;
    let outcomes: Outcome[];
    try {
      // One recordedAt per group: the events of a group are committed at the same instant.
      outcomes = this.runGroup.immediate(group, this.clock().toISOString());
    } catch (error) {
      // BEGIN or COMMIT failed (busy, disk full, I/O error): nothing of the group is durable.
      for (const pending of group) {
        pending.reject(error);
      }
      return;
    }
    let wrote = false;
    outcomes.forEach((outcome, i) => {
      const pending = group[i]!;
      if (!outcome.ok) {
        pending.reject(outcome.error);
      } else if (pending.kind === 'append') {
        wrote = true;
        pending.resolve(outcome.result as AppendResult);
      } else {
        pending.resolve(outcome.result as boolean);
      }
    });
    if (wrote) {
      this.announceCommit();
    }
  }

  /**
   * Calls `listener` after every commit of this instance that wrote events. Lets a reader on another
   * connection (a projection worker) be told at once instead of polling. Returns the unsubscribe.
   */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Tells this instance's subscriptions that new events may be in the file: called after this
   * instance commits, and by whoever learns that another connection (a writer in another thread)
   * committed, so idle subscriptions read at once rather than at their next poll.
   */
  announceCommit(): void {
    for (const listener of [...this.commitListeners]) {
      listener();
    }
  }

  /** Runs inside the group's transaction (under the write lock), so two writers cannot both pass the checks. */
  private checkpointWithinTransaction(checkpoint: SignedCheckpoint): boolean {
    if (this.stmt.checkpointAt.get(checkpoint.treeSize) !== undefined) {
      return false;
    }
    const latest = this.stmt.latestCheckpoint.get();
    if (latest !== undefined && checkpoint.treeSize < latest.tree_size) {
      throw new CheckpointOrderError(checkpoint.treeSize, latest.tree_size);
    }
    const { treeSize, origin, rootHash, lastPosition, signedAt, keyId, signature } = checkpoint;
    this.stmt.insertCheckpoint.run(treeSize, origin, rootHash, lastPosition, signedAt, keyId, signature);
    return true;
  }

  /** Runs inside the group's transaction, so it sees the effects of earlier appends of the same group. */
  private appendWithinTransaction(pending: PendingAppend, recordedAt: string): AppendResult {
    const { streamId, events, expected } = pending;
    const head = this.stmt.streamHead.get(streamId);
    const current = head?.revision ?? NO_STREAM_REVISION;

    const retried = this.idempotentResult(streamId, events, expected);
    if (retried !== undefined) {
      return retried;
    }
    if (!matchesExpected(expected, current)) {
      throw new WrongExpectedRevisionError(streamId, expected, current === NO_STREAM_REVISION ? 'no-stream' : current);
    }

    let position = -1;
    for (const chained of chainEvents(streamId, current, head?.hash ?? GENESIS_HASH, events, recordedAt, this.hashChain)) {
      try {
        const info = this.stmt.insert.run(
          streamId,
          chained.revision,
          chained.event.eventId,
          chained.event.type,
          chained.event.schemaVersion,
          chained.dataJson,
          chained.metadataJson,
          recordedAt,
          chained.prevHash,
          chained.hash,
        );
        position = Number(info.lastInsertRowid);
      } catch (error) {
        if (isUniqueViolation(error, 'events.event_id')) {
          throw new DuplicateEventIdError(chained.event.eventId, streamId);
        }
        throw error;
      }
    }
    return { nextExpectedRevision: current + events.length, position };
  }

  /**
   * If the first event id is already stored, the append is either an exact retry (return the
   * original result, write nothing) or a conflict. An id that is new for the first event but stored
   * for a later one is caught by the UNIQUE index on insert.
   */
  private idempotentResult(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): AppendResult | undefined {
    const first = this.stmt.findEvent.get(events[0]!.eventId);
    if (first === undefined) {
      return undefined;
    }
    const startsWhereExpected =
      expected === 'any' || expected === 'stream-exists'
        ? true
        : expected === 'no-stream'
          ? first.revision === 0
          : first.revision === expected + 1;
    if (first.stream_id !== streamId || !startsWhereExpected) {
      throw new DuplicateEventIdError(events[0]!.eventId, streamId);
    }
    let last = first;
    for (let i = 1; i < events.length; i++) {
      const found = this.stmt.findEvent.get(events[i]!.eventId);
      if (found === undefined || found.stream_id !== streamId || found.revision !== first.revision + i) {
        throw new DuplicateEventIdError(found === undefined ? events[0]!.eventId : events[i]!.eventId, streamId);
      }
      last = found;
    }
    return { nextExpectedRevision: last.revision, position: last.position };
  }
}

interface SubscriptionSource {
  /** Synchronous, so that no commit can slip in between an empty read and the wait that follows it. */
  readonly readPage: (after: number, maxCount: number) => StoredEvent[];
  /** Registers a listener for commits by this instance; returns the unregister function. */
  readonly onCommit: (listener: () => void) => () => void;
  readonly pollIntervalMs: number;
  readonly onStopped: () => void;
}

/**
 * Delivers pages strictly one after another: catch up with readAll, then wait for a commit signal
 * from this instance or for the poll timer (which covers writers in other processes).
 */
class SqliteSubscription implements Subscription {
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly handler: PageHandler,
    private readonly options: SubscribeOptions & { onError?: (error: unknown) => void },
    private readonly source: SubscriptionSource,
  ) {
    this.done = this.run();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    let checkpoint = this.options.after ?? -1;
    const pageSize = this.options.pageSize ?? 500;
    try {
      // Let subscribeToAll return before the first page is handled.
      await Promise.resolve();
      while (!this.stopped) {
        const page = this.source.readPage(checkpoint, pageSize);
        if (page.length > 0) {
          await this.handler(page);
          checkpoint = page[page.length - 1]!.position;
          continue;
        }
        await this.waitForCommit();
      }
    } catch (error) {
      this.stopped = true;
      this.options.onError?.(error);
    } finally {
      this.source.onStopped();
    }
  }

  private waitForCommit(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), this.source.pollIntervalMs);
      // Only the poll timer: an idle subscription must not keep the process alive by itself.
      timer.unref();
      const unsubscribe = this.source.onCommit(() => finish());
      const finish = (): void => {
        clearTimeout(timer);
        unsubscribe();
        this.wake = undefined;
        resolve();
      };
      this.wake = finish;
    });
  }
}

/**
 * Duck-typed on purpose: the native addon builds its errors from the SqliteError class of the first
 * copy of better-sqlite3 loaded in the process, which under Jest belongs to another test file's realm,
 * so neither `instanceof SqliteError` nor `instanceof Error` is reliable.
 */
function isUniqueViolation(error: unknown, column: string): boolean {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes(column);
}

function toCheckpoint(row: CheckpointRow): SignedCheckpoint {
  return toSignedCheckpoint({
    origin: row.origin,
    treeSize: row.tree_size,
    rootHash: row.root_hash,
    lastPosition: row.last_position,
    signedAt: row.signed_at,
    keyId: row.key_id,
    signature: row.signature,
  });
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    recordedAt: row.recorded_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
