import { sql } from 'kysely';
import type { ReadDb } from '../runner/projection.js';
import { isSqlite } from '../runner/sql-rows.js';
import type { LineageEdgeRow } from './lineage.projection.js';

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

/** Bounds the walk when no depth is given; real chains are a handful of processes long. */
const UNBOUNDED = 1_000_000;

/** Where did this batch come from? Parents, their parents, … up to `maxDepth` steps. */
export function upstream(db: ReadDb, batchId: string, maxDepth?: number): Promise<LineageGraph> {
  return walk(db, batchId, 'upstream', maxDepth);
}

/** Where did this batch go? Children, their children, … up to `maxDepth` steps. */
export function downstream(db: ReadDb, batchId: string, maxDepth?: number): Promise<LineageGraph> {
  return walk(db, batchId, 'downstream', maxDepth);
}

async function walk(db: ReadDb, root: string, direction: 'upstream' | 'downstream', maxDepth: number | undefined): Promise<LineageGraph> {
  const limit = maxDepth === undefined ? UNBOUNDED : Math.max(0, Math.trunc(maxDepth));
  // Upstream follows child → parent, downstream parent → child. Lineage is a DAG (outputs are always
  // new batches), and UNION drops repeated (batch, depth) pairs, so the recursion terminates.
  const from = sql.ref(direction === 'upstream' ? 'e.child_batch_id' : 'e.parent_batch_id');
  const to = sql.ref(direction === 'upstream' ? 'e.parent_batch_id' : 'e.child_batch_id');
  // The root must have the edge columns' collation ("C" on PostgreSQL, see textType) or PostgreSQL
  // rejects the recursive union.
  const rootId = isSqlite(db) ? sql`cast(${root} as text)` : sql`cast(${root} as text) collate "C"`;
  const reached = sql`
    with recursive walk(batch_id, depth) as (
      select ${rootId}, 0
      union
      select ${to}, walk.depth + 1
      from lineage_edge e join walk on ${from} = walk.batch_id
      where walk.depth < ${limit}
    ),
    nodes as (select batch_id, min(depth) as depth from walk group by batch_id)`;

  const nodes = await sql<{ batch_id: string; depth: number }>`${reached}
    select batch_id, depth from nodes order by depth, batch_id`.execute(db);
  // The edges leaving every node that is not on the frontier; their far ends are all nodes too.
  const edges = await sql<LineageEdgeRow>`${reached}
    select e.* from lineage_edge e join nodes n on ${from} = n.batch_id
    where n.depth < ${limit}
    order by e.parent_batch_id, e.child_batch_id`.execute(db);

  return {
    root,
    direction,
    maxDepth: maxDepth === undefined ? null : limit,
    nodes: nodes.rows.map((r) => ({ batchId: r.batch_id, depth: Number(r.depth) })),
    edges: edges.rows.map((r) => ({
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
