import pg from 'pg';

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
import { checkpointPage, chainEvents, matchesExpected, toSignedCheckpoint, type ChainedEvent } from '../append-support.js';
import { GENESIS_HASH } from '../integrity/event-hash.js';
import { applyPostgresMigrations } from './postgres-migrations.js';

export interface PostgresEventStoreOptions {
  /** e.g. postgres://user:password@host:5432/database */
  readonly connectionString: string;
  /** Source of recordedAt; injectable so tests and replays are deterministic. */
  readonly clock?: () => Date;
  /** Upper bound on appends per group commit, so one transaction does not hold the append lock for long. */
  readonly maxGroupSize?: number;
  /** How often an idle subscription reads, in case a notification from another process was missed. */
  readonly pollIntervalMs?: number;
  /** Connections of the read pool. */
  readonly poolSize?: number;
  /**
   * BENCHMARKS ONLY (default true). false writes prevHash and hash as 64 zeros instead of chaining
   * the events, so that the bench can measure what hashing costs. Such a store never verifies:
   * verifyStreamChain, `ledger verify` and every checkpoint fail on it. The ledger's configuration
   * cannot reach this option (apps/ledger-api/src/ledger/event-log.ts never passes it).
   */
  readonly hashChain?: boolean;
}

/** Counters that make group commit observable in tests and benchmarks. */
export interface PostgresEventStoreStats {
  /** Write transactions committed (or attempted) by this instance. */
  readonly transactions: number;
  /** Append calls that reached a transaction. */
  readonly appends: number;
}

/**
 * Key of the transaction-level advisory lock every group takes first. It serialises writers of all
 * processes, so max(position)+1 is race-free, positions are gap-free, and commits happen in position
 * order (a reader never sees position n+1 before n).
 */
export const APPEND_LOCK_KEY = 7_305_113_002n;

/** Channel notified inside each writing transaction; delivered to listeners only when it commits. */
export const NOTIFY_CHANNEL = 'ledger_events';

const LISTENER_RETRY_MIN_MS = 100;
const LISTENER_RETRY_MAX_MS = 5_000;

interface EventRow {
  /** bigint comes back from pg as a string. */
  position: string;
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

interface LookupRow {
  head_revision: number | null;
  head_hash: string | null;
  first_stream_id: string | null;
  first_revision: number | null;
  first_position: string | null;
}

interface EventLocationRow {
  event_id: string;
  stream_id: string;
  revision: number;
  position: string;
}

interface CheckpointRow {
  /** bigint columns come back from pg as strings. */
  tree_size: string;
  origin: string;
  root_hash: string;
  last_position: string;
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

/** A checkpoint joins the group commit like an append: same transaction, same advisory lock. */
interface PendingCheckpoint {
  readonly kind: 'checkpoint';
  readonly checkpoint: SignedCheckpoint;
  readonly resolve: (stored: boolean) => void;
  readonly reject: (error: unknown) => void;
}

type PendingWrite = PendingAppend | PendingCheckpoint;

type Outcome = { ok: true; result: AppendResult; wrote: boolean } | { ok: false; error: unknown };
type CheckpointOutcome = { ok: true; stored: boolean } | { ok: false; error: unknown };

const COLUMNS = 'position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, prev_hash, hash';
/** Orders must name `ledger_checkpoints.tree_size`: a bare `tree_size` would sort these text aliases. */
const CHECKPOINT_COLUMNS = 'tree_size::text AS tree_size, origin, root_hash, last_position::text AS last_position, signed_at, key_id, signature';

/**
 * Event store on PostgreSQL.
 *
 * Appends are group-committed on one dedicated connection: while a group's transaction is in flight,
 * new appends queue up and form the next group, so N concurrent commands share one WAL flush. Each
 * append runs in its own SAVEPOINT, so a conflict rolls back only that append and every caller gets
 * its own result. Reads go through a separate pool and never wait for the writer.
 */
export class PostgresEventStore implements EventStore, VerbatimImport, CheckpointLog {
  private readonly queue: PendingWrite[] = [];
  private inFlight: Promise<void> | undefined;
  private closing = false;
  private closed = false;
  private transactionCount = 0;
  private appendCount = 0;
  private readonly subscriptions = new Set<PostgresSubscription>();
  private readonly commitListeners = new Set<() => void>();
  /** Bumped on every known commit, so a subscription can tell whether one happened while it was reading. */
  private commitSequence = 0;
  private readonly clock: () => Date;
  private readonly maxGroupSize: number;
  private readonly pollIntervalMs: number;
  private readonly hashChain: boolean;
  /** Set when the writer connection failed; the next group opens a fresh one. */
  private writerError: Error | undefined;
  private listenerRetryTimer: NodeJS.Timeout | undefined;
  private listenerRetryDelayMs = LISTENER_RETRY_MIN_MS;

