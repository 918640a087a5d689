import { gramsFigure, toBigIntValue } from '../provenance/projection-support.js';
import type { ReadDb } from '../runner/projection.js';
import { BUCKET_COLUMNS, BUCKETS, circularityDb, type Bucket } from './circularity.projection.js';

export type CircularityPeriod = 'month' | 'quarter' | 'year';

export interface CircularityQuery {
  originKey?: string;
  /** Shorthand for originKey `kommune:<code>`. */
  kommuneCode?: string;
  period: CircularityPeriod;
  /** Inclusive bounds on the cohort month, as `YYYY`, `YYYY-Qn` or `YYYY-MM`. */
  from?: string;
  to?: string;
}

export type RateName = Bucket | 'circularity' | 'fibreToFibre' | 'resolved';

export interface CircularityRow {
  originKey: string;
  /** `YYYY-MM`, `YYYY-Qn` or `YYYY`, as the query's period asks. */
  period: string;
  collectedGrams: number;
  buckets: Record<Bucket, number>;
  /** Each bucket ÷ collected, plus the three headline rates; null when nothing was collected. */
  rates: Record<RateName, number | null>;
}

const PERIOD_COLUMN = { month: 'month', quarter: 'quarter', year: 'year' } as const;

/** The first and last month a period bound covers. */
export function monthRange(bound: string): { first: string; last: string } {
  let m = /^(\d{4})$/.exec(bound);
  if (m) return { first: `${m[1]}-01`, last: `${m[1]}-12` };
  m = /^(\d{4})-Q([1-4])$/.exec(bound);
  if (m) {
    const q = Number(m[2]);
    const pad = (n: number) => String(n).padStart(2, '0');
    return { first: `${m[1]}-${pad(q * 3 - 2)}`, last: `${m[1]}-${pad(q * 3)}` };
  }
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(bound);
  if (m) return { first: bound, last: bound };
  throw new RangeError(`a period bound is YYYY, YYYY-Qn or YYYY-MM, got ${bound}`);
}

/** A rate from integer grams, computed only here at query time: the stored figures stay exact. */
function rate(part: bigint, whole: bigint): number | null {
  return whole === 0n ? null : Number(part) / Number(whole);
}

export function circularityRates(collected: bigint, buckets: Readonly<Record<Bucket, bigint>>): Record<RateName, number | null> {
  const rates = {} as Record<RateName, number | null>;
  for (const bucket of BUCKETS) rates[bucket] = rate(buckets[bucket], collected);
  rates.circularity = rate(buckets.reuse + buckets.recycledTextile + buckets.recycledOther, collected);
  rates.fibreToFibre = rate(buckets.recycledTextile, collected);
  // 1 − in-stock/collected, computed on integers first so it is exact where the quotient is.
  rates.resolved = rate(collected - buckets.inStock, collected);
  return rates;
}

/**
 * Circularity per origin key × period, summed from the waste cohorts' buckets. The sums are BigInt in
 * JavaScript, not SQL: the columns are exact decimal text, which neither dialect can sum exactly
 * (decision 021). A query reads one row per cohort (origin key × month), so this stays small.
 */
export async function circularity(db: ReadDb, query: CircularityQuery): Promise<CircularityRow[]> {
  const periodColumn = PERIOD_COLUMN[query.period];
  const originKey = query.originKey;
  const kommuneKey = query.kommuneCode === undefined ? undefined : `kommune:${query.kommuneCode}`;
  const first = query.from === undefined ? undefined : monthRange(query.from).first;
  const last = query.to === undefined ? undefined : monthRange(query.to).last;

  let select = circularityDb(db)
    .selectFrom('circularity_cohorts')
    .select(['origin_key', 'month', 'quarter', 'year', 'collected_grams', ...BUCKETS.map((b) => BUCKET_COLUMNS[b])]);
  if (originKey !== undefined) select = select.where('origin_key', '=', originKey);
  if (kommuneKey !== undefined) select = select.where('origin_key', '=', kommuneKey);
  if (first !== undefined) select = select.where('month', '>=', first);
  if (last !== undefined) select = select.where('month', '<=', last);
  const rows = await select.orderBy('origin_key').orderBy(periodColumn).orderBy('cohort').execute();

  const groups = new Map<string, { originKey: string; period: string; collected: bigint; grams: Record<Bucket, bigint> }>();
  for (const row of rows) {
    const period = String(row[periodColumn]);
    const key = `${row.origin_key}\u0000${period}`;
    let group = groups.get(key);
    if (!group) {
      const grams = {} as Record<Bucket, bigint>;
      for (const b of BUCKETS) grams[b] = 0n;
      group = { originKey: row.origin_key, period, collected: 0n, grams };
      groups.set(key, group);
    }
    group.collected += toBigIntValue(row.collected_grams);
    for (const b of BUCKETS) group.grams[b] += toBigIntValue(row[BUCKET_COLUMNS[b]]);
  }

  return [...groups.values()].map((group) => {
    const buckets = {} as Record<Bucket, number>;
    for (const b of BUCKETS) buckets[b] = gramsFigure(group.grams[b]);
    return {
      originKey: group.originKey,
      period: group.period,
      collectedGrams: gramsFigure(group.collected),
      buckets,
      rates: circularityRates(group.collected, group.grams),
    };
  });
}
