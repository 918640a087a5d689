/**
 * The API's side of as-of queries (decision 013): resolves `asOf` / `asOfPosition` to a log
 * position, keeps a small LRU of as-of read stores keyed by position, advances the nearest earlier
 * store instead of replaying from zero, refuses replays beyond a configured size, and runs the
 * caller's query against the store. Queries wait in a fair queue, a lane per organisation, and their
 * replays are charged to the organisation's query cost budget (decision 026). Nest-free; the provider is in as-of-read-models.provider.ts.
 *
 * A query without asOf never comes here: handlers call `at(undefined, liveDb, query)`, which is
 * `query(liveDb)` and nothing else.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { InvalidCommandError } from '#domain';
import type { ReadDb } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { currentRequester, QUERY_COST, type QueryCostBudget } from '../common/cost-budget.js';
import { FairWorkQueue } from './fair-work-queue.js';
import { answerOf, removeSqliteFiles, type AsOf, type AsOfAnswer, type AsOfReplayer, type AsOfResolution, type ReplayReport } from './as-of-replay.js';

const UNATTRIBUTED = '(unattributed)';

/** A query's answer together with the moment it was taken at; the HTTP layer shows both. */
export class AsOfAnswered<T> {
  constructor(
    readonly value: T,
    readonly asOf: AsOfAnswer,
  ) {}
}

/** What a query handler returns: the live answer as before, or an as-of one. */
export type AsOfAware<T> = T | AsOfAnswered<T>;

export interface AsOfReadModelsOptions {
  /** Called once, on the first as-of query (so a ledger nobody audits never starts a replayer). */
  readonly replayer: () => AsOfReplayer;
  /** A fresh directory for the stores' files is made inside it on first use, and removed on close. */
  readonly directory: string;
  /** As-of stores kept (least recently used dropped first); at least 1. */
  readonly cacheSize: number;
  /** Refuse an as-of query that would replay more events than this (0: no limit). */
  readonly maxReplayEvents: number;
  /** As-of queries one organisation may have waiting or running; one more is refused (429). Default 2. */
  readonly perOrganisation?: number;
  /** Charged the events each replay reads, to the organisation asking (undefined: no budget). */
  readonly budget?: QueryCostBudget;
  /** Told after every replay (for the log, and for measuring replay cost). */
  readonly onReplay?: (report: ReplayReport & { readonly from: number }) => void;
}

interface Entry {
  readonly file: string;
  readonly db: ReadDb;
  readonly generation: number;
  readonly position: number;
  readonly events: number;
}

export class AsOfReadModels {
  /** Keyed by position; Map order is recency order (the first entry is the least recently used). */
  private readonly entries = new Map<number, Entry>();
  private replayerInstance: AsOfReplayer | undefined;
  private directory: string | undefined;
  private nextFile = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** One replay at a time (the worker replays one store at a time anyway), taken in turns by organisation. */
  private readonly queue: FairWorkQueue;

  constructor(private readonly options: AsOfReadModelsOptions) {
    if (!Number.isInteger(options.cacheSize) || options.cacheSize < 1) throw new RangeError(`the as-of cache holds at least one store, got ${options.cacheSize}`);
    this.queue = new FairWorkQueue({ concurrency: 1, perOrganisation: options.perOrganisation ?? 2, unlimitedLane: UNATTRIBUTED, what: 'as-of queries' });
  }

  /** Live (asOf undefined): the query on the live read models, exactly as before. Else as of asOf. */
  at<T>(asOf: AsOf | undefined, live: ReadDb, query: (db: ReadDb) => Promise<T>): Promise<AsOfAware<T>> {
    return asOf === undefined ? query(live) : this.read(asOf, query);
  }

