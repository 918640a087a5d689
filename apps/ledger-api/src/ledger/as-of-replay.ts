/**
 * As-of replay (decision 013): the read models as the ledger knew them at a log position
 * or a recorded time, rebuilt from the log into a SEPARATE read store with the very projections the
 * live runner uses. Nest-free: the API runs it in a worker thread (as-of-replay.worker.ts) or on its
 * own thread (LEDGER_PROJECTIONS=in-process), and `npm run rebuild -- --as-of` uses the time index
 * and the prefix view directly.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, PageHandler, ReadAllOptions, ReadStreamOptions, StoredEvent, SubscribeOptions, Subscription } from '#event-store';
import { createLedgerProjections, toProjectedEvent, type HistoryAsOf, type Projection, type ReadDb } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { sql } from 'kysely';

/** A moment of the log: a global position (inclusive), or a recorded time (inclusive). */
export type AsOf = HistoryAsOf;

/**
 * What an as-of answer was taken at: the axis asked for and the log position it resolved to. The
 * shape extends batch history's `asOf` (docs/domain.md: every as-of query names its axis).
 */
export type AsOfAnswer =
  | { readonly axis: 'position'; readonly position: number }
  /** recordedAt normalised to UTC (millisecond precision, as the store records it). */
  | { readonly axis: 'recordedAt'; readonly recordedAt: string; readonly position: number };

export interface AsOfResolution {
  /** The last event included (-1: none, the empty ledger). */
  readonly position: number;
  /** How many events the log holds up to and including `position`. */
  readonly events: number;
}

export interface ReplayReport {
  readonly position: number;
  /** Events folded by this call (not counting what the store held before). */
  readonly events: number;
  readonly durationMs: number;
}

/** What the API asks of whoever replays: the same calls in a worker thread or on this one. */
export interface AsOfReplayer {
  /** Bumped when the replayer lost its stores (a restarted worker), so that callers drop theirs. */
  readonly generation: number;
  resolve(asOf: AsOf): Promise<AsOfResolution>;
  /**
   * Brings the read store in `file` to exactly `position`: a new store is created and filled from
   * position zero, a known one is advanced from where it stands (never back).
   */
  replay(file: string, position: number): Promise<ReplayReport>;
  /** Forgets the store in `file` and closes it (the caller deletes the file). */
  drop(file: string): Promise<void>;
  close(): Promise<void>;
}

export function answerOf(asOf: AsOf, position: number): AsOfAnswer {
  return 'position' in asOf ? { axis: 'position', position } : { axis: 'recordedAt', recordedAt: normaliseInstant(asOf.recordedAt), position };
}

function normaliseInstant(value: string): string {
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`not an ISO-8601 instant: ${value}`);
  return instant.toISOString();
}

/**
 * Maps a recorded time to a log position: the LAST event whose recordedAt ≤ the instant.
 *
 * recordedAt is not guaranteed to grow with position. The SQLite store stamps each group with the
 * wall clock, which can step back; the PostgreSQL store stamps a group BEFORE taking the append lock,
 * so a writer in another process that stamps later but locks first commits at lower positions with a
 * later time (and hosts' clocks differ); an imported log keeps its source's times. So the replay
 * cannot stop at the first later event. The index keeps every event's (position, recordedAt) once,
 * reading only new events on each call; while the times it has seen never decreased it binary-searches,
 * otherwise it scans back from the head (a few ms per million events).
 */
