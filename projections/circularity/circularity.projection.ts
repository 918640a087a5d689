import { isWasteOriginKey, parseCohortKey, type ReadonlyOriginVector } from '#domain';
import type { Kysely } from 'kysely';
import { FoldStore, type FoldBatchRow } from '../provenance/fold-store.js';
import { ProvenanceFold, type Outcome, type ProvenanceEffect, type TrackedBatch } from '../provenance/provenance.fold.js';
import { gramsText, gramsTotalType, toBigIntValue } from '../provenance/projection-support.js';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, textType, type TableDef } from '../runner/sql-rows.js';
import { DeferredEvents } from '../processes/deferred-events.js';

/** The buckets of docs/domain.md, in report order. Every collected gram is in exactly one. */
export const BUCKETS = [
  'inStock',
  'recycledOther',
  'recycledTextile',
  'reuse',
  'energyRecovery',
  'incineration',
  'landfill',
  'exportRecycling',
  'exportUnknown',
  'processLoss',
  'weighingDifference',
] as const;
export type Bucket = (typeof BUCKETS)[number];

/** docs/domain.md's names, for CSV and documents. */
export const BUCKET_LABELS: Readonly<Record<Bucket, string>> = {
  inStock: 'in-stock',
  recycledOther: 'recycled-other',
  recycledTextile: 'recycled-textile',
  reuse: 'reuse',
  energyRecovery: 'energy-recovery',
  incineration: 'incineration',
  landfill: 'landfill',
  exportRecycling: 'export-recycling',
  exportUnknown: 'export-unknown',
  processLoss: 'process-loss',
  weighingDifference: 'weighing-difference',
};

export type CircularityCohortRow = {
  cohort: string;
  origin_key: string;
  /** YYYY-MM (Europe/Copenhagen), with its quarter (YYYY-Qn) and year (YYYY) for grouping. */
  month: string;
  quarter: string;
  year: string;
  collected_grams: string;
  in_stock_grams: string;
  recycled_other_grams: string;
  recycled_textile_grams: string;
  reuse_grams: string;
  energy_recovery_grams: string;
  incineration_grams: string;
  landfill_grams: string;
  export_recycling_grams: string;
  export_unknown_grams: string;
  process_loss_grams: string;
  /** Grams that weighings found missing (transit loss, downward correction); negative for a gain. */
  weighing_difference_grams: string;
};

export type BucketColumn = Exclude<keyof CircularityCohortRow, 'cohort' | 'origin_key' | 'month' | 'quarter' | 'year' | 'collected_grams'>;

export const BUCKET_COLUMNS: Readonly<Record<Bucket, BucketColumn>> = {
  inStock: 'in_stock_grams',
  recycledOther: 'recycled_other_grams',
  recycledTextile: 'recycled_textile_grams',
  reuse: 'reuse_grams',
  energyRecovery: 'energy_recovery_grams',
  incineration: 'incineration_grams',
  landfill: 'landfill_grams',
  exportRecycling: 'export_recycling_grams',
  exportUnknown: 'export_unknown_grams',
  processLoss: 'process_loss_grams',
  weighingDifference: 'weighing_difference_grams',
};

export type CircularityTables = {
  circularity_cohorts: CircularityCohortRow;
  circularity_batches: FoldBatchRow;
};

export function circularityDb(db: ReadDb): Kysely<CircularityTables> {
  return db.withTables<CircularityTables>();
}

const COHORTS: TableDef = {
  name: 'circularity_cohorts',
  columns: ['cohort', 'origin_key', 'month', 'quarter', 'year', 'collected_grams', ...BUCKETS.map((b) => BUCKET_COLUMNS[b])],
  primaryKey: ['cohort'],
};

export function quarterOfMonth(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
}

/** Where an open batch's grams count: available, in transit, or input of an uncompleted process. */
export function openBucket(batch: TrackedBatch): Bucket {
  if (batch.application === 'textile') return 'recycledTextile';
  if (batch.application === 'non-textile') return 'recycledOther';
  return batch.reprocessed ? 'recycledOther' : 'inStock';
}

