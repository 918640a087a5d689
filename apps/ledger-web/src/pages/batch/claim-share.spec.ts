import { basisPointsOf } from './claim-share.js';

describe('a claimed share written as a percentage', () => {
  it('given whole and decimal percentages with a point or a comma, when read, then they are exact basis points', () => {
    expect(['30', '62,5', '62.55', '0.01', '100', ' 7 '].map(basisPointsOf)).toEqual([3000, 6250, 6255, 1, 10_000, 700]);
  });

  it('given a share outside 0.01–100 %, more than two decimals, or not a number, when read, then it is refused', () => {
    expect(['0', '0.00', '100.01', '101', '1.005', '-5', '', '3e1', '30 %'].map(basisPointsOf)).toEqual(Array(9).fill(undefined));
  });
});
