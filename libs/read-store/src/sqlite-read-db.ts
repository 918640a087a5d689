import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';

export interface SqliteReadDbOptions {
  /** A file path, or ':memory:' for tests. */
  readonly filename: string;
}

/**
 * Read models are rebuildable from the event log, so they use synchronous=NORMAL: a power cut can
 * lose the last few read-model commits (and their checkpoint together), never corrupt them, and the
 * runner simply catches up again.
 */
export function openSqliteReadDb(options: SqliteReadDbOptions): Kysely<object> {
  const database = new Database(options.filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  return new Kysely<object>({ dialect: new SqliteDialect({ database }) });
}
