/**
 * Proportional mass-balance allocation by largest remainder (docs/domain.md).
 *
 * Everything here is pure integer arithmetic on BigInt: two correct implementations must agree to the
 * gram, so no float ever touches a mass. Keys are compared with plain `<` (UTF-16 code units), never
 * `localeCompare`, because a locale would make the tie-break depend on the machine.
 */

/** Grams by key (a cohort, or any other allocation key such as a batch id). Zero entries are omitted. */
export type OriginVector = Map<string, bigint>;
export type ReadonlyOriginVector = ReadonlyMap<string, bigint>;

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toBigInt(value: bigint | number): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`mass must be a safe integer number of grams, got ${value}`);
  return BigInt(value);
}

/** A vector with its keys in sorted order and without zero entries, so iteration order is canonical. */
export function normaliseVector(entries: Iterable<readonly [string, bigint]>): OriginVector {
  const merged = new Map<string, bigint>();
  for (const [key, grams] of entries) merged.set(key, (merged.get(key) ?? 0n) + grams);
  const keys = [...merged.keys()].sort(compareKeys);
  const out: OriginVector = new Map();
  for (const key of keys) {
    const grams = merged.get(key) ?? 0n;
    if (grams !== 0n) out.set(key, grams);
  }
  return out;
}

export function vectorSum(vector: ReadonlyOriginVector): bigint {
  let sum = 0n;
  for (const grams of vector.values()) sum += grams;
  return sum;
}

export function addVectors(...vectors: ReadonlyOriginVector[]): OriginVector {
  return normaliseVector(vectors.flatMap((v) => [...v.entries()]));
}

/** a − b per key; the result may hold negative entries. */
export function subtractVectors(a: ReadonlyOriginVector, b: ReadonlyOriginVector): OriginVector {
  return normaliseVector([...a.entries(), ...[...b.entries()].map(([k, g]): [string, bigint] => [k, -g])]);
}

export function vectorsEqual(a: ReadonlyOriginVector, b: ReadonlyOriginVector): boolean {
  if (a.size !== b.size) return false;
  for (const [key, grams] of a) if (b.get(key) !== grams) return false;
  return true;
}

/**
 * One item's share of `pool` (which holds `remaining` grams): floor(L[c]·m/R) each, then the grams
 * still missing one each to the largest remainders (L[c]·m) mod R, ties to the smaller key.
 * `pool` must already be normalised (sorted, no zeros) so the tie-break sees a canonical order.
 */
function shareOf(pool: ReadonlyOriginVector, remaining: bigint, mass: bigint): OriginVector {
  if (mass === 0n) return new Map();
  if (remaining <= 0n) throw new RangeError(`cannot allocate ${mass} g from an empty pool`);
  const floors: Array<{ key: string; grams: bigint; remainder: bigint }> = [];
  let allocated = 0n;
  for (const [key, grams] of pool) {
    const product = grams * mass;
    const floor = product / remaining;
    floors.push({ key, grams: floor, remainder: product % remaining });
    allocated += floor;
  }
  let missing = mass - allocated;
  if (missing > 0n) {
    // Σ remainders = R·missing and each remainder < R, so at least `missing` cohorts have a non-zero
    // remainder: cohorts that have nothing to give never receive a gram.
    const order = [...floors].sort((x, y) =>
      x.remainder === y.remainder ? compareKeys(x.key, y.key) : x.remainder > y.remainder ? -1 : 1,
    );
    for (const entry of order) {
      if (missing === 0n) break;
      entry.grams += 1n;
      missing -= 1n;
    }
  }
  return normaliseVector(floors.map((f): [string, bigint] => [f.key, f.grams]));
}

/**
 * Hands `pool` out to `items` in the given order; each item takes its share of what is left.
 * When Σitems = Σpool every key's grams are conserved exactly. Throws if an item asks for more than
 * is left, since that would create mass.
 */
export function allocateSequentially(
  pool: ReadonlyOriginVector,
  items: ReadonlyArray<bigint> | ReadonlyArray<number>,
): OriginVector[] {
  let left = normaliseVector(pool.entries());
  for (const grams of left.values()) {
    if (grams < 0n) throw new RangeError('an allocation pool cannot hold negative grams');
  }
  let remaining = vectorSum(left);
  const shares: OriginVector[] = [];
  for (const item of items) {
    const mass = toBigInt(item);
    if (mass < 0n) throw new RangeError(`cannot allocate a negative mass (${mass} g)`);
    if (mass > remaining) throw new RangeError(`item of ${mass} g exceeds the ${remaining} g left in the pool`);
    const share = shareOf(left, remaining, mass);
    shares.push(share);
    left = subtractVectors(left, share);
    remaining -= mass;
  }
  return shares;
}

export interface Rescaled {
  /** The vector scaled to the new mass, by the same largest-remainder rule with one item. */
  readonly vector: OriginVector;
  /** new − old per key: negative where grams were lost, positive where they were gained. */
  readonly difference: OriginVector;
}

/**
 * Rescales a vector to a new total, for weighing differences. Unlike a pool hand-out the new mass may
 * exceed the old one (a transit gain), so each key may grow.
 */
export function rescale(vector: ReadonlyOriginVector, newMass: bigint | number): Rescaled {
  const mass = toBigInt(newMass);
  if (mass < 0n) throw new RangeError(`cannot rescale to a negative mass (${mass} g)`);
  const current = normaliseVector(vector.entries());
  const total = vectorSum(current);
  if (total === mass) return { vector: current, difference: new Map() };
  if (total <= 0n) throw new RangeError(`cannot rescale an empty vector to ${mass} g`);
  const scaled = shareOf(current, total, mass);
  return { vector: scaled, difference: subtractVectors(scaled, current) };
}

