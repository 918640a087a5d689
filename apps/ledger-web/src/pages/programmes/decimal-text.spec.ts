import { decimalText, gramsAsTonnes } from './decimal-text.js';

describe('exact decimals as a reader writes them', () => {
  it('given an exact decimal, when written in Danish or English, then only the marks differ and every digit stays', () => {
    expect(decimalText('1234567.000001', 'da')).toBe('1.234.567,000001');
    expect(decimalText('1234567.000001', 'en')).toBe('1,234,567.000001');
    expect(decimalText('0.7', 'da')).toBe('0,7');
    expect(decimalText('700', 'da')).toBe('700');
    expect(decimalText('-1000.50', 'da')).toBe('-1.000,50');
  });

  it('given text that is not a decimal, when written, then it is shown as it came', () => {
    expect(decimalText('1e6', 'da')).toBe('1e6');
    expect(decimalText('', 'en')).toBe('');
  });

  it('given integer grams, when written as tonnes, then the figure is exact with no trailing zeros', () => {
    expect(gramsAsTonnes(0)).toBe('0');
    expect(gramsAsTonnes(1)).toBe('0.000001');
    expect(gramsAsTonnes(700_000)).toBe('0.7');
    expect(gramsAsTonnes(1_234_500_000)).toBe('1234.5');
    expect(gramsAsTonnes(-2_000_000)).toBe('-2');
    expect(gramsAsTonnes(9_007_199_254_740_991)).toBe('9007199254.740991');
  });
});