/** Where a closed batch's grams count, by its outcome. */
export function closedBucket(batch: TrackedBatch, outcome: Outcome): Bucket {
  const open = openBucket(batch);
  const recycled = open !== 'inStock';
  switch (outcome.kind) {
    // Reprocessed material sold on keeps its recycled bucket: selling recycled fibre is not reuse.
    // A product placed on the market keeps its product bucket; ProductPlacedOnMarket of material
    // that was never reprocessed (a repaired item, say) is reuse in effect.
    case 'sold-for-reuse':
    case 'placed-on-market':
      return recycled ? open : 'reuse';
    case 'exported':
      if (outcome.purpose === 'reuse') return recycled ? open : 'reuse';
      return outcome.purpose === 'recycling' ? 'exportRecycling' : 'exportUnknown';
    case 'incinerated':
      return outcome.energyRecovery ? 'energyRecovery' : 'incineration';
    case 'landfilled':
      return 'landfill';
  }
}

interface CohortTotals {
  collected: bigint;
  buckets: Record<Bucket, bigint>;
}

function emptyTotals(): CohortTotals {
  const buckets = {} as Record<Bucket, bigint>;
  for (const b of BUCKETS) buckets[b] = 0n;
  return { collected: 0n, buckets };
}

/**
 * Circularity buckets per waste cohort (docs/domain.md). Grams move between buckets when the batch
 * holding them changes bucket, using the origin vectors of its own ProvenanceFold. It does not read
 * the ProvenanceProjection's state because the runner applies a whole page to one projection before
 * the next, and each projection has its own checkpoint; the allocation code itself is shared.
 * Invariant, for every cohort: collected = Σ buckets, exactly. A weighing loss counts as a positive
 * weighing difference (the grams left the batches), a gain as a negative one. A void (decision 011)
 * moves every gram back where it was before its process completed.
 */