/** Only the offset is read from Intl: its year and era fields are locale text ("1 BC"), not numbers. */
const copenhagenOffset = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Copenhagen',
  timeZoneName: 'longOffset',
});

const TWO_HOURS_MS = 2 * 3_600_000;

/**
 * The first and last month a month key can name. The event schemas let an offset carry an instant a
 * few hours past either end of the four-digit years (`0000-01-01T00:00:00+14:00` is UTC year −1);
 * such an instant is placed in the nearest month that has a four-digit year, so that every month key
 * is `YYYY-MM` and sorts as text (docs/decisions/021-projections-are-total.md).
 */
export const FIRST_MONTH = '0000-01';
export const LAST_MONTH = '9999-12';

/** Europe/Copenhagen's offset from UTC at an instant, in ms (+00:53:28 local mean time before 1894). */
function copenhagenOffsetMs(instant: Date): number {
  const name = copenhagenOffset.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? '';
  const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(name);
  if (!m) throw new RangeError(`unexpected time zone offset ${name} for Europe/Copenhagen`);
  if (m[1] === undefined) return 0;
  const ms = ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === '-' ? -ms : ms;
}

function monthKey(year: number, month: number): string {
  if (year < 0) return FIRST_MONTH;
  if (year > 9999) return LAST_MONTH;
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}`;
}

/**
 * `YYYY-MM` of an instant in Europe/Copenhagen local time: the month a municipality reports in.
 * Total over every instant the event schemas accept, years 0000–9999 included (decision 021).
 */
export function copenhagenMonthOf(occurredAtIso: string): string {
  const ms = Date.parse(occurredAtIso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${occurredAtIso}`);
  const instant = new Date(ms);
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth();
  // Copenhagen is always between 0 and 2 hours ahead of UTC, so only an instant in the last two UTC
  // hours of a month can fall in the next local month. Everything else skips Intl, which costs about
  // as much as parsing the event (projections call this for every origin event of a rebuild).
  // Date.UTC maps years 0–99 to 1900–1999, so the end of the month is taken with setUTCFullYear.
  const nextMonth = new Date(0);
  nextMonth.setUTCFullYear(year, month + 1, 1);
  if (ms < nextMonth.getTime() - TWO_HOURS_MS) return monthKey(year, month);
  const local = new Date(ms + copenhagenOffsetMs(instant));
  return monthKey(local.getUTCFullYear(), local.getUTCMonth());
}

/** `<originKey>|<YYYY-MM>`, the month in Europe/Copenhagen local time (docs/domain.md). */
export function cohortKey(originKey: string, occurredAtIso: string): string {
  return `${originKey}|${copenhagenMonthOf(occurredAtIso)}`;
}

export interface CohortParts {
  readonly originKey: string;
  readonly month: string;
}

/** Splits a cohort key at its last `|` (origin keys never contain one; months never do). */
export function parseCohortKey(cohort: string): CohortParts {
  const at = cohort.lastIndexOf('|');
  if (at < 0) throw new RangeError(`not a cohort key: ${cohort}`);
  return { originKey: cohort.slice(0, at), month: cohort.slice(at + 1) };
}

/** Origin classes whose grams are waste, i.e. recycled content (virgin and untracked are not). */
export function isWasteOriginKey(originKey: string): boolean {
  return (
    originKey.startsWith('kommune:') ||
    originKey.startsWith('pre-consumer:') ||
    originKey.startsWith('post-consumer-business:')
  );
}

export const originKeys = {
  kommune: (kommuneCode: string) => `kommune:${kommuneCode}`,
  residual: (originClass: 'pre-consumer' | 'post-consumer-business', organisationId: string) =>
    `${originClass}:${organisationId}`,
  external: (originClass: 'virgin' | 'untracked', processId: string) => `${originClass}:${processId}`,
} as const;

/**
 * Deterministic JSON of a vector: keys sorted, grams as numbers, or as decimal strings beyond the
 * safe integers (which vectorFromJson reads back exactly), so that no stored vector can fail to
 * serialise (decision 021).
 */
export function vectorToJson(vector: ReadonlyOriginVector): string {
  const record: Record<string, number | string> = {};
  for (const [key, grams] of normaliseVector(vector.entries())) record[key] = gramsToJson(grams);
  return JSON.stringify(record);
}

export function vectorFromJson(json: string): OriginVector {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('a vector is a JSON object');
  const entries: Array<[string, bigint]> = [];
  for (const [key, grams] of Object.entries(parsed)) {
    if (typeof grams === 'number') entries.push([key, toBigInt(grams)]);
    else if (typeof grams === 'string' && /^-?\d+$/.test(grams)) entries.push([key, BigInt(grams)]);
    else throw new TypeError(`grams of ${key} are not an integer`);
  }
  return normaliseVector(entries);
}

/** BigInt grams to a number for SQL and JSON, refusing anything that would lose precision. */
export function toSafeNumber(grams: bigint): number {
  const n = Number(grams);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${grams} g is beyond the safe integer range`);
  return n;
}

/** Grams for JSON and SQL: a number where it is exact, else a decimal string (decision 021). */
export function gramsToJson(grams: bigint): number | string {
  const n = Number(grams);
  return Number.isSafeInteger(n) ? n : grams.toString();
}
