import { fateFlows } from './fate-flows.js';

describe('the fate of collected textiles as flows', () => {
  it('given buckets, when made into flows, then only buckets with mass are flows, in reading order', () => {
    const flows = fateFlows({ inStock: 10, landfill: 0, reuse: 584000, recycledTextile: 560116, weighingDifference: -3 });
    expect(flows).toEqual([
      { bucket: 'reuse', grams: 584000 },
      { bucket: 'recycledTextile', grams: 560116 },
      { bucket: 'inStock', grams: 10 },
    ]);
  });

  it('given a bucket the page does not know yet, when made into flows, then it still shows, after the known ones', () => {
    expect(fateFlows({ compost: 5, reuse: 1 }).map((flow) => flow.bucket)).toEqual(['reuse', 'compost']);
  });
});