  private constructor(
    private readonly pool: pg.Pool,
    private writer: pg.Client,
    private listener: pg.Client,
    private readonly database: string,
    private readonly connectionString: string,
    options: PostgresEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.maxGroupSize = options.maxGroupSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.hashChain = options.hashChain ?? true;
    this.watchWriter(writer);
    this.watchListener(listener);
  }

  private watchWriter(writer: pg.Client): void {
    writer.on('error', (error) => {
      if (this.writer === writer) this.writerError = error;
    });
  }

  /**
   * A dropped writer connection (server restart, failover, an administrator's kill) is replaced at
   * the next group rather than failing every later append. The group in flight when it dropped is
   * reported as failed; a retry with the same event ids is then answered idempotently.
   */
  private async ensureWriter(): Promise<void> {
    if (this.writerError === undefined) return;
    const stale = this.writer;
    void stale.end().catch(() => undefined);
    const fresh = new pg.Client({ connectionString: this.connectionString });
    try {
      await fresh.connect();
    } catch (error) {
      await fresh.end().catch(() => undefined);
      throw error;
    }
    this.writer = fresh;
    this.writerError = undefined;
    this.watchWriter(fresh);
  }

  /**
   * The LISTEN connection is what wakes this instance for other processes' commits. If it drops, it
   * is re-opened with back-off; meanwhile the poll timer covers, and on reconnecting the
   * subscriptions look once, in case a notification was missed.
   */
  private watchListener(listener: pg.Client): void {
    listener.on('notification', () => this.announceCommit());
    const lost = (): void => {
      if (this.listener !== listener || this.closing || this.closed || this.listenerRetryTimer) return;
      this.listenerRetryTimer = setTimeout(() => void this.reconnectListener(), this.listenerRetryDelayMs);
      this.listenerRetryTimer.unref();
      this.listenerRetryDelayMs = Math.min(LISTENER_RETRY_MAX_MS, this.listenerRetryDelayMs * 2);
    };
    listener.on('error', lost);
    listener.on('end', lost);
  }

