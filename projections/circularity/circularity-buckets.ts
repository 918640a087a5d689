import { isWasteOriginKey, parseCohortKey, type ReadonlyOriginVector } from '#domain';
import type { Outcome, ProvenanceEffect, TrackedBatch } from '../provenance/provenance.fold.js';

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

export interface CohortTotals {
  collected: bigint;
  buckets: Record<Bucket, bigint>;
}

export function emptyTotals(): CohortTotals {
  const buckets = {} as Record<Bucket, bigint>;
  for (const b of BUCKETS) buckets[b] = 0n;
  return { collected: 0n, buckets };
}

/**
 * The circularity bookkeeping of docs/domain.md, per waste cohort: what each fold effect moves between
 * buckets, so that collected = Σ buckets holds for every cohort. The circularity projection keeps it
 * over plain cohorts; programme impact keeps it over its finer origin keys (decision 043). Both book
 * the same effects the same way, so the rule lives here once.
 */
export class CircularityBuckets {
  private readonly cohorts = new Map<string, CohortTotals>();
  private readonly dirty = new Set<string>();

  book(effect: ProvenanceEffect): void {
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

  /** Totals read back from a table at start-up. */
  restore(cohort: string, totals: CohortTotals): void {
    this.cohorts.set(cohort, totals);
  }

  get(cohort: string): CohortTotals {
    return this.cohorts.get(cohort) ?? emptyTotals();
  }

  cohortKeys(): string[] {
    return [...this.cohorts.keys()];
  }

  /** The cohorts changed since the last call, to be written. */
  takeDirty(): string[] {
    const dirty = [...this.dirty];
    this.dirty.clear();
    return dirty;
  }

  clear(): void {
    this.cohorts.clear();
    this.dirty.clear();
  }

  private totals(cohort: string): CohortTotals | undefined {
    let totals = this.cohorts.get(cohort);
    if (!totals) {
      if (!isWasteOriginKey(parseCohortKey(cohort).originKey)) return undefined;
      totals = emptyTotals();
      this.cohorts.set(cohort, totals);
    }
    this.dirty.add(cohort);
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
}
