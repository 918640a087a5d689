import { hrefOf, parseRoute } from './router.js';

describe('page addresses', () => {
  it('given a page, when its address is read back, then it is the same page', () => {
    for (const route of [
      { page: 'home' },
      { page: 'municipality' },
      { page: 'municipality', kommuneCode: '0657', year: 2026 },
      { page: 'batches' },
      { page: 'batch', batchId: '01a24cc6-7bab-77fb-8744-65d2da3ab863' },
      { page: 'organisation', organisationId: '01a24cc6-7bab-77fb-8744-65d2da3ab863' },
      { page: 'organisation', organisationId: '01a24cc6-7bab-77fb-8744-65d2da3ab863', year: 2026 },
      { page: 'audit' },
      { page: 'operator' },
      { page: 'operator', organisationId: '01a24cc6-7bab-77fb-8744-65d2da3ab863' },
    ] as const) {
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
  });

  it('given an unknown address, when read, then it is the home page', () => {
    expect(parseRoute('#/nowhere')).toEqual({ page: 'home' });
    expect(parseRoute('')).toEqual({ page: 'home' });
  });
});
