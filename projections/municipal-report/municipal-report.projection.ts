import { copenhagenMonthOf, type ProcessVoided } from '#domain';
import type { Kysely } from 'kysely';
import { quarterOfMonth } from '../circularity/circularity.projection.js';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, textType, type TableDef } from '../runner/sql-rows.js';
import { DeferredEvents } from '../processes/deferred-events.js';

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
  /**
   * The process whose consumption ended `correctable`: a void of that process (decision 011) gives
   * the batch back as it was, so a correction would again change what was collected.
   */
  settled_by_process_id: string | null;
};

export type MunicipalReportTables = {
  municipal_report_batches: MunicipalReportBatchRow;
};

const BATCHES: TableDef = {
  name: 'municipal_report_batches',
  columns: ['batch_id', 'kommune_code', 'ewc_code', 'collection_scheme', 'month', 'quarter', 'year', 'mass_grams', 'correctable', 'settled_by_process_id'],
  primaryKey: ['batch_id'],
};

export function municipalReportDb(db: ReadDb): Kysely<MunicipalReportTables> {
  return db.withTables<MunicipalReportTables>();
}

/**
 * Collected batches per kommune (docs/domain.md). Only a correction of the origin mass changes a row,
 * so only batches whose mass is still the collected one stay in memory: a receipt, an outcome or the
 * completion of the process that consumed it ends that, unless the process is voided (decision 011).
 */
export class MunicipalReportProjection extends BaseProjection {
  readonly name = 'municipal_report';
  /** 2: voids (decision 011). */
  readonly version = 2;
  private readonly gate = new ProcessGate('municipal_report');
  private readonly correctable = new Map<string, MunicipalReportBatchRow>();
  private readonly dirty = new Map<string, MunicipalReportBatchRow>();
  private readonly rows = new RowBuffer(BATCHES);
  private readonly sink = (event: ProjectedEvent, _process: ProcessContext | undefined): void => this.take(event);
  private readonly deferred = new DeferredEvents();
  /** Rows settled by a process's consumption, read back for its void. */
  private readonly settledByProcess = new Map<string, MunicipalReportBatchRow>();

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
      .addColumn('settled_by_process_id', textType(db))
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
    for (const row of rows) this.correctable.set(row.batch_id, { ...row, mass_grams: Number(row.mass_grams), correctable: 1, settled_by_process_id: null });
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.correctable.clear();
    this.dirty.clear();
    this.rows.clear();
    this.gate.reset();
    this.deferred.clear();
    this.settledByProcess.clear();
  }

  protected fold(projected: ProjectedEvent): void {
    if (this.deferred.defer(projected, (e) => e.event.type === 'ProcessVoided')) return;
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
          settled_by_process_id: null,
        });
        return;
      }
      case 'BatchMassCorrected': {
        const row = this.correctable.get(event.data.batchId);
        if (row) this.put({ ...row, mass_grams: event.data.massGrams });
        return;
      }
      case 'BatchConsumed':
        this.settle(event.data.batchId, event.data.processId);
        return;
      case 'ProcessVoided':
        this.unsettle(event.data);
        return;
      // A receipt re-weighs the batch, so later corrections are weighing differences, not collection.
      case 'CustodyTransferReceived':
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
  private settle(batchId: string, byProcessId: string | null = null): void {
    const row = this.correctable.get(batchId);
    if (!row) return;
    this.correctable.delete(batchId);
    this.dirty.set(batchId, { ...row, correctable: 0, settled_by_process_id: byProcessId });
  }

  /** The inputs of a voided process are back as they were: those it had settled are correctable again. */
  private unsettle(voided: ProcessVoided): void {
    for (const { batchId } of voided.inputs) {
      const row = this.settledByProcess.get(batchId);
      this.settledByProcess.delete(batchId);
      if (row?.settled_by_process_id === voided.processId) this.put({ ...row, correctable: 1, settled_by_process_id: null });
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.deferred.drain(tx, {
      write: (t) => this.writeRows(t),
      load: (event, t) => this.loadSettled(event, t),
      fold: (event) => this.fold(event),
    });
    await this.writeRows(tx);
  }

  private async loadSettled(projected: ProjectedEvent, tx: ReadTx): Promise<void> {
    if (projected.event.type !== 'ProcessVoided') return;
    const rows = await municipalReportDb(tx)
      .selectFrom('municipal_report_batches')
      .selectAll()
      .where('batch_id', 'in', projected.event.data.inputs.map((i) => i.batchId))
      .where('settled_by_process_id', '=', projected.event.data.processId)
      .execute();
    for (const row of rows) this.settledByProcess.set(row.batch_id, { ...row, mass_grams: Number(row.mass_grams), correctable: Number(row.correctable) });
  }

  private async writeRows(tx: ReadTx): Promise<void> {
    for (const [batchId, row] of this.dirty) this.rows.put(batchId, row);
    this.dirty.clear();
    await this.rows.flush(tx);
    await this.gate.flush(tx);
  }
}
