import type pg from 'pg';

export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Applied in version order, each at most once per database. Never edit a released migration: add a
 * new one, because databases that already recorded a version will not run it again.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'create events',
    // data, metadata and recorded_at are text, not jsonb/timestamptz: jsonb reorders keys and drops
    // duplicate ones, and timestamptz reformats the instant, so what a reader gets back would differ
    // from what was hashed at append time and the hash chain would break. The JSON string is stored
    // exactly as hashed (after its own JSON round trip).
    sql: `
      CREATE TABLE events (
        position       bigint  PRIMARY KEY,
        stream_id      text    NOT NULL,
        revision       integer NOT NULL,
        event_id       text    NOT NULL,
        type           text    NOT NULL,
        schema_version integer NOT NULL,
        data           text    NOT NULL,
        metadata       text    NOT NULL,
        recorded_at    text    NOT NULL,
        prev_hash      text    NOT NULL,
        hash           text    NOT NULL,
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
      );
    `,
  },
  {
    version: 2,
    name: 'create ledger_checkpoints',
    // Signed checkpoints are evidence about the log and live with it, not with the read models.
    // Every field is stored as signed: signed_at stays text for the same reason recorded_at does.
    sql: `
      CREATE TABLE ledger_checkpoints (
        tree_size     bigint PRIMARY KEY CHECK (tree_size >= 0),
        origin        text   NOT NULL,
        root_hash     text   NOT NULL,
        last_position bigint NOT NULL,
        signed_at     text   NOT NULL,
        key_id        text   NOT NULL,
        signature     text   NOT NULL
      );
    `,
  },
];

/**
 * Key of the advisory lock that serialises migrations across processes. Distinct from the append
 * lock so that a migration never waits for, nor blocks, ordinary writes on another key's queue.
 */
export const MIGRATION_LOCK_KEY = 7_305_113_001n;

export interface MigrationResult {
  /** Versions this call applied (empty when the database was already up to date). */
  readonly applied: readonly number[];
}

/**
 * Brings the schema up to date. Each migration runs in its own transaction that first takes the
 * migration advisory lock and then re-reads the applied versions, so two processes starting together
 * cannot both apply the same version: the second one waits, then sees it recorded and skips it.
 */
export async function applyPostgresMigrations(
  client: pg.ClientBase,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<MigrationResult> {
  const applied: number[] = [];
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  await inLockedTransaction(client, async () => {
    // Under the lock: concurrent CREATE TABLE IF NOT EXISTS can still fail on the catalog's unique index.
    await client.query(`
      CREATE TABLE IF NOT EXISTS ledger_schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )
    `);
  });
  for (const migration of ordered) {
    await inLockedTransaction(client, async () => {
      const done = await client.query('SELECT 1 FROM ledger_schema_migrations WHERE version = $1', [migration.version]);
      if (done.rowCount !== null && done.rowCount > 0) {
        return;
      }
      await client.query(migration.sql);
      await client.query('INSERT INTO ledger_schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    });
  }
  return { applied };
}

async function inLockedTransaction(client: pg.ClientBase, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
