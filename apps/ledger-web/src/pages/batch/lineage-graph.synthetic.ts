import { formatTonnes } from '../../shared/format.js';
import { batchMessages } from './batch.messages.js';
import { LineageGraphState, type LineageAnswer, type LineageEdge } from './lineage-graph.model.js';
import { drawLineageGraph, layoutLineage } from './lineage-graph.view.js';

/**
 * A generated lineage of `size` batches for the bench (bench/web-lineage-graph.bench.ts), shaped
 * like real ones: layered by depth, widening away from the root, with some batches blended from two
 * parents. Deterministic (a fixed-seed generator), so every run draws the same graph. Not part of
 * the application: nothing in it is imported by a page.
 */
export function syntheticLineage(size: number): { root: string; upstream: LineageAnswer; downstream: LineageAnswer } {
  let seed = 7;
  const random = () => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const root = id(0);
  // Shares of one side's batches at depths 1…6: a few near the root, many far from it.
  const shares = [0.04, 0.08, 0.14, 0.2, 0.24, 0.3];
  let next = 1;
  const side = (direction: 'upstream' | 'downstream', count: number): LineageAnswer => {
    const nodes = [{ batchId: root, depth: 0 }];
    const edges: LineageEdge[] = [];
    let previous = [root];
    shares.forEach((share, index) => {
      const layer: string[] = [];
      const wanted = index === shares.length - 1 ? count - (nodes.length - 1) : Math.max(1, Math.round(count * share));
      for (let k = 0; k < wanted; k += 1) {
        const batchId = id(next++);
        layer.push(batchId);
        nodes.push({ batchId, depth: index + 1 });
        const nearer = [previous[Math.floor(random() * previous.length)]!];
        if (random() < 0.15 && previous.length > 1) {
          const other = previous[Math.floor(random() * previous.length)]!;
          if (other !== nearer[0]) nearer.push(other);
        }
        for (const near of nearer) {
          const grams = 100_000 + Math.floor(random() * 900_000);
          edges.push(direction === 'upstream' ? { parentBatchId: batchId, childBatchId: near, grams, processType: 'sorting', organisationId: 'synthetic' } : { parentBatchId: near, childBatchId: batchId, grams, processType: 'blending', organisationId: 'synthetic' });
        }
      }
      previous = layer;
    });
    return { nodes, edges, maxDepth: null, withheld: { batches: 0, edges: 0 } };
  };
  const upstreamCount = Math.ceil((size - 1) / 2);
  return { root, upstream: side('upstream', upstreamCount), downstream: side('downstream', size - 1 - upstreamCount) };
}

/**
 * Lays out and draws a synthetic lineage of `size` batches, every one shown, into `container`, and
 * answers how long it took until the browser had laid the drawing out (milliseconds).
 */
export async function drawSyntheticLineage(container: HTMLElement, size: number): Promise<{ milliseconds: number; nodes: number; links: number }> {
  const started = performance.now();
  const { root, upstream, downstream } = syntheticLineage(size);
  const state = new LineageGraphState(root, upstream, downstream, Number.POSITIVE_INFINITY);
  const graph = state.visible();
  const placed = await layoutLineage(graph);
  const grades = ['recycling', 'fibre', 'reuse', 'pillow', 'residual'];
  const drawing = drawLineageGraph(graph, placed, {
    messages: batchMessages.da,
    labelOf: (batchId) => {
      const n = Number(batchId.slice(-12));
      return { title: grades[n % grades.length]!, mass: formatTonnes(100_000 + n * 1_000, 'da'), holder: `Organisation ${n % 37}` };
    },
    linkLabel: (link) => (link.edge ? `${formatTonnes(link.edge.grams, 'da')} · ${link.edge.processType}` : ''),
    onToggle: () => undefined,
  });
  container.replaceChildren(drawing);
  // Forces style and layout of the whole drawing, then waits for the frame that paints it.
  drawing.getBoundingClientRect();
  await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
  return { milliseconds: performance.now() - started, nodes: drawing.querySelectorAll('[data-testid="lineage-node"]').length, links: graph.links.length };
}
