import { hrefOf, parseRoute } from './router.js';

describe('page addresses', () => {
  it('given a page, when its address is read back, then it is the same page', () => {
    for (const route of [
      { page: 'home' },
      { page: 'municipality' },
      { page: 'municipality', kommuneCode: '0657', year: 2026 },
      { page: 'municipality', kommuneCode: '0657', year: 2026, quarter: 3 },
      { page: 'batches' },
      { page: 'batch', batchId: '01a24cc6-7bab-77fb-8744-65d2da3ab863' },
      { page: 'organisation', organisationId: '01a24cc6-7bab-77fb-8744-65d2da3ab863' },
      { page: 'organisation', organisationId: '01a24cc6-7bab-77fb-8744-65d2da3ab863', year: 2026 },
      { page: 'audit' },
      { page: 'import' },
      { page: 'operator' },
      { page: 'operator', organisationId: '01a24cc6-7bab-77fb-8744-65d2da3ab863' },
      { page: 'national' },
      { page: 'national', year: 2025 },
      { page: 'emission-factors' },
      { page: 'epcis' },
      { page: 'programmes' },
      { page: 'programme', programmeId: '01a24cc6-7bab-77fb-8744-65d2da3ab865' },
      { page: 'programme', programmeId: '01a24cc6-7bab-77fb-8744-65d2da3ab865', valueChainId: '01a24cc6-7bab-77fb-8744-65d2da3ab870' },
      { page: 'sites', organisationId: '01a24cc6-7bab-77fb-8744-65d2da3ab863' },
      { page: 'catalogue' },
      { page: 'catalogue', section: 'mine' },
      { page: 'catalogue', section: 'wants' },
      { page: 'catalogue', section: 'deals' },
      { page: 'catalogue-deal', dealId: '01a24cc6-7bab-77fb-8744-65d2da3ab871' },
      { page: 'sites', organisationId: '01a24cc6-7bab-77fb-8744-65d2da3ab863', siteId: '01a24cc6-7bab-77fb-8744-65d2da3ab864', year: 2025 },
    ] as const) {
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
  });

  it('given a quarter that is not 1–4, or one without a year, when read, then the page shows the whole year', () => {
    expect(parseRoute('#/municipality/0657/2026/q5')).toEqual({ page: 'municipality', kommuneCode: '0657', year: 2026 });
    expect(parseRoute('#/municipality/0657/2026/Q4')).toEqual({ page: 'municipality', kommuneCode: '0657', year: 2026, quarter: 4 });
    expect(parseRoute('#/municipality/0657/q2')).toEqual({ page: 'municipality', kommuneCode: '0657' });
  });

  it("given a site without an ADS year, when read, then it is the organisation's sites page", () => {
    expect(parseRoute('#/organisations/o1/sites/s1')).toEqual({ page: 'sites', organisationId: 'o1' });
    expect(parseRoute('#/organisations/o1/sites/s1/ads/20x5')).toEqual({ page: 'sites', organisationId: 'o1' });
  });

  it('given a national address whose year is not four digits, when read, then it is the national page of the current year', () => {
    expect(parseRoute('#/national/25')).toEqual({ page: 'national' });
  });

  it('given a programme address with a value chain part but no chain id, when read, then it is the whole programme', () => {
    expect(parseRoute('#/programmes/p1/value-chains')).toEqual({ page: 'programme', programmeId: 'p1' });
    expect(parseRoute('#/programmes/p1/other/c1')).toEqual({ page: 'programme', programmeId: 'p1' });
  });

  it('given a catalogue address with an unknown section, when read, then it is the offers', () => {
    expect(parseRoute('#/catalogue/elsewhere')).toEqual({ page: 'catalogue' });
    expect(parseRoute('#/catalogue/deals')).toEqual({ page: 'catalogue', section: 'deals' });
  });

  it('given an unknown address, when read, then it is the home page', () => {
    expect(parseRoute('#/nowhere')).toEqual({ page: 'home' });
    expect(parseRoute('')).toEqual({ page: 'home' });
  });
});
