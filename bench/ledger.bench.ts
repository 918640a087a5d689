/**
 * `npm run bench`: prints one JSON line per figure, {"name","value","unit","reference","ratio"}.
 * Every ratio divides by a reference measured in the same run, on the same machine, because these
 * machines are shared and noisy: a bare absolute figure would mean little.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { PostgresEventStore, SqliteEventStore } from '#event-store';
import { createLedgerProjections, ProjectionRunner } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { appendScenario, generateScenario } from '#scenarios';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres-server.js';
import { emit, log, median, rawReadAndParse, sampleEvent, tempDir } from './bench-support.js';
import { postgresHashingBench, sqliteHashingBench, verifyBench } from './audit.bench.js';
import { emmettPeerAppends } from './emmett-peer.js';
import { httpCommandThroughput, rawPostgresSingleEventCommits, rawSqliteSingleEventCommits } from './command-throughput.js';
import { bareNodeHttpHealth, commandsInRounds, healthInRounds, type CommandRounds } from './http-floors.js';
import { runScaleBench, scaleBatchesOf } from './scale.bench.js';
import { benchCollectionImport } from './collection-import.bench.js';
import { benchEpcisCapture } from './epcis.bench.js';
import { benchWebLineageGraph } from './web-lineage-graph.bench.js';
import { benchWebPages } from './web-pages.bench.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = option('seconds', 4);
const CLIENTS = option('clients', 32);
/**
 * Alternating rounds of the per-request figures, whose medians are compared: GET /health of bare
 * Fastify, bare Nest and the ledger; single commands to the bare POST, the durable floor and the ledger.
 */
const ROUNDS = option('rounds', 3);
const REBUILD_BATCHES = option('rebuild-batches', 20_000);
const BULK = option('bulk', 50);
/** `--no-postgres` skips the PostgreSQL figures (they start a throwaway server, as the tests do). */
const POSTGRES = !args.includes('--no-postgres');
/** Events in the store that `verify` checks; 0 leaves that figure out. */
const VERIFY_EVENTS = option('verify-events', 1_000_000);

/** The adapter itself: `writers` concurrent single-event appends to fresh streams, group-committed. */
async function postgresAdapterAppends(connectionString: string, seconds: number, writers: number): Promise<number> {
  const store = await PostgresEventStore.open({ connectionString });
  try {
    let n = 0;
    const start = performance.now();
    const deadline = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; performance.now() < deadline; i++) {
          const { data, metadata } = sampleEvent(i);
          await store.append(`batch-${w}-${i}`, [{ eventId: `e-${w}-${i}`, type: 'BatchCollected', schemaVersion: 1, data: JSON.parse(data) as unknown, metadata: { ...(JSON.parse(metadata) as { actorOrgId: string; commandId: string }), correlationId: 'bench', causationId: 'bench' } }], 'no-stream');
          n += 1;
        }
      }),
    );
    return n / ((performance.now() - start) / 1000);
  } finally {
    await store.close();
  }
}

/**
 * The least any rebuild into these read models must do besides reading: write their final rows.
 * Copies every row of the rebuilt read-model file into an empty file with the same tables (no
 * secondary indexes), with one prepared INSERT per table, in one transaction. A rebuild cannot be
 * faster than this plus reading the log, whatever its fold costs.
 */
