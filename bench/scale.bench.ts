/**
 * `npm run bench -- --scale N`: a realistic ledger of N batches (default 1,000,000; the generator
 * writes about 3.5 events per batch), for the embedded and the postgres topologies:
 * - raw appends per second (the store's own group commit, 32 appends in flight);
 * - single commands over HTTP from 32 clients against the large store, against the raw
 *   one-event-per-transaction rate of the same database;
 * - lineage and provenance p50/p95 for the product with the ancestry nearest 1,000 batches, first
 *   at ~100k events, then for the same product once all N batches are in;
 * - full rebuild in events/s against raw read + parse, and the rebuild's peak RSS, each rebuild in a
 *   process of its own: for the whole log, against the log at a tenth of its length (1M of 10M events
 *   at the default N);
 * - time from start-up to serving over the large store (read models up to date: no replay), against
 *   the same on an empty store.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { commandEventId } from '#domain';
import type { EventStore } from '#event-store';
import { createLedgerProjections, ProjectionRunner, type ReadDb } from '#projections';
import { appendScenario, generateScenario, type Scenario, type ScenarioEvent } from '#scenarios';
import { loadLedgerConfig } from '../apps/ledger-api/src/config/ledger.config.js';
import { openEventLog } from '../apps/ledger-api/src/ledger/event-log.js';
import { createLedgerApp } from '../apps/ledger-api/src/ledger-app.js';
import { openReadModels } from '../apps/ledger-api/src/ledger/read-models.js';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres-server.js';
import { emit, log, rawReadAndParse, tempDir } from './bench-support.js';
import { httpCommandThroughput, OPERATOR_KEY, rawPostgresSingleEventCommits, rawSqliteSingleEventCommits } from './command-throughput.js';
import type { QueryLatencies } from './query-latency.child.js';
import type { ChildRebuild } from './rebuild.child.js';

const run = promisify(execFile);

/** Runs a compiled bench script (next to this one) in a process of its own and parses its last line of output as JSON. */
async function inChildProcess<T>(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<T> {
  const { stdout } = await run(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
}

export interface ScaleBenchOptions {
  readonly batches: number;
  readonly postgres: boolean;
  /** Appends in flight while loading the ledger, and HTTP clients over it. */
  readonly clients: number;
  /** Duration of each timed HTTP load and of its raw reference. */
  readonly seconds: number;
}

const SNAPSHOT_EVENTS = 100_000;
const TARGET_ANCESTORS = 1_000;
const QUERY_RUNS = 300;

export async function runScaleBench(options: ScaleBenchOptions): Promise<void> {
  log(`generating a ledger of ${options.batches} batches…`);
  const began = performance.now();
  const scenario = generateScenario({ seed: 42, batches: options.batches });
  log(`… ${scenario.events.length} events in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  await scaleTopology('embedded', scenario, options, undefined);
  if (options.postgres) {
    log('starting a throwaway PostgreSQL (fsync on)…');
    const server = await startTestPostgres();
    try {
      await scaleTopology('postgres', scenario, options, server);
    } finally {
      await server.stop();
    }
  }
}

/** The first index at or after `at` where a new append call begins (a multi-event append is never split). */
function splitPoint(events: readonly ScenarioEvent[], at: number): number {
  let i = Math.min(at, events.length);
  while (i > 0 && i < events.length) {
    const { streamId, event } = events[i]!;
    const previous = events[i - 1]!;
    const continues = previous.streamId === streamId && event.metadata.commandId === previous.event.metadata.commandId && event.eventId !== commandEventId(event.metadata.commandId, 0);
    if (!continues) break;
    i += 1;
  }
  return i;
}

async function waitUntilProjected(runner: ProjectionRunner, store: EventStore): Promise<void> {
  await runner.waitForPosition(await store.headPosition(), 3_600_000);
}

/** The batch whose upstream lineage is nearest TARGET_ANCESTORS, from the lineage table. */
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

async function scaleTopology(topology: 'embedded' | 'postgres', scenario: Scenario, options: ScaleBenchOptions, server: TestPostgres | undefined): Promise<void> {
  const dir = tempDir(`scale-${topology}`);
  const env: NodeJS.ProcessEnv = { LEDGER_DATA_DIR: dir, LEDGER_SQLITE_SYNCHRONOUS: 'FULL' };
  if (topology === 'postgres') {
    if (!server) throw new Error('the postgres topology needs a server');
    Object.assign(env, { LEDGER_STORE: 'postgres', LEDGER_READ_MODELS: 'postgres', LEDGER_DATABASE_URL: await server.createDatabase() });
  }
  const config = loadLedgerConfig(env);
  const store = await openEventLog(config.eventLog);
  const db = openReadModels(config.readModels, 'projections');
  const runner = new ProjectionRunner({ store, db, projections: createLedgerProjections() });
  const name = (figure: string): string => `scale-${topology}-${figure}`;
  try {
    // Appends are timed with no projection running, then the read models catch up (timed apart).
    const split = splitPoint(scenario.events, SNAPSHOT_EVENTS);
    let appendSeconds = 0;
    const load = async (events: readonly ScenarioEvent[]): Promise<void> => {
      const start = performance.now();
      await appendScenario(store, { events: [...events] }, { concurrency: options.clients });
      appendSeconds += (performance.now() - start) / 1000;
    };

    // The log is loaded in parts: the lineage figures need the read models at ~100k events, and the
    // rebuild's peak RSS is compared between the log at a tenth of its length and the whole log.
    const total = scenario.events.length;
    const rssCut = splitPoint(scenario.events, Math.floor(total / 10));
    const cuts = [...new Set([split, rssCut, total])].sort((a, b) => a - b);
    const lastPositionAt = new Map<number, number>();
    let product: { batchId: string; ancestors: number } | undefined;
    let small: QueryLatencies | undefined;
    let loaded = 0;
    for (const cut of cuts) {
      log(`${topology}: appending events ${loaded} to ${cut}…`);
      await load(scenario.events.slice(loaded, cut));
      loaded = cut;
      lastPositionAt.set(cut, await store.headPosition());
      if (cut === split) {
        await runner.start();
        await waitUntilProjected(runner, store);
        await runner.stop();
        product = await productWithAncestry(db);
        small = product ? await queryLatencies(env, product.batchId) : undefined;
      }
    }
    emit({ name: name(`appends-${total}-events`), value: total / appendSeconds, unit: 'events/s', reference: 'self', ratio: 1 });
    const catchUpStart = performance.now();
    await runner.start();
    await waitUntilProjected(runner, store);
    const catchUpRate = (total - split) / ((performance.now() - catchUpStart) / 1000);
    emit({ name: name(`catch-up-${total - split}-events`), value: catchUpRate, unit: 'events/s', reference: name(`appends-${total}-events`), ratio: catchUpRate / (total / appendSeconds) });

    // Nothing else of the bench runs while the latencies and the rebuilds are measured.
    await runner.stop();
    if (product && small) {
      const large = await queryLatencies(env, product.batchId);
      const detail = `${product.ancestors}-ancestors`;
      emit({ name: name(`lineage-p50-${detail}-at-${split}-events`), value: small.lineage.p50, unit: 'ms', reference: 'self', ratio: 1 });
      emit({ name: name(`lineage-p95-${detail}-at-${split}-events`), value: small.lineage.p95, unit: 'ms', reference: 'self', ratio: 1 });
      emit({ name: name(`lineage-p50-${detail}-at-${total}-events`), value: large.lineage.p50, unit: 'ms', reference: name(`lineage-p50-${detail}-at-${split}-events`), ratio: large.lineage.p50 / small.lineage.p50 });
      emit({ name: name(`lineage-p95-${detail}-at-${total}-events`), value: large.lineage.p95, unit: 'ms', reference: name(`lineage-p95-${detail}-at-${split}-events`), ratio: large.lineage.p95 / small.lineage.p95 });
      emit({ name: name(`provenance-p50-at-${split}-events`), value: small.provenance.p50, unit: 'ms', reference: 'self', ratio: 1 });
      emit({ name: name(`provenance-p95-at-${split}-events`), value: small.provenance.p95, unit: 'ms', reference: 'self', ratio: 1 });
      emit({ name: name(`provenance-p50-at-${total}-events`), value: large.provenance.p50, unit: 'ms', reference: name(`provenance-p50-at-${split}-events`), ratio: large.provenance.p50 / small.provenance.p50 });
      emit({ name: name(`provenance-p95-at-${total}-events`), value: large.provenance.p95, unit: 'ms', reference: name(`provenance-p95-at-${split}-events`), ratio: large.provenance.p95 / small.provenance.p95 });
    } else {
      log(`${topology}: no lineage in the first ${split} events; lineage figures left out`);
    }

    // Each rebuild runs in a process of its own, into a read store of its own (the live one is kept).
    const rebuildInChild = async (last: number | undefined): Promise<ChildRebuild> => {
      const readModels: NodeJS.ProcessEnv =
        topology === 'postgres' && server
          ? { LEDGER_READ_MODELS: 'postgres', LEDGER_READ_MODELS_URL: await server.createDatabase() }
          : { LEDGER_READ_MODELS: 'sqlite', LEDGER_READ_MODELS_FILE: path.join(tempDir(`scale-${topology}-rebuild`), 'read-models.sqlite') };
      log(`${topology}: rebuilding every read model from zero in a process of its own, ${last === undefined ? 'the whole log' : `up to position ${last}`}…`);
      try {
        return await inChildProcess<ChildRebuild>('./rebuild.child.js', last === undefined ? [] : [String(last)], { ...env, ...readModels });
      } finally {
        if (readModels.LEDGER_READ_MODELS_FILE) rmSync(path.dirname(readModels.LEDGER_READ_MODELS_FILE), { recursive: true, force: true });
      }
    };
    const tenth = await rebuildInChild(lastPositionAt.get(rssCut));
    const whole = await rebuildInChild(undefined);
    const raw = config.eventLog.kind === 'sqlite' ? rawReadAndParse(config.eventLog.filename) : await rawReadAndParsePostgres(config.eventLog.kind === 'postgres' ? config.eventLog.connectionString : '');
    emit({ name: name('raw-read-and-parse'), value: raw.rate, unit: 'events/s', reference: 'self', ratio: 1 });
    emit({ name: name(`rebuild-${whole.events}-events`), value: whole.events / whole.seconds, unit: 'events/s', reference: name('raw-read-and-parse'), ratio: whole.events / whole.seconds / raw.rate });
    const tenthName = name(`rebuild-peak-rss-at-${tenth.events}-events`);
    emit({ name: tenthName, value: tenth.peakRssMiB, unit: 'MiB', reference: 'self', ratio: 1 });
    emit({ name: name(`rebuild-peak-rss-at-${whole.events}-events`), value: whole.peakRssMiB, unit: 'MiB', reference: tenthName, ratio: whole.peakRssMiB / tenth.peakRssMiB });
  } finally {
    await runner.close();
    await store.close();
    await db.destroy();
  }

  // Single commands over HTTP against the large store, and the raw one-event-per-transaction rate of
  // the same database measured just before: what the ledger sustains once it holds N batches.
  const rawCommit = server ? await rawPostgresSingleEventCommits(await server.createDatabase(), options.seconds) : rawSqliteSingleEventCommits(options.seconds);
  const rawName = name(server ? 'raw-postgres-append-1-per-tx' : 'raw-sqlite-append-1-per-tx-full');
  emit({ name: rawName, value: rawCommit, unit: 'events/s', reference: 'self', ratio: 1 });
  log(`${topology}: HTTP commands from ${options.clients} clients over the ${scenario.events.length}-event store for ${options.seconds}s…`);
  const operator = scenario.organisations.find((o) => o.kind === 'operator');
  if (!operator) throw new Error('the generated ledger has no operator');
  const http = await httpCommandThroughput({ seconds: options.seconds, clients: options.clients, env, operatorKey: operator.apiKey });
  emit({ name: name(`http-durable-commands-${options.clients}-clients-at-${scenario.events.length}-events`), value: http, unit: 'commands/s', reference: rawName, ratio: http / rawCommit });

  const large = await startupMs(env);
  const emptyDir = tempDir(`scale-${topology}-empty`);
  const emptyEnv: NodeJS.ProcessEnv = { ...env, LEDGER_DATA_DIR: emptyDir, ...(server ? { LEDGER_DATABASE_URL: await server.createDatabase() } : {}) };
  const empty = await startupMs(emptyEnv);
  emit({ name: name('startup-to-serving-empty-store'), value: empty, unit: 'ms', reference: 'self', ratio: 1 });
  emit({ name: name(`startup-to-serving-${scenario.events.length}-events`), value: large, unit: 'ms', reference: name('startup-to-serving-empty-store'), ratio: large / empty });
  rmSync(dir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
}
