import { kommuneName } from '#domain';
import { BUCKETS, type Bucket } from '../circularity/circularity.projection.js';
import { gramsFigure, toBigIntValue } from '../provenance/projection-support.js';
import type { ReadDb } from '../runner/projection.js';
import { municipalFlowsDb } from './municipal-flows.projection.js';

export interface CollectorFlow {
  collectorOrgId: string;
  grams: number;
}

export interface SorterFlow {
  collectorOrgId: string;
  /** null: not sorted (yet, or never: sold, burnt or recycled as collected). */
  sorterOrgId: string | null;
  grams: number;
}

export interface GradeFlow {
  sorterOrgId: string | null;
  /** A domain grade, or `not-sorted`, or `sorting-loss` for what the sorting itself lost. */
  grade: string;
  grams: number;
}

export interface FateFlow {
  grade: string;
  bucket: Bucket;
  /** Negative for a weighing gain (weighingDifference only). */
  grams: number;
}

/**
 * A kommune's collected textiles for one year (or quarter) of collection, as flows between four
 * levels. Each level's flows sum to `collectedGrams` exactly, and the fates summed by bucket are
 * the municipal report's circularity buckets (docs/decisions/036-municipal-flows.md).
 */
export interface MunicipalFlows {
  kommuneCode: string;
  kommuneName: string | null;
  year: number;
  quarter: number | null;
  /** `YYYY` or `YYYY-Qn`, of the collection month in Europe/Copenhagen. */
  period: string;
  collectedGrams: number;
  /** kommune → collector */
  collectors: CollectorFlow[];
  /** collector → first sorter */
  sorters: SorterFlow[];
  /** first sorter → grade */
  grades: GradeFlow[];
  /** grade → fate */
  fates: FateFlow[];
  /** Σ fates by bucket. */
  buckets: Record<Bucket, number>;
}

const BUCKET_SET: ReadonlySet<string> = new Set(BUCKETS);

function isBucket(value: string): value is Bucket {
  return BUCKET_SET.has(value);
}

class Sums {
  private readonly grams = new Map<string, bigint>();
  add(key: string, grams: bigint): void {
    this.grams.set(key, (this.grams.get(key) ?? 0n) + grams);
  }
  /** Sorted by key, zero sums left out (a flow that came and went holds nothing). */
  entries(): Array<[string, bigint]> {
    return [...this.grams].filter(([, g]) => g !== 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/**
 * Reads one kommune's flow rows for a year or quarter and sums them per level, in BigInt (the rows
 * are exact decimal text; decision 021). Bounded by the kommune's collectors × sorters × grades ×
 * buckets × months, whatever the number of batches.
 */
export async function municipalFlows(db: ReadDb, kommuneCode: string, year: number, quarter?: number): Promise<MunicipalFlows> {
  if (!Number.isInteger(year) || year < 0 || year > 9999) throw new RangeError(`year must be 0–9999, got ${year}`);
  if (quarter !== undefined && (!Number.isInteger(quarter) || quarter < 1 || quarter > 4)) throw new RangeError(`quarter must be 1–4, got ${quarter}`);
  const yyyy = String(year).padStart(4, '0');
  const period = quarter === undefined ? yyyy : `${yyyy}-Q${quarter}`;
  let select = municipalFlowsDb(db)
    .selectFrom('municipal_flows')
    .select(['collector_org_id', 'sorter_org_id', 'grade', 'bucket', 'grams'])
    .where('kommune_code', '=', kommuneCode);
  select = quarter === undefined ? select.where('year', '=', period) : select.where('quarter', '=', period);
  const rows = await select.execute();

  const collectors = new Sums();
  const sorters = new Sums();
  const grades = new Sums();
  const fates = new Sums();
  const buckets = {} as Record<Bucket, bigint>;
  for (const b of BUCKETS) buckets[b] = 0n;
  let collected = 0n;
  for (const row of rows) {
    if (!isBucket(row.bucket)) continue;
    const grams = toBigIntValue(row.grams);
    collected += grams;
    collectors.add(row.collector_org_id, grams);
    sorters.add(`${row.collector_org_id}|${row.sorter_org_id}`, grams);
    grades.add(`${row.sorter_org_id}|${row.grade}`, grams);
    fates.add(`${row.grade}|${row.bucket}`, grams);
    buckets[row.bucket] += grams;
  }
  const split = (key: string): [string, string] => {
    const at = key.indexOf('|');
    return [key.slice(0, at), key.slice(at + 1)];
  };
  const orNull = (id: string): string | null => (id === '' ? null : id);
  return {
    kommuneCode,
    kommuneName: kommuneName(kommuneCode) ?? null,
    year,
    quarter: quarter ?? null,
    period,
    collectedGrams: gramsFigure(collected),
    collectors: collectors.entries().map(([collectorOrgId, g]) => ({ collectorOrgId, grams: gramsFigure(g) })),
    sorters: sorters.entries().map(([key, g]) => {
      const [collectorOrgId, sorter] = split(key);
      return { collectorOrgId, sorterOrgId: orNull(sorter), grams: gramsFigure(g) };
    }),
    grades: grades.entries().map(([key, g]) => {
      const [sorter, grade] = split(key);
      return { sorterOrgId: orNull(sorter), grade, grams: gramsFigure(g) };
    }),
    fates: fates.entries().flatMap(([key, g]) => {
      const [grade, bucket] = split(key);
      return isBucket(bucket) ? [{ grade, bucket, grams: gramsFigure(g) }] : [];
    }),
    buckets: Object.fromEntries(BUCKETS.map((b) => [b, gramsFigure(buckets[b])])) as Record<Bucket, number>,
  };
}
