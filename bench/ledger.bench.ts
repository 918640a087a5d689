/**
 * `npm run bench`: prints one JSON line per figure, {"name","value","unit","reference","ratio"}.
 * Every ratio divides by a reference measured in the same run, on the same machine, because these
 * machines are shared and noisy: a bare absolute figure would mean little.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresEventStore, SqliteEventStore } from '#event-store';
import { createLedgerProjections, ProjectionRunner } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { appendScenario, generateScenario } from '#scenarios';
import { loadLedgerConfig } from '../apps/ledger-api/src/config/ledger.config.js';
import { createLedgerApp } from '../apps/ledger-api/src/ledger-app.js';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres-server.js';
import { emit, log, rawReadAndParse, sampleEvent, tempDir } from './bench-support.js';
import { postgresHashingBench, sqliteHashingBench, verifyBench } from './audit.bench.js';
import { emmettPeerAppends } from './emmett-peer.js';
import type { HttpLoadOptions } from './http-load.worker.js';
import { runScaleBench } from './scale.bench.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = option('seconds', 4);
const CLIENTS = option('clients', 32);
const REBUILD_BATCHES = option('rebuild-batches', 20_000);
const BULK = option('bulk', 50);
/** `--no-postgres` skips the PostgreSQL figures (they start a throwaway server, as the tests do). */
const POSTGRES = !args.includes('--no-postgres');
/** Events in the store that `verify` checks; 0 leaves that figure out. */
const VERIFY_EVENTS = option('verify-events', 1_000_000);

