import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

export interface PostgresReadDbOptions {
  readonly connectionString: string;
  /** Connections in the pool (default 10). The runner writes on one; queries use the rest. */
  readonly poolSize?: number;
}

/** OIDs of the PostgreSQL types that node-postgres returns as strings by default. */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Reads int8 (bigint columns, count(*)) and numeric (what sum() of a bigint returns) as a JS number,
 * as better-sqlite3 returns integers, so a row reads back the same on both dialects: the projections
 * fold the numbers they load, and the runner's checksum serialises both alike. node-postgres returns
 * them as strings because int8 may exceed 2^53; the read models hold integer grams and log positions,
 * far below that (2^53 g is nine billion tonnes), so a value beyond it is an error, thrown here
 * rather than silently rounded.
 */
function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    // numeric may hold a fraction (an avg(), say): that is a valid number, just not an integer.
    if (Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER && text.includes('.')) return value;
    throw new RangeError(`read store: ${text} cannot be read back exactly as a JavaScript number`);
  }
  return value;
}

/**
 * Parsers are set on this pool only (not on the global `pg.types`), so the event store or any other
 * pg user in the same process keeps the driver's defaults.
 */
const readModelTypes: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) =>
    (format ?? 'text') === 'text' && (oid === INT8_OID || oid === NUMERIC_OID) ? parseSafeInteger : pg.types.getTypeParser(oid, format),
};

/**
 * The read models on PostgreSQL. Unlike SQLite there is nothing to tune per connection: durability
 * settings are the server's, and pg prepares nothing unless a statement is named.
 */
export function openPostgresReadDb(options: PostgresReadDbOptions): Kysely<object> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10, types: readModelTypes });
  // An idle connection the server drops (restart, admin termination) is reported here; without a
  // listener that would crash the process. The pool discards the client and the next query reconnects.
  pool.on('error', () => undefined);
  return new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
}
