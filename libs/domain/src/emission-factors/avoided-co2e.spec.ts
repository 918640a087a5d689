/** Avoided CO2e, exactly (docs/decisions/042-emission-factors-as-data.md): unknown factors stay unknown, never zero. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { avoidedCo2e, kgCo2eOf } from './avoided-co2e.js';

const HERNING = [
  { route: 'recycling' as const, kgCo2eAvoidedPerKg: '20.4' },
  { route: 'reuse' as const, kgCo2eAvoidedPerKg: null },
];

describe('avoided CO2e by route', () => {
  it('given 1 t recycled at 20.4 kg CO2e per kg, then 20,400 kg CO2e are avoided', () => {
    expect(avoidedCo2e({ recycling: 1_000_000 }, HERNING)).toEqual([{ route: 'recycling', grams: 1_000_000, known: true, kgCo2e: '20400' }]);
  });

  it('given grams that floats would round, then the answer is exact', () => {
    // 0.1 + 0.2 territory: 3 g at 0.1 kg/kg is 0.0003 kg, exactly.
    expect(kgCo2eOf(3, '0.1')).toBe('0.0003');
    expect(kgCo2eOf(9_007_199_254_740_991, '20.4')).toBe('183746864796716.2164');
    expect(kgCo2eOf(1234, '10.0')).toBe('12.34');
  });

  it('given reuse, whose factor is unknown, then it is reported unknown, never as zero', () => {
    expect(avoidedCo2e({ reuse: 500_000 }, HERNING)).toEqual([{ route: 'reuse', grams: 500_000, known: false, kgCo2e: null }]);
  });

  it('given a route the set does not name, then it is unknown', () => {
    expect(avoidedCo2e({ repair: 10 }, HERNING)).toEqual([{ route: 'repair', grams: 10, known: false, kgCo2e: null }]);
  });

  it('given no grams, then zero is known to be zero', () => {
    expect(avoidedCo2e({ recycling: 0 }, HERNING)[0]?.kgCo2e).toBe('0');
  });

  it('given a negative or fractional mass, then it is refused', () => {
    expect(() => kgCo2eOf(-1, '1')).toThrow(RangeError);
    expect(() => avoidedCo2e({ reuse: 1.5 }, HERNING)).toThrow(RangeError);
  });

  it('property: the result times 1000 equals grams times the factor (exact), and adding grams adds the result', () => {
    const factor = fc
      .tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 6 }))
      .map(([whole, fraction, digits]) => (digits === 0 ? String(whole) : `${whole}.${String(fraction).padStart(6, '0').slice(0, digits)}`));
    const grams = fc.integer({ min: 0, max: 2 ** 40 });
    const toMilliUnits = (decimal: string, scale: number): bigint => {
      const [w = '0', f = ''] = decimal.split('.');
      return BigInt(w + f.padEnd(scale, '0'));
    };
    fc.assert(
      fc.property(factor, grams, grams, (kgPerKg, a, b) => {
        const scale = 12;
        const [w = '0', f = ''] = kgPerKg.split('.');
        const factorUnits = BigInt(w + f.padEnd(scale - 3, '0'));
        const ra = kgCo2eOf(a, kgPerKg);
        expect(toMilliUnits(ra, scale)).toBe(BigInt(a) * factorUnits);
        const sum = toMilliUnits(ra, scale) + toMilliUnits(kgCo2eOf(b, kgPerKg), scale);
        expect(toMilliUnits(kgCo2eOf(a + b, kgPerKg), scale)).toBe(sum);
        expect(ra).not.toMatch(/\.\d*0$|^0\d|e/);
      }),
    );
  });
});