/** The physical anchor: better-sqlite3, one event per transaction, WAL, synchronous=FULL. */
function rawSqliteSingleEventCommits(seconds: number): number {
  const dir = tempDir('raw');
  const db = new Database(path.join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream_id, revision))');
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, 0, ?, ?, ?, ?, ?)');
  const commit = db.transaction((i: number) => {
    const { data, metadata } = sampleEvent(i);
    insert.run(`batch-${i}`, `e-${i}`, 'BatchCollected', data, metadata, new Date().toISOString());
  });
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) commit(n++);
  const rate = n / ((performance.now() - start) / 1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

const OPERATOR_KEY = 'tl_000000000000_bench-operator-key-with-plenty-of-entropy';

/** A ledger serving real HTTP on a loopback port, on a fresh data directory. */
type ProjectionsMode = 'worker' | 'in-process';

async function withLedgerServer<T>(name: string, use: (base: string) => Promise<T>, projections: ProjectionsMode = 'worker', env: NodeJS.ProcessEnv = {}): Promise<T> {
  const dir = tempDir(name);
  const config = loadLedgerConfig({ LEDGER_DATA_DIR: dir, LEDGER_OPERATOR_KEY: OPERATOR_KEY, LEDGER_RECOVERY_INTERVAL_MS: '0', LEDGER_PROJECTIONS: projections, ...env });
  const { app } = await createLedgerApp(config, { logger: false });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return await use(`http://127.0.0.1:${port}`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the load generator in its own thread and answers with its rate (per second of `commandsPerRequest`). */
async function runLoad(options: HttpLoadOptions): Promise<number> {
  const worker = new Worker(new URL('./http-load.worker.js', import.meta.url), { workerData: options });
  try {
    const { done, seconds } = await new Promise<{ done: number; seconds: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return done / seconds;
  } finally {
    await worker.terminate();
  }
}

/** Durable commands over real HTTP from concurrent keep-alive clients, each a BatchCollected. */
function httpCommandThroughput(seconds: number, clients: number, bulkSize = 1, projections: ProjectionsMode = 'worker', env: NodeJS.ProcessEnv = {}): Promise<number> {
  return withLedgerServer('http', async (base) => {
    const response = await fetch(`${base}/organisations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench collector', roles: ['collector'] }),
    });
    const collector = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`registering the collector: ${response.status} ${JSON.stringify(collector)}`);
    const key = String(collector.apiKey);
    // Issue 5 §1: the collector records Herning's collections only once Herning has authorised it.
    const herningResponse = await fetch(`${base}/organisations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Herning Kommune', roles: ['municipality'], kommuneCode: '0657' }),
    });
    const herning = (await herningResponse.json()) as Record<string, unknown>;
    if (!herningResponse.ok) throw new Error(`registering the municipality: ${herningResponse.status} ${JSON.stringify(herning)}`);
    const authorised = await fetch(`${base}/organisations/${String(herning.organisationId)}/collector-authorisations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${String(herning.apiKey)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ collectorOrgId: collector.organisationId }),
    });
    if (!authorised.ok) throw new Error(`authorising the collector: ${authorised.status} ${await authorised.text()}`);
    const body = { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 250_000 };
    return bulkSize === 1
      ? runLoad({ base, key, path: '/batches/collections', body, clients, seconds, commandsPerRequest: 1 })
      : runLoad({ base, key, path: '/batches/collections/bulk', body: { collections: Array.from({ length: bulkSize }, () => body) }, clients, seconds, commandsPerRequest: bulkSize });
  }, projections, env);
}

/** PostgreSQL's physical anchor: one ~290-byte event per transaction (autocommit INSERT), fsync on. */
async function rawPostgresSingleEventCommits(connectionString: string, seconds: number): Promise<number> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('CREATE TABLE raw_events (position bigserial PRIMARY KEY, stream_id text NOT NULL, revision int NOT NULL, event_id text NOT NULL UNIQUE, type text NOT NULL, data text NOT NULL, metadata text NOT NULL, recorded_at text NOT NULL, UNIQUE (stream_id, revision))');
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const { data, metadata } = sampleEvent(n);
      await client.query('INSERT INTO raw_events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES ($1, 0, $2, $3, $4, $5, $6)', [`batch-${n}`, `e-${n}`, 'BatchCollected', data, metadata, new Date().toISOString()]);
      n += 1;
    }
    return n / ((performance.now() - start) / 1000);
  } finally {
    await client.end();
  }
}

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

/** GET /health from the same client setup: what Nest + Fastify serve here when no command runs. */
function httpRequestCeiling(seconds: number, clients: number): Promise<number> {
  return withLedgerServer('ceiling', (base) => runLoad({ base, key: '', path: '/health', method: 'GET', body: null, clients, seconds, commandsPerRequest: 1 }));
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

/** The figures of the core issue, and the PostgreSQL ones of the production-stores issue. */
async function standardBench(): Promise<void> {
  log(`raw SQLite single-event commits (synchronous=FULL) for ${SECONDS}s…`);
  const rawCommit = rawSqliteSingleEventCommits(SECONDS);
  emit({ name: 'raw-sqlite-append-1-per-tx-full', value: rawCommit, unit: 'events/s', reference: 'self', ratio: 1 });

  log(`HTTP commands from ${CLIENTS} clients for ${SECONDS}s…`);
  const http = await httpCommandThroughput(SECONDS, CLIENTS);
  emit({ name: `http-durable-commands-${CLIENTS}-clients`, value: http, unit: 'commands/s', reference: 'raw-sqlite-append-1-per-tx-full', ratio: http / rawCommit });

  // The ceiling of the HTTP stack itself: a public GET that touches no store, from the same clients.
  const ceiling = await httpRequestCeiling(SECONDS, CLIENTS);
  emit({ name: `http-get-health-${CLIENTS}-clients`, value: ceiling, unit: 'requests/s', reference: 'raw-sqlite-append-1-per-tx-full', ratio: ceiling / rawCommit });

  log(`HTTP bulk commands (${BULK} per request) from ${CLIENTS} clients for ${SECONDS}s…`);
  const bulk = await httpCommandThroughput(SECONDS, CLIENTS, BULK);
  emit({ name: `http-durable-commands-bulk-${BULK}-${CLIENTS}-clients`, value: bulk, unit: 'commands/s', reference: 'raw-sqlite-append-1-per-tx-full', ratio: bulk / rawCommit });

  // The same load with the projections on the API thread (LEDGER_PROJECTIONS=in-process): what the worker thread buys.
  log(`HTTP bulk commands with in-process projections for ${SECONDS}s…`);
  const bulkInProcess = await httpCommandThroughput(SECONDS, CLIENTS, BULK, 'in-process');
  emit({ name: `http-durable-commands-bulk-${BULK}-${CLIENTS}-clients-in-process-projections`, value: bulkInProcess, unit: 'commands/s', reference: 'raw-sqlite-append-1-per-tx-full', ratio: bulkInProcess / rawCommit });

  await sqliteHashingBench({ seconds: SECONDS, writers: CLIENTS, batch: BULK });

  if (POSTGRES) {
    log('starting a throwaway PostgreSQL (fsync on)…');
    const postgres: TestPostgres = await startTestPostgres();
    try {
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
      log(`HTTP commands with the event log in PostgreSQL for ${SECONDS}s…`);
      const pgSingle = await httpCommandThroughput(SECONDS, CLIENTS, 1, 'worker', { LEDGER_STORE: 'postgres', LEDGER_DATABASE_URL: await postgres.createDatabase() });
      emit({ name: `http-durable-commands-postgres-${CLIENTS}-clients`, value: pgSingle, unit: 'commands/s', reference: 'raw-postgres-append-1-per-tx', ratio: pgSingle / rawPg });
      const pgBulk = await httpCommandThroughput(SECONDS, CLIENTS, BULK, 'worker', { LEDGER_STORE: 'postgres', LEDGER_DATABASE_URL: await postgres.createDatabase() });
      emit({ name: `http-durable-commands-bulk-${BULK}-postgres-${CLIENTS}-clients`, value: pgBulk, unit: 'commands/s', reference: 'raw-postgres-append-1-per-tx', ratio: pgBulk / rawPg });
      await postgresHashingBench(postgres, { seconds: SECONDS, writers: CLIENTS, batch: BULK });
    } finally {
      await postgres.stop();
    }
  }

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

  if (VERIFY_EVENTS > 0) await verifyBench(VERIFY_EVENTS);
}

const scale = args.indexOf('--scale');
if (scale >= 0) {
  const batches = Number(args[scale + 1]);
  await runScaleBench({ batches: Number.isInteger(batches) && batches > 0 ? batches : 1_000_000, postgres: POSTGRES, clients: CLIENTS });
} else {
  await standardBench();
}
