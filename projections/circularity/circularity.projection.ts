import { parseCohortKey } from '#domain';
import type { Kysely } from 'kysely';
import { FoldStore, type FoldBatchRow } from '../provenance/fold-store.js';
import { ProvenanceFold } from '../provenance/provenance.fold.js';
import { gramsText, gramsTotalType, toBigIntValue } from '../provenance/projection-support.js';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, textType, type TableDef } from '../runner/sql-rows.js';
import { DeferredEvents } from '../processes/deferred-events.js';
import { BUCKETS, CircularityBuckets, emptyTotals, type Bucket } from './circularity-buckets.js';

// The buckets and their rules are shared with programme impact (circularity-buckets.ts); readers of
// this read model keep importing them from here.
export { BUCKETS, BUCKET_LABELS, closedBucket, openBucket, type Bucket } from './circularity-buckets.js';

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
  private readonly buckets = new CircularityBuckets();
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
      this.buckets.restore(row.cohort, totals);
    }
    await this.store.load(db, this.origins);
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.origins.reset();
    this.store.reset();
    this.gate.reset();
    this.buckets.clear();
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
      this.buckets.book(effect);
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
    for (const cohort of this.buckets.takeDirty()) {
      const totals = this.buckets.get(cohort);
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
    await this.cohortRows.flush(tx);
    await this.store.flush(tx);
    await this.gate.flush(tx);
  }

  /** In-memory totals per waste cohort, for invariant checks: collected and every bucket in grams. */
  snapshot(): Map<string, { collected: bigint; buckets: Readonly<Record<Bucket, bigint>> }> {
    const out = new Map<string, { collected: bigint; buckets: Readonly<Record<Bucket, bigint>> }>();
    for (const cohort of this.buckets.cohortKeys().sort()) {
      const totals = this.buckets.get(cohort);
      out.set(cohort, { collected: totals.collected, buckets: { ...totals.buckets } });
    }
    return out;
  }
}
