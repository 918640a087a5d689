import fc from 'fast-check';
import {
  allocateSequentially,
  cohortKey,
  copenhagenMonthOf,
  parseCohortKey,
  rescale,
  normaliseVector,
  vectorFromJson,
  vectorSum,
  vectorToJson,
  type OriginVector,
} from './allocation.js';

const v = (record: Record<string, number>): OriginVector => new Map(Object.entries(record).map(([k, g]) => [k, BigInt(g)]));
const plain = (vector: OriginVector): Record<string, number> => Object.fromEntries([...vector].map(([k, g]) => [k, Number(g)]));

/** A pool of a few cohorts and a split of its total into items (Σitems = Σpool). */
const poolAndItems = fc
  .record({
    grams: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 6 }),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
  })
  .map(({ grams, cuts }) => {
    const pool = new Map(grams.map((g, i): [string, bigint] => [`k${String.fromCharCode(97 + ((i * 7) % 26))}${i}|2024-0${(i % 9) + 1}`, BigInt(g)]));
    const total = grams.reduce((a, b) => a + b, 0);
    const points = cuts.map((c) => Math.floor(c * total)).sort((a, b) => a - b);
    const items: number[] = [];
    let previous = 0;
    for (const p of [...points, total]) {
      items.push(p - previous);
      previous = p;
    }
    return { pool, items };
  });

