/**
 * `npm run bench -- --scale N` (N batches; default 1,000,000, about 3.5 events per batch) or
 * `--scale-events E` (about E events): a realistic ledger, for the embedded and the postgres
 * topologies (`--no-postgres`: embedded only). The ledger is streamed from the seeded generator
 * (decision 050): generated in a worker thread a part at a time while the previous part is
 * appended, so neither thread holds the whole history. It includes a product with about 1,000
 * ancestors (ScenarioOptions.deepProductAncestors) when N is large enough. Figures:
 * - load rate: appends of 1,000 calls in flight; the embedded store with synchronous=NORMAL for the
 *   load only, as the load is setup (every timed figure after it runs with FULL);
 * - live catch-up of the read models from an empty read store (up to 1.1M events; above that it is
 *   left out, and the whole-log rebuild's read models serve the figures that need read models);
 * - lineage and provenance p50/p95 for that product over read models rebuilt up to ~100k events,
 *   then over the whole log's;
 * - full rebuild in events/s against raw read + parse, and the rebuild's peak RSS, each rebuild in a
 *   process of its own: for the whole log, against the log at a tenth of its length;
 * - single commands over HTTP from 32 clients against the large store, against the raw
 *   one-event-per-transaction rate of the same database;
 * - time from start-up to serving over the large store (read models up to date: no replay), against
 *   the same on an empty store.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { EventStore } from '#event-store';
import { createLedgerProjections, ProjectionRunner, type ReadDb } from '#projections';
import { appendScenario, type DeepProduct, type ScenarioOptions, type ScenarioOrganisation, type ScenarioStats } from '#scenarios';
import { loadLedgerConfig } from '../apps/ledger-api/src/config/ledger.config.js';
import { openEventLog } from '../apps/ledger-api/src/ledger/event-log.js';
import { createLedgerApp } from '../apps/ledger-api/src/ledger-app.js';
import { openReadModels } from '../apps/ledger-api/src/ledger/read-models.js';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres-server.js';
import { emit, log, rawReadAndParse, tempDir } from './bench-support.js';
import { httpCommandThroughput, OPERATOR_KEY, rawPostgresSingleEventCommits, rawSqliteSingleEventCommits } from './command-throughput.js';
import type { QueryLatencies } from './query-latency.child.js';
import type { ChildRebuild } from './rebuild.child.js';
import type { ScenarioWorkerMessage } from './scale-scenario.worker.js';

const run = promisify(execFile);

/** Runs a compiled bench script (next to this one) in a process of its own and parses its last line of output as JSON. */
async function inChildProcess<T>(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<T> {
  const { stdout } = await run(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
}

export interface ScaleBenchOptions {
  readonly batches: number;
  readonly postgres: boolean;
  /** HTTP clients over the large store (and appends in flight while loading PostgreSQL). */
  readonly clients: number;
  /** Duration of each timed HTTP load and of its raw reference. */
  readonly seconds: number;
}

const SNAPSHOT_EVENTS = 100_000;
const TARGET_ANCESTORS = 1_000;
const QUERY_RUNS = 300;
/** Events per batch of the default mix, measured (353,176 events for 100,000 batches): turns `--scale-events` into batches. */
const EVENTS_PER_BATCH = 3.53;
/** Events asked of the generator at a time. */
const PART_EVENTS = 50_000;
/** Appends in flight while loading SQLite: the store's group commit writes up to 1,000 in one transaction. */
const SQLITE_LOAD_CONCURRENCY = 1_000;
/** Above this the live catch-up is left out: at ~1,700 events/s it alone would take over 1.5 h at 10M events. */
const LIVE_CATCH_UP_MAX_EVENTS = 1_100_000;

/** The batches `--scale N` or `--scale-events E` ask for, or undefined when neither is given. */
export function scaleBatchesOf(args: readonly string[]): number | undefined {
  const value = (flag: string): number | undefined => {
    const at = args.indexOf(flag);
    if (at < 0) return undefined;
    const n = Number(args[at + 1]);
    return Number.isInteger(n) && n > 0 ? n : Number.NaN;
  };
  const events = value('--scale-events');
  if (events !== undefined) {
    if (Number.isNaN(events)) throw new Error('--scale-events needs a positive whole number of events');
    return Math.max(1, Math.round(events / EVENTS_PER_BATCH));
  }
  const batches = value('--scale');
  if (batches === undefined) return undefined;
  return Number.isNaN(batches) ? 1_000_000 : batches;
}

export async function runScaleBench(options: ScaleBenchOptions): Promise<void> {
  await scaleTopology('embedded', options, undefined);
  if (options.postgres) {
    log('starting a throwaway PostgreSQL (fsync on)…');
    const server = await startTestPostgres();
    try {
      await scaleTopology('postgres', options, server);
    } finally {
      await server.stop();
    }
  }
}

interface LoadedLedger {
  readonly events: number;
  readonly seconds: number;
  /** Last position of the part that reached SNAPSHOT_EVENTS, and of the one that reached a tenth of the expected total. */
  readonly snapshotPosition: number;
  readonly snapshotEvents: number;
  readonly tenthPosition: number;
  readonly organisations: readonly ScenarioOrganisation[];
  readonly deepProduct: DeepProduct | undefined;
  readonly stats: ScenarioStats;
}

/**
 * Generates the ledger in a worker thread and appends it part by part: while one part is appended,
 * the worker makes the next. Parts end between commands, and each is cut so that one ends at the
 * first command boundary at or after each position the bench compares at (~100k events, a tenth).
 */
async function loadLedger(store: EventStore, scenario: ScenarioOptions, concurrency: number): Promise<LoadedLedger> {
  const worker = new Worker(new URL('./scale-scenario.worker.js', import.meta.url), { workerData: scenario });
  const replies: Array<{ resolve: (message: ScenarioWorkerMessage) => void; reject: (error: Error) => void }> = [];
  let failure: Error | undefined;
  worker.on('message', (message: ScenarioWorkerMessage) => replies.shift()?.resolve(message));
  worker.on('error', (error) => {
    failure = error;
    for (const reply of replies.splice(0)) reply.reject(error);
  });
  const ask = (minEvents: number): Promise<ScenarioWorkerMessage> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      replies.push({ resolve, reject });
      worker.postMessage(minEvents);
    });
  const expected = Math.round(scenario.batches * EVENTS_PER_BATCH);
  const cuts = [SNAPSHOT_EVENTS, Math.floor(expected / 10)];
  const positions = new Map<number, { position: number; events: number }>();
  const nextCut = (at: number): number => cuts.filter((cut) => cut > at).reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  try {
    let loaded = 0;
    let lastPosition = -1;
    let appendMs = 0;
    let logged = 0;
    let reply = await ask(Math.min(PART_EVENTS, nextCut(0)));
    while (reply.kind === 'part') {
      const part = reply;
      const after = loaded + part.events.length;
      // Ask for the next part before appending this one, so the worker generates while we append.
      const pending = ask(Math.max(1, Math.min(PART_EVENTS, nextCut(after) - after)));
      const start = performance.now();
      const result = await appendScenario(store, { events: part.events }, { concurrency });
      appendMs += performance.now() - start;
      lastPosition = result.lastPosition;
      for (const cut of cuts) if (loaded < cut && after >= cut) positions.set(cut, { position: lastPosition, events: after });
      loaded = after;
      if (loaded - logged >= Math.max(250_000, Math.round(expected / 20))) {
        logged = loaded;
        log(`… ${loaded} events appended (${Math.round(loaded / (appendMs / 1000))}/s while appending)`);
      }
      reply = await pending;
      if (reply.kind === 'end') {
        const snapshot = positions.get(SNAPSHOT_EVENTS) ?? { position: lastPosition, events: loaded };
        return {
          events: loaded,
          seconds: appendMs / 1000,
          snapshotPosition: snapshot.position,
          snapshotEvents: snapshot.events,
          tenthPosition: (positions.get(cuts[1]!) ?? snapshot).position,
          organisations: part.organisations,
          deepProduct: part.deepProduct,
          stats: reply.stats,
        };
      }
    }
    throw new Error('the generated ledger has no events');
  } finally {
    await worker.terminate();
  }
}

