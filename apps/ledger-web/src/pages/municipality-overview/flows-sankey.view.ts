import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from 'd3-sankey';
import { svg } from '../../shared/dom.js';
import type { FlowLink, FlowNode } from './flow-graph.js';

type Node = FlowNode & { readonly index: number };
type Link = { readonly flow: FlowLink; value: number };

const WIDTH = 960;
const NODE_WIDTH = 14;
const LABEL_GAP = 6;
/** Room on the right of the last column for the fates' labels. */
const LABEL_ROOM = 290;

/**
 * The multi-level Sankey of a kommune's textiles (kommune → collectors → first sorters → grades →
 * fates), laid out by `d3-sankey` and drawn as plain SVG through the DOM helper (decision 030):
 * labels are text nodes and colours are CSS classes, so nothing needs inline style under the CSP.
 * Each band carries its flow's ends and grams as data attributes, which the browser test compares
 * with the API's answer. The table beside it holds the same figures for screen readers.
 */
export function flowsSankey(options: { nodes: readonly FlowNode[]; links: readonly FlowLink[]; describe: (grams: number) => string; title: string }): SVGSVGElement {
  const used = new Set(options.links.flatMap((link) => [link.source, link.target]));
  const nodes: Node[] = options.nodes.filter((node) => used.has(node.id)).map((node, index) => ({ ...node, index }));
  const indexOf = new Map(nodes.map((node) => [node.id, node.index]));
  const perColumn = new Map<number, number>();
  for (const node of nodes) perColumn.set(node.column, (perColumn.get(node.column) ?? 0) + 1);
  const height = Math.max(220, Math.max(...perColumn.values(), 1) * 46);
  const layout = sankey<Node, Link>()
    .nodeWidth(NODE_WIDTH)
    .nodePadding(14)
    .nodeId((node) => node.index)
    .nodeAlign((node) => node.column)
    .nodeSort((a, b) => a.index - b.index)
    .extent([
      [1, 8],
      [WIDTH - LABEL_ROOM, height - 8],
    ]);
  const graph = layout({
    nodes: nodes.map((node) => ({ ...node })),
    links: options.links.map((flow) => ({ source: indexOf.get(flow.source) ?? 0, target: indexOf.get(flow.target) ?? 0, flow, value: flow.grams })),
  });
  const path = sankeyLinkHorizontal<Node, Link>();

  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', class: 'sankey sankey-flows', 'aria-label': options.title }, svg('title', {}, options.title));
  const linkGroup = svg('g', { class: 'sankey-links', fill: 'none' });
  for (const link of graph.links as SankeyLink<Node, Link>[]) {
    const source = link.source as SankeyNode<Node, Link>;
    const target = link.target as SankeyNode<Node, Link>;
    linkGroup.append(
      svg(
        'path',
        {
          d: path(link) ?? '',
          'stroke-width': Math.max(1, link.width ?? 1),
          class: `sankey-link flow-${link.flow.level} ${target.column === 4 ? `fate-${target.code ?? 'source'}` : `grade-${target.code ?? 'none'}`}`,
          'data-level': link.flow.level,
          'data-source': link.flow.source,
          'data-target': link.flow.target,
          'data-grams': link.flow.grams,
        },
        svg('title', {}, `${source.label} → ${target.label}: ${options.describe(link.flow.grams)}`),
      ),
    );
  }
  const nodeGroup = svg('g', { class: 'sankey-nodes' });
  for (const node of graph.nodes as SankeyNode<Node, Link>[]) {
    const x0 = node.x0 ?? 0;
    const x1 = node.x1 ?? 0;
    const y0 = node.y0 ?? 0;
    const y1 = node.y1 ?? 0;
    const label = `${node.label} · ${options.describe(node.value ?? 0)}`;
    nodeGroup.append(
      svg('rect', { x: x0, y: y0, width: x1 - x0, height: Math.max(1, y1 - y0), class: `sankey-node ${node.column === 4 ? `fate-${node.code ?? 'source'}` : 'fate-source'}`, 'data-node': node.id }),
      // Labels sit right of their bar, over the bands of the next step, on a halo that keeps them legible.
      svg('text', { x: x1 + LABEL_GAP, y: (y0 + y1) / 2, dy: '0.35em', class: `sankey-label${node.column === 0 ? ' sankey-source-label' : ''}`, 'data-node': node.id }, label),
    );
  }
  root.append(linkGroup, nodeGroup);
  return root;
}