function readModelRowWriteFloor(readModelsFile: string): { rows: number; seconds: number } {
  const source = new Database(readModelsFile, { readonly: true });
  const tables = source
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'projection_%' ORDER BY name`)
    .all() as { name: string; sql: string }[];
  const contents = tables.map((t) => ({ ...t, rows: source.prepare(`SELECT * FROM "${t.name}"`).raw(true).all() as unknown[][] }));
  source.close();
  const dir = tempDir('floor');
  const target = new Database(path.join(dir, 'floor.sqlite'));
  target.pragma('journal_mode = WAL');
  target.pragma('synchronous = NORMAL');
  target.pragma('cache_size = -65536');
  for (const table of contents) target.exec(table.sql);
  let rows = 0;
  const start = performance.now();
  target.transaction(() => {
    for (const table of contents) {
      if (table.rows.length === 0) continue;
      const insert = target.prepare(`INSERT INTO "${table.name}" VALUES (${table.rows[0]!.map(() => '?').join(', ')})`);
      for (const row of table.rows) insert.run(row);
      rows += table.rows.length;
    }
  })();
  const seconds = (performance.now() - start) / 1000;
  target.close();
  rmSync(dir, { recursive: true, force: true });
  return { rows, seconds };
}

async function rebuildThroughput(batches: number): Promise<{ events: number; rebuildRate: number; rawRate: number; floor: { rows: number; seconds: number } }> {
  const dir = tempDir('rebuild');
  const filename = path.join(dir, 'events.sqlite');
  const store = await SqliteEventStore.open({ filename, synchronous: 'NORMAL' });
  log(`generating a scenario of ${batches} batches…`);
  await appendScenario(store, generateScenario({ seed: 42, batches }));
  const readModelsFile = path.join(dir, 'read-models.sqlite');
  const db = openSqliteReadDb({ filename: readModelsFile });
  const runner = new ProjectionRunner({ store, db, projections: createLedgerProjections() });
  const raw = rawReadAndParse(filename);
  const start = performance.now();
  const result = await runner.rebuild();
  const rebuildRate = raw.events / ((performance.now() - start) / 1000);
  log(`rebuilt ${raw.events} events (${JSON.stringify(result)})`);
  // A second raw pass after the rebuild, so neither side alone enjoys a warm page cache.
  const rawAgain = rawReadAndParse(filename);
  await runner.stop();
  const floor = readModelRowWriteFloor(readModelsFile);
  await store.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
  return { events: raw.events, rebuildRate, rawRate: Math.max(raw.rate, rawAgain.rate), floor };
}

/**
 * What the guards that make several instances one ledger cost a single durable command: the event
 * log and the read models in one PostgreSQL, every request with a fresh `Idempotency-Key` (as a
 * careful client sends). Each guard is compared with the same run without it: the single projection
 * writer (lease renewed in every commit) against the bench-only switch that turns it off, and the
 * shared idempotency records against the same requests without a key, which skip them.
 */
async function manyInstanceGuardsBench(postgres: TestPostgres): Promise<void> {
  const topology = async (): Promise<NodeJS.ProcessEnv> => ({ LEDGER_STORE: 'postgres', LEDGER_READ_MODELS: 'postgres', LEDGER_DATABASE_URL: await postgres.createDatabase() });
  log(`HTTP commands, PostgreSQL log and read models, with and without the multi-instance guards, ${SECONDS}s each…`);
  const guarded = await httpCommandThroughput({ seconds: SECONDS, clients: CLIENTS, idempotencyKeys: true, env: await topology() });
  const noWriterGuard = await httpCommandThroughput({ seconds: SECONDS, clients: CLIENTS, idempotencyKeys: true, env: { ...(await topology()), LEDGER_BENCH_PROJECTION_WRITER_GUARD: 'off' } });
  const noIdempotencyKeys = await httpCommandThroughput({ seconds: SECONDS, clients: CLIENTS, idempotencyKeys: false, env: await topology() });
  const name = `http-durable-commands-postgres-read-models-idempotency-keys-${CLIENTS}-clients`;
  emit({ name, value: guarded, unit: 'commands/s', reference: `${name}-without-writer-guard`, ratio: guarded / noWriterGuard });
  emit({ name: `${name}-without-writer-guard`, value: noWriterGuard, unit: 'commands/s', reference: 'self', ratio: 1 });
  emit({ name: `http-durable-commands-postgres-read-models-${CLIENTS}-clients-no-idempotency-key`, value: noIdempotencyKeys, unit: 'commands/s', reference: 'self', ratio: 1 });
  emit({ name: `shared-idempotency-records-cost`, value: guarded, unit: 'commands/s', reference: `http-durable-commands-postgres-read-models-${CLIENTS}-clients-no-idempotency-key`, ratio: guarded / noIdempotencyKeys });
}

/**
 * What one request costs the ledger beyond the HTTP stack it runs on: its GET /health and a single
 * durable command, each divided by a bare Fastify with the same route shape, all from the same load
 * generator in this run (decision 048). With a PostgreSQL server, the same command with the event
 * log in PostgreSQL too.
 */
async function perRequestBench(rawCommit: number, postgres?: TestPostgres): Promise<{ postgresSingle?: number }> {
  log(`GET /health of bare Fastify, bare Nest and the ledger in ${ROUNDS} alternating rounds from ${CLIENTS} clients, ${SECONDS}s each…`);
  const rounds = await healthInRounds(SECONDS, CLIENTS, ROUNDS);
  log(`  requests/s by round: bare Fastify ${rounds.bareFastify.map(Math.round).join(', ')}; bare Nest ${rounds.bareNest.map(Math.round).join(', ')}; the ledger ${rounds.ledger.map(Math.round).join(', ')}`);
  // The median of each server's rounds.
  const bareHealth = median(rounds.bareFastify);
  const bareNest = median(rounds.bareNest);
  const health = median(rounds.ledger);
  log(`bare node:http from ${CLIENTS} clients for ${SECONDS}s…`);
  const bareNode = await bareNodeHttpHealth(SECONDS, CLIENTS);
  log(`single durable commands, SQLite: the bare POST, the durable-append floor and the ledger in ${ROUNDS} alternating rounds, ${SECONDS}s each…`);
  const sqlite = await commandsInRounds(SECONDS, CLIENTS, ROUNDS, { kind: 'sqlite' });
  logCommandRounds(sqlite);
  const bareCollection = median(sqlite.bareCollection);
  emit({ name: `bare-node-http-get-health-${CLIENTS}-clients`, value: bareNode, unit: 'requests/s', reference: 'self', ratio: 1 });
  emit({ name: `bare-fastify-get-health-${CLIENTS}-clients`, value: bareHealth, unit: 'requests/s', reference: `bare-node-http-get-health-${CLIENTS}-clients`, ratio: bareHealth / bareNode });
  emit({ name: `bare-fastify-post-collection-${CLIENTS}-clients`, value: bareCollection, unit: 'requests/s', reference: `bare-fastify-get-health-${CLIENTS}-clients`, ratio: bareCollection / bareHealth });
  emit({ name: `bare-nest-fastify-get-health-${CLIENTS}-clients`, value: bareNest, unit: 'requests/s', reference: `bare-fastify-get-health-${CLIENTS}-clients`, ratio: bareNest / bareHealth });
  emit({ name: `http-get-health-${CLIENTS}-clients`, value: health, unit: 'requests/s', reference: `bare-fastify-get-health-${CLIENTS}-clients`, ratio: health / bareHealth });
  emit({ name: `http-get-health-vs-bare-nest-${CLIENTS}-clients`, value: health, unit: 'requests/s', reference: `bare-nest-fastify-get-health-${CLIENTS}-clients`, ratio: health / bareNest });

  const http = median(sqlite.ledger);
  const durableFloor = median(sqlite.durableFloor);
  emit({ name: `http-durable-commands-${CLIENTS}-clients`, value: http, unit: 'commands/s', reference: 'raw-sqlite-append-1-per-tx-full', ratio: http / rawCommit });
  emit({ name: `http-durable-commands-vs-bare-fastify-${CLIENTS}-clients`, value: http, unit: 'commands/s', reference: `bare-fastify-post-collection-${CLIENTS}-clients`, ratio: http / bareCollection });
  // The floor of a durable command: the bare POST route appending through the same store adapter.
  emit({ name: `bare-fastify-durable-append-sqlite-${CLIENTS}-clients`, value: durableFloor, unit: 'commands/s', reference: `bare-fastify-post-collection-${CLIENTS}-clients`, ratio: durableFloor / bareCollection });
  emit({ name: `http-durable-commands-vs-durable-append-floor-${CLIENTS}-clients`, value: http, unit: 'commands/s', reference: `bare-fastify-durable-append-sqlite-${CLIENTS}-clients`, ratio: http / durableFloor });
  if (!postgres) return {};

  log(`single durable commands, PostgreSQL: the bare POST, the durable-append floor and the ledger in ${ROUNDS} alternating rounds, ${SECONDS}s each…`);
  const pg = await commandsInRounds(SECONDS, CLIENTS, ROUNDS, { kind: 'postgres', connectionString: await postgres.createDatabase() }, { LEDGER_STORE: 'postgres', LEDGER_DATABASE_URL: await postgres.createDatabase() });
  logCommandRounds(pg);
  // The bare POST of these rounds, measured next to the PostgreSQL figures it divides.
  const pgBareCollection = median(pg.bareCollection);
  const postgresSingle = median(pg.ledger);
  const postgresFloor = median(pg.durableFloor);
  emit({ name: `bare-fastify-post-collection-postgres-rounds-${CLIENTS}-clients`, value: pgBareCollection, unit: 'requests/s', reference: `bare-fastify-post-collection-${CLIENTS}-clients`, ratio: pgBareCollection / bareCollection });
  emit({ name: `http-durable-commands-postgres-vs-bare-fastify-${CLIENTS}-clients`, value: postgresSingle, unit: 'commands/s', reference: `bare-fastify-post-collection-postgres-rounds-${CLIENTS}-clients`, ratio: postgresSingle / pgBareCollection });
  emit({ name: `bare-fastify-durable-append-postgres-${CLIENTS}-clients`, value: postgresFloor, unit: 'commands/s', reference: `bare-fastify-post-collection-postgres-rounds-${CLIENTS}-clients`, ratio: postgresFloor / pgBareCollection });
  emit({ name: `http-durable-commands-postgres-vs-durable-append-floor-${CLIENTS}-clients`, value: postgresSingle, unit: 'commands/s', reference: `bare-fastify-durable-append-postgres-${CLIENTS}-clients`, ratio: postgresSingle / postgresFloor });
  return { postgresSingle };
}

function logCommandRounds(rounds: CommandRounds): void {
  const list = (rates: readonly number[]): string => rates.map(Math.round).join(', ');
  log(`  per second by round: bare POST ${list(rounds.bareCollection)}; durable-append floor ${list(rounds.durableFloor)}; the ledger ${list(rounds.ledger)}`);
}

/** The figures of the core issue, and the PostgreSQL ones of the production-stores issue. */
async function standardBench(): Promise<void> {
  log(`raw SQLite single-event commits (synchronous=FULL) for ${SECONDS}s…`);
  const rawCommit = rawSqliteSingleEventCommits(SECONDS);
  emit({ name: 'raw-sqlite-append-1-per-tx-full', value: rawCommit, unit: 'events/s', reference: 'self', ratio: 1 });

  // The PostgreSQL server starts first, so the per-request figures of both stores are measured next
  // to the same floors.
  if (POSTGRES) log('starting a throwaway PostgreSQL (fsync on)…');
  const postgres = POSTGRES ? await startTestPostgres() : undefined;
  try {
    await standardBenchWith(rawCommit, postgres);
  } finally {
    await postgres?.stop();
  }
}

async function standardBenchWith(rawCommit: number, postgres: TestPostgres | undefined): Promise<void> {
  const { postgresSingle } = await perRequestBench(rawCommit, postgres);

  log(`HTTP bulk commands (${BULK} per request) from ${CLIENTS} clients for ${SECONDS}s…`);
  const bulk = await httpCommandThroughput({ seconds: SECONDS, clients: CLIENTS, bulkSize: BULK });
  emit({ name: `http-durable-commands-bulk-${BULK}-${CLIENTS}-clients`, value: bulk, unit: 'commands/s', reference: 'raw-sqlite-append-1-per-tx-full', ratio: bulk / rawCommit });

  // The same load with the projections on the API thread (LEDGER_PROJECTIONS=in-process): what the worker thread buys.
  log(`HTTP bulk commands with in-process projections for ${SECONDS}s…`);
  const bulkInProcess = await httpCommandThroughput({ seconds: SECONDS, clients: CLIENTS, bulkSize: BULK, projections: 'in-process' });
  emit({ name: `http-durable-commands-bulk-${BULK}-${CLIENTS}-clients-in-process-projections`, value: bulkInProcess, unit: 'commands/s', reference: 'raw-sqlite-append-1-per-tx-full', ratio: bulkInProcess / rawCommit });

  await sqliteHashingBench({ seconds: SECONDS, writers: CLIENTS, batch: BULK });

  if (postgres) {
    log(`raw PostgreSQL single-event commits for ${SECONDS}s…`);
    const rawPg = await rawPostgresSingleEventCommits(await postgres.createDatabase(), SECONDS);
    emit({ name: 'raw-postgres-append-1-per-tx', value: rawPg, unit: 'events/s', reference: 'self', ratio: 1 });
    const appends = await postgresAdapterAppends(await postgres.createDatabase(), SECONDS, CLIENTS);
    emit({ name: `postgres-adapter-appends-${CLIENTS}-writers`, value: appends, unit: 'events/s', reference: 'raw-postgres-append-1-per-tx', ratio: appends / rawPg });
    // The peer: Emmett's PostgreSQL event store, same events, same writers, same server and fsync.
    log(`Emmett's PostgreSQL event store, ${CLIENTS} writers, for ${SECONDS}s…`);
    const emmett = await emmettPeerAppends(await postgres.createDatabase(), SECONDS, CLIENTS);
    emit({ name: `emmett-postgresql-appends-${CLIENTS}-writers`, value: emmett, unit: 'events/s', reference: 'raw-postgres-append-1-per-tx', ratio: emmett / rawPg });
    emit({ name: `postgres-adapter-appends-vs-emmett-${CLIENTS}-writers`, value: appends, unit: 'events/s', reference: `emmett-postgresql-appends-${CLIENTS}-writers`, ratio: appends / emmett });
    if (postgresSingle !== undefined) emit({ name: `http-durable-commands-postgres-${CLIENTS}-clients`, value: postgresSingle, unit: 'commands/s', reference: 'raw-postgres-append-1-per-tx', ratio: postgresSingle / rawPg });
    const pgBulk = await httpCommandThroughput({ seconds: SECONDS, clients: CLIENTS, bulkSize: BULK, env: { LEDGER_STORE: 'postgres', LEDGER_DATABASE_URL: await postgres.createDatabase() } });
    emit({ name: `http-durable-commands-bulk-${BULK}-postgres-${CLIENTS}-clients`, value: pgBulk, unit: 'commands/s', reference: 'raw-postgres-append-1-per-tx', ratio: pgBulk / rawPg });
    await postgresHashingBench(postgres, { seconds: SECONDS, writers: CLIENTS, batch: BULK });
    await manyInstanceGuardsBench(postgres);
  }

  await rebuildFigures();

  if (VERIFY_EVENTS > 0) await verifyBench(VERIFY_EVENTS);
}

