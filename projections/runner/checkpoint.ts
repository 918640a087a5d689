import type { ReadDb, ReadTx } from './projection.js';
import { sql } from 'kysely';
import { dynamicDb, textType, type TableDef } from './sql-rows.js';

/**
 * One row per projection: the last log position whose effects are in that projection's tables. All
 * rows are written in the same transaction as the rows they cover. Per-projection rows (rather than
 * one for the runner) let a projection added later catch up from zero while the others skip what they
 * already hold.
 */
export const CHECKPOINT_TABLE: TableDef = {
  name: 'projection_checkpoint',
  columns: ['projection', 'position'],
  primaryKey: ['projection'],
};

export type CheckpointTable = {
  projection_checkpoint: { projection: string; position: number };
};

export async function migrateCheckpoints(db: ReadDb): Promise<void> {
  await db.schema
    .createTable(CHECKPOINT_TABLE.name)
    .ifNotExists()
    .addColumn('projection', textType(db), (c) => c.primaryKey())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .execute();
}

/** Every stored checkpoint, by projection name. */
export async function readCheckpoints(db: ReadDb | ReadTx): Promise<Map<string, number>> {
  const rows = await db.withTables<CheckpointTable>().selectFrom('projection_checkpoint').selectAll().execute();
  return new Map(rows.map((r) => [r.projection, Number(r.position)]));
}

/**
 * The position a projection's tables are at, or -1. Projections call it from `load` to restore their
 * idempotency guard; it creates the table if needed so a projection also works without a runner.
 */
export async function readCheckpoint(db: ReadDb, projection: string): Promise<number> {
  await migrateCheckpoints(db);
  return (await readCheckpoints(db)).get(projection) ?? -1;
}

/** A commit would have moved a checkpoint backwards (or not at all): the page is refused. */
export class CheckpointRegressionError extends Error {
  constructor(readonly projections: readonly string[]) {
    super(`checkpoints only move forward: ${projections.join(', ')} already stored a position at or beyond this page`);
    this.name = 'CheckpointRegressionError';
  }
}

/**
 * Moves each checkpoint forward, and only forward: a row already at or beyond the new position is
 * left alone and the whole commit is refused (CheckpointRegressionError rolls the transaction back),
 * so a runner that lagged behind another cannot wind the checkpoint back and make the next writer
 * re-apply events onto rows that already hold them.
 */
export async function writeCheckpoints(tx: ReadTx, positions: ReadonlyMap<string, number>): Promise<void> {
  if (positions.size === 0) return;
  const rows = [...positions].map(([projection, position]) => ({ projection, position }));
  const moved = await tx
    .withTables<CheckpointTable>()
    .insertInto('projection_checkpoint')
    .values(rows)
    .onConflict((oc) =>
      oc
        .column('projection')
        .doUpdateSet({ position: sql<number>`excluded.position` })
        .where(sql<boolean>`${sql.ref('projection_checkpoint.position')} < excluded.position`),
    )
    .returning('projection')
    .execute();
  if (moved.length !== rows.length) {
    const written = new Set(moved.map((r) => r.projection));
    throw new CheckpointRegressionError(rows.map((r) => r.projection).filter((p) => !written.has(p)));
  }
}

export async function deleteCheckpoints(tx: ReadTx, projections: readonly string[]): Promise<void> {
  if (projections.length === 0) return;
  await dynamicDb(tx).deleteFrom(CHECKPOINT_TABLE.name).where('projection', 'in', [...projections]).execute();
}

/**
 * The schema version each projection's tables were built with (see Projection.version). A read-model
 * store is migrated by rebuilding, one projection at a time, rather than by ALTER scripts: read
 * models are derived data, and a replay is the one migration that cannot drift from the fold.
 */
export const PROJECTION_VERSION_TABLE = 'projection_version';

type VersionTable = { projection_version: { projection: string; version: number } };

export async function migrateProjectionVersions(db: ReadDb): Promise<void> {
  await db.schema
    .createTable(PROJECTION_VERSION_TABLE)
    .ifNotExists()
    .addColumn('projection', textType(db), (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
}

export async function readProjectionVersions(db: ReadDb | ReadTx): Promise<Map<string, number>> {
  const rows = await db.withTables<VersionTable>().selectFrom('projection_version').selectAll().execute();
  return new Map(rows.map((r) => [r.projection, Number(r.version)]));
}

export async function writeProjectionVersion(tx: ReadTx, projection: string, version: number): Promise<void> {
  await tx
    .withTables<VersionTable>()
    .insertInto('projection_version')
    .values({ projection, version })
    .onConflict((oc) => oc.column('projection').doUpdateSet({ version }))
    .execute();
}
