import { copenhagenMonthOf } from '#domain';
import type { Kysely } from 'kysely';
import { quarterOfMonth } from '../circularity/circularity.projection.js';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, textType, type TableDef } from '../runner/sql-rows.js';

/** One row per collected batch; the report sums them by kommune, period, EWC code and scheme. */
export type MunicipalReportBatchRow = {
  batch_id: string;
  kommune_code: string;
  ewc_code: string;
  collection_scheme: string;
  /** YYYY-MM of the collection in Europe/Copenhagen time (the cohort month), its quarter and year. */
  month: string;
  quarter: string;
  year: string;
  /** What was collected: the origin mass, as corrected. */
  mass_grams: number;
  /** 1 while a correction would still change what was collected (mirrors massFromOrigin). */
  correctable: number;
};

export type MunicipalReportTables = {
  municipal_report_batches: MunicipalReportBatchRow;
};

const BATCHES: TableDef = {
  name: 'municipal_report_batches',
  columns: ['batch_id', 'kommune_code', 'ewc_code', 'collection_scheme', 'month', 'quarter', 'year', 'mass_grams', 'correctable'],
  primaryKey: ['batch_id'],
};

export function municipalReportDb(db: ReadDb): Kysely<MunicipalReportTables> {
  return db.withTables<MunicipalReportTables>();
}

/**
 * Collected batches per kommune (DOMAIN.md §5.7). Only a correction of the origin mass changes a row,
 * so only batches whose mass is still the collected one stay in memory: a receipt, an outcome or the
 * completion of the process that consumed it ends that for good.
 */
export class MunicipalReportProjection extends BaseProjection {
  readonly name = 'municipal_report';
  private readonly gate = new ProcessGate('municipal_report');
  private readonly correctable = new Map<string, MunicipalReportBatchRow>();
  private readonly dirty = new Map<string, MunicipalReportBatchRow>();
  private readonly rows = new RowBuffer(BATCHES);
  private readonly sink = (event: ProjectedEvent, _process: ProcessContext | undefined): void => this.take(event);

  readonly tables = [BATCHES.name, this.gate.table] as const;

  async migrate(db: ReadDb): Promise<void> {
    await db.schema
      .createTable(BATCHES.name)
      .ifNotExists()
      .addColumn('batch_id', textType(db), (c) => c.primaryKey())
      .addColumn('kommune_code', textType(db), (c) => c.notNull())
      .addColumn('ewc_code', textType(db), (c) => c.notNull())
      .addColumn('collection_scheme', textType(db), (c) => c.notNull())
      .addColumn('month', textType(db), (c) => c.notNull())
      .addColumn('quarter', textType(db), (c) => c.notNull())
      .addColumn('year', textType(db), (c) => c.notNull())
      .addColumn('mass_grams', 'bigint', (c) => c.notNull())
      .addColumn('correctable', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('municipal_report_batches_kommune_month')
      .ifNotExists()
      .on(BATCHES.name)
      .columns(['kommune_code', 'month'])
      .execute();
    await db.schema
      .createIndex('municipal_report_batches_correctable')
      .ifNotExists()
      .on(BATCHES.name)
      .columns(['correctable', 'batch_id'])
      .execute();
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const rows = await municipalReportDb(db).selectFrom('municipal_report_batches').selectAll().where('correctable', '=', 1).execute();
    for (const row of rows) this.correctable.set(row.batch_id, { ...row, mass_grams: Number(row.mass_grams), correctable: 1 });
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.correctable.clear();
    this.dirty.clear();
    this.rows.clear();
    this.gate.reset();
  }

  protected fold(projected: ProjectedEvent): void {
    // Through the gate, BatchConsumed arrives only once its process has completed.
    this.gate.route(projected, this.sink);
  }

  private take(projected: ProjectedEvent): void {
    const event = projected.event;
    switch (event.type) {
      case 'BatchCollected': {
        const e = event.data;
        if (this.correctable.has(e.batchId)) return;
        const month = copenhagenMonthOf(e.occurredAt);
        this.put({
          batch_id: e.batchId,
          kommune_code: e.kommuneCode,
          ewc_code: e.ewcCode,
          collection_scheme: e.collectionScheme,
          month,
          quarter: quarterOfMonth(month),
          year: month.slice(0, 4),
          mass_grams: e.massGrams,
          correctable: 1,
        });
        return;
      }
      case 'BatchMassCorrected': {
        const row = this.correctable.get(event.data.batchId);
        if (row) this.put({ ...row, mass_grams: event.data.massGrams });
        return;
      }
      // A receipt re-weighs the batch, so later corrections are weighing differences, not collection.
      case 'CustodyTransferReceived':
      case 'BatchConsumed':
      case 'BatchSoldForReuse':
      case 'BatchIncinerated':
      case 'BatchLandfilled':
      case 'BatchExported':
      case 'ProductPlacedOnMarket':
        this.settle(event.data.batchId);
        return;
      default:
        return;
    }
  }

  private put(row: MunicipalReportBatchRow): void {
    this.correctable.set(row.batch_id, row);
    this.dirty.set(row.batch_id, row);
  }

  /** The collected mass is final: the row stays, the memory goes. */
  private settle(batchId: string): void {
    const row = this.correctable.get(batchId);
    if (!row) return;
    this.correctable.delete(batchId);
    this.dirty.set(batchId, { ...row, correctable: 0 });
  }

  async flush(tx: ReadTx): Promise<void> {
    for (const [batchId, row] of this.dirty) this.rows.put(batchId, row);
    this.dirty.clear();
    await this.rows.flush(tx);
    await this.gate.flush(tx);
  }
}
