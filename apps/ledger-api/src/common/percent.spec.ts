import { describe, expect, it } from '@jest/globals';
import { basisPointsPercent, percentOf } from './percent.js';

describe('percentOf', () => {
  it('given an exact share, when written with two decimals, then it is exact', () => {
    expect(percentOf(7_841n, 10_000n)).toBe('78.41');
    expect(percentOf(1n, 1n)).toBe('100.00');
    expect(percentOf(0n, 5n)).toBe('0.00');
  });

  it('given a share halfway between two hundredths, when rounded, then it goes to the even one', () => {
    // 1/800 = 0.125 %; 27/20000 = 0.135 %; neither is exact in binary floating point.
    expect(percentOf(1n, 800n)).toBe('0.12');
    expect(percentOf(27n, 20_000n)).toBe('0.14');
    expect(percentOf(3n, 800n)).toBe('0.38');
  });

  it('given a share just past or short of the half, when rounded, then it goes to the nearer one', () => {
    expect(percentOf(2n, 3n)).toBe('66.67');
    expect(percentOf(1n, 3n)).toBe('33.33');
    expect(percentOf(12_501n, 10_000_000n)).toBe('0.13');
    expect(percentOf(12_499n, 10_000_000n)).toBe('0.12');
  });

  it('given more grams than JavaScript numbers hold exactly, when written, then no digit is lost', () => {
    const whole = 3n * 10n ** 20n;
    expect(percentOf(whole - 1n, whole)).toBe('100.00');
    expect(percentOf(whole / 3n, whole, 6)).toBe('33.333333');
  });

  it('given a negative part or no whole, then it is signed or null', () => {
    expect(percentOf(-1n, 4n)).toBe('-25.00');
    expect(percentOf(-1n, 10n ** 9n)).toBe('0.00');
    expect(percentOf(5n, 0n)).toBeNull();
  });

  it('given basis points, then the percentage is exact', () => {
    expect(basisPointsPercent(7_841)).toBe('78.41');
    expect(basisPointsPercent(5)).toBe('0.05');
    expect(basisPointsPercent(10_000)).toBe('100.00');
  });
});
