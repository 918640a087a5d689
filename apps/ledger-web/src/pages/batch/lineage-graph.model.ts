/**
 * The lineage graph as the page shows it, built from the API's two lineage answers (upstream and
 * downstream of one batch), with the reader's expand and collapse choices. Pure: no DOM, no
 * fetching, so the rules below are unit-tested on their own (decision 032).
 *
 * - A batch is "open" when its next step away from the root is shown. Batches nearer the root than
 *   `initialDepth` start open; the reader opens or closes any batch with further steps.
 * - What the viewer may not see comes from the API as counts only (`withheld`); the API leaves out
 *   the withheld batches and every link touching them, so a batch seen beyond a withheld one has no
 *   link back towards the root. Such batches hang off one placeholder per side, which carries the
 *   counts and never an id.
 * - A walk cut at `maxDepth` (the page asks for one only when the full walk is too large) marks the
 *   batches at that depth as `cut`: the lineage may go on beyond them, on their own page.
 */
export type Side = 'upstream' | 'downstream';

export interface LineageEdge {
  readonly parentBatchId: string;
  readonly childBatchId: string;
  readonly grams: number;
  readonly processType: string;
  readonly organisationId: string;
}

export interface LineageAnswer {
  readonly nodes: readonly { readonly batchId: string; readonly depth: number }[];
  readonly edges: readonly LineageEdge[];
  /** The depth the walk was cut at, or null (absent) for the whole lineage. */
  readonly maxDepth?: number | null;
  readonly withheld?: { readonly batches: number; readonly edges: number };
}

export interface Withheld {
  readonly batches: number;
  readonly edges: number;
}

export type GraphNode =
  | {
      readonly kind: 'batch';
      /** The node's key in the drawing: the batch id (a batch is on one side only, the root on both). */
      readonly key: string;
      readonly batchId: string;
      readonly side: Side | 'root';
      /** Steps from the root, as the API counted them (the shortest path). */
      readonly depth: number;
      /** Batches one step further away from the root. */
      readonly further: number;
      /** Of those, how many are not shown now. */
      readonly hidden: number;
      readonly open: boolean;
      /** The walk was cut at this batch's depth: its lineage may go on beyond it. */
      readonly cut: boolean;
    }
  | { readonly kind: 'withheld'; readonly key: string; readonly side: Side; readonly withheld: Withheld };

export interface GraphLink {
  /** Parent (made into) child: the direction material flowed, whichever side it is on. */
  readonly from: string;
  readonly to: string;
  /** Null for the dashed links to and from a withheld placeholder, which carry no mass. */
  readonly edge: LineageEdge | null;
}

export interface VisibleGraph {
  readonly root: string;
  readonly nodes: readonly GraphNode[];
  readonly links: readonly GraphLink[];
  /** Batches the answers hold (the root counted once), shown or not. */
  readonly knownBatches: number;
}

export const withheldKey = (side: Side): string => `withheld:${side}`;

interface SideIndex {
  readonly depth: Map<string, number>;
  /** Batch → the batches one step further from the root on this side. */
  readonly further: Map<string, string[]>;
  /** Batches with no shown link back towards the root: they are reached through withheld ones. */
  readonly orphans: string[];
  readonly edges: readonly LineageEdge[];
  readonly withheld: Withheld;
  readonly cutDepth: number | null;
}

function indexSide(root: string, side: Side, answer: LineageAnswer): SideIndex {
  const near = (edge: LineageEdge) => (side === 'upstream' ? edge.childBatchId : edge.parentBatchId);
  const far = (edge: LineageEdge) => (side === 'upstream' ? edge.parentBatchId : edge.childBatchId);
  const depth = new Map(answer.nodes.map((node) => [node.batchId, node.depth]));
  depth.set(root, 0);
  const further = new Map<string, string[]>();
  const reachedFromNearer = new Set<string>();
  for (const edge of answer.edges) {
    const list = further.get(near(edge)) ?? [];
    list.push(far(edge));
    further.set(near(edge), list);
    reachedFromNearer.add(far(edge));
  }
  const orphans = answer.nodes.filter((node) => node.batchId !== root && !reachedFromNearer.has(node.batchId)).map((node) => node.batchId);
  return {
    depth,
    further,
    orphans,
    edges: answer.edges,
    withheld: answer.withheld ?? { batches: 0, edges: 0 },
    cutDepth: answer.maxDepth ?? null,
  };
}

