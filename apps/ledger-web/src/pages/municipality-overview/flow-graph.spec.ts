import { drawableLinks, flowGraph } from './flow-graph.js';
import type { MunicipalFlows } from './municipality.types.js';

const C = 'c0000000-0000-7000-8000-000000000001';
const S = 'c0000000-0000-7000-8000-000000000002';

const answer: MunicipalFlows = {
  kommuneCode: '0657',
  kommuneName: 'Herning',
  year: 2026,
  quarter: null,
  collectedGrams: 1_000,
  collectors: [{ collectorOrgId: C, collectorOrgName: 'Indsamler', grams: 1_000 }],
  sorters: [
    { collectorOrgId: C, sorterOrgId: S, sorterOrgName: 'Sorterer', grams: 900 },
    { collectorOrgId: C, sorterOrgId: null, grams: 100 },
  ],
  grades: [
    { sorterOrgId: null, grade: 'not-sorted', grams: 100 },
    { sorterOrgId: S, grade: 'residual', grams: 300 },
    { sorterOrgId: S, grade: 'reuse', grams: 600 },
  ],
  fates: [
    { grade: 'not-sorted', bucket: 'inStock', grams: 100 },
    { grade: 'residual', bucket: 'energyRecovery', grams: 300 },
    { grade: 'reuse', bucket: 'reuse', grams: 610 },
    { grade: 'reuse', bucket: 'weighingDifference', grams: -10 },
  ],
  buckets: { inStock: 100, energyRecovery: 300, reuse: 610, weighingDifference: -10 },
};

const names = { kommune: 'Herning', organisation: (id: string, name: string | null | undefined) => name ?? id, notSorted: 'Ikke sorteret', grade: (g: string) => `grade ${g}`, fate: (b: string) => `fate ${b}` };

describe('the flows answer as a five-column graph', () => {
  it('given a flows answer, when made into a graph, then each level is a column and every flow a link', () => {
    const graph = flowGraph(answer, names);
    expect(graph.nodes.map((n) => [n.column, n.label])).toEqual([
      [0, 'Herning'],
      [1, 'Indsamler'],
      [2, 'Sorterer'],
      [2, 'Ikke sorteret'],
      [3, 'grade reuse'],
      [3, 'grade residual'],
      [3, 'grade not-sorted'],
      [4, 'fate reuse'],
      [4, 'fate energyRecovery'],
      [4, 'fate weighingDifference'],
      [4, 'fate inStock'],
    ]);
    for (const level of ['collector', 'sorter', 'grade', 'fate'] as const) {
      expect(graph.links.filter((l) => l.level === level).reduce((s, l) => s + l.grams, 0)).toBe(answer.collectedGrams);
    }
  });

  it('given a weighing gain, when the drawable links are taken, then the negative flow is left to the table', () => {
    const graph = flowGraph(answer, names);
    expect(drawableLinks(graph).some((l) => l.grams <= 0)).toBe(false);
    expect(graph.links.find((l) => l.target === 'f:weighingDifference')?.grams).toBe(-10);
  });
});
