/**
 * Runs a projection spec's describe block once per read-store dialect: SQLite in memory, and a real
 * PostgreSQL (a fresh schema per opened read DB). Test-only; not exported from projections/index.ts.
 */
import { afterAll, afterEach, describe } from '@jest/globals';
import { openPostgresReadDb, openSqliteReadDb } from '#read-store';
import { sql } from 'kysely';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres-server.js';
import type { ReadDb } from '../runner/projection.js';

export type ReadDbDialect = 'sqlite' | 'postgres';

/** Opens a fresh, empty read DB of the block's dialect; the helper destroys it after each test. */
export type OpenReadDb = () => Promise<ReadDb>;

/**
 * One server and one database per test file, started on first use (inside a hook or test, which have
 * the 60 s timeout) so that files never touching PostgreSQL pay nothing, and stopped once when the
 * file ends. It never skips: startTestPostgres throws when no server can be had.
 *
 * Each opened read DB is a fresh schema of that database, made the connections' search_path:
 * creating a schema costs a millisecond where CREATE DATABASE costs a checkpoint, which matters for
 * the property tests that open two read DBs per run.
 */
let server: Promise<TestPostgres> | undefined;
let database: Promise<string> | undefined;
let stopRegistered = false;
let schemas = 0;

function testDatabase(): Promise<string> {
  server ??= startTestPostgres();
  const started = server;
  database ??= started.then((s) => s.createDatabase());
  return database;
}

function registerServerStop(): void {
  if (stopRegistered) return;
  stopRegistered = true;
  afterAll(async () => {
    if (server === undefined) return;
    const started = server;
    server = undefined;
    database = undefined;
    await (await started).stop();
  }, 60_000);
}

async function openPostgresSchema(): Promise<ReadDb> {
  const url = new URL(await testDatabase());
  const schema = `read_${process.pid}_${++schemas}`;
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = openPostgresReadDb({ connectionString: url.toString(), poolSize: 4 });
  await sql`create schema ${sql.id(schema)}`.execute(db);
  return db;
}

/** Opens read DBs of one dialect and destroys every one opened during a test after it. */
function readDbOpener(dialect: ReadDbDialect): { open: OpenReadDb; destroyAll: () => Promise<void> } {
  const opened: ReadDb[] = [];
  const open = async (): Promise<ReadDb> => {
    const db = dialect === 'sqlite' ? openSqliteReadDb({ filename: ':memory:' }) : await openPostgresSchema();
    opened.push(db);
    return db;
  };
  const destroyAll = async (): Promise<void> => {
    for (const db of opened.splice(0)) await db.destroy();
  };
  return { open, destroyAll };
}

export const READ_DB_DIALECTS: readonly ReadDbDialect[] = ['sqlite', 'postgres'];

/**
 * `describe('<name> [<dialect>]')` for each dialect. The body registers its tests synchronously, as
 * in any describe block, and opens read DBs through `openDb` from hooks or tests.
 */
export function describeOnEachReadDb(name: string, body: (openDb: OpenReadDb, dialect: ReadDbDialect) => void): void {
  for (const dialect of READ_DB_DIALECTS) {
    if (dialect === 'postgres') registerServerStop();
    describe(`${name} [${dialect}]`, () => {
      const { open, destroyAll } = readDbOpener(dialect);
      body(open, dialect);
      // Registered after the body's own hooks, so it runs after them (a runner is stopped before its DB goes).
      afterEach(destroyAll);
    });
  }
}
