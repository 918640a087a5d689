import { copenhagenStartOfDay, formatBasisPoints, formatDateTime, formatMonth, formatPercent, formatTonnes } from './format.js';

/** Intl puts a no-break space before `%`; a reader sees a space. */
const plain = (text: string) => text.replace(/\u00a0|\u202f/g, ' ');

describe('Danish and English figures', () => {
  it('given grams, when shown in Danish, then they are tonnes with a decimal comma and thousands dots', () => {
    expect(formatTonnes(1_234_500_000, 'da')).toBe('1.234,5 t');
    expect(formatTonnes(138_791, 'da')).toBe('0,139 t');
    expect(formatTonnes(1_460_000, 'da')).toBe('1,46 t');
    expect(formatTonnes(0, 'da')).toBe('0,0 t');
  });

  it('given grams, when shown in English, then the separators are English', () => {
    expect(formatTonnes(1_234_500_000, 'en')).toBe('1,234.5 t');
  });

  it('given a fraction or basis points, when shown, then it is a percentage with one decimal', () => {
    expect(plain(formatPercent(0.783641095890411, 'da'))).toBe('78,4 %');
    expect(plain(formatBasisPoints(9568, 'da'))).toBe('95,7 %');
    expect(formatPercent(0.4, 'en')).toBe('40.0%');
  });

  it('given an instant, when shown, then it is Copenhagen time (summer and winter)', () => {
    expect(formatDateTime('2026-03-10T09:00:00.000Z', 'da')).toContain('10.00');
    expect(formatDateTime('2026-07-01T22:30:00.000Z', 'da')).toMatch(/2\. jul\. 2026.*00\.30/);
  });

  it('given a month period, when shown, then it is the month by name', () => {
    expect(formatMonth('2026-03', 'da')).toBe('marts 2026');
    expect(formatMonth('2026-03', 'en')).toBe('March 2026');
  });

  it('given a calendar day, when it becomes a period bound, then it is Copenhagen midnight with winter or summer offset', () => {
    expect(copenhagenStartOfDay('2026-01-01')).toBe('2026-01-01T00:00:00+01:00');
    expect(copenhagenStartOfDay('2026-07-01')).toBe('2026-07-01T00:00:00+02:00');
    // The day summer time starts: its midnight is still winter time.
    expect(copenhagenStartOfDay('2026-03-29')).toBe('2026-03-29T00:00:00+01:00');
  });
});
