/**
 * Reference data (docs/domain.md): the 98 Danish municipalities by official 4-digit code (generated
 * from shared/data/kommuner.csv), the EWC codes and the fibre list. Unknown codes are refused.
 */
import { describe, expect, it } from '@jest/globals';
import { EWC_CODES, EWC_CODE_LIST, KOMMUNER, isKnownKommune, kommuneName } from './reference.js';

describe('kommuner', () => {
  it('lists all 98 municipalities, each code four digits and once', () => {
    expect(KOMMUNER).toHaveLength(98);
    const codes = KOMMUNER.map((k) => k.code);
    expect(new Set(codes).size).toBe(98);
    for (const code of codes) expect(code).toMatch(/^\d{4}$/);
    expect(new Set(KOMMUNER.map((k) => k.name)).size).toBe(98);
  });

  it('spans the five regions', () => {
    const byRegion = new Map<string, number>();
    for (const k of KOMMUNER) byRegion.set(k.region, (byRegion.get(k.region) ?? 0) + 1);
    expect(Object.fromEntries(byRegion)).toEqual({ Hovedstaden: 29, Sjælland: 17, Syddanmark: 22, Midtjylland: 19, Nordjylland: 11 });
  });

  it.each([
    ['0101', 'København'],
    ['0147', 'Frederiksberg'],
    ['0657', 'Herning'],
    ['0756', 'Ikast-Brande'],
    ['0751', 'Aarhus'],
    ['0851', 'Aalborg'],
    ['0461', 'Odense'],
    ['0400', 'Bornholm'],
  ])('knows %s as %s', (code, name) => {
    expect(isKnownKommune(code)).toBe(true);
    expect(kommuneName(code)).toBe(name);
  });

  it('does not list Christiansø (0411), which is no kommune', () => {
    expect(isKnownKommune('0411')).toBe(false);
  });

  it('knows every listed code', () => {
    for (const { code, name } of KOMMUNER) {
      expect(isKnownKommune(code)).toBe(true);
      expect(kommuneName(code)).toBe(name);
    }
  });

  it.each(['0000', '9999', '0658', '0100', '657', '06570', '', 'Herning', ' 0657'])('refuses the unknown code %p', (code) => {
    expect(isKnownKommune(code)).toBe(false);
    expect(kommuneName(code)).toBeUndefined();
  });

  it('refuses every 4-digit code not on the list (there are 10,000 − 98 of them)', () => {
    let known = 0;
    for (let n = 0; n < 10_000; n += 1) if (isKnownKommune(n.toString().padStart(4, '0'))) known += 1;
    expect(known).toBe(98);
  });
});

describe('EWC codes', () => {
  it('are the six textile codes of docs/domain.md', () => {
    expect(EWC_CODE_LIST).toEqual(['20 01 10', '20 01 11', '19 12 08', '04 02 21', '04 02 22', '15 01 09']);
    expect(EWC_CODES['20 01 10']).toBe('clothes');
  });
});
