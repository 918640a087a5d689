import { CATALOGUE_MESSAGES } from './catalogue.messages.js';
import { compositionText, ewcText, gradeText, massText, placeText, savingText, whyText } from './catalogue-describe.js';
import type { LocationView } from './catalogue.types.js';

const da = CATALOGUE_MESSAGES.da;
const en = CATALOGUE_MESSAGES.en;
const at = (view: Partial<LocationView>): LocationView => ({ precision: 'kommune', region: 'Midtjylland', kommuneCode: '0657', kommuneName: 'Herning', siteId: null, latitude: null, longitude: null, ...view });

describe('an entry in words, showing only what it discloses', () => {
  it('given a mass shown exactly, as a band, open-ended, or per period, when written, then it reads so in Danish and English', () => {
    expect(massText(da, 'da', { kind: 'exact', grams: 2_000_000 }, null)).toBe('2,0 t');
    expect(massText(da, 'da', { kind: 'band', minGrams: 1_000_000, maxGrams: 5_000_000 }, null)).toBe('mellem 1,0 t og 5,0 t');
    expect(massText(en, 'en', { kind: 'band', minGrams: 100_000_000, maxGrams: null }, null)).toBe('at least 100.0 t');
    expect(massText(da, 'da', { kind: 'exact', grams: 2_000_000 }, 'month')).toBe('2,0 t pr. måned');
  });

  it('given a location at a site, a kommune or a region, when written, then only the disclosed place is named', () => {
    expect(placeText(da, at({ precision: 'site', siteId: '01a24cc6-7bab-77fb-8744-65d2da3ab902' }))).toBe('På en lokalitet i Herning Kommune');
    // Seen in full, an entry placed by kommune alone names its kommune, not a site it does not have.
    expect(placeText(da, at({ precision: 'site' }))).toBe('Herning Kommune');
    expect(placeText(da, at({}))).toBe('Herning Kommune');
    expect(placeText(en, at({ precision: 'region', kommuneCode: null, kommuneName: null }))).toBe('Region Midtjylland');
    expect(placeText(en, at({ precision: 'region', kommuneCode: null, region: null }))).toBe('Unknown place');
  });

  it('given codes, when written, then fibres and waste codes are words, an unknown code as written', () => {
    // Intl writes a no-break space before the per cent sign.
    expect(compositionText('da', [{ fibre: 'cotton', share: 8_000 }, { fibre: 'polyester', share: 2_000 }]).replace(/\u00a0/g, ' ')).toBe('80,0 % bomuld, 20,0 % polyester');
    expect(ewcText(da, 'da', '20 01 11')).toBe('20 01 11 Tekstiler');
    expect(ewcText(en, 'en', '99 99 99')).toBe('99 99 99');
  });

  it('given a score, when written, then its parts, the distance’s basis and the total are said', () => {
    const score = { total: 160, parts: { fibre: 80, grade: 0, ewc: 0, mass: 50, distance: 30 }, distanceKm: null, distanceBasis: 'same-kommune' as const };
    expect(whyText(da, score)).toBe('fiber 80 + kvalitet 0 + affaldskode 0 + mængde 50 + afstand 30 (samme kommune) = 160 point');
    expect(whyText(en, { ...score, distanceKm: 12, distanceBasis: 'coordinates', parts: { ...score.parts, distance: 48 }, total: 178 })).toBe(
      'fibre 80 + grade 0 + waste code 0 + mass 50 + distance 48 (12 km between the sites) = 178 points',
    );
  });

  it('given a saving, when the factor is unknown, then it says unknown, never 0; a band gives at least', () => {
    expect(savingText(da, 'da', { route: 'reuse', grams: 2_000_000, basis: 'exact', factorSetId: 'herning-2022', tCo2e: null })).toBe('ukendt (genbrug: ingen kendt faktor)');
    expect(savingText(da, 'da', { route: 'recycling', grams: 1_000_000, basis: 'band-minimum', factorSetId: 'herning-2022', tCo2e: '20.4' })).toBe('mindst 20,4 t CO2e (genanvendelse, faktorsæt herning-2022)');
    expect(savingText(en, 'en', { route: 'recycling', grams: 1_000, basis: 'exact', factorSetId: null, tCo2e: '1234.5' })).toBe('1,234.5 t CO2e (recycling)');
  });
});

describe('grades in words', () => {
  it('given the catalogue’s unsorted grade or a batch grade, when written, then each has its name', () => {
    expect(gradeText(da, 'da', 'unsorted')).toBe('Usorteret');
    expect(gradeText(en, 'en', 'unsorted')).toBe('Unsorted');
    expect(gradeText(da, 'da', 'recycling')).toBe('Til genanvendelse');
  });
});
