import Database from 'better-sqlite3';
import { restrictToOwner } from '#event-store';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

export interface SqliteReadDbOptions {
  /** A file path, or ':memory:' for tests. */
  readonly filename: string;
}

/** Prepared statements kept per connection (least recently used ones are dropped beyond this). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Read models are rebuildable from the event log, so they use synchronous=NORMAL: a power cut can
 * lose the last few read-model commits (and their checkpoint together), never corrupt them, and the
 * runner simply catches up again.
 *
 * Kysely's SQLite driver prepares every query afresh. The projections write in bulk with a handful
 * of multi-row statements that repeat page after page, and preparing a few-hundred-row INSERT costs
 * about a quarter of executing it, so prepared statements are cached by SQL text. This is safe
 * because Kysely runs one query at a time on the single connection (a stream holds the connection
 * until it is done).
 *
 * A 64 MiB page cache (SQLite's default is 2 MiB) keeps the read models' indexes on random keys
 * (batch UUIDs) in memory during rebuilds and catch-up.
 */
export function openSqliteReadDb(options: SqliteReadDbOptions): Kysely<object> {
  restrictToOwner(options.filename);
  const database = new Database(options.filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('cache_size = -65536');
  return new Kysely<object>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const cached = statements.get(sql);
      if (cached !== undefined) {
        // Map keeps insertion order: re-inserting marks it most recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}