describe('allocateSequentially (docs/domain.md)', () => {
  it('matches a worked example by hand', () => {
    // Pool R = 10000: k 7000, p 2000, v 1000; items 3333, 3333, 3334.
    // Item 1 (m = 3333, R = 10000): floors k 2333 (r 1000), p 666 (r 6000), v 333 (r 3000) = 3332;
    //   the missing gram goes to the largest remainder, p → {k 2333, p 667, v 333}. Left 4667/1333/667.
    // Item 2 (m = 3333, R = 6667): k 15 555 111 = 2333·6667 + 1000, p 4 442 889 = 666·6667 + 2667,
    //   v 2 223 111 = 333·6667 + 3000 → floors 3332, missing gram to v → {k 2333, p 666, v 334}.
    // Item 3 takes what is left: {k 2334, p 667, v 333}.
    const pool = v({ 'kommune:0657|2024-03': 7000, 'pre-consumer:x|2024-02': 2000, 'virgin:p|2024-04': 1000 });
    const shares = allocateSequentially(pool, [3333, 3333, 3334]).map(plain);
    expect(shares).toEqual([
      { 'kommune:0657|2024-03': 2333, 'pre-consumer:x|2024-02': 667, 'virgin:p|2024-04': 333 },
      { 'kommune:0657|2024-03': 2333, 'pre-consumer:x|2024-02': 666, 'virgin:p|2024-04': 334 },
      { 'kommune:0657|2024-03': 2334, 'pre-consumer:x|2024-02': 667, 'virgin:p|2024-04': 333 },
    ]);
  });

  it('breaks equal remainders towards the smaller cohort string (plain <, not locale order)', () => {
    const shares = allocateSequentially(v({ z: 1, y: 1, x: 1 }), [1n, 1n, 1n]).map(plain);
    expect(shares).toEqual([{ x: 1 }, { y: 1 }, { z: 1 }]);
    // 'B' (66) sorts before 'a' (97) by code unit, though a locale would put 'a' first.
    expect(allocateSequentially(v({ a: 1, B: 1 }), [1]).map(plain)).toEqual([{ B: 1 }]);
  });

  it('accepts number and bigint items alike and gives empty shares to zero items', () => {
    expect(allocateSequentially(v({ a: 5 }), [0, 5]).map(plain)).toEqual([{}, { a: 5 }]);
    expect(allocateSequentially(v({ a: 5 }), [0n, 5n]).map(plain)).toEqual([{}, { a: 5 }]);
  });

  it('refuses to hand out more than the pool holds', () => {
    expect(() => allocateSequentially(v({ a: 5 }), [3, 3])).toThrow(RangeError);
    expect(() => allocateSequentially(v({ a: 5 }), [1.5])).toThrow(RangeError);
  });

  it('gives every item exactly its mass and conserves every cohort exactly', () => {
    fc.assert(
      fc.property(poolAndItems, ({ pool, items }) => {
        const shares = allocateSequentially(pool, items);
        expect(shares).toHaveLength(items.length);
        shares.forEach((share, i) => {
          expect(vectorSum(share)).toBe(BigInt(items[i] ?? -1));
          for (const g of share.values()) expect(g > 0n).toBe(true);
        });
        for (const [cohort, grams] of pool) {
          const total = shares.reduce((sum, s) => sum + (s.get(cohort) ?? 0n), 0n);
          expect(total).toBe(grams);
        }
        for (const share of shares) for (const cohort of share.keys()) expect(pool.has(cohort)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic and independent of the pool’s insertion order', () => {
    fc.assert(
      fc.property(poolAndItems, ({ pool, items }) => {
        const reversed = new Map([...pool].reverse());
        const a = allocateSequentially(pool, items).map(vectorToJson);
        const b = allocateSequentially(reversed, items).map(vectorToJson);
        const c = allocateSequentially(pool, items).map(vectorToJson);
        expect(b).toEqual(a);
        expect(c).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });

  it('gives each cohort within one gram of its exact proportional share of the first item', () => {
    fc.assert(
      fc.property(poolAndItems, ({ pool, items }) => {
        const total = vectorSum(pool);
        const first = BigInt(items[0] ?? 0);
        const [share] = allocateSequentially(pool, items);
        for (const [cohort, grams] of pool) {
          const got = share?.get(cohort) ?? 0n;
          const floor = total === 0n ? 0n : (grams * first) / total;
          expect(got === floor || got === floor + 1n).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('rescale', () => {
  it('shrinks a vector for a loss and reports the signed difference per cohort', () => {
    const { vector, difference } = rescale(v({ a: 600, b: 400 }), 990);
    expect(plain(vector)).toEqual({ a: 594, b: 396 });
    expect(plain(difference)).toEqual({ a: -6, b: -4 });
  });

  it('grows a vector for a gain (m > R)', () => {
    const { vector, difference } = rescale(v({ a: 600, b: 400 }), 1001n);
    expect(plain(vector)).toEqual({ a: 601, b: 400 });
    expect(plain(difference)).toEqual({ a: 1 });
  });

  it('leaves an unchanged mass alone', () => {
    const { vector, difference } = rescale(v({ a: 3 }), 3);
    expect(plain(vector)).toEqual({ a: 3 });
    expect(difference.size).toBe(0);
  });

  it('always sums to the new mass, and old + difference = new', () => {
    fc.assert(
      fc.property(poolAndItems, fc.nat({ max: 3_000_000 }), ({ pool }, target) => {
        fc.pre(vectorSum(pool) > 0n);
        const { vector, difference } = rescale(pool, target);
        expect(vectorSum(vector)).toBe(BigInt(target));
        for (const cohort of new Set([...pool.keys(), ...vector.keys()])) {
          expect((pool.get(cohort) ?? 0n) + (difference.get(cohort) ?? 0n)).toBe(vector.get(cohort) ?? 0n);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('cohortKey', () => {
  it('uses the month in Europe/Copenhagen local time', () => {
    // 22:30 UTC on 31 March 2024 is 00:30 CEST on 1 April.
    expect(cohortKey('kommune:0657', '2024-03-31T22:30:00Z')).toBe('kommune:0657|2024-04');
    // 23:30 UTC on New Year's Eve is already January in Copenhagen (CET, +01:00).
    expect(cohortKey('kommune:0101', '2023-12-31T23:30:00.000Z')).toBe('kommune:0101|2024-01');
    expect(copenhagenMonthOf('2024-01-31T23:59:59+01:00')).toBe('2024-01');
    expect(copenhagenMonthOf('2024-10-31T23:30:00Z')).toBe('2024-11');
    expect(copenhagenMonthOf('2024-10-31T22:30:00Z')).toBe('2024-10');
  });

  it('agrees with Intl for any instant, including the hours around month ends and DST changes', () => {
    const intl = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit' });
    const viaIntl = (ms: number) => {
      const parts = intl.formatToParts(new Date(ms));
      return `${parts.find((p) => p.type === 'year')?.value}-${parts.find((p) => p.type === 'month')?.value}`;
    };
    const monthEnd = fc
      .record({ year: fc.integer({ min: 1990, max: 2060 }), month: fc.integer({ min: 0, max: 11 }), offset: fc.integer({ min: -4 * 3_600_000, max: 4 * 3_600_000 }) })
      .map(({ year, month, offset }) => Date.UTC(year, month + 1, 1) + offset);
    const anywhere = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) });
    fc.assert(
      fc.property(fc.oneof(monthEnd, anywhere), (ms) => {
        expect(copenhagenMonthOf(new Date(ms).toISOString())).toBe(viaIntl(ms));
      }),
      { numRuns: 2000 },
    );
  });

  it('places an instant of any year the event schemas accept in a month (decision 021)', () => {
    // Given business times a store written by an older version may hold, when they are placed in a
    // month, then every one is a four-digit month in Copenhagen time (local mean time, +00:53:28, before 1894).
    expect(copenhagenMonthOf('0999-12-31T12:00:00Z')).toBe('0999-12');
    expect(copenhagenMonthOf('0999-12-31T23:30:00Z')).toBe('1000-01');
    expect(copenhagenMonthOf('0001-01-01T00:00:00Z')).toBe('0001-01');
    expect(copenhagenMonthOf('0050-06-30T23:10:00Z')).toBe('0050-07');
    expect(copenhagenMonthOf('1893-12-31T23:10:00Z')).toBe('1894-01');
    expect(copenhagenMonthOf('1900-01-01T00:00:00+01:00')).toBe('1900-01');
    expect(copenhagenMonthOf('9999-12-31T23:59:59.999Z')).toBe('9999-12');
    // An offset carries these past the four-digit years (UTC years -1 and 10000): the nearest month.
    expect(copenhagenMonthOf('0000-01-01T00:00:00+14:00')).toBe('0000-01');
    expect(copenhagenMonthOf('9999-12-31T23:59:59.999-23:59')).toBe('9999-12');
  });

  it('serialises vectors beyond the safe integers exactly (decision 021)', () => {
    const vector = new Map([['kommune:0657|2025-01', 2n ** 60n + 1n], ['kommune:0101|2025-01', 5n]]);
    expect(vectorToJson(vector)).toBe('{"kommune:0101|2025-01":5,"kommune:0657|2025-01":"1152921504606846977"}');
    expect(vectorFromJson(vectorToJson(vector))).toEqual(normaliseVector(vector.entries()));
  });

  it('round-trips through parseCohortKey', () => {
    expect(parseCohortKey('pre-consumer:0191a0a0-0000-7000-8000-000000000001|2025-06')).toEqual({
      originKey: 'pre-consumer:0191a0a0-0000-7000-8000-000000000001',
      month: '2025-06',
    });
  });

  it('rejects what is not an instant', () => {
    expect(() => cohortKey('kommune:0657', 'yesterday')).toThrow(RangeError);
  });
});

describe('vector JSON', () => {
  it('is canonical: sorted keys, integer grams, zeros dropped', () => {
    const json = vectorToJson(v({ b: 2, a: 1, c: 0 }));
    expect(json).toBe('{"a":1,"b":2}');
    expect(plain(vectorFromJson(json))).toEqual({ a: 1, b: 2 });
  });
});