/** Lineage edges of a read store, to pick a product when the ledger is too small for the deep one. */
async function productWithAncestry(db: ReadDb): Promise<{ batchId: string; ancestors: number } | undefined> {
  const edges = await (db as unknown as Kysely<{ lineage_edge: { child_batch_id: string; parent_batch_id: string } }>)
    .selectFrom('lineage_edge')
    .select(['child_batch_id', 'parent_batch_id'])
    .execute();
  const parents = new Map<string, string[]>();
  for (const { child_batch_id: child, parent_batch_id: parent } of edges) {
    const list = parents.get(child);
    if (list) list.push(parent);
    else parents.set(child, [parent]);
  }
  const ancestorsOf = (id: string): number => {
    const seen = new Set<string>();
    const stack = [...(parents.get(id) ?? [])];
    while (stack.length > 0 && seen.size <= 5 * TARGET_ANCESTORS) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      for (const parent of parents.get(next) ?? []) stack.push(parent);
    }
    return seen.size;
  };
  // Batches that feed nothing further are the products; a sample keeps this quick on big ledgers.
  const fed = new Set(edges.map((e) => e.parent_batch_id));
  const candidates = [...parents.keys()].filter((id) => !fed.has(id)).slice(0, 5_000);
  let best: { batchId: string; ancestors: number } | undefined;
  for (const batchId of candidates) {
    const ancestors = ancestorsOf(batchId);
    if (!best || Math.abs(ancestors - TARGET_ANCESTORS) < Math.abs(best.ancestors - TARGET_ANCESTORS)) best = { batchId, ancestors };
  }
  return best;
}

