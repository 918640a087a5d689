import { svg } from '../../shared/dom.js';
import { hrefOf } from '../../shared/router.js';
import type { BatchMessages } from './batch.messages.js';
import type { GraphLink, GraphNode, VisibleGraph } from './lineage-graph.model.js';

/** What a batch node says: its product type or grade, its mass and who holds it, as text. */
export interface NodeLabel {
  readonly title: string;
  readonly mass: string;
  readonly holder: string;
}

export interface LineageGraphOptions {
  readonly messages: BatchMessages;
  readonly labelOf: (batchId: string) => NodeLabel;
  /** A link's label: the mass that flowed and the process. */
  readonly linkLabel: (link: GraphLink) => string;
  readonly onToggle: (batchId: string) => void;
}

const NODE_WIDTH = 200;
const NODE_HEIGHT = 62;
const MARGIN = 24;
const FIT_WIDTH = 1_600;
/** Characters of a name drawn in a node; the whole name is the node's accessible name. */
const DRAWN_CHARACTERS = 28;

interface Placed {
  readonly x: number;
  readonly y: number;
}

export interface LineageLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: ReadonlyMap<string, Placed>;
  readonly links: readonly { readonly link: GraphLink; readonly points: readonly Placed[]; readonly label: Placed | null }[];
}

/**
 * Lays the graph out with dagre, loaded only when a graph is drawn, so the initial bundle does not
 * carry it (decision 032). Left to right: material flows from parents to children, so what the
 * batch was made from is on the left and what was made from it on the right. `longest-path`
 * ranking, because lineage is layered by construction and the default network simplex costs
 * several times as much for nothing visible.
 */
export async function layoutLineage(graph: VisibleGraph): Promise<LineageLayout> {
  const { Graph, layout } = await import('@dagrejs/dagre');
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 90, edgesep: 8, marginx: MARGIN, marginy: MARGIN, ranker: 'longest-path' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.key, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const link of graph.links) g.setEdge(link.from, link.to, link.edge ? { width: 110, height: 16, labelpos: 'c' } : {});
  layout(g);
  const nodes = new Map<string, Placed>();
  for (const node of graph.nodes) {
    const placed = g.node(node.key);
    nodes.set(node.key, { x: placed.x, y: placed.y });
  }
  const links = graph.links.map((link) => {
    const placed = g.edge(link.from, link.to) as { points?: Placed[]; x?: number; y?: number };
    return { link, points: placed.points ?? [], label: link.edge && placed.x !== undefined && placed.y !== undefined ? { x: placed.x, y: placed.y } : null };
  });
  const size = g.graph();
  return { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), nodes, links };
}

const drawn = (text: string): string => (text.length > DRAWN_CHARACTERS ? `${text.slice(0, DRAWN_CHARACTERS - 1)}…` : text);
const round = (n: number): string => n.toFixed(1);

/**
 * The graph as SVG drawn with the DOM helper: every name is a text node. Each batch is a link to
 * its page (an SVG `<a>`: focusable, Enter follows it), named in full for screen readers; its + / −
 * is a button of its own. Nodes come in reading order (left to right, top to bottom) so Tab moves
 * through the graph the way it is read.
 */
