/**
 * Durable commands over real HTTP and the raw single-transaction rates they are compared with, shared
 * by the standard bench (fresh stores) and the scale bench (the same load over a large store).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadLedgerConfig } from '../apps/ledger-api/src/config/ledger.config.js';
import { createLedgerApp } from '../apps/ledger-api/src/ledger-app.js';
import { sampleEvent, tempDir } from './bench-support.js';
import type { HttpLoadOptions, HttpLoadResult } from './http-load.worker.js';

/** The physical anchor: better-sqlite3, one event per transaction, WAL, synchronous=FULL. */
export function rawSqliteSingleEventCommits(seconds: number): number {
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

export const OPERATOR_KEY = 'tl_000000000000_bench-operator-key-with-plenty-of-entropy';

export type ProjectionsMode = 'worker' | 'in-process';

/** A ledger serving real HTTP on a loopback port, on a fresh data directory unless `env` names one. */
export async function withLedgerServer<T>(name: string, use: (base: string) => Promise<T>, projections: ProjectionsMode = 'worker', env: NodeJS.ProcessEnv = {}): Promise<T> {
  const dir = env.LEDGER_DATA_DIR === undefined ? tempDir(name) : undefined;
  // One organisation drives the load at thousands of requests a second: far past the default
  // per-organisation budget (decision 028), which stays on, so its cost is in every figure.
  const config = loadLedgerConfig({ LEDGER_DATA_DIR: dir, LEDGER_OPERATOR_KEY: OPERATOR_KEY, LEDGER_RECOVERY_INTERVAL_MS: '0', LEDGER_PROJECTIONS: projections, LEDGER_RATE_LIMIT_PER_MINUTE: '100000000', LEDGER_QUERY_COST_PER_MINUTE: '1000000000', LEDGER_QUERY_COST_BURST: '1000000000', ...env });
  const { app } = await createLedgerApp(config, { logger: false });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return await use(`http://127.0.0.1:${port}`);
  } finally {
    await app.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the load generator in its own thread and answers with its rate (per second of `commandsPerRequest`). */
export async function runLoad(options: HttpLoadOptions): Promise<number> {
  const worker = new Worker(new URL('./http-load.worker.js', import.meta.url), { workerData: options });
  try {
    const { done, seconds } = await new Promise<HttpLoadResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return done / seconds;
  } finally {
    await worker.terminate();
  }
}

export interface CommandLoad {
  readonly seconds: number;
  readonly clients: number;
  /** Commands per request: 1, or a bulk request of this many. */
  readonly bulkSize?: number;
  readonly projections?: ProjectionsMode;
  /** The ledger's configuration over the bench's defaults (a fresh data directory, SQLite). */
  readonly env?: NodeJS.ProcessEnv;
  /** The operator's key, when the store already has an operator (a generated ledger's). */
  readonly operatorKey?: string;
  /** A fresh `Idempotency-Key` on every request. */
  readonly idempotencyKeys?: boolean;
}

/**
 * Registers a collector and the municipality that authorises it on a fresh ledger at `base`, as the
 * operator: answers the collector's API key, which records collections in Herning.
 */
export async function registerBenchCollector(base: string, operatorKey: string): Promise<string> {
  const response = await fetch(`${base}/organisations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench collector', roles: ['collector'] }),
  });
  const collector = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`registering the collector: ${response.status} ${JSON.stringify(collector)}`);
  // the collector records Herning's collections only once Herning has authorised it.
  const herningResponse = await fetch(`${base}/organisations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
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
  return String(collector.apiKey);
}

/** The collection every single-command figure records: Herning's, 250 kg from a bring bank. */
export const COLLECTION_BODY = { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 250_000 } as const;

/** Durable commands over real HTTP from concurrent keep-alive clients, each a BatchCollected. */
export function httpCommandThroughput({ seconds, clients, bulkSize = 1, projections = 'worker', env = {}, operatorKey = OPERATOR_KEY, idempotencyKeys = false }: CommandLoad): Promise<number> {
  return withLedgerServer('http', async (base) => {
    const key = await registerBenchCollector(base, operatorKey);
    const body = COLLECTION_BODY;
    return bulkSize === 1
      ? runLoad({ base, key, path: '/batches/collections', body, clients, seconds, commandsPerRequest: 1, idempotencyKeys })
      : runLoad({ base, key, path: '/batches/collections/bulk', body: { collections: Array.from({ length: bulkSize }, () => body) }, clients, seconds, commandsPerRequest: bulkSize, idempotencyKeys });
  }, projections, env);
}

/** PostgreSQL's physical anchor: one ~290-byte event per transaction (autocommit INSERT), fsync on. */
export async function rawPostgresSingleEventCommits(connectionString: string, seconds: number): Promise<number> {
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

