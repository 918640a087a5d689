import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, utcInstant, textType, type TableDef } from '../runner/sql-rows.js';

export type LineageEdgeRow = {
  child_batch_id: string;
  parent_batch_id: string;
  /** Grams of the parent that went into the child (BatchProduced.parents). */
  grams: number;
  process_id: string;
  process_type: string;
  organisation_id: string;
  /** Business time of the process (UTC). */
  occurred_at: string;
  /** Position of the ProcessCompleted that made the edge count. */
  position: number;
};

export type LineageTables = {
  lineage_edge: LineageEdgeRow;
};

export const LINEAGE_EDGE_TABLE: TableDef = {
  name: 'lineage_edge',
  columns: ['child_batch_id', 'parent_batch_id', 'grams', 'process_id', 'process_type', 'organisation_id', 'occurred_at', 'position'],
  primaryKey: ['child_batch_id', 'parent_batch_id'],
};

/**
 * Parent → child edges with the contributed grams and the process (DOMAIN.md §5.3). An edge exists
 * only once its process completed; a rejected process leaves none. Each output batch is produced by
 * exactly one process, so (child, parent) identifies an edge.
 */
export class LineageProjection extends BaseProjection {
  readonly name = 'lineage';
  private readonly gate = new ProcessGate('lineage');
  readonly tables = [LINEAGE_EDGE_TABLE.name, this.gate.table] as const;
  private readonly edges = new RowBuffer(LINEAGE_EDGE_TABLE);
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<LineageTables>().schema;
    const edges = schema
      .createTable(LINEAGE_EDGE_TABLE.name)
      .ifNotExists()
      .addColumn('child_batch_id', textType(db), (c) => c.notNull())
      .addColumn('parent_batch_id', textType(db), (c) => c.notNull())
      .addColumn('grams', 'bigint', (c) => c.notNull())
      .addColumn('process_id', textType(db), (c) => c.notNull())
      .addColumn('process_type', textType(db), (c) => c.notNull())
      .addColumn('organisation_id', textType(db), (c) => c.notNull())
      .addColumn('occurred_at', textType(db), (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('lineage_edge_pk', ['child_batch_id', 'parent_batch_id']);
    await edges.execute();
    // The primary key serves upstream walks (child → parents); this serves downstream ones.
    await schema.createIndex('lineage_edge_parent').ifNotExists().on(LINEAGE_EDGE_TABLE.name).columns(['parent_batch_id', 'child_batch_id']).execute();
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.edges.clear();
    this.gate.reset();
  }

  protected fold(event: ProjectedEvent): void {
    this.gate.route(event, this.sink);
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    const { event } = projected;
    if (event.type !== 'BatchProduced' || process === undefined) return;
    const e = event.data;
    // A parent listed twice contributes the sum.
    const grams = new Map<string, number>();
    for (const parent of e.parents) grams.set(parent.batchId, (grams.get(parent.batchId) ?? 0) + parent.massGrams);
    for (const [parentBatchId, contributed] of grams) {
      this.edges.put(`${e.batchId}|${parentBatchId}`, {
        child_batch_id: e.batchId,
        parent_batch_id: parentBatchId,
        grams: contributed,
        process_id: e.processId,
        process_type: e.processType,
        organisation_id: e.organisationId,
        occurred_at: utcInstant(e.occurredAt),
        position: process.completedPosition,
      });
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.edges.flush(tx);
    await this.gate.flush(tx);
  }
}
