import { toSafeNumber, vectorSum, vectorToJson } from '#domain';
import type { Kysely } from 'kysely';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, dynamicDb, textType, type TableDef } from '../runner/sql-rows.js';
import { DeferredEvents } from '../processes/deferred-events.js';
import { FoldStore, type FoldBatchRow } from './fold-store.js';
import { ProvenanceFold, type ProvenanceEffect } from './provenance.fold.js';

export type ProvenanceLossRow = {
  process_id: string;
  loss_index: number;
  kind: string;
  mass_grams: number;
  vector: string;
};

/** One row per cohort a weighing changed: new − old grams, signed as a receipt's differenceGrams. */
export type ProvenanceWeighingDifferenceRow = {
  event_id: string;
  cohort: string;
  batch_id: string;
  position: number;
  difference_grams: number;
};

export type ProvenanceTables = {
  provenance_batches: FoldBatchRow;
  provenance_losses: ProvenanceLossRow;
  provenance_weighing_differences: ProvenanceWeighingDifferenceRow;
};

export function provenanceDb(db: ReadDb): Kysely<ProvenanceTables> {
  return db.withTables<ProvenanceTables>();
}

const LOSSES: TableDef = {
  name: 'provenance_losses',
  columns: ['process_id', 'loss_index', 'kind', 'mass_grams', 'vector'],
  primaryKey: ['process_id', 'loss_index'],
};

const WEIGHINGS: TableDef = {
  name: 'provenance_weighing_differences',
  columns: ['event_id', 'cohort', 'batch_id', 'position', 'difference_grams'],
  primaryKey: ['event_id', 'cohort'],
};

/**
 * Origin vector per batch (docs/domain.md): grams by `<originKey>|<YYYY-MM>` cohort, allocated by
 * largest remainder when a process completes and rescaled by weighings. Also keeps the vector of
 * every completed process loss and every weighing difference, so an auditor can account for each
 * gram that left a batch other than through an output. A void (decision 011) gives the inputs back
 * their vectors, marks the outputs `voided` and drops the process's losses.
 */
export class ProvenanceProjection extends BaseProjection {
  readonly name = 'provenance';
  /** 2: voids (decision 011). */
  readonly version = 2;
  private readonly origins = new ProvenanceFold();
  private readonly store = new FoldStore('provenance');
  private readonly gate = new ProcessGate('provenance');
  // Written once, by the event that creates them: a conflict can only repeat the same row.
  private readonly losses = new RowBuffer(LOSSES, 'insert-ignore');
  private readonly weighings = new RowBuffer(WEIGHINGS, 'insert-ignore');
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);
  private readonly deferred = new DeferredEvents();
  /** Voided processes whose loss rows go at the next flush (after the page's new ones). */
  private voidedProcesses: string[] = [];

  readonly tables = [this.store.table, LOSSES.name, WEIGHINGS.name, this.gate.table] as const;

  async migrate(db: ReadDb): Promise<void> {
    await this.store.migrate(db);
    await db.schema
      .createTable(LOSSES.name)
      .ifNotExists()
      .addColumn('process_id', textType(db), (c) => c.notNull())
      .addColumn('loss_index', 'bigint', (c) => c.notNull())
      .addColumn('kind', textType(db), (c) => c.notNull())
      .addColumn('mass_grams', 'bigint', (c) => c.notNull())
      .addColumn('vector', textType(db), (c) => c.notNull())
      .addPrimaryKeyConstraint('provenance_losses_pk', ['process_id', 'loss_index'])
      .execute();
    await db.schema
      .createTable(WEIGHINGS.name)
      .ifNotExists()
      .addColumn('event_id', textType(db), (c) => c.notNull())
      .addColumn('cohort', textType(db), (c) => c.notNull())
      .addColumn('batch_id', textType(db), (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('difference_grams', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('provenance_weighing_differences_pk', ['event_id', 'cohort'])
      .execute();
    await db.schema
      .createIndex('provenance_weighing_differences_batch')
      .ifNotExists()
      .on(WEIGHINGS.name)
      .columns(['batch_id', 'position'])
      .execute();
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    await this.store.load(db, this.origins);
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.origins.reset();
    this.store.reset();
    this.gate.reset();
    this.losses.clear();
    this.weighings.clear();
    this.deferred.clear();
    this.voidedProcesses = [];
  }

  protected fold(projected: ProjectedEvent): void {
    if (this.deferred.defer(projected, (e) => e.event.type === 'ProcessVoided')) return;
    this.gate.route(projected, this.sink);
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    for (const effect of this.origins.apply(projected.event, process)) {
      this.store.record(effect);
      this.record(effect, projected);
    }
  }

  private record(effect: ProvenanceEffect, projected: ProjectedEvent): void {
    if (effect.kind === 'reweighed') {
      for (const [cohort, grams] of effect.difference) {
        this.weighings.put(`${projected.eventId}\u0000${cohort}`, {
          event_id: projected.eventId,
          cohort,
          batch_id: effect.batch.batchId,
          position: projected.position,
          difference_grams: toSafeNumber(grams),
        });
      }
    } else if (effect.kind === 'process-voided') {
      this.voidedProcesses.push(effect.voided.processId);
    } else if (effect.kind === 'process-completed') {
      for (const loss of effect.losses) {
        this.losses.put(`${effect.process.processId}\u0000${loss.index}`, {
          process_id: effect.process.processId,
          loss_index: loss.index,
          kind: loss.kind,
          mass_grams: toSafeNumber(vectorSum(loss.vector)),
          vector: vectorToJson(loss.vector),
        });
      }
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.deferred.drain(tx, {
      write: (t) => this.writeRows(t),
      load: (event, t) => this.store.loadFor(event, t, this.origins),
      fold: (event) => this.fold(event),
    });
    await this.writeRows(tx);
  }

  private async writeRows(tx: ReadTx): Promise<void> {
    await this.store.flush(tx);
    await this.losses.flush(tx);
    if (this.voidedProcesses.length > 0) {
      const processIds = this.voidedProcesses;
      this.voidedProcesses = [];
      await dynamicDb(tx).deleteFrom(LOSSES.name).where('process_id', 'in', processIds).execute();
    }
    await this.weighings.flush(tx);
    await this.gate.flush(tx);
  }

  /** Processes started and not ended, for tests and diagnostics. */
  pendingProcessIds(): string[] {
    return this.gate.pendingProcessIds();
  }
}