  private async reconnectListener(): Promise<void> {
    this.listenerRetryTimer = undefined;
    if (this.closing || this.closed) return;
    const stale = this.listener;
    const fresh = new pg.Client({ connectionString: this.connectionString });
    // Errors before the swap must not reach the stale client's handlers as a second loss.
    fresh.on('error', () => undefined);
    try {
      await fresh.connect();
      await fresh.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch {
      await fresh.end().catch(() => undefined);
      this.listenerRetryTimer = setTimeout(() => void this.reconnectListener(), this.listenerRetryDelayMs);
      this.listenerRetryTimer.unref();
      this.listenerRetryDelayMs = Math.min(LISTENER_RETRY_MAX_MS, this.listenerRetryDelayMs * 2);
      return;
    }
    if (this.closing || this.closed) {
      await fresh.end().catch(() => undefined);
      return;
    }
    this.listener = fresh;
    this.listenerRetryDelayMs = LISTENER_RETRY_MIN_MS;
    this.watchListener(fresh);
    void stale.end().catch(() => undefined);
    this.announceCommit();
  }

  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
    // An idle pooled connection that dies (server restart) must not crash the process; the next
    // query gets a fresh connection.
    pool.on('error', () => undefined);
    const writer = new pg.Client({ connectionString: options.connectionString });
    const listener = new pg.Client({ connectionString: options.connectionString });
    const clients: pg.Client[] = [];
    try {
      await writer.connect();
      clients.push(writer);
      await applyPostgresMigrations(writer);
      await listener.connect();
      clients.push(listener);
      await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
      const { rows } = await writer.query<{ db: string }>('SELECT current_database() AS db');
      return new PostgresEventStore(pool, writer, listener, rows[0]?.db ?? '?', options.connectionString, options);
    } catch (error) {
      await Promise.allSettled([...clients.map((c) => c.end()), pool.end()]);
      throw error;
    }
  }

  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closing || this.closed) {
      return Promise.reject(new Error('PostgresEventStore is closed'));
    }
    if (events.length === 0) {
      return Promise.reject(new RangeError(`append to ${streamId}: no events given`));
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ kind: 'append', streamId, events, expected, resolve, reject });
      this.kick();
    });
  }

  /**
   * Queued with the appends and written in the next group's transaction, under the append lock that
   * serialises every writer of every process: the order check and the insert cannot race.
   */
  appendCheckpoint(checkpoint: SignedCheckpoint): Promise<boolean> {
    if (this.closing || this.closed) {
      return Promise.reject(new Error('PostgresEventStore is closed'));
    }
    try {
      assertCheckpointShape(checkpoint);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ kind: 'checkpoint', checkpoint: toSignedCheckpoint(checkpoint), resolve, reject });
      this.kick();
    });
  }

  async listCheckpoints(options?: { readonly fromTreeSize?: number; readonly limit?: number }): Promise<SignedCheckpoint[]> {
    this.assertOpen();
    const { fromTreeSize, limit } = checkpointPage(options);
    const { rows } = await this.pool.query<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE tree_size >= $1 ORDER BY ledger_checkpoints.tree_size LIMIT $2`,
      [fromTreeSize, limit ?? null],
    );
    return rows.map(toCheckpoint);
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | undefined> {
    this.assertOpen();
    const { rows } = await this.pool.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints ORDER BY ledger_checkpoints.tree_size DESC LIMIT 1`);
    return rows[0] === undefined ? undefined : toCheckpoint(rows[0]);
  }

  async checkpointCovering(treeSize: number): Promise<SignedCheckpoint | undefined> {
    this.assertOpen();
    if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
      throw new RangeError(`treeSize must be a non-negative integer, got ${String(treeSize)}`);
    }
    const { rows } = await this.pool.query<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE tree_size >= $1 ORDER BY ledger_checkpoints.tree_size LIMIT 1`,
      [treeSize],
    );
    return rows[0] === undefined ? undefined : toCheckpoint(rows[0]);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const from = Math.max(0, options.fromRevision ?? 0);
    // LIMIT NULL means "no limit" in PostgreSQL.
    const limit = options.maxCount ?? null;
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
      [streamId, from, limit],
    );
    return rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.readPage(options.after ?? -1, options.maxCount);
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
    const subscription = new PostgresSubscription(handler, options, {
      readPage: (after, maxCount) => this.readPage(after, maxCount),
      commitSequence: () => this.commitSequence,
      onCommit: (listener) => this.onCommit(listener),
      pollIntervalMs: this.pollIntervalMs,
      onStopped: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async status(): Promise<{ store: string; ok: boolean; headPosition: number; detail?: string }> {
    if (this.closed) {
      return { store: 'postgres', ok: false, headPosition: -1, detail: 'closed' };
    }
    try {
      if (this.writerError !== undefined) {
        throw this.writerError;
      }
      return { store: 'postgres', ok: true, headPosition: await this.headNow(), detail: `database ${this.database}` };
    } catch (error) {
      return { store: 'postgres', ok: false, headPosition: -1, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Commits the appends still queued, stops all subscriptions, then closes the connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closing || this.closed) {
      return;
    }
    this.closing = true;
    while (this.inFlight !== undefined) {
      await this.inFlight;
    }
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (this.listenerRetryTimer) clearTimeout(this.listenerRetryTimer);
    this.closed = true;
    await Promise.allSettled([this.writer.end(), this.listener.end(), this.pool.end()]);
  }

  async importVerbatim(events: readonly StoredEvent[]): Promise<void> {
    this.assertOpen();
    if (events.length === 0) return;
    // Through the writer's queue discipline: wait for any group in flight, then hold the append lock
    // so that the head check and the inserts see no concurrent append, here or in another process.
    while (this.inFlight !== undefined) await this.inFlight;
    let release!: () => void;
    this.inFlight = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await this.ensureWriter();
      await this.writer.query('BEGIN');
      try {
        await this.writer.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPEND_LOCK_KEY.toString()]);
        const head = await this.writer.query<{ position: string }>('SELECT coalesce(max(position), -1)::text AS position FROM events');
        let expected = Number(head.rows[0]!.position) + 1;
        for (const event of events) {
          if (event.position !== expected) {
            throw new RangeError(`import: expected position ${expected}, got ${event.position} (the log must continue the store's head)`);
          }
          expected += 1;
        }
        const rows = new EventRows();
        for (const event of events) {
          rows.add(event.position, event.streamId, event.recordedAt, { revision: event.revision, event, dataJson: JSON.stringify(event.data ?? null), metadataJson: JSON.stringify(event.metadata), prevHash: event.prevHash, hash: event.hash });
        }
        await this.insertRows(rows);
        await this.writer.query(`NOTIFY ${NOTIFY_CHANNEL}`);
        await this.writer.query('COMMIT');
      } catch (error) {
        await this.writer.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      this.inFlight = undefined;
      release();
      this.kick();
    }
    this.announceCommit();
  }

  stats(): PostgresEventStoreStats {
    return { transactions: this.transactionCount, appends: this.appendCount };
  }

  /**
   * Calls `listener` after every commit seen by this instance: its own, and other processes' (via
   * LISTEN/NOTIFY). Returns the unsubscribe function.
   */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Wakes idle subscriptions so that they read at once rather than at their next poll. */
  announceCommit(): void {
    this.commitSequence += 1;
    for (const listener of [...this.commitListeners]) {
      listener();
    }
  }

  private async readPage(after: number, maxCount: number): Promise<StoredEvent[]> {
    if (!Number.isInteger(maxCount) || maxCount <= 0) {
      throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
    }
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
      [after, maxCount],
    );
    return rows.map(toStoredEvent);
  }

  private async headNow(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string | null }>('SELECT max(position) AS position FROM events');
    const position = rows[0]?.position ?? null;
    return position === null ? -1 : Number(position);
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('PostgresEventStore is closed');
    }
  }

  /** Starts a group unless one is scheduled or in flight; that one starts the next when it finishes. */
  private kick(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) {
      return;
    }
    // setImmediate (not at once) so that appends requested from several I/O callbacks of the same
    // poll phase share the first group too, not only those arriving while a group is in flight.
    this.inFlight = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush())
      .finally(() => {
        this.inFlight = undefined;
        this.kick();
      });
  }

  private async flush(): Promise<void> {
    const writes = this.queue.splice(0, this.maxGroupSize);
    const group = writes.filter((w): w is PendingAppend => w.kind === 'append');
    const checkpoints = writes.filter((w): w is PendingCheckpoint => w.kind === 'checkpoint');
    this.transactionCount += 1;
    this.appendCount += group.length;
    // One recordedAt per group: the events of a group are committed at the same instant.
    const recordedAt = this.clock().toISOString();
    const outcomes: Outcome[] = [];
    const checkpointOutcomes: CheckpointOutcome[] = [];
    let began = false;
    try {
      await this.ensureWriter();
      await this.writer.query('BEGIN');
      began = true;
      await this.writer.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPEND_LOCK_KEY.toString()]);
      if (group.length > 0) {
        // Read under the lock, so no other process can commit a position in between.
        const head = await this.writer.query<{ position: string }>(
          'SELECT coalesce(max(position), -1)::text AS position FROM events',
        );
        const state = { nextPosition: Number(head.rows[0]!.position) + 1 };
        const batched = await this.appendGroupAtOnce(group, recordedAt, state);
        if (batched !== undefined) {
          outcomes.push(...batched);
        } else {
          for (const pending of group) {
            outcomes.push(await this.appendInSavepoint(pending, recordedAt, state));
          }
        }
      }
      for (const pending of checkpoints) {
        checkpointOutcomes.push(await this.checkpointWithinTransaction(pending.checkpoint));
      }
      const wrote = outcomes.some((o) => o.ok && o.wrote);
      if (wrote) {
        // Delivered by the server only if and when this transaction commits.
        await this.writer.query(`NOTIFY ${NOTIFY_CHANNEL}`);
      }
      await this.writer.query('COMMIT');
    } catch (error) {
      // BEGIN, the lock or COMMIT failed: nothing of the group is durable. (An unknown COMMIT outcome
      // is reported as a failure; a retry with the same event ids is then answered idempotently.)
      if (!began) {
        // BEGIN fails only when the connection does: replace it before the next group.
        this.writerError = error instanceof Error ? error : new Error(String(error));
      } else {
        await this.writer.query('ROLLBACK').catch((rollbackError: unknown) => {
          // A writer that cannot even roll back is unusable: the next group opens a fresh one.
          this.writerError = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
      }
      for (const pending of writes) {
        pending.reject(error);
      }
      return;
    }
    checkpointOutcomes.forEach((outcome, i) => {
      const pending = checkpoints[i]!;
      if (outcome.ok) pending.resolve(outcome.stored);
      else pending.reject(outcome.error);
    });
    let wrote = false;
    outcomes.forEach((outcome, i) => {
      const pending = group[i]!;
      if (outcome.ok) {
        wrote ||= outcome.wrote;
        pending.resolve(outcome.result);
      } else {
        pending.reject(outcome.error);
      }
    });
    if (wrote) {
      this.announceCommit();
    }
  }

  /**
   * One statement, so that nothing can fail half-way and abort the group's transaction (the shape
   * was checked before queuing): the insert happens only for a new tree size that is not below the
   * latest, and the answer says which case it was. Runs under the append lock, so no other writer
   * can store a checkpoint between the checks and the insert.
   */
  private async checkpointWithinTransaction(checkpoint: SignedCheckpoint): Promise<CheckpointOutcome> {
    const { treeSize, origin, rootHash, lastPosition, signedAt, keyId, signature } = checkpoint;
    const { rows } = await this.writer.query<{ inserted: number; existed: number; latest: string | null }>(
      `WITH latest AS (SELECT max(tree_size) AS tree_size FROM ledger_checkpoints),
            existing AS (SELECT 1 FROM ledger_checkpoints WHERE tree_size = $1::bigint),
            inserted AS (
              INSERT INTO ledger_checkpoints (tree_size, origin, root_hash, last_position, signed_at, key_id, signature)
              SELECT $1::bigint, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::text
               WHERE NOT EXISTS (SELECT 1 FROM existing)
                 AND $1::bigint >= coalesce((SELECT tree_size FROM latest), -1)
              ON CONFLICT (tree_size) DO NOTHING
              RETURNING 1)
       SELECT (SELECT count(*) FROM inserted)::int AS inserted,
              (SELECT count(*) FROM existing)::int AS existed,
              (SELECT tree_size FROM latest)::text AS latest`,
      [treeSize, origin, rootHash, lastPosition, signedAt, keyId, signature],
    );
    const row = rows[0]!;
    if (row.inserted === 1) return { ok: true, stored: true };
    if (row.existed === 1) return { ok: true, stored: false };
    return { ok: false, error: new CheckpointOrderError(treeSize, Number(row.latest)) };
  }

  /** One statement for any number of rows, whatever the append or import: arrays in, unnest into rows. */
  private async insertRows(rows: EventRows): Promise<void> {
    await this.writer.query(
      `INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])`,
      [rows.position, rows.streamId, rows.revision, rows.eventId, rows.type, rows.schemaVersion, rows.data, rows.metadata, rows.recordedAt, rows.prevHash, rows.hash],
    );
  }

  /**
   * The common case in a constant number of round trips, whatever the group's size: one query for
   * the heads of all its streams and for any of its event ids already stored, the expected-revision
   * checks in memory (each append sees the earlier appends of the group), and one INSERT for every
   * row of every accepted append. A conflicting append writes nothing, so it needs no savepoint.
   * Answers undefined, having written nothing, when any event id is already stored or repeats
   * within the group: those appends need the per-append path, whose savepoints and idempotency
   * reads handle retries exactly.
   */
  private async appendGroupAtOnce(
    group: readonly PendingAppend[],
    recordedAt: string,
    state: { nextPosition: number },
  ): Promise<Outcome[] | undefined> {
    const streamIds = [...new Set(group.map((p) => p.streamId))];
    const eventIds = group.flatMap((p) => p.events.map((e) => e.eventId));
    if (new Set(eventIds).size !== eventIds.length) return undefined;
    const { rows } = await this.writer.query<{ kind: 'head' | 'id'; stream_id: string; revision: number; hash: string }>(
      `SELECT 'head' AS kind, stream_id, revision, hash FROM (
         SELECT DISTINCT ON (stream_id) stream_id, revision, hash FROM events
          WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, revision DESC) AS heads
       UNION ALL
       SELECT 'id' AS kind, stream_id, revision, hash FROM events WHERE event_id = ANY($2::text[])`,
      [streamIds, eventIds],
    );
    if (rows.some((r) => r.kind === 'id')) return undefined;
    const heads = new Map(rows.map((r) => [r.stream_id, { revision: r.revision, hash: r.hash }]));

    const outcomes: Outcome[] = [];
    const inserts = new EventRows();
    for (const { streamId, events, expected } of group) {
      const head = heads.get(streamId);
      const current = head?.revision ?? NO_STREAM_REVISION;
      if (!matchesExpected(expected, current)) {
        outcomes.push({ ok: false, error: new WrongExpectedRevisionError(streamId, expected, current === NO_STREAM_REVISION ? 'no-stream' : current) });
        continue;
      }
      const chained = chainEvents(streamId, current, head?.hash ?? GENESIS_HASH, events, recordedAt, this.hashChain);
      for (const event of chained) inserts.add(state.nextPosition++, streamId, recordedAt, event);
      heads.set(streamId, { revision: current + events.length, hash: chained[chained.length - 1]!.hash });
      outcomes.push({ ok: true, wrote: true, result: { nextExpectedRevision: current + events.length, position: state.nextPosition - 1 } });
    }
    if (inserts.size > 0) await this.insertRows(inserts);
    return outcomes;
  }

  private async appendInSavepoint(
    pending: PendingAppend,
    recordedAt: string,
    state: { nextPosition: number },
  ): Promise<Outcome> {
    const startPosition = state.nextPosition;
    await this.writer.query('SAVEPOINT append');
    try {
      const outcome = await this.appendWithinTransaction(pending, recordedAt, state);
      await this.writer.query('RELEASE SAVEPOINT append');
      return outcome;
    } catch (error) {
      state.nextPosition = startPosition;
      // If this fails too, the connection is broken: let the whole group fail.
      await this.writer.query('ROLLBACK TO SAVEPOINT append');
      return { ok: false, error };
    }
  }

  /** Runs inside the group's transaction, so it sees the effects of earlier appends of the same group. */
  private async appendWithinTransaction(
    pending: PendingAppend,
    recordedAt: string,
    state: { nextPosition: number },
  ): Promise<Outcome> {
    const { streamId, events, expected } = pending;
    // One round trip for the stream head and the first event id (the usual case of a new id).
    const lookup = await this.writer.query<LookupRow>(
      `SELECT h.revision AS head_revision, h.hash AS head_hash,
              f.stream_id AS first_stream_id, f.revision AS first_revision, f.position::text AS first_position
         FROM (SELECT 1) AS one
         LEFT JOIN (SELECT revision, hash FROM events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1) AS h ON true
         LEFT JOIN (SELECT stream_id, revision, position FROM events WHERE event_id = $2) AS f ON true`,
      [streamId, events[0]!.eventId],
    );
    const row = lookup.rows[0]!;
    const current = row.head_revision ?? NO_STREAM_REVISION;

    if (row.first_stream_id !== null) {
      const retried = await this.idempotentResult(streamId, events, expected, {
        stream_id: row.first_stream_id,
        revision: row.first_revision!,
        position: row.first_position!,
      });
      return { ok: true, result: retried, wrote: false };
    }
    if (!matchesExpected(expected, current)) {
      throw new WrongExpectedRevisionError(streamId, expected, current === NO_STREAM_REVISION ? 'no-stream' : current);
    }

    const rows = new EventRows();
    chainEvents(streamId, current, row.head_hash ?? GENESIS_HASH, events, recordedAt, this.hashChain).forEach((event, i) => rows.add(state.nextPosition + i, streamId, recordedAt, event));
    try {
      await this.insertRows(rows);
    } catch (error) {
      if (isUniqueViolation(error, 'events_event_id_key')) {
        throw new DuplicateEventIdError(duplicateIdOf(error) ?? events[0]!.eventId, streamId);
      }
      throw error;
    }
    state.nextPosition += events.length;
    return {
      ok: true,
      result: { nextExpectedRevision: current + events.length, position: state.nextPosition - 1 },
      wrote: true,
    };
  }

  /**
   * The first event id is already stored: the append is either an exact retry (return the original
   * result, write nothing) or a conflict. An id that is new for the first event but stored for a
   * later one is caught by the unique constraint on insert.
   */
  private async idempotentResult(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    first: { stream_id: string; revision: number; position: string },
  ): Promise<AppendResult> {
    const startsWhereExpected =
      expected === 'any' || expected === 'stream-exists'
        ? true
        : expected === 'no-stream'
          ? first.revision === 0
          : first.revision === expected + 1;
    if (first.stream_id !== streamId || !startsWhereExpected) {
      throw new DuplicateEventIdError(events[0]!.eventId, streamId);
    }
    let last = { revision: first.revision, position: first.position };
    if (events.length > 1) {
      const ids = events.slice(1).map((e) => e.eventId);
      const { rows } = await this.writer.query<EventLocationRow>(
        'SELECT event_id, stream_id, revision, position::text AS position FROM events WHERE event_id = ANY($1::text[])',
        [ids],
      );
      const found = new Map(rows.map((r) => [r.event_id, r]));
      for (let i = 1; i < events.length; i++) {
        const location = found.get(events[i]!.eventId);
        if (location === undefined || location.stream_id !== streamId || location.revision !== first.revision + i) {
          throw new DuplicateEventIdError(location === undefined ? events[0]!.eventId : events[i]!.eventId, streamId);
        }
        last = location;
      }
    }
    return { nextExpectedRevision: last.revision, position: Number(last.position) };
  }
}