  /**
   * Runs `query` against the read models as of `asOf`. One as-of query at a time: a store is never
   * advanced or dropped while another query reads it. The organisation asking (currentRequester) is
   * refused while its query budget is spent or its lane is full, and otherwise waits its turn: one
   * organisation's replays never queue another's beyond the one replay already running.
   */
  read<T>(asOf: AsOf, query: (db: ReadDb) => Promise<T>): Promise<AsOfAnswered<T>> {
    const requester = currentRequester();
    // Work outside any request (tools, start-up) shares one lane, which no lane limit refuses.
    const lane = requester ?? UNATTRIBUTED;
    try {
      if (requester !== undefined) this.options.budget?.admit(requester, 'this as-of query');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue.run(lane, () =>
      this.exclusive(async () => {
        if (this.closed) throw new Error('the as-of read models are closed');
        const replayer = this.replayer();
        const resolution = await replayer.resolve(asOf);
        const entry = await this.storeAt(replayer, resolution, requester);
        return new AsOfAnswered(await query(entry.db), answerOf(asOf, resolution.position));
      }),
    );
  }

  /** Positions of the stores kept, least recently used first (for tests and diagnostics). */
  cachedPositions(): number[] {
    return [...this.entries.keys()];
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      for (const entry of [...this.entries.values()]) await this.evict(entry);
      await this.replayerInstance?.close();
      if (this.directory) rmSync(this.directory, { recursive: true, force: true });
    });
  }

  /** Nest calls this on shutdown, before the module closes the event log the replayer reads. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private replayer(): AsOfReplayer {
    this.replayerInstance ??= this.options.replayer();
    return this.replayerInstance;
  }

  private async storeAt(replayer: AsOfReplayer, { position, events }: AsOfResolution, requester: string | undefined): Promise<Entry> {
    // A replayer that lost its stores (a worker restarted) cannot advance ours: start afresh.
    for (const entry of [...this.entries.values()]) if (entry.generation !== replayer.generation) await this.evict(entry);
    const hit = this.entries.get(position);
    if (hit) {
      this.entries.delete(position);
      this.entries.set(position, hit);
      return hit;
    }
    // Advancing the nearest earlier store replays only the events in between; from zero, all of them.
    let base: Entry | undefined;
    for (const entry of this.entries.values()) if (entry.position < position && (!base || entry.position > base.position)) base = entry;
    const toReplay = events - (base?.events ?? 0);
    const limit = this.options.maxReplayEvents;
    if (limit > 0 && toReplay > limit) {
      throw new InvalidCommandError(
        'as-of-replay-too-large',
        `answering as of position ${position} means replaying ${toReplay} events${base ? ` (from the as-of store at position ${base.position})` : ''}, more than the ${limit} this server allows (LEDGER_AS_OF_MAX_REPLAY_EVENTS); ` +
          'ask for a later moment once an earlier one is answered, or rebuild the read models as of that moment into a separate store (npm run rebuild -- --as-of)',
        { position, eventsToReplay: toReplay, maxReplayEvents: limit },
      );
    }
    let file: string;
    if (base) {
      this.entries.delete(base.position);
      file = base.file;
    } else {
      while (this.entries.size >= this.options.cacheSize) await this.evict(this.entries.values().next().value!);
      file = this.newFile();
    }
    let report: ReplayReport;
    // Charged before the replay runs: a replay that fails half-way cost the server as much.
    if (requester !== undefined) this.options.budget?.charge(requester, toReplay * QUERY_COST.asOfEvent);
    try {
      report = await replayer.replay(file, position);
    } catch (error) {
      await base?.db.destroy();
      await this.forget(replayer, file);
      throw error;
    }
    this.options.onReplay?.({ ...report, from: base?.position ?? -1 });
    const entry: Entry = { file, db: base?.db ?? openSqliteReadDb({ filename: file }), generation: replayer.generation, position, events };
    this.entries.set(position, entry);
    return entry;
  }

  private async evict(entry: Entry): Promise<void> {
    this.entries.delete(entry.position);
    await entry.db.destroy();
    if (entry.generation === this.replayerInstance?.generation) await this.forget(this.replayerInstance, entry.file);
    else removeSqliteFiles(entry.file);
  }

  private async forget(replayer: AsOfReplayer, file: string): Promise<void> {
    await replayer.drop(file).catch(() => undefined);
    removeSqliteFiles(file);
  }

  private newFile(): string {
    if (!this.directory) {
      mkdirSync(this.options.directory, { recursive: true });
      this.directory = mkdtempSync(path.join(this.options.directory, 'as-of-'));
    }
    return path.join(this.directory, `store-${++this.nextFile}.sqlite`);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
