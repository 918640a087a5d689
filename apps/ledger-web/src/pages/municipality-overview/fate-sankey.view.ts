import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from 'd3-sankey';
import { svg } from '../../shared/dom.js';
import type { FateFlow } from './fate-flows.js';

interface FateNode {
  readonly name: string;
  readonly bucket: string | null;
}

const WIDTH = 720;
const NODE_WIDTH = 16;
const LABEL_GAP = 8;

/**
 * The Sankey diagram of where a kommune's textiles went, drawn by `d3-sankey` (decision 030) as
 * plain SVG elements built with the DOM API: labels are text nodes, colours are presentation
 * attributes, so nothing needs inline style under the CSP. The table beside it carries the same
 * figures for screen readers, so the diagram is one image with a name.
 */
export function fateSankey(options: { source: string; flows: readonly FateFlow[]; labelOf: (bucket: string) => string; describe: (grams: number) => string; title: string }): SVGSVGElement {
  const height = Math.max(160, options.flows.length * 44);
  const nodes: FateNode[] = [{ name: options.source, bucket: null }, ...options.flows.map((flow) => ({ name: options.labelOf(flow.bucket), bucket: flow.bucket }))];
  const links = options.flows.map((flow, index) => ({ source: 0, target: index + 1, value: flow.grams }));
  const layout = sankey<FateNode, { value: number }>()
    .nodeWidth(NODE_WIDTH)
    .nodePadding(12)
    .nodeSort(null)
    .extent([
      [1, 8],
      [WIDTH * 0.55, height - 8],
    ]);
  const graph = layout({ nodes: nodes.map((node) => ({ ...node })), links: links.map((link) => ({ ...link })) });
  const path = sankeyLinkHorizontal<FateNode, { value: number }>();

  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', class: 'sankey', 'aria-label': options.title }, svg('title', {}, options.title));
  const linkGroup = svg('g', { class: 'sankey-links', fill: 'none' });
  for (const link of graph.links as SankeyLink<FateNode, { value: number }>[]) {
    const target = link.target as SankeyNode<FateNode, { value: number }>;
    const band = svg('path', { d: path(link) ?? '', 'stroke-width': Math.max(1, link.width ?? 1), class: `sankey-link fate-${target.bucket ?? 'source'}` }, svg('title', {}, `${target.name}: ${options.describe(link.value)}`));
    linkGroup.append(band);
  }
  const nodeGroup = svg('g', { class: 'sankey-nodes' });
  for (const node of graph.nodes as SankeyNode<FateNode, { value: number }>[]) {
    const x0 = node.x0 ?? 0;
    const x1 = node.x1 ?? 0;
    const y0 = node.y0 ?? 0;
    const y1 = node.y1 ?? 0;
    const isSource = node.bucket === null;
    const label = `${node.name} · ${options.describe(node.value ?? 0)}`;
    nodeGroup.append(
      svg('rect', { x: x0, y: y0, width: x1 - x0, height: Math.max(1, y1 - y0), class: `sankey-node fate-${node.bucket ?? 'source'}` }),
      // The source's label at its top, where the bands are thinnest; a destination's beside its bar.
      isSource
        ? svg('text', { x: x1 + LABEL_GAP, y: y0 + 14, class: 'sankey-label sankey-source-label' }, label)
        : svg('text', { x: x1 + LABEL_GAP, y: (y0 + y1) / 2, dy: '0.35em', class: 'sankey-label' }, label),
    );
  }
  root.append(linkGroup, nodeGroup);
  return root;
}
