import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { ReadDb, ReadTx } from './projection.js';
import { isSqlite, textType } from './sql-rows.js';

/**
 * The one row that says which runner may write a read-model database, until when, and under which
 * fencing epoch (docs/decisions/023-single-projection-writer.md). The epoch grows by one on every
 * takeover; every page commit re-checks it in its own transaction, so a writer that was paused or cut
 * off while another took over cannot commit anything afterwards.
 */
export const WRITER_LEASE_TABLE = 'projection_writer_lease';

/** Defaults: a crashed writer is replaced at most TTL + one renewal interval later (≤ 5 s). */
export const DEFAULT_LEASE_TTL_MS = 4000;
export const DEFAULT_LEASE_RENEW_INTERVAL_MS = 1000;

/** This runner's commit was refused: another runner holds a newer epoch of the writer lease. */
export class ProjectionWriterFencedError extends Error {
  constructor(
    readonly epoch: number | undefined,
    readonly holder: string,
  ) {
    super(
      epoch === undefined
        ? `runner ${holder} does not hold the projection writer lease, so it may not commit`
        : `the projection writer lease of runner ${holder} (epoch ${epoch}) was taken over by another runner: commit refused`,
    );
    this.name = 'ProjectionWriterFencedError';
  }
}

/** A rebuild asked of a runner while another runner holds the writer lease of the same database. */
export class NotProjectionWriterError extends Error {
  constructor(readonly holder: string | undefined) {
    super(`another runner${holder ? ` (${holder})` : ''} is writing these read models: rebuild on it, or stop it first`);
    this.name = 'NotProjectionWriterError';
  }
}

export interface WriterLeaseState {
  readonly epoch: number;
  readonly holder: string;
  readonly expiresAtMs: number;
}

type LeaseTables = {
  projection_writer_lease: { id: number; epoch: number; holder: string; expires_at_ms: number };
};

/**
 * The lease row on either dialect. Expiry is judged by the database's clock, never a process's, so
 * runners on machines with skewed clocks still agree on it.
 */
export class WriterLease {
  /** Names this runner in the lease row and in logs: host, process, and a random suffix per runner. */
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(readonly ttlMs: number = DEFAULT_LEASE_TTL_MS) {}

  static async migrate(db: ReadDb): Promise<void> {
    await db.schema
      .createTable(WRITER_LEASE_TABLE)
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('epoch', 'bigint', (c) => c.notNull())
      .addColumn('holder', textType(db), (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db
      .withTables<LeaseTables>()
      .insertInto('projection_writer_lease')
      .values({ id: 1, epoch: 0, holder: '', expires_at_ms: 0 })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Takes the lease if it has expired or was released: the new epoch, or undefined if another holds it. */
  async tryAcquire(db: ReadDb): Promise<number | undefined> {
    const now = nowMs(db);
    const { rows } = await sql<{ epoch: number | string }>`
      update ${sql.table(WRITER_LEASE_TABLE)}
      set epoch = epoch + 1, holder = ${this.holder}, expires_at_ms = ${now} + ${this.ttlMs}
      where id = 1 and expires_at_ms <= ${now}
      returning epoch`.execute(db);
    return rows.length === 0 ? undefined : Number(rows[0]!.epoch);
  }

  /** Extends the lease of `epoch`; false when another runner has taken it over meanwhile. */
  async renew(db: ReadDb | ReadTx, epoch: number): Promise<boolean> {
    const { rows } = await sql<{ epoch: number | string }>`
      update ${sql.table(WRITER_LEASE_TABLE)}
      set expires_at_ms = ${nowMs(db)} + ${this.ttlMs}
      where id = 1 and epoch = ${epoch} and holder = ${this.holder}
      returning epoch`.execute(db);
    return rows.length === 1;
  }

  /**
   * The fencing check, first statement of every commit transaction: renews the lease of `epoch` or
   * throws. On PostgreSQL the update holds the row lock until the commit, so a takeover (which
   * updates the same row) waits for a commit in flight and the new writer's reload sees it; a commit
   * that starts after the takeover finds the new epoch and is refused. On SQLite the update takes the
   * database's write lock, which serialises the same way.
   */
  async fence(tx: ReadTx, epoch: number | undefined): Promise<void> {
    if (epoch === undefined || !(await this.renew(tx, epoch))) throw new ProjectionWriterFencedError(epoch, this.holder);
  }

  /** Gives the lease up at once (a clean stop), so another runner takes over at its next try. */
  async release(db: ReadDb, epoch: number): Promise<void> {
    await sql`
      update ${sql.table(WRITER_LEASE_TABLE)} set expires_at_ms = 0
      where id = 1 and epoch = ${epoch} and holder = ${this.holder}`.execute(db);
  }

  static async read(db: ReadDb | ReadTx): Promise<WriterLeaseState | undefined> {
    const row = await db.withTables<LeaseTables>().selectFrom('projection_writer_lease').selectAll().where('id', '=', 1).executeTakeFirst();
    return row === undefined ? undefined : { epoch: Number(row.epoch), holder: row.holder, expiresAtMs: Number(row.expires_at_ms) };
  }
}

/** The database's clock in milliseconds since the epoch (clock_timestamp, not the transaction's start). */
function nowMs(db: ReadDb | ReadTx): RawBuilder<number> {
  return isSqlite(db)
    ? sql<number>`cast((julianday('now') - 2440587.5) * 86400000.0 as integer)`
    : sql<number>`cast(floor(extract(epoch from clock_timestamp()) * 1000) as bigint)`;
}
