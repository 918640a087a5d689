import { sql } from 'kysely';
import type { ReadDb } from './projection.js';
import { isSqlite } from './sql-rows.js';

/**
 * First half of the two-part key of the advisory lock that serialises read-model migrations; the
 * second half is a hash of the current schema, so read models in other schemas of the same database
 * (the tests put each in its own) do not wait for each other. A two-part key never equals the event
 * store's one-part keys.
 */
const READ_MODEL_MIGRATION_LOCK = 7_305_113;

/**
 * Runs `work` (CREATE TABLE IF NOT EXISTS and the like) with the read-model migration lock held, on
 * the one connection it is given. PostgreSQL's IF NOT EXISTS is not safe under concurrency: two
 * sessions creating the same table at once can both pass the check, and the second then fails on
 * the catalog's unique index. Serialising the migrations of instances that start together makes
 * every first start succeed. The lock is a session lock, released at the end, or by the server if
 * the process dies holding it. SQLite serialises schema changes by itself (one writer at a time).
 */
export async function withReadModelMigrationLock<T>(db: ReadDb, work: (db: ReadDb) => Promise<T>): Promise<T> {
  if (isSqlite(db)) return work(db);
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${READ_MODEL_MIGRATION_LOCK}, hashtext(current_schema()))`.execute(connection);
    try {
      return await work(connection);
    } finally {
      await sql`select pg_advisory_unlock(${READ_MODEL_MIGRATION_LOCK}, hashtext(current_schema()))`.execute(connection).catch(() => undefined);
    }
  });
}
