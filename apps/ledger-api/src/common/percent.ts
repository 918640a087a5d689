/**
 * A share as a percentage with a fixed number of decimals, as a string, computed exactly from the
 * integer fraction part/whole (decision 034): the quotient is scaled and divided in bigint, and the
 * last digit is rounded half to even, so 0.125 % at two decimals is "0.12" and 0.135 % is "0.14"
 * whatever the floating-point representation of either. null when the whole is zero (no share).
 */
export function percentOf(part: bigint, whole: bigint, decimals = 2): string | null {
  if (whole === 0n) return null;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 12) throw new RangeError(`decimals must be 0–12, got ${decimals}`);
  const negative = part < 0n !== whole < 0n && part !== 0n;
  const p = part < 0n ? -part : part;
  const w = whole < 0n ? -whole : whole;
  const scaled = p * 100n * 10n ** BigInt(decimals);
  let units = scaled / w;
  const twiceRemainder = (scaled % w) * 2n;
  if (twiceRemainder > w || (twiceRemainder === w && units % 2n === 1n)) units += 1n;
  const digits = units.toString().padStart(decimals + 1, '0');
  const whole_ = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  const text = decimals === 0 ? whole_ : `${whole_}.${fraction}`;
  return negative && units !== 0n ? `-${text}` : text;
}

/** Basis points (an integer share of 10,000) as a percentage with two decimals: exact, no rounding. */
export function basisPointsPercent(basisPoints: number): string {
  return percentOf(BigInt(basisPoints), 10_000n, 2) as string;
}

/** The rate names of the circularity reports (projections' RateName), each as an exact percentage. */
export type RatesPercent<R extends string> = Record<R, string | null>;

/**
 * The circularity rates as percentages, from the integer grams the exact rates are computed from
 * (projections' circularityRates): each bucket ÷ collected, circularity (reuse + both recycled
 * buckets), fibre-to-fibre (recycled textile) and resolved (collected − in stock); null when nothing
 * was collected, as the rates are.
 */
export function circularityRatesPercent<B extends string>(
  collectedGrams: number,
  buckets: Readonly<Record<B, number>> & Readonly<Record<'reuse' | 'recycledTextile' | 'recycledOther' | 'inStock', number>>,
): RatesPercent<B | 'circularity' | 'fibreToFibre' | 'resolved'> {
  const collected = BigInt(collectedGrams);
  const out: Record<string, string | null> = {};
  for (const [bucket, grams] of Object.entries(buckets) as Array<[string, number]>) out[bucket] = percentOf(BigInt(grams), collected);
  out['circularity'] = percentOf(BigInt(buckets.reuse) + BigInt(buckets.recycledTextile) + BigInt(buckets.recycledOther), collected);
  out['fibreToFibre'] = percentOf(BigInt(buckets.recycledTextile), collected);
  out['resolved'] = percentOf(collected - BigInt(buckets.inStock), collected);
  return out as RatesPercent<B | 'circularity' | 'fibreToFibre' | 'resolved'>;
}
