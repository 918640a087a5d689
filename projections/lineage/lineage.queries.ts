import { setImmediate as nextTurn } from 'node:timers/promises';
import { InvalidCommandError } from '#domain';
import type { ReadDb } from '../runner/projection.js';
import type { LineageEdgeRow, LineageTables } from './lineage.projection.js';

export interface LineageNode {
  batchId: string;
  /** Steps from the root (0); the shortest path when a batch is reachable several ways. */
  depth: number;
}

export interface LineageEdge {
  parentBatchId: string;
  childBatchId: string;
  grams: number;
  processId: string;
  processType: string;
  organisationId: string;
  occurredAt: string;
}

export interface LineageGraph {
  root: string;
  direction: 'upstream' | 'downstream';
  /** The depth limit applied, or null for "any depth". */
  maxDepth: number | null;
  nodes: LineageNode[];
  edges: LineageEdge[];
}

/**
 * The most batches one walk collects before it stops with `lineage-too-large` (decision 026). Real
 * chains are a handful of processes long and a few hundred batches wide; the cap keeps one answer's
 * cost (and size) bounded whatever graph a participant builds.
 */
export const DEFAULT_LINEAGE_MAX_NODES = 10_000;

export interface LineageWalkLimits {
  /** Steps from the root; undefined: any depth (the node cap still bounds the walk). */
  readonly maxDepth?: number | undefined;
  /** Batches collected at most, the root included; more is a `lineage-too-large` problem. */
  readonly maxNodes?: number | undefined;
}

/** Frontier batches asked of the database at once, well below SQLite's and PostgreSQL's parameter limits. */
const SLICE = 200;

/** Where did this batch come from? Parents, their parents, … up to `maxDepth` steps. */
export function upstream(db: ReadDb, batchId: string, maxDepth?: number, limits: LineageWalkLimits = {}): Promise<LineageGraph> {
  return walk(db, batchId, 'upstream', { ...limits, maxDepth });
}

/** Where did this batch go? Children, their children, … up to `maxDepth` steps. */
export function downstream(db: ReadDb, batchId: string, maxDepth?: number, limits: LineageWalkLimits = {}): Promise<LineageGraph> {
  return walk(db, batchId, 'downstream', { ...limits, maxDepth });
}

/**
 * A breadth-first walk that expands each batch once, at its shortest distance from the root, so its
 * cost is the size of the answer (batches and edges), never the number of paths through it. (A
 * recursive CTE that keeps (batch, depth) pairs pays for every distinct path length to every batch:
 * a graph of a few thousand batches with paths of many lengths cost seconds; decision 026.) Each
 * level is asked in slices of the frontier, yielding to the event loop between slices: on SQLite the
 * driver is synchronous, and a walk must not hold up other requests for its whole length.
 */
async function walk(db: ReadDb, root: string, direction: 'upstream' | 'downstream', limits: LineageWalkLimits): Promise<LineageGraph> {
  const limit = limits.maxDepth === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.trunc(limits.maxDepth));
  const maxNodes = limits.maxNodes ?? DEFAULT_LINEAGE_MAX_NODES;
  // Upstream follows child → parent, downstream parent → child.
  const near = direction === 'upstream' ? 'child_batch_id' : 'parent_batch_id';
  const far = direction === 'upstream' ? 'parent_batch_id' : 'child_batch_id';
  const depthOf = new Map<string, number>([[root, 0]]);
  const edges: LineageEdgeRow[] = [];
  let frontier = [root];
  for (let depth = 0; depth < limit && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (let i = 0; i < frontier.length; i += SLICE) {
      if (i > 0 || depth > 0) await nextTurn();
      const rows = await db.withTables<LineageTables>().selectFrom('lineage_edge').selectAll().where(near, 'in', frontier.slice(i, i + SLICE)).execute();
      for (const row of rows) {
        edges.push(row);
        const reached = row[far];
        if (depthOf.has(reached)) continue;
        if (depthOf.size >= maxNodes) throw lineageTooLarge(root, direction, maxNodes, depth + 1);
        depthOf.set(reached, depth + 1);
        next.push(reached);
      }
    }
    frontier = next;
  }

  const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const nodes = [...depthOf].map(([batchId, depth]) => ({ batchId, depth }));
  nodes.sort((a, b) => a.depth - b.depth || byId(a.batchId, b.batchId));
  edges.sort((a, b) => byId(a.parent_batch_id, b.parent_batch_id) || byId(a.child_batch_id, b.child_batch_id));
  return {
    root,
    direction,
    maxDepth: limits.maxDepth === undefined ? null : limit,
    nodes,
    edges: edges.map((r) => ({
      parentBatchId: r.parent_batch_id,
      childBatchId: r.child_batch_id,
      grams: Number(r.grams),
      processId: r.process_id,
      processType: r.process_type,
      organisationId: r.organisation_id,
      occurredAt: r.occurred_at,
    })),
  };
}

function lineageTooLarge(root: string, direction: 'upstream' | 'downstream', maxNodes: number, depth: number): InvalidCommandError {
  const within = depth - 1;
  return new InvalidCommandError(
    'lineage-too-large',
    `the ${direction} lineage of batch ${root} reaches more than ${maxNodes} batches within ${depth} steps, more than one answer may hold (LEDGER_LINEAGE_MAX_NODES); ` +
      (within >= 1
        ? `ask for fewer steps with maxDepth (up to ${within} stays within the cap), then walk on from the batches at its edge`
        : 'even one step reaches more batches than that: ask an operator for an export of this part of the graph'),
    { batchId: root, direction, maxNodes, reachedDepth: depth },
  );
}
