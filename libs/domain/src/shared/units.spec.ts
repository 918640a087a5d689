/**
 * Units (docs/domain.md): mass is an integer number of grams; a composition is a list of fibres from
 * the fixed list, each once, with shares in basis points that sum to exactly 10,000.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FIBRES, type Fibre } from '../reference/reference.js';
import { BASIS_POINTS_TOTAL, Composition, Grams, Instant, PositiveGrams, ProgrammeTags, UNKNOWN_COMPOSITION, Uuid } from './units.js';

const ok = (schema: { safeParse: (value: unknown) => { success: boolean } }, value: unknown): boolean => schema.safeParse(value).success;

/** A random set of distinct fibres and a random split of `total` basis points among them (each ≥ 1). */
const sharesSummingTo = (total: number) =>
  fc.shuffledSubarray([...FIBRES], { minLength: 1 }).chain((fibres) =>
    fc
      .uniqueArray(fc.integer({ min: 1, max: total - 1 }), { minLength: fibres.length - 1, maxLength: fibres.length - 1 })
      .map((cuts) => {
        const points = [...cuts].sort((a, b) => a - b);
        return fibres.map((fibre, i): { fibre: Fibre; share: number } => ({ fibre, share: (points[i] ?? total) - (i === 0 ? 0 : (points[i - 1] ?? 0)) }));
      }),
  );

describe('Grams: an integer number of grams', () => {
  it.each([0, 1, 1_000, Number.MAX_SAFE_INTEGER])('accepts %d', (g) => expect(ok(Grams, g)).toBe(true));
  it.each([
    [1.5, 'a fraction'],
    [0.1, 'a tenth (a float kg × 1000 gone wrong)'],
    [-1, 'a negative mass'],
    [Number.MAX_SAFE_INTEGER + 1, 'beyond the safe integers'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'infinity'],
    ['1000', 'a string'],
  ])('refuses %p (%s)', (g, _why) => expect(ok(Grams, g)).toBe(false));

  it('PositiveGrams also refuses 0 g', () => {
    expect(ok(PositiveGrams, 0)).toBe(false);
    expect(ok(PositiveGrams, 1)).toBe(true);
    expect(ok(PositiveGrams, 2.5)).toBe(false);
  });
});

describe('Composition: fibres from the fixed list, each once, shares summing to 10,000 basis points', () => {
  it('has the fibres of docs/domain.md and 10,000 basis points in a whole', () => {
    expect([...FIBRES]).toEqual(['cotton', 'polyester', 'wool', 'viscose', 'polyamide', 'acrylic', 'elastane', 'linen', 'silk', 'other', 'unknown']);
    expect(BASIS_POINTS_TOTAL).toBe(10_000);
  });

  it('accepts a blend that sums to 10,000', () => {
    expect(
      ok(Composition, [
        { fibre: 'cotton', share: 6_500 },
        { fibre: 'polyester', share: 3_000 },
        { fibre: 'elastane', share: 500 },
      ]),
    ).toBe(true);
    expect(ok(Composition, UNKNOWN_COMPOSITION)).toBe(true);
  });

  it.each([
    [9_999, 'one basis point short'],
    [10_001, 'one basis point over'],
  ])('refuses shares that sum to %d (%s)', (total) => {
    const result = Composition.safeParse([
      { fibre: 'cotton', share: total - 3_000 },
      { fibre: 'wool', share: 3_000 },
    ]);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain(`composition shares must sum to 10000 basis points, got ${total}`);
  });

  it('refuses a fibre listed twice, even when the shares sum to 10,000', () => {
    const result = Composition.safeParse([
      { fibre: 'cotton', share: 5_000 },
      { fibre: 'cotton', share: 5_000 },
    ]);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain('each fibre may appear only once in a composition');
  });

  it.each([
    [[{ fibre: 'hemp', share: 10_000 }], 'a fibre not on the list'],
    [[{ fibre: 'cotton', share: 5_000.5 }, { fibre: 'wool', share: 4_999.5 }], 'fractional basis points'],
    [[{ fibre: 'cotton', share: 10_000 }, { fibre: 'wool', share: 0 }], 'a zero share'],
    [[{ fibre: 'cotton', share: 10_500 }, { fibre: 'wool', share: -500 }], 'a negative share'],
    [[], 'no fibre at all'],
  ])('refuses %j (%s)', (composition) => {
    expect(ok(Composition, composition)).toBe(false);
  });

  it('accepts any split of 10,000 among distinct fibres (property)', () => {
    fc.assert(fc.property(sharesSummingTo(10_000), (shares) => expect(ok(Composition, shares)).toBe(true)));
  });

  it('refuses any split of another total (property)', () => {
    const otherTotal = fc.integer({ min: 11, max: 20_000 }).filter((t) => t !== 10_000);
    fc.assert(fc.property(otherTotal.chain(sharesSummingTo), (shares) => expect(ok(Composition, shares)).toBe(false)));
  });
});

describe('other shared types', () => {
  it('Instant: an ISO-8601 instant with an explicit offset', () => {
    expect(ok(Instant, '2024-05-01T11:00:00Z')).toBe(true);
    expect(ok(Instant, '2024-05-01T13:00:00.123+02:00')).toBe(true);
    expect(ok(Instant, '2024-05-01T11:00:00')).toBe(false);
    expect(ok(Instant, '2024-05-01')).toBe(false);
    expect(ok(Instant, 'yesterday')).toBe(false);
  });

  it('Uuid', () => {
    expect(ok(Uuid, '0190a000-0000-7000-8000-000000000001')).toBe(true);
    expect(ok(Uuid, 'batch-1')).toBe(false);
  });

  it('ProgrammeTags: lower-case slugs, at most 20', () => {
    expect(ok(ProgrammeTags, ['tekstilsymbiose-herning', 'closing-loops', 'co59'])).toBe(true);
    expect(ok(ProgrammeTags, ['Tekstilsymbiose Herning'])).toBe(false);
    expect(ok(ProgrammeTags, ['-leading-dash'])).toBe(false);
    expect(ok(ProgrammeTags, Array.from({ length: 21 }, (_, i) => `tag-${i}`))).toBe(false);
  });
});