export class RecordedTimeIndex {
  private positions = new Float64Array(4096);
  private times = new Float64Array(4096);
  private size = 0;
  private nonDecreasing = true;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly pageSize = 20_000,
  ) {}

  /** Whether recordedAt never decreased along the log read so far. */
  get monotone(): boolean {
    return this.nonDecreasing;
  }

  get eventCount(): number {
    return this.size;
  }

  async resolve(asOf: AsOf): Promise<AsOfResolution> {
    await this.refresh();
    if ('position' in asOf) {
      const events = this.countUpTo(asOf.position);
      return { position: events === 0 ? -1 : this.positions[events - 1]!, events };
    }
    const instant = Date.parse(normaliseInstant(asOf.recordedAt));
    const last = this.lastRecordedAtOrBefore(instant);
    return { position: last < 0 ? -1 : this.positions[last]!, events: last + 1 };
  }

  /** Reads the events appended since the last call (concurrent callers share one read). */
  refresh(): Promise<void> {
    this.refreshing ??= this.readNewEvents().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readNewEvents(): Promise<void> {
    for (;;) {
      const after = this.size === 0 ? -1 : this.positions[this.size - 1]!;
      const page = await this.store.readAll({ after, maxCount: this.pageSize });
      for (const event of page) this.add(event.position, Date.parse(event.recordedAt));
      if (page.length < this.pageSize) return;
    }
  }

  private add(position: number, time: number): void {
    if (Number.isNaN(time)) throw new Error(`event at position ${position} has no valid recordedAt`);
    if (this.size === this.positions.length) {
      this.positions = grow(this.positions);
      this.times = grow(this.times);
    }
    if (this.size > 0 && time < this.times[this.size - 1]!) this.nonDecreasing = false;
    this.positions[this.size] = position;
    this.times[this.size] = time;
    this.size += 1;
  }

  /** Events at positions ≤ `position` (positions are strictly increasing). */
  private countUpTo(position: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid]! <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the last event recorded at or before `instant`, or -1. */
  private lastRecordedAtOrBefore(instant: number): number {
    if (!this.nonDecreasing) {
      for (let i = this.size - 1; i >= 0; i--) if (this.times[i]! <= instant) return i;
      return -1;
    }
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! <= instant) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

function grow(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/**
 * The log up to and including `last`, read only: what a ProjectionRunner rebuild must see to build
 * read models as of that position (`npm run rebuild -- --as-of`). It has no live subscription, since
 * a prefix never grows.
 */
export class EventLogPrefix implements EventStore {
  constructor(
    private readonly log: EventStore,
    readonly last: number,
  ) {}

  append(streamId: string, _events: readonly EventToAppend[], _expected: ExpectedRevision): Promise<AppendResult> {
    return Promise.reject(new Error(`the log as of position ${this.last} is read only (append to ${streamId})`));
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await this.log.readStream(streamId, options)).filter((event) => event.position <= this.last);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    if ((options.after ?? -1) >= this.last) return [];
    return upTo(await this.log.readAll(options), this.last);
  }

  async headPosition(): Promise<number> {
    return Math.min(this.last, await this.log.headPosition());
  }

  subscribeToAll(_handler: PageHandler, _options?: SubscribeOptions): Subscription {
    throw new Error(`the log as of position ${this.last} has no live subscription: rebuild from it instead`);
  }

  async status(): Promise<{ store: string; ok: boolean; headPosition: number; detail?: string }> {
    const status = await this.log.status();
    return { ...status, headPosition: Math.min(this.last, status.headPosition), detail: `as of position ${this.last}` };
  }

  /** The underlying log belongs to the caller, who closes it. */
  async close(): Promise<void> {}
}

function upTo(page: StoredEvent[], last: number): StoredEvent[] {
  const beyond = page.findIndex((event) => event.position > last);
  return beyond < 0 ? page : page.slice(0, beyond);
}

interface ReplayedStore {
  readonly db: ReadDb;
  readonly projections: readonly Projection[];
  position: number;
}

export interface LocalAsOfReplayerOptions {
  /** Default: every read model the ledger runs (createLedgerProjections). */
  readonly createProjections?: () => Projection[];
  /** Events per page and transaction (default 10,000: about 10 MB of events in memory). */
  readonly pageSize?: number;
}

/**
 * Replays the log into SQLite read stores of its own, keeping each store's projections in memory
 * so that a store can be advanced from where it stands. A store is written only here and only by
 * replay(); the API reads the file once replay() has answered, and never while it runs.
 *
 * Folds exactly as ProjectionRunner does (apply every event of a page to every projection, then
 * flush them all in one transaction), minus checkpoints: the store is never resumed after a restart.
 * The unit spec proves the result equal, by checksum, to a runner rebuild of the same prefix.
 */
export class LocalAsOfReplayer implements AsOfReplayer {
  readonly generation = 0;
  private readonly index: RecordedTimeIndex;
  private readonly stores = new Map<string, ReplayedStore>();
  private readonly createProjections: () => Projection[];
  private readonly pageSize: number;

  constructor(
    private readonly log: EventStore,
    options: LocalAsOfReplayerOptions = {},
  ) {
    this.index = new RecordedTimeIndex(log);
    this.createProjections = options.createProjections ?? createLedgerProjections;
    this.pageSize = options.pageSize ?? 10_000;
  }

  resolve(asOf: AsOf): Promise<AsOfResolution> {
    return this.index.resolve(asOf);
  }

  async replay(file: string, position: number): Promise<ReplayReport> {
    const began = performance.now();
    const store = this.stores.get(file) ?? (await this.create(file));
    if (position < store.position) throw new RangeError(`the as-of store ${file} is at position ${store.position}; it cannot go back to ${position}`);
    let events = 0;
    try {
      let after = store.position;
      while (after < position) {
        const stored = await this.log.readAll({ after, maxCount: this.pageSize });
        const page = upTo(stored, position).map(toProjectedEvent);
        if (page.length === 0) break;
        for (const projection of store.projections) for (const event of page) projection.apply(event);
        await store.db.transaction().execute(async (tx) => {
          for (const projection of store.projections) await projection.flush(tx);
        });
        after = page[page.length - 1]!.position;
        events += page.length;
      }
      // A resolved position always names a stored event, so falling short means the log changed under us.
      if (after !== position) throw new Error(`the log ends at position ${after}, before the as-of position ${position}`);
      store.position = after;
    } catch (error) {
      // In-memory state may be ahead of the tables now: this store cannot be advanced again.
      await this.drop(file);
      throw error;
    }
    return { position: store.position, events, durationMs: performance.now() - began };
  }

  async drop(file: string): Promise<void> {
    const store = this.stores.get(file);
    this.stores.delete(file);
    await store?.db.destroy();
  }

  async close(): Promise<void> {
    for (const file of [...this.stores.keys()]) await this.drop(file);
  }

  private async create(file: string): Promise<ReplayedStore> {
    // A file left by an earlier store would be folded onto: start from nothing.
    removeSqliteFiles(file);
    const db = openSqliteReadDb({ filename: file });
    // A throwaway store: losing it in a crash costs a replay, never a wrong answer.
    await sql`pragma synchronous = off`.execute(db);
    const projections = this.createProjections();
    for (const projection of projections) await projection.migrate(db);
    const store: ReplayedStore = { db, projections, position: -1 };
    this.stores.set(file, store);
    return store;
  }
}

/** Deletes an SQLite database file with its WAL and shared-memory files. */
export function removeSqliteFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}
