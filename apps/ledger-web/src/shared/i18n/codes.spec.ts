import { codeLabel, codesOf, type CodeGroup } from './codes.js';

describe('names for domain codes', () => {
  it('given a known code, when named, then it reads in Danish or English', () => {
    expect(codeLabel('da', 'collectionScheme', 'bring-bank')).toBe('Tøjcontainer');
    expect(codeLabel('en', 'collectionScheme', 'bring-bank')).toBe('Bring bank');
    expect(codeLabel('da', 'status', 'available')).toBe('Tilgængelig');
    expect(codeLabel('da', 'fate', 'inStock')).toBe('Stadig på lager');
    expect(codeLabel('da', 'processType', 'mechanical-recycling')).toBe('Mekanisk genanvendelse');
    expect(codeLabel('da', 'grade', 'not-sorted')).toBe('Ikke sorteret');
    expect(codeLabel('da', 'smeStatus', 'unknown')).toBe('Ukendt (ingen størrelse oplyst)');
    expect(codeLabel('en', 'originClass', 'kommune')).toBe('Collected by a kommune');
    expect(codeLabel('da', 'ewcCode', '20 01 11')).toBe('Tekstiler');
    expect(codeLabel('en', 'ewcCode', '04 02 22')).toBe('Processed textile fibre waste');
  });

  it('given a code the list does not know, when named, then it is shown as written', () => {
    expect(codeLabel('da', 'collectionScheme', 'drone-pickup')).toBe('drone-pickup');
    // Not a property of the object it is looked up in, whatever the prototype holds
    expect(codeLabel('en', 'grade', 'constructor')).toBe('constructor');
    expect(codeLabel('da', 'role', '<b>x</b>')).toBe('<b>x</b>');
  });

  it('given every group, when each code is named in both languages, then each has its own non-empty name', () => {
    const groups: CodeGroup[] = ['collectionScheme', 'grade', 'status', 'processStatus', 'fate', 'processType', 'role', 'lossKind', 'originClass', 'outcome', 'application', 'market', 'exportPurpose', 'fibre', 'smeStatus', 'ewcCode', 'claimStandard', 'chainOfCustodyModel', 'massBalanceMovement'];
    for (const group of groups) {
      for (const code of codesOf(group)) {
        for (const locale of ['da', 'en'] as const) expect({ group, code, named: codeLabel(locale, group, code).length > 0 }).toEqual({ group, code, named: true });
      }
      const danish = codesOf(group).map((code) => codeLabel('da', group, code));
      expect(new Set(danish).size).toBe(danish.length);
    }
  });
});