/** The rebuild's figures: raw read + parse, the rebuild, the row-write floor and the ceiling they make. */
async function rebuildFigures(): Promise<void> {
  const rebuild = await rebuildThroughput(REBUILD_BATCHES);
  emit({ name: 'raw-read-and-parse', value: rebuild.rawRate, unit: 'events/s', reference: 'self', ratio: 1 });
  emit({ name: `projection-rebuild-${rebuild.events}-events`, value: rebuild.rebuildRate, unit: 'events/s', reference: 'raw-read-and-parse', ratio: rebuild.rebuildRate / rebuild.rawRate });
  // Writing the rebuilt rows alone, expressed in events/s of the log they came from: its ratio to raw
  // read+parse is the ceiling of the rebuild's own ratio with a fold that cost nothing.
  const floorRate = rebuild.events / rebuild.floor.seconds;
  emit({ name: `read-model-row-write-floor-${rebuild.floor.rows}-rows`, value: floorRate, unit: 'events/s', reference: 'raw-read-and-parse', ratio: floorRate / rebuild.rawRate });
  const ceilingRate = 1 / (1 / rebuild.rawRate + 1 / floorRate);
  emit({ name: 'rebuild-ceiling-read-then-write-rows', value: ceilingRate, unit: 'events/s', reference: 'raw-read-and-parse', ratio: ceilingRate / rebuild.rawRate });
  emit({ name: `projection-rebuild-vs-ceiling`, value: rebuild.rebuildRate, unit: 'events/s', reference: 'rebuild-ceiling-read-then-write-rows', ratio: rebuild.rebuildRate / ceilingRate });
}

