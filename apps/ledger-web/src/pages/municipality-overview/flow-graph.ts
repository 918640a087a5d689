import { FATE_ORDER } from './fate-flows.js';
import type { MunicipalFlows } from './municipality.types.js';

export type FlowLevel = 'collector' | 'sorter' | 'grade' | 'fate';
export const FLOW_LEVELS: readonly FlowLevel[] = ['collector', 'sorter', 'grade', 'fate'];

export interface FlowNode {
  readonly id: string;
  /** 0 kommune, 1 collectors, 2 first sorters, 3 grades, 4 fates. */
  readonly column: number;
  readonly label: string;
  /** For colours: the fate's bucket, the grade, or null. */
  readonly code: string | null;
}

export interface FlowLink {
  readonly level: FlowLevel;
  readonly source: string;
  readonly target: string;
  readonly grams: number;
}

export interface FlowGraph {
  readonly nodes: readonly FlowNode[];
  /** Every flow of the answer, negative ones too (for the table). */
  readonly links: readonly FlowLink[];
}

export interface FlowNames {
  readonly kommune: string;
  readonly organisation: (id: string, name: string | null | undefined) => string;
  readonly notSorted: string;
  readonly grade: (grade: string) => string;
  readonly fate: (bucket: string) => string;
}

const GRADE_ORDER = ['reuse', 'recycling', 'fibre', 'product', 'residual', 'sorting-loss', 'not-sorted'];

const rank = (order: readonly string[], value: string): number => {
  const at = order.indexOf(value);
  return at < 0 ? order.length : at;
};

/**
 * The flows answer as a graph of five columns: kommune → collectors → first sorters → grades →
 * fates. Node ids carry their column, so an organisation that both collects and sorts is two
 * nodes. Nodes are ordered so the good fates come first (as fate-flows) and the bands cross little.
 */
export function flowGraph(flows: MunicipalFlows, names: FlowNames): FlowGraph {
  const sorterId = (id: string | null): string => `s:${id ?? '-'}`;
  const nodes = new Map<string, FlowNode & { order: number }>();
  const node = (id: string, column: number, label: string, code: string | null, order: number): void => {
    if (!nodes.has(id)) nodes.set(id, { id, column, label, code, order });
  };
  node('k', 0, names.kommune, null, 0);
  const links: FlowLink[] = [];
  for (const c of flows.collectors) {
    node(`c:${c.collectorOrgId}`, 1, names.organisation(c.collectorOrgId, c.collectorOrgName), null, -c.grams);
    links.push({ level: 'collector', source: 'k', target: `c:${c.collectorOrgId}`, grams: c.grams });
  }
  for (const s of flows.sorters) {
    node(sorterId(s.sorterOrgId), 2, s.sorterOrgId === null ? names.notSorted : names.organisation(s.sorterOrgId, s.sorterOrgName), null, s.sorterOrgId === null ? Number.MAX_SAFE_INTEGER : -s.grams);
    links.push({ level: 'sorter', source: `c:${s.collectorOrgId}`, target: sorterId(s.sorterOrgId), grams: s.grams });
  }
  for (const g of flows.grades) {
    node(`g:${g.grade}`, 3, names.grade(g.grade), g.grade, rank(GRADE_ORDER, g.grade));
    links.push({ level: 'grade', source: sorterId(g.sorterOrgId), target: `g:${g.grade}`, grams: g.grams });
  }
  for (const f of flows.fates) {
    node(`f:${f.bucket}`, 4, names.fate(f.bucket), f.bucket, rank(FATE_ORDER, f.bucket));
    links.push({ level: 'fate', source: `g:${f.grade}`, target: `f:${f.bucket}`, grams: f.grams });
  }
  const ordered = [...nodes.values()].sort((a, b) => a.column - b.column || a.order - b.order || a.label.localeCompare(b.label));
  return { nodes: ordered.map(({ order: _order, ...n }) => n), links };
}

/** The links a Sankey can draw: a band must be wider than nothing (a weighing gain is negative). */
export function drawableLinks(graph: FlowGraph): FlowLink[] {
  return graph.links.filter((link) => link.grams > 0);
}