/** Lineage and provenance latency for `batchId`, measured in a process of its own over the read models `env` names. */
async function queryLatencies(env: NodeJS.ProcessEnv, batchId: string): Promise<QueryLatencies> {
  return inChildProcess<QueryLatencies>('./query-latency.child.js', [batchId, String(QUERY_RUNS)], env);
}

/** Raw read in position order + JSON.parse, on PostgreSQL: pages of 10,000 by position. */
async function rawReadAndParsePostgres(connectionString: string): Promise<{ events: number; rate: number }> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    let n = 0;
    let after = -1;
    const start = performance.now();
    for (;;) {
      const { rows } = await client.query<{ position: string; data: string; metadata: string }>('SELECT position::text AS position, data, metadata FROM events WHERE position > $1 ORDER BY position LIMIT 10000', [after]);
      if (rows.length === 0) break;
      for (const row of rows) {
        JSON.parse(row.data);
        JSON.parse(row.metadata);
      }
      n += rows.length;
      after = Number(rows[rows.length - 1]!.position);
    }
    return { events: n, rate: n / ((performance.now() - start) / 1000) };
  } finally {
    await client.end();
  }
}

/** Milliseconds from creating the app to the first successful GET /health over HTTP. */
async function startupMs(env: NodeJS.ProcessEnv): Promise<number> {
  const start = performance.now();
  const { app } = await createLedgerApp(loadLedgerConfig({ LEDGER_OPERATOR_KEY: OPERATOR_KEY, LEDGER_RECOVERY_INTERVAL_MS: '0', ...env }), { logger: false });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    if (!response.ok) throw new Error(`/health answered ${response.status}`);
    return performance.now() - start;
  } finally {
    await app.close();
  }
}