/** The web application's budgets: pages on the demo year against the API's answers, and a 1,000-batch lineage graph. */
async function webBench(): Promise<void> {
  log('web pages on the demo year, in chromium…');
  for (const figure of await benchWebPages()) emit(figure);
  log('a 1,000-batch lineage graph laid out and drawn, in chromium…');
  for (const figure of await benchWebLineageGraph()) emit(figure);
}

const scaleBatches = scaleBatchesOf(args);
if (args.includes('--web-only')) {
  await webBench();
} else if (args.includes('--guards-only')) {
  // Only the multi-instance guards' figures, with a throwaway PostgreSQL of their own.
  const postgres = await startTestPostgres();
  try {
    await manyInstanceGuardsBench(postgres);
  } finally {
    await postgres.stop();
  }
} else if (scaleBatches !== undefined) {
  await runScaleBench({ batches: scaleBatches, postgres: POSTGRES, clients: CLIENTS, seconds: SECONDS });
} else if (args.includes('--per-request-only')) {
  // Only the per-request figures (the floors, GET /health, single durable commands on both stores).
  const rawCommit = rawSqliteSingleEventCommits(SECONDS);
  emit({ name: 'raw-sqlite-append-1-per-tx-full', value: rawCommit, unit: 'events/s', reference: 'self', ratio: 1 });
  const postgres = POSTGRES ? await startTestPostgres() : undefined;
  try {
    await perRequestBench(rawCommit, postgres);
  } finally {
    await postgres?.stop();
  }
} else if (args.includes('--rebuild-only')) {
  await rebuildFigures();
} else if (args.includes('--import-only')) {
  for (const figure of await benchCollectionImport({ rows: option('import-rows', 100_000) })) emit(figure);
} else if (args.includes('--epcis-only')) {
  for (const figure of await benchEpcisCapture({ events: option('epcis-events', 10_000) })) emit(figure);
} else {
  await standardBench();
  log('a 100,000-row CSV import against the same rows as bulk JSON…');
  for (const figure of await benchCollectionImport({ rows: option('import-rows', 100_000) })) emit(figure);
  log('an EPCIS capture of 10,000 events against the same collections as bulk JSON…');
  for (const figure of await benchEpcisCapture({ events: option('epcis-events', 10_000) })) emit(figure);
  await webBench();
}