export class LineageGraphState {
  private readonly sides: Record<Side, SideIndex>;
  /** Batches the reader opened or closed, against the depth rule. */
  private readonly choices = new Map<string, boolean>();

  constructor(
    readonly root: string,
    upstream: LineageAnswer,
    downstream: LineageAnswer,
    readonly initialDepth = 2,
  ) {
    this.sides = { upstream: indexSide(root, 'upstream', upstream), downstream: indexSide(root, 'downstream', downstream) };
  }

  /** Opens a closed batch (one more step shown beyond it) or closes an open one. */
  toggle(batchId: string): void {
    const side = this.sideOf(batchId);
    if (!side || batchId === this.root) return;
    this.choices.set(batchId, !this.isOpen(side, batchId));
  }

  isOpen(side: Side, batchId: string): boolean {
    if (batchId === this.root) return true;
    return this.choices.get(batchId) ?? (this.sides[side].depth.get(batchId) ?? Number.POSITIVE_INFINITY) < this.initialDepth;
  }

  private sideOf(batchId: string): Side | undefined {
    if (this.sides.upstream.depth.has(batchId)) return 'upstream';
    if (this.sides.downstream.depth.has(batchId)) return 'downstream';
    return undefined;
  }

  visible(): VisibleGraph {
    const nodes: GraphNode[] = [];
    const links: GraphLink[] = [];
    const rootShown = this.showSide('upstream', nodes, links);
    const downShown = this.showSide('downstream', nodes, links);
    const rootNode = this.batchNode('upstream', this.root, new Set([...rootShown, ...downShown]));
    const furtherOfRoot = (this.sides.upstream.further.get(this.root)?.length ?? 0) + (this.sides.downstream.further.get(this.root)?.length ?? 0);
    nodes.unshift({ ...rootNode, side: 'root', further: furtherOfRoot, hidden: 0, cut: false });
    const known = new Set([...this.sides.upstream.depth.keys(), ...this.sides.downstream.depth.keys()]);
    return { root: this.root, nodes, links, knownBatches: known.size };
  }

  /** Walks one side outwards from the root through open batches; adds its nodes (root excluded) and links. */
  private showSide(side: Side, nodes: GraphNode[], links: GraphLink[]): Set<string> {
    const index = this.sides[side];
    const shown = new Set<string>([this.root]);
    const queue: string[] = [this.root];
    const withheld = index.withheld.batches > 0 || index.withheld.edges > 0;
    if (withheld) {
      // The placeholder hangs off the root: where exactly the hidden part joins is what is withheld.
      links.push(side === 'upstream' ? { from: withheldKey(side), to: this.root, edge: null } : { from: this.root, to: withheldKey(side), edge: null });
      for (const orphan of index.orphans) {
        if (!shown.has(orphan)) {
          shown.add(orphan);
          queue.push(orphan);
        }
        links.push(side === 'upstream' ? { from: orphan, to: withheldKey(side), edge: null } : { from: withheldKey(side), to: orphan, edge: null });
      }
    }
    for (let head = 0; head < queue.length; head += 1) {
      const batchId = queue[head]!;
      if (!this.isOpen(side, batchId)) continue;
      for (const next of index.further.get(batchId) ?? []) {
        if (shown.has(next)) continue;
        shown.add(next);
        queue.push(next);
      }
    }
    // Every link between two shown batches, also one reached another way: the drawing never hides a link it could show.
    for (const edge of index.edges) {
      if (shown.has(edge.parentBatchId) && shown.has(edge.childBatchId)) links.push({ from: edge.parentBatchId, to: edge.childBatchId, edge });
    }
    for (const batchId of queue) if (batchId !== this.root) nodes.push(this.batchNode(side, batchId, shown));
    if (withheld) nodes.push({ kind: 'withheld', key: withheldKey(side), side, withheld: index.withheld });
    return shown;
  }

  private batchNode(side: Side, batchId: string, shown: ReadonlySet<string>): Extract<GraphNode, { kind: 'batch' }> {
    const index = this.sides[side];
    const further = index.further.get(batchId) ?? [];
    const depth = index.depth.get(batchId) ?? 0;
    return {
      kind: 'batch',
      key: batchId,
      batchId,
      side,
      depth,
      further: further.length,
      hidden: further.filter((next) => !shown.has(next)).length,
      open: this.isOpen(side, batchId),
      cut: index.cutDepth !== null && depth >= index.cutDepth,
    };
  }
}
