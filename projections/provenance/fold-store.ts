import { Application, toSafeNumber, vectorFromJson, vectorSum, vectorToJson } from '#domain';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, bit, textType, type TableDef } from '../runner/sql-rows.js';
import type { ProvenanceEffect, ProvenanceFold, TrackedBatch } from './provenance.fold.js';

export type FoldBatchRow = {
  batch_id: string;
  /** open | consumed | closed | voided */
  state: string;
  mass_grams: number;
  /** Deterministic JSON: sorted cohort keys, integer grams. */
  vector: string;
  mass_from_origin: number;
  origin_cohort: string | null;
  reprocessed: number;
  application: string | null;
};

const COLUMNS = ['batch_id', 'state', 'mass_grams', 'vector', 'mass_from_origin', 'origin_cohort', 'reprocessed', 'application'] as const;

export function foldBatchRow(batch: TrackedBatch): FoldBatchRow {
  return {
    batch_id: batch.batchId,
    state: batch.state,
    mass_grams: toSafeNumber(vectorSum(batch.vector)),
    vector: vectorToJson(batch.vector),
    mass_from_origin: bit(batch.massFromOrigin),
    origin_cohort: batch.originCohort ?? null,
    reprocessed: bit(batch.reprocessed),
    application: batch.application ?? null,
  };
}

export function trackedFromRow(row: FoldBatchRow): TrackedBatch {
  const state = row.state === 'consumed' || row.state === 'closed' || row.state === 'voided' ? row.state : 'open';
  const application = row.application === null ? undefined : Application.parse(row.application);
  return {
    batchId: row.batch_id,
    vector: vectorFromJson(row.vector),
    massFromOrigin: Number(row.mass_from_origin) === 1,
    ...(row.origin_cohort !== null ? { originCohort: row.origin_cohort } : {}),
    reprocessed: Number(row.reprocessed) === 1,
    ...(application !== undefined ? { application } : {}),
    state,
  };
}

/**
 * Persists a ProvenanceFold's batches in `<prefix>_batches`, so that `load` warms the fold without
 * replaying. Shared by the projections that each run their own fold, so the row format is defined
 * once. A batch touched by several events of a page is written once, with its latest state.
 */
export class FoldStore {
  readonly def: TableDef;
  private readonly rows: RowBuffer;
  /** Snapshots are immutable, so keeping the latest and serialising it at flush is enough. */
  private readonly dirty = new Map<string, TrackedBatch>();

  constructor(prefix: string) {
    this.def = { name: `${prefix}_batches`, columns: COLUMNS, primaryKey: ['batch_id'] };
    this.rows = new RowBuffer(this.def);
  }

  get table(): string {
    return this.def.name;
  }

  async migrate(db: ReadDb): Promise<void> {
    await db.schema
      .createTable(this.def.name)
      .ifNotExists()
      .addColumn('batch_id', textType(db), (c) => c.primaryKey())
      .addColumn('state', textType(db), (c) => c.notNull())
      .addColumn('mass_grams', 'bigint', (c) => c.notNull())
      .addColumn('vector', textType(db), (c) => c.notNull())
      .addColumn('mass_from_origin', 'bigint', (c) => c.notNull())
      .addColumn('origin_cohort', textType(db))
      .addColumn('reprocessed', 'bigint', (c) => c.notNull())
      .addColumn('application', textType(db))
      .execute();
    await db.schema.createIndex(`${this.def.name}_state`).ifNotExists().on(this.def.name).columns(['state', 'batch_id']).execute();
  }

  /** Only open batches can still change; the others stay in SQL alone. */
  async load(db: ReadDb, fold: ProvenanceFold): Promise<void> {
    const rows = await db
      .withTables<Record<string, FoldBatchRow>>()
      .selectFrom(this.def.name)
      .selectAll()
      .where('state', '=', 'open')
      .execute();
    for (const row of rows) fold.restoreBatch(trackedFromRow(row));
  }

  /**
   * Reads the inputs of a voided process back into the fold (decision 011): they left memory when
   * they were consumed. Called from the flush, inside its transaction, after the rows so far are written.
   */
  /** What a deferred event needs read back before it is folded again: a void's inputs. */
  async loadFor(event: ProjectedEvent, tx: ReadTx, fold: ProvenanceFold): Promise<void> {
    if (event.event.type === 'ProcessVoided') await this.loadConsumed(tx, fold, event.event.data.inputs.map((i) => i.batchId));
  }

  async loadConsumed(tx: ReadTx, fold: ProvenanceFold, batchIds: readonly string[]): Promise<void> {
    const rows = await tx
      .withTables<Record<string, FoldBatchRow>>()
      .selectFrom(this.def.name)
      .selectAll()
      .where('batch_id', 'in', [...batchIds])
      .where('state', '=', 'consumed')
      .execute();
    for (const row of rows) fold.restoreBatch(trackedFromRow(row));
  }

  /** Notes every batch an effect touched. */
  record(effect: ProvenanceEffect): void {
    switch (effect.kind) {
      case 'originated':
      case 'origin-corrected':
      case 'reweighed':
      case 'updated':
      case 'closed':
        this.put(effect.batch);
        break;
      case 'process-completed':
      case 'process-voided':
        for (const b of effect.inputs) this.put(b);
        for (const b of effect.outputs) this.put(b);
        break;
    }
  }

  private put(batch: TrackedBatch): void {
    this.dirty.set(batch.batchId, batch);
  }

  flush(tx: ReadTx): Promise<void> {
    for (const [batchId, batch] of this.dirty) this.rows.put(batchId, foldBatchRow(batch));
    this.dirty.clear();
    return this.rows.flush(tx);
  }

  reset(): void {
    this.dirty.clear();
    this.rows.clear();
  }
}
