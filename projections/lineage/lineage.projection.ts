import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, dynamicDb, utcInstant, textType, type TableDef } from '../runner/sql-rows.js';

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
 * Parent → child edges with the contributed grams and the process (docs/domain.md). An edge exists
 * only once its process completed; a rejected process leaves none, and a voided one (decision 011)
 * loses its edges: its outputs came from nothing and its inputs went nowhere. Each output batch is
 * produced by exactly one process, so (child, parent) identifies an edge.
 */
export class LineageProjection extends BaseProjection {
  readonly name = 'lineage';
  /** 2: voids (decision 011). */
  readonly version = 2;
  private readonly gate = new ProcessGate('lineage');
  readonly tables = [LINEAGE_EDGE_TABLE.name, this.gate.table] as const;
  private readonly edges = new RowBuffer(LINEAGE_EDGE_TABLE);
  /** Outputs of voided processes whose edges go at the next flush (after the page's new edges). */
  private voidedChildren: string[] = [];
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
    this.voidedChildren = [];
  }

  protected fold(event: ProjectedEvent): void {
    this.gate.route(event, this.sink);
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    const { event } = projected;
    if (event.type === 'ProcessVoided') {
      // An output is produced by one process only, so no later event of the page re-creates these.
      for (const output of event.data.outputs) this.voidedChildren.push(output.batchId);
      return;
    }
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
    if (this.voidedChildren.length > 0) {
      const children = this.voidedChildren;
      this.voidedChildren = [];
      for (let i = 0; i < children.length; i += 256) {
        await dynamicDb(tx).deleteFrom(LINEAGE_EDGE_TABLE.name).where('child_batch_id', 'in', children.slice(i, i + 256)).execute();
      }
    }
    await this.gate.flush(tx);
  }
}