async function scaleTopology(topology: 'embedded' | 'postgres', options: ScaleBenchOptions, server: TestPostgres | undefined): Promise<void> {
  const dir = tempDir(`scale-${topology}`);
  const env: NodeJS.ProcessEnv = { LEDGER_DATA_DIR: dir, LEDGER_SQLITE_SYNCHRONOUS: 'FULL' };
  if (topology === 'postgres') {
    if (!server) throw new Error('the postgres topology needs a server');
    Object.assign(env, { LEDGER_STORE: 'postgres', LEDGER_READ_MODELS: 'postgres', LEDGER_DATABASE_URL: await server.createDatabase() });
  }
  const config = loadLedgerConfig(env);
  const name = (figure: string): string => `scale-${topology}-${figure}`;
  // Read stores this run made besides the live one, removed at the end (SQLite files; PostgreSQL
  // databases go with the server).
  const scratch: string[] = [];
  const rebuiltReadModels = async (): Promise<NodeJS.ProcessEnv> => {
    if (topology === 'postgres' && server) return { LEDGER_READ_MODELS: 'postgres', LEDGER_READ_MODELS_URL: await server.createDatabase() };
    const rebuildDir = tempDir(`scale-${topology}-rebuild`);
    scratch.push(rebuildDir);
    return { LEDGER_READ_MODELS: 'sqlite', LEDGER_READ_MODELS_FILE: path.join(rebuildDir, 'read-models.sqlite') };
  };
  /** Rebuilds every read model from zero in a process of its own, into `readModels`, from the log up to `last` (all of it without). */
  const rebuildInChild = async (last: number | undefined, readModels: NodeJS.ProcessEnv): Promise<ChildRebuild> => {
    log(`${topology}: rebuilding every read model from zero in a process of its own, ${last === undefined ? 'the whole log' : `up to position ${last}`}…`);
    return inChildProcess<ChildRebuild>('./rebuild.child.js', last === undefined ? [] : [String(last)], { ...env, ...readModels });
  };

  try {
    // ---- load (setup, not a measured figure of the ledger) ----------------------------------
    const deep = options.batches >= 3 * TARGET_ANCESTORS;
    const scenario: ScenarioOptions = { seed: 42, batches: options.batches, ...(deep ? { deepProductAncestors: TARGET_ANCESTORS } : {}) };
    log(`${topology}: generating and appending a ledger of ${options.batches} batches (about ${Math.round(options.batches * EVENTS_PER_BATCH)} events)…`);
    const began = performance.now();
    const loadStore = await openEventLog(topology === 'embedded' && config.eventLog.kind === 'sqlite' ? { ...config.eventLog, synchronous: 'NORMAL' } : config.eventLog);
    let ledger: LoadedLedger;
    try {
      ledger = await loadLedger(loadStore, scenario, topology === 'embedded' ? SQLITE_LOAD_CONCURRENCY : options.clients);
    } finally {
      await loadStore.close();
    }
    const total = ledger.events;
    const loadRate = total / ((performance.now() - began) / 1000);
    log(`${topology}: ${total} events, ${ledger.stats.batches} batches in ${((performance.now() - began) / 1000).toFixed(0)} s (${ledger.seconds.toFixed(0)} s of it appending)`);
    emit({ name: name(`load-${total}-events`), value: loadRate, unit: 'events/s', reference: 'self', ratio: 1 });

    // ---- live catch-up, where it fits in a run ----------------------------------------------
    let liveReadModels: NodeJS.ProcessEnv = {};
    let caughtUp = false;
    if (total <= LIVE_CATCH_UP_MAX_EVENTS && !process.argv.includes('--scale-no-catch-up')) {
      const store = await openEventLog(config.eventLog);
      const db = openReadModels(config.readModels, 'projections');
      const runner = new ProjectionRunner({ store, db, projections: createLedgerProjections() });
      try {
        const start = performance.now();
        await runner.start();
        await runner.waitForPosition(await store.headPosition(), 3_600_000);
        const rate = total / ((performance.now() - start) / 1000);
        emit({ name: name(`catch-up-${total}-events`), value: rate, unit: 'events/s', reference: name(`load-${total}-events`), ratio: rate / loadRate });
        caughtUp = true;
        await runner.stop();
      } finally {
        await runner.close();
        await store.close();
        await db.destroy();
      }
    } else {
      log(`${topology}: live catch-up of ${total} events left out (above ${LIVE_CATCH_UP_MAX_EVENTS} events, or --scale-no-catch-up); the whole-log rebuild's read models serve the HTTP commands and the start-up`);
    }

    // ---- rebuilds, each in a process of its own; lineage and provenance over what they write --
    const small = await rebuiltReadModels();
    const snapshotRebuild = await rebuildInChild(ledger.snapshotPosition, small);
    const product = ledger.deepProduct ?? (await productNearTarget({ ...env, ...small }));
    const atSnapshot = product ? await queryLatencies({ ...env, ...small }, product.batchId) : undefined;
    dropScratch(scratch);

    // At 1M events a tenth is the ~100k snapshot itself: that rebuild already measured it.
    const tenth = ledger.tenthPosition === ledger.snapshotPosition ? snapshotRebuild : await rebuildInChild(ledger.tenthPosition, await rebuiltReadModels());
    dropScratch(scratch);
    const wholeModels = await rebuiltReadModels();
    const whole = await rebuildInChild(undefined, wholeModels);
    if (!caughtUp) liveReadModels = wholeModels;
    const atTotal = product ? await queryLatencies({ ...env, ...wholeModels }, product.batchId) : undefined;
    // The read models must see the lineage the generator built; otherwise the figures would be of another graph.
    for (const answer of [atSnapshot, atTotal]) {
      if (product && answer && answer.ancestors !== product.ancestors) throw new Error(`the lineage of ${product.batchId} holds ${answer.ancestors} batches in the read models, not ${product.ancestors}`);
    }

    const raw = config.eventLog.kind === 'sqlite' ? rawReadAndParse(config.eventLog.filename) : await rawReadAndParsePostgres(config.eventLog.kind === 'postgres' ? config.eventLog.connectionString : '');
    emit({ name: name('raw-read-and-parse'), value: raw.rate, unit: 'events/s', reference: 'self', ratio: 1 });
    emit({ name: name(`rebuild-${whole.events}-events`), value: whole.events / whole.seconds, unit: 'events/s', reference: name('raw-read-and-parse'), ratio: whole.events / whole.seconds / raw.rate });
    emit({ name: name(`rebuild-seconds-${whole.events}-events`), value: whole.seconds, unit: 's', reference: 'self', ratio: 1 });
    const tenthName = name(`rebuild-peak-rss-at-${tenth.events}-events`);
    emit({ name: tenthName, value: tenth.peakRssMiB, unit: 'MiB', reference: 'self', ratio: 1 });
    emit({ name: name(`rebuild-peak-rss-at-${whole.events}-events`), value: whole.peakRssMiB, unit: 'MiB', reference: tenthName, ratio: whole.peakRssMiB / tenth.peakRssMiB });

    if (product && atSnapshot && atTotal) {
      const detail = `${product.ancestors}-ancestors`;
      const at = ledger.snapshotEvents;
      emit({ name: name(`lineage-p50-${detail}-at-${at}-events`), value: atSnapshot.lineage.p50, unit: 'ms', reference: 'self', ratio: 1 });
      emit({ name: name(`lineage-p95-${detail}-at-${at}-events`), value: atSnapshot.lineage.p95, unit: 'ms', reference: 'self', ratio: 1 });
      emit({ name: name(`lineage-p50-${detail}-at-${total}-events`), value: atTotal.lineage.p50, unit: 'ms', reference: name(`lineage-p50-${detail}-at-${at}-events`), ratio: atTotal.lineage.p50 / atSnapshot.lineage.p50 });
      emit({ name: name(`lineage-p95-${detail}-at-${total}-events`), value: atTotal.lineage.p95, unit: 'ms', reference: name(`lineage-p95-${detail}-at-${at}-events`), ratio: atTotal.lineage.p95 / atSnapshot.lineage.p95 });
      emit({ name: name(`provenance-p50-${detail}-at-${at}-events`), value: atSnapshot.provenance.p50, unit: 'ms', reference: 'self', ratio: 1 });
      emit({ name: name(`provenance-p95-${detail}-at-${at}-events`), value: atSnapshot.provenance.p95, unit: 'ms', reference: 'self', ratio: 1 });
      emit({ name: name(`provenance-p50-${detail}-at-${total}-events`), value: atTotal.provenance.p50, unit: 'ms', reference: name(`provenance-p50-${detail}-at-${at}-events`), ratio: atTotal.provenance.p50 / atSnapshot.provenance.p50 });
      emit({ name: name(`provenance-p95-${detail}-at-${total}-events`), value: atTotal.provenance.p95, unit: 'ms', reference: name(`provenance-p95-${detail}-at-${at}-events`), ratio: atTotal.provenance.p95 / atSnapshot.provenance.p95 });
    } else {
      log(`${topology}: no lineage in the first ${ledger.snapshotEvents} events; lineage figures left out`);
    }

    // Single commands over HTTP against the large store, and the raw one-event-per-transaction rate of
    // the same database measured just before: what the ledger sustains once it holds the ledger.
    const serving: NodeJS.ProcessEnv = { ...env, ...liveReadModels };
    const rawCommit = server ? await rawPostgresSingleEventCommits(await server.createDatabase(), options.seconds) : rawSqliteSingleEventCommits(options.seconds);
    const rawName = name(server ? 'raw-postgres-append-1-per-tx' : 'raw-sqlite-append-1-per-tx-full');
    emit({ name: rawName, value: rawCommit, unit: 'events/s', reference: 'self', ratio: 1 });
    log(`${topology}: HTTP commands from ${options.clients} clients over the ${total}-event store for ${options.seconds}s…`);
    const operator = ledger.organisations.find((o) => o.kind === 'operator');
    if (!operator) throw new Error('the generated ledger has no operator');
    const http = await httpCommandThroughput({ seconds: options.seconds, clients: options.clients, env: serving, operatorKey: operator.apiKey });
    emit({ name: name(`http-durable-commands-${options.clients}-clients-at-${total}-events`), value: http, unit: 'commands/s', reference: rawName, ratio: http / rawCommit });

    const large = await startupMs(serving);
    const emptyDir = tempDir(`scale-${topology}-empty`);
    scratch.push(emptyDir);
    const emptyEnv: NodeJS.ProcessEnv = { ...env, LEDGER_DATA_DIR: emptyDir, ...(server ? { LEDGER_DATABASE_URL: await server.createDatabase() } : {}) };
    const empty = await startupMs(emptyEnv);
    emit({ name: name('startup-to-serving-empty-store'), value: empty, unit: 'ms', reference: 'self', ratio: 1 });
    emit({ name: name(`startup-to-serving-${total}-events`), value: large, unit: 'ms', reference: name('startup-to-serving-empty-store'), ratio: large / empty });
  } finally {
    dropScratch(scratch);
    rmSync(dir, { recursive: true, force: true });
  }
}

function dropScratch(dirs: string[]): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Without the deep product (a ledger under 3,000 batches): the product nearest TARGET_ANCESTORS in the read models `env` names. */
async function productNearTarget(env: NodeJS.ProcessEnv): Promise<{ batchId: string; ancestors: number } | undefined> {
  const db = openReadModels(loadLedgerConfig(env).readModels, 'queries');
  try {
    return await productWithAncestry(db);
  } finally {
    await db.destroy();
  }
}
