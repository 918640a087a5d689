import { CompiledQuery, SqliteAdapter, sql, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { ReadDb, ReadTx } from './projection.js';

/**
 * Bulk row writing shared by the projections. Rows are flat records of SQL scalars; JSON columns are
 * strings the projection serialised itself (deterministically), so the rows a live run and a rebuild
 * write are byte-identical.
 */
export type SqlValue = string | number | null;
export type SqlRow = Readonly<Record<string, SqlValue>>;

export interface TableDef {
  readonly name: string;
  /** Every column, in table order. Rows must carry exactly these keys. */
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
}

/** Kysely over tables whose names are only known at run time (the projections' own typed views narrow it). */
type DynamicDb = Record<string, Record<string, SqlValue>>;
export function dynamicDb(db: ReadDb | ReadTx): Kysely<DynamicDb> {
  return db as unknown as Kysely<DynamicDb>;
}

/** SQLite allows 32,766 bound parameters and PostgreSQL 65,535; stay well below both. */
const MAX_PARAMETERS = 12_000;
const MAX_ROWS_PER_STATEMENT = 256;

/**
 * Rows per full statement: a power of two, at most 256. The remainder is written in power-of-two
 * pieces too, so a table only ever uses a handful of distinct statements, which the read store's
 * prepared-statement cache then reuses page after page.
 */
export function chunkRowsFor(def: TableDef): number {
  let rows = MAX_ROWS_PER_STATEMENT;
  while (rows > 1 && rows * def.columns.length > MAX_PARAMETERS) rows /= 2;
  return rows;
}

type WriteMode = 'upsert' | 'insert-ignore';

/**
 * Compiled SQL text by dialect adapter, then by table/mode/row count. Building and compiling the
 * kysely AST for a 400-row insert costs more than SQLite executing it, and every full chunk of a table
 * has the same SQL, so it is compiled once and re-executed with fresh parameters. The adapter object
 * is shared by a Kysely instance and its transactions, so it identifies the dialect.
 */
const compiledCache = new WeakMap<object, Map<string, string>>();

function compiledSql(db: ReadTx, def: TableDef, mode: WriteMode, rowCount: number): string {
  const adapter = db.getExecutor().adapter;
  let cache = compiledCache.get(adapter);
  if (!cache) {
    cache = new Map();
    compiledCache.set(adapter, cache);
  }
  const key = `${def.name}|${mode}|${rowCount}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;

  // Placeholder rows: every value becomes a bound parameter, in row-major column order.
  const placeholder: Record<string, SqlValue> = {};
  for (const column of def.columns) placeholder[column] = null;
  const rows = Array.from({ length: rowCount }, () => placeholder);
  const insert = dynamicDb(db).insertInto(def.name).values(rows);
  const nonKey = def.columns.filter((c) => !def.primaryKey.includes(c));
  const query =
    mode === 'insert-ignore' || nonKey.length === 0
      ? insert.onConflict((oc) => oc.columns(def.primaryKey).doNothing())
      : insert.onConflict((oc) =>
          oc.columns(def.primaryKey).doUpdateSet(() => {
            const set: Record<string, RawBuilder<SqlValue>> = {};
            for (const column of nonKey) set[column] = sql<SqlValue>`excluded.${sql.ref(column)}`;
            return set;
          }),
        );
  const compiled = query.compile();
  if (compiled.parameters.length !== rowCount * def.columns.length) {
    throw new Error(`unexpected parameter layout compiling a bulk insert into ${def.name}`);
  }
  cache.set(key, compiled.sql);
  return compiled.sql;
}

async function writeRows(db: ReadTx, def: TableDef, rows: readonly SqlRow[], mode: WriteMode): Promise<void> {
  let chunk = chunkRowsFor(def);
  const columns = def.columns;
  const width = columns.length;
  for (let start = 0; start < rows.length; start += chunk) {
    while (start + chunk > rows.length) chunk /= 2;
    const end = start + chunk;
    const parameters: SqlValue[] = new Array<SqlValue>((end - start) * width);
    let i = 0;
    for (let r = start; r < end; r++) {
      const row = rows[r]!;
      for (let c = 0; c < width; c++) {
        const value = row[columns[c]!];
        if (value === undefined) throw new Error(`row for ${def.name} lacks column ${columns[c]!}`);
        parameters[i++] = value;
      }
    }
    await db.executeQuery(CompiledQuery.raw(compiledSql(db, def, mode, end - start), parameters));
  }
}

/** Multi-row `INSERT … ON CONFLICT (pk) DO UPDATE SET col = excluded.col`, in chunks. */
export function upsertRows(db: ReadTx, def: TableDef, rows: readonly SqlRow[]): Promise<void> {
  return writeRows(db, def, rows, 'upsert');
}

/** For append-only tables whose rows never change once written (keyed by log position). */
export function insertIgnoreRows(db: ReadTx, def: TableDef, rows: readonly SqlRow[]): Promise<void> {
  return writeRows(db, def, rows, 'insert-ignore');
}

/** Deletes by a single-column primary key, in chunks. */
export async function deleteRowsByKey(db: ReadTx, def: TableDef, keys: readonly SqlValue[]): Promise<void> {
  if (def.primaryKey.length !== 1) throw new Error(`${def.name}: deleteRowsByKey needs a single-column primary key`);
  const pk = def.primaryKey[0]!;
  for (let start = 0; start < keys.length; start += MAX_ROWS_PER_STATEMENT) {
    const slice = keys.slice(start, start + MAX_ROWS_PER_STATEMENT);
    await dynamicDb(db).deleteFrom(def.name).where(pk, 'in', slice).execute();
  }
}

/**
 * Changed rows of one table since the last flush. Later writes of the same key replace earlier ones,
 * so a batch touched by many events of a page is written once.
 */
export class RowBuffer {
  private readonly upserts = new Map<string, SqlRow>();
  private readonly deletes = new Map<string, SqlValue>();

  constructor(
    readonly def: TableDef,
    private readonly mode: WriteMode = 'upsert',
  ) {}

  put(key: string, row: SqlRow): void {
    this.deletes.delete(key);
    this.upserts.set(key, row);
  }

  remove(key: string, primaryKeyValue: SqlValue): void {
    this.upserts.delete(key);
    this.deletes.set(key, primaryKeyValue);
  }

  get size(): number {
    return this.upserts.size + this.deletes.size;
  }

  async flush(tx: ReadTx): Promise<void> {
    if (this.deletes.size > 0) await deleteRowsByKey(tx, this.def, [...this.deletes.values()]);
    if (this.upserts.size > 0) await writeRows(tx, this.def, [...this.upserts.values()], this.mode);
    // If the surrounding transaction later rolls back, the runner reloads every projection from its
    // tables, so forgetting the rows here is safe.
    this.clear();
  }

  clear(): void {
    this.upserts.clear();
    this.deletes.clear();
  }
}

/** Booleans are stored as 0/1 so SQLite and PostgreSQL rows read back the same. */
export const bit = (value: boolean): number => (value ? 1 : 0);

/**
 * Business times arrive with any offset (`+01:00`); stored as UTC `toISOString()` so that text order
 * is time order in every index and range query.
 */
export function utcInstant(iso: string): string {
  // Most instants already are toISOString() output; parsing a Date costs microseconds per event.
  if (iso.length === 24 && CANONICAL_UTC.test(iso)) return iso;
  return new Date(iso).toISOString();
}
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isSqlite(db: ReadDb | ReadTx): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * Column type for a log position used as the whole primary key. On SQLite `integer primary key` makes
 * it the rowid, so the table is one b-tree instead of a table plus a key index; elsewhere it must be
 * 64-bit (EventStoreDB positions are byte offsets).
 */
export function positionKeyType(db: ReadDb): 'integer' | 'bigint' {
  return isSqlite(db) ? 'integer' : 'bigint';
}

/**
 * On SQLite, stores a table with a composite or text key and small rows in its key b-tree alone
 * (WITHOUT ROWID), which halves the b-tree writes per row. Other dialects are left as they are.
 */
export function withoutRowid<TB extends string, C extends string>(db: ReadDb, table: CreateTableBuilder<TB, C>): CreateTableBuilder<TB, C> {
  return isSqlite(db) ? table.modifyEnd(sql`without rowid`) : table;
}

/**
 * Column type for text. SQLite compares text by bytes (BINARY); PostgreSQL would use the database's
 * collation, often a locale that sorts ids, names and cohort keys differently (and makes `>` cursors
 * and range scans disagree with SQLite's). `collate "C"` compares bytes there too, so every query
 * orders and filters alike on both dialects, whatever locale the database was created with.
 */
export function textType(db: ReadDb): 'text' | RawBuilder<unknown> {
  return isSqlite(db) ? 'text' : sql`text collate "C"`;
}