interface SubscriptionSource {
  readonly readPage: (after: number, maxCount: number) => Promise<StoredEvent[]>;
  /** Lets a subscription notice a commit that happened while its (asynchronous) read was running. */
  readonly commitSequence: () => number;
  readonly onCommit: (listener: () => void) => () => void;
  readonly pollIntervalMs: number;
  readonly onStopped: () => void;
}

/**
 * Delivers pages strictly one after another: catch up with readAll, then wait for a commit signal
 * (this instance's commits, or NOTIFY from other processes) or for the poll timer.
 */
class PostgresSubscription implements Subscription {
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
        const sequence = this.source.commitSequence();
        const page = await this.source.readPage(checkpoint, pageSize);
        if (this.stopped) {
          break;
        }
        if (page.length > 0) {
          await this.handler(page);
          checkpoint = page[page.length - 1]!.position;
          continue;
        }
        if (this.source.commitSequence() === sequence) {
          await this.waitForCommit();
        }
      }
    } catch (error) {
      if (!this.stopped) {
        this.stopped = true;
        this.options.onError?.(error);
      }
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

/** The columns of an INSERT … unnest, one array each. */
class EventRows {
  readonly position: number[] = [];
  readonly streamId: string[] = [];
  readonly revision: number[] = [];
  readonly eventId: string[] = [];
  readonly type: string[] = [];
  readonly schemaVersion: number[] = [];
  readonly data: string[] = [];
  readonly metadata: string[] = [];
  readonly recordedAt: string[] = [];
  readonly prevHash: string[] = [];
  readonly hash: string[] = [];

  add(position: number, streamId: string, recordedAt: string, row: Pick<ChainedEvent, 'revision' | 'event' | 'dataJson' | 'metadataJson' | 'prevHash' | 'hash'>): void {
    this.position.push(position);
    this.streamId.push(streamId);
    this.revision.push(row.revision);
    this.eventId.push(row.event.eventId);
    this.type.push(row.event.type);
    this.schemaVersion.push(row.event.schemaVersion);
    this.data.push(row.dataJson);
    this.metadata.push(row.metadataJson);
    this.recordedAt.push(recordedAt);
    this.prevHash.push(row.prevHash);
    this.hash.push(row.hash);
  }

  get size(): number {
    return this.position.length;
  }
}
/** Duck-typed: pg's DatabaseError may come from another realm under Jest, so instanceof is unreliable. */
function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const fields = error as { code?: unknown; constraint?: unknown };
  return fields.code === '23505' && fields.constraint === constraint;
}

/** The server names the offending key in the error detail: `Key (event_id)=(...) already exists.` */
function duplicateIdOf(error: unknown): string | undefined {
  const detail = (error as { detail?: unknown }).detail;
  if (typeof detail !== 'string') {
    return undefined;
  }
  return /^Key \(event_id\)=\((.*)\) already exists\.$/s.exec(detail)?.[1];
}

function toCheckpoint(row: CheckpointRow): SignedCheckpoint {
  return toSignedCheckpoint({
    origin: row.origin,
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    lastPosition: Number(row.last_position),
    signedAt: row.signed_at,
    keyId: row.key_id,
    signature: row.signature,
  });
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    streamId: row.stream_id,
    revision: row.revision,
    position: Number(row.position),
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
