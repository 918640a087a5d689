import { gramsToTonnesText, nextDay, parseEventStream, percentToBasisPoints, tonnesToGrams } from './catalogue-text.js';

describe('the catalogue forms read numbers exactly', () => {
  it('given tonnes as a Danish or English reader writes them, when read, then they are exact grams', () => {
    expect(tonnesToGrams('1,5', 'da')).toBe(1_500_000);
    expect(tonnesToGrams('1.250,75', 'da')).toBe(1_250_750_000);
    expect(tonnesToGrams('0,000001', 'da')).toBe(1);
    expect(tonnesToGrams('2', 'da')).toBe(2_000_000);
    expect(tonnesToGrams('1,250.75', 'en')).toBe(1_250_750_000);
    expect(tonnesToGrams(' 0.3 ', 'en')).toBe(300_000);
  });

  it('given tonnes that are not a number, or finer than a gram, when read, then they are refused', () => {
    expect(tonnesToGrams('1.5', 'da')).toBeUndefined();
    expect(tonnesToGrams('1,5', 'en')).toBeUndefined();
    expect(tonnesToGrams('0,0000001', 'da')).toBeUndefined();
    expect(tonnesToGrams('-1', 'da')).toBeUndefined();
    expect(tonnesToGrams('', 'da')).toBeUndefined();
    expect(tonnesToGrams('1e3', 'en')).toBeUndefined();
  });

  it('given exact grams, when written as tonnes for a form, then they read back to the same grams', () => {
    expect(gramsToTonnesText(1_990_000, 'da')).toBe('1,99');
    expect(gramsToTonnesText(1_990_000, 'en')).toBe('1.99');
    expect(gramsToTonnesText(2_000_000, 'da')).toBe('2');
    expect(gramsToTonnesText(1, 'da')).toBe('0,000001');
    expect(gramsToTonnesText(0, 'en')).toBe('0');
    for (const grams of [1, 999_999, 1_000_001, 1_234_567_891, 9_007_198_999_999_999, 9_007_199_254_740_991]) {
      expect(tonnesToGrams(gramsToTonnesText(grams, 'da'), 'da')).toBe(grams);
      expect(tonnesToGrams(gramsToTonnesText(grams, 'en'), 'en')).toBe(grams);
    }
  });

  it('given a percentage, when read, then it is basis points; over 100 or finer than 0.01 is refused', () => {
    expect(percentToBasisPoints('80')).toBe(8_000);
    expect(percentToBasisPoints('62,5')).toBe(6_250);
    expect(percentToBasisPoints('0.01')).toBe(1);
    expect(percentToBasisPoints('100')).toBe(10_000);
    expect(percentToBasisPoints('100,01')).toBeUndefined();
    expect(percentToBasisPoints('1,005')).toBeUndefined();
    expect(percentToBasisPoints('x')).toBeUndefined();
  });

  it('given the last day of a month or a year, when the next day is asked, then it rolls over', () => {
    expect(nextDay('2026-06-30')).toBe('2026-07-01');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
  });
});

describe('the live matches stream', () => {
  it('given chunks that split an event, when parsed, then each complete event is given once and the rest waits', () => {
    const first = parseEventStream(': catalogue matches\n\nevent: match\ndata: {"a":');
    expect(first.events).toEqual([]);
    const second = parseEventStream(`${first.rest}1}\n\nevent: keep-alive\r\ndata: {}\r\n\r\nevent: ma`);
    expect(second.events).toEqual([
      { event: 'match', data: '{"a":1}' },
      { event: 'keep-alive', data: '{}' },
    ]);
    expect(second.rest).toBe('event: ma');
  });

  it('given an event of several data lines, when parsed, then they are joined by newlines', () => {
    expect(parseEventStream('data: one\ndata:two\n\n').events).toEqual([{ event: 'message', data: 'one\ntwo' }]);
  });
});