export class CircularityProjection extends BaseProjection {
  readonly name = 'circularity';
  /** 2: voids (decision 011). 3: grams as exact decimal text (decision 021). */
  readonly version = 3;
  private readonly origins = new ProvenanceFold();
  private readonly store = new FoldStore('circularity');
  private readonly gate = new ProcessGate('circularity');
  private readonly cohorts = new Map<string, CohortTotals>();
  private readonly dirtyCohorts = new Set<string>();
  private readonly cohortRows = new RowBuffer(COHORTS);
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);
  private readonly deferred = new DeferredEvents();

  readonly tables = [COHORTS.name, this.store.table, this.gate.table] as const;

  async migrate(db: ReadDb): Promise<void> {
    let table = db.schema
      .createTable(COHORTS.name)
      .ifNotExists()
      .addColumn('cohort', textType(db), (c) => c.primaryKey())
      .addColumn('origin_key', textType(db), (c) => c.notNull())
      .addColumn('month', textType(db), (c) => c.notNull())
      .addColumn('quarter', textType(db), (c) => c.notNull())
      .addColumn('year', textType(db), (c) => c.notNull())
      .addColumn('collected_grams', gramsTotalType(db), (c) => c.notNull());
    for (const bucket of BUCKETS) table = table.addColumn(BUCKET_COLUMNS[bucket], gramsTotalType(db), (c) => c.notNull());
    await table.execute();
    await db.schema
      .createIndex('circularity_cohorts_origin_month')
      .ifNotExists()
      .on(COHORTS.name)
      .columns(['origin_key', 'month'])
      .execute();
    await this.store.migrate(db);
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const rows = await circularityDb(db).selectFrom('circularity_cohorts').selectAll().execute();
    for (const row of rows) {
      const totals = emptyTotals();
      totals.collected = toBigIntValue(row.collected_grams);
      for (const bucket of BUCKETS) totals.buckets[bucket] = toBigIntValue(row[BUCKET_COLUMNS[bucket]]);
      this.cohorts.set(row.cohort, totals);
    }
    await this.store.load(db, this.origins);
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.origins.reset();
    this.store.reset();
    this.gate.reset();
    this.cohorts.clear();
    this.dirtyCohorts.clear();
    this.cohortRows.clear();
    this.deferred.clear();
  }

  protected fold(projected: ProjectedEvent): void {
    if (this.deferred.defer(projected, (e) => e.event.type === 'ProcessVoided')) return;
    this.gate.route(projected, this.sink);
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    for (const effect of this.origins.apply(projected.event, process)) {
      this.store.record(effect);
      this.book(effect);
    }
  }

  private book(effect: ProvenanceEffect): void {
    switch (effect.kind) {
      case 'originated':
        this.addCollected(effect.batch.vector, 1n);
        this.add(openBucket(effect.batch), effect.batch.vector, 1n);
        break;
      case 'origin-corrected':
        // What was collected changed; the batch still holds all of it.
        this.addCollected(effect.before, -1n);
        this.addCollected(effect.batch.vector, 1n);
        this.add(openBucket(effect.batch), effect.before, -1n);
        this.add(openBucket(effect.batch), effect.batch.vector, 1n);
        break;
      case 'reweighed':
        this.add(openBucket(effect.batch), effect.difference, 1n);
        this.add('weighingDifference', effect.difference, -1n);
        break;
      case 'closed': {
        const from = openBucket(effect.batch);
        const to = closedBucket(effect.batch, effect.outcome);
        if (from !== to) {
          this.add(from, effect.batch.vector, -1n);
          this.add(to, effect.batch.vector, 1n);
        }
        break;
      }
      case 'process-completed':
        for (const input of effect.inputs) this.add(openBucket(input), input.vector, -1n);
        for (const output of effect.outputs) this.add(openBucket(output), output.vector, 1n);
        for (const loss of effect.losses) this.add('processLoss', loss.vector, 1n);
        break;
      case 'process-voided':
        for (const output of effect.outputs) this.add(openBucket(output), output.vector, -1n);
        for (const input of effect.inputs) this.add(openBucket(input), input.vector, 1n);
        for (const loss of effect.losses) this.add('processLoss', loss.vector, -1n);
        break;
      case 'updated':
        break;
    }
  }

  private totals(cohort: string): CohortTotals | undefined {
    let totals = this.cohorts.get(cohort);
    if (!totals) {
      if (!isWasteOriginKey(parseCohortKey(cohort).originKey)) return undefined;
      totals = emptyTotals();
      this.cohorts.set(cohort, totals);
    }
    this.dirtyCohorts.add(cohort);
    return totals;
  }

  private addCollected(vector: ReadonlyOriginVector, sign: bigint): void {
    for (const [cohort, grams] of vector) {
      const totals = this.totals(cohort);
      if (totals) totals.collected += sign * grams;
    }
  }

  private add(bucket: Bucket, vector: ReadonlyOriginVector, sign: bigint): void {
    for (const [cohort, grams] of vector) {
      const totals = this.totals(cohort);
      if (totals) totals.buckets[bucket] += sign * grams;
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
    for (const cohort of this.dirtyCohorts) {
      const totals = this.cohorts.get(cohort) ?? emptyTotals();
      const { originKey, month } = parseCohortKey(cohort);
      const row: Record<string, string | number> = {
        cohort,
        origin_key: originKey,
        month,
        quarter: quarterOfMonth(month),
        year: month.slice(0, 4),
        collected_grams: gramsText(totals.collected),
      };
      for (const bucket of BUCKETS) row[BUCKET_COLUMNS[bucket]] = gramsText(totals.buckets[bucket]);
      this.cohortRows.put(cohort, row);
    }
    this.dirtyCohorts.clear();
    await this.cohortRows.flush(tx);
    await this.store.flush(tx);
    await this.gate.flush(tx);
  }

  /** In-memory totals per waste cohort, for invariant checks: collected and every bucket in grams. */
  snapshot(): Map<string, { collected: bigint; buckets: Readonly<Record<Bucket, bigint>> }> {
    const out = new Map<string, { collected: bigint; buckets: Readonly<Record<Bucket, bigint>> }>();
    for (const cohort of [...this.cohorts.keys()].sort()) {
      const totals = this.cohorts.get(cohort);
      if (totals) out.set(cohort, { collected: totals.collected, buckets: { ...totals.buckets } });
    }
    return out;
  }
}