export function drawLineageGraph(graph: VisibleGraph, placed: LineageLayout, options: LineageGraphOptions): SVGSVGElement {
  const { messages: m } = options;
  const links = placed.links.map(({ link, points, label }) => {
    const d = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${round(point.x)},${round(point.y)}`).join(' ');
    return svg(
      'g',
      { class: link.edge ? 'lineage-link' : 'lineage-link withheld' },
      svg('path', { d, 'marker-end': 'url(#lineage-arrow)' }),
      label && link.edge
        ? svg('text', { class: 'lineage-link-label', x: round(label.x), y: round(label.y + 4), 'text-anchor': 'middle', 'data-testid': 'lineage-link-label', 'data-from': link.from, 'data-to': link.to }, options.linkLabel(link))
        : null,
    );
  });
  const ordered = [...graph.nodes].sort((a, b) => {
    const pa = placed.nodes.get(a.key)!;
    const pb = placed.nodes.get(b.key)!;
    return pa.x - pb.x || pa.y - pb.y;
  });
  const nodes = ordered.map((node) => drawNode(node, placed.nodes.get(node.key)!, options));
  return svg(
    'svg',
    {
      // A graph about a page wide is scaled to the page; a larger one keeps its size and scrolls.
      class: placed.width <= FIT_WIDTH ? 'lineage-graph fit' : 'lineage-graph',
      role: 'group',
      'aria-label': m.lineageGraphName,
      width: placed.width,
      height: placed.height,
      viewBox: `0 0 ${placed.width} ${placed.height}`,
      'data-testid': 'lineage-graph',
    },
    svg('defs', {}, svg('marker', { id: 'lineage-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'lineage-arrow' }))),
    svg('g', { class: 'lineage-links', 'aria-hidden': 'true' }, ...links),
    svg('g', { class: 'lineage-nodes' }, ...nodes),
  );
}

function drawNode(node: GraphNode, at: Placed, options: LineageGraphOptions): SVGGElement {
  const { messages: m } = options;
  const left = -NODE_WIDTH / 2;
  const top = -NODE_HEIGHT / 2;
  const transform = `translate(${round(at.x)},${round(at.y)})`;
  if (node.kind === 'withheld') {
    return svg(
      'g',
      { class: 'lineage-node withheld', transform, 'data-testid': 'lineage-withheld', 'data-side': node.side, 'data-batches': node.withheld.batches, 'data-edges': node.withheld.edges },
      svg('rect', { x: left, y: top, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
      svg('text', { x: left + 10, y: top + 24 }, m.withheldNode(node.withheld.batches, node.withheld.edges)),
      svg('text', { x: left + 10, y: top + 44, class: 'lineage-node-detail' }, m.withheldName(node.side, node.withheld.batches, node.withheld.edges).split(':')[0]),
    );
  }
  const label = options.labelOf(node.batchId);
  const name = m.nodeName(label.title, label.mass, label.holder, m.relation(node.side, node.depth));
  const link = svg(
    'a',
    { href: hrefOf({ page: 'batch', batchId: node.batchId }), class: 'lineage-node-link', 'aria-label': name, 'data-testid': 'lineage-node', 'data-batch-id': node.batchId, 'data-side': node.side },
    svg('rect', { x: left, y: top, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
    svg('text', { x: left + 10, y: top + 19, class: 'lineage-node-title' }, drawn(label.title)),
    svg('text', { x: left + 10, y: top + 37, class: 'lineage-node-mass', 'data-testid': 'lineage-node-mass' }, label.mass),
    svg('text', { x: left + 10, y: top + 54, class: 'lineage-node-detail' }, drawn(node.cut ? m.lineageCut : label.holder)),
  );
  const group = svg('g', { class: `lineage-node side-${node.side}`, transform }, link);
  if (node.side !== 'root' && (node.open ? node.further > 0 : node.hidden > 0)) group.append(toggleButton(node, label.title, options));
  return group;
}

function toggleButton(node: Extract<GraphNode, { kind: 'batch' }>, title: string, options: LineageGraphOptions): SVGGElement {
  const { messages: m } = options;
  // On the side away from the root: where the batches it would show or hide are drawn.
  const x = node.side === 'upstream' ? -NODE_WIDTH / 2 : NODE_WIDTH / 2;
  const showing = node.open;
  const button = svg(
    'g',
    {
      class: 'lineage-toggle',
      role: 'button',
      tabindex: 0,
      'aria-expanded': showing ? 'true' : 'false',
      'aria-label': showing ? m.collapse(title) : m.expand(node.hidden, title),
      'data-toggle': node.batchId,
      'data-testid': 'lineage-toggle',
    },
    svg('circle', { cx: x, cy: 0, r: 11 }),
    svg('text', { x, y: 5, 'text-anchor': 'middle', 'aria-hidden': 'true' }, showing ? '−' : '+'),
  );
  const toggle = (event: Event) => {
    event.preventDefault();
    options.onToggle(node.batchId);
  };
  button.addEventListener('click', toggle);
  button.addEventListener('keydown', (event) => {
    const key = (event as KeyboardEvent).key;
    if (key === 'Enter' || key === ' ') toggle(event);
  });
  return button;
}
