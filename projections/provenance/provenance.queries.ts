import { parseCohortKey, toSafeNumber, vectorFromJson } from '#domain';
import type { ReadDb } from '../runner/projection.js';
import { provenanceDb } from './provenance.projection.js';
import { toBigIntValue } from './projection-support.js';

export interface CohortGrams {
  cohort: string;
  originKey: string;
  /** YYYY-MM in Europe/Copenhagen time. */
  month: string;
  grams: number;
}

export interface ProvenanceView {
  batchId: string;
  /**
   * `open` includes in transit and consumed by a process that has not completed; `voided`: an output
   * of a voided process (decision 011), whose grams went back to the process's inputs.
   */
  state: 'open' | 'consumed' | 'closed' | 'voided';
  massGrams: number;
  cohorts: CohortGrams[];
  byKommune: Array<{ kommuneCode: string; grams: number }>;
  /** Municipal collection (kommune:*) plus post-consumer business residuals. */
  postConsumerGrams: number;
  preConsumerGrams: number;
  virginGrams: number;
  untrackedGrams: number;
  /** Waste grams ÷ mass in basis points, rounded down (so a claim never overstates). */
  recycledContentBasisPoints: number;
}

/**
 * Where a batch's grams came from. Undefined for a batch the projection has not seen, and for the
 * outputs of a process that has not completed (they count only once it has, docs/domain.md).
 */
export async function provenance(db: ReadDb, batchId: string): Promise<ProvenanceView | undefined> {
  const row = await provenanceDb(db).selectFrom('provenance_batches').selectAll().where('batch_id', '=', batchId).executeTakeFirst();
  if (!row) return undefined;
  const vector = vectorFromJson(row.vector);
  const cohorts: CohortGrams[] = [];
  const kommuner = new Map<string, bigint>();
  let post = 0n;
  let pre = 0n;
  let virgin = 0n;
  let untracked = 0n;
  let mass = 0n;
  for (const [cohort, grams] of vector) {
    const { originKey, month } = parseCohortKey(cohort);
    cohorts.push({ cohort, originKey, month, grams: toSafeNumber(grams) });
    mass += grams;
    const cls = originKey.slice(0, originKey.indexOf(':'));
    if (cls === 'kommune') {
      const code = originKey.slice('kommune:'.length);
      kommuner.set(code, (kommuner.get(code) ?? 0n) + grams);
      post += grams;
    } else if (cls === 'post-consumer-business') post += grams;
    else if (cls === 'pre-consumer') pre += grams;
    else if (cls === 'virgin') virgin += grams;
    else if (cls === 'untracked') untracked += grams;
  }
  const byKommune = [...kommuner]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([kommuneCode, grams]) => ({ kommuneCode, grams: toSafeNumber(grams) }));
  const state = row.state === 'consumed' || row.state === 'closed' || row.state === 'voided' ? row.state : 'open';
  return {
    batchId: row.batch_id,
    state,
    massGrams: toSafeNumber(toBigIntValue(row.mass_grams)),
    cohorts,
    byKommune,
    postConsumerGrams: toSafeNumber(post),
    preConsumerGrams: toSafeNumber(pre),
    virginGrams: toSafeNumber(virgin),
    untrackedGrams: toSafeNumber(untracked),
    recycledContentBasisPoints: mass === 0n ? 0 : Number(((post + pre) * 10_000n) / mass),
  };
}

export interface WeighingDifference {
  eventId: string;
  position: number;
  cohort: string;
  /** new − old grams: negative for a loss, positive for a gain. */
  differenceGrams: number;
}

/** The weighing differences (transit, mass correction) booked against a batch, in log order. */
export async function provenanceWeighingDifferences(db: ReadDb, batchId: string): Promise<WeighingDifference[]> {
  const rows = await provenanceDb(db)
    .selectFrom('provenance_weighing_differences')
    .selectAll()
    .where('batch_id', '=', batchId)
    .orderBy('position')
    .orderBy('cohort')
    .execute();
  return rows.map((r) => ({
    eventId: r.event_id,
    position: Number(toBigIntValue(r.position)),
    cohort: r.cohort,
    differenceGrams: toSafeNumber(toBigIntValue(r.difference_grams)),
  }));
}
