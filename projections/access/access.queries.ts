import type { ReadScope } from '#domain';
import { sql, type RawBuilder } from 'kysely';
import type { LineageGraph } from '../lineage/lineage.queries.js';
import type { ReadDb } from '../runner/projection.js';

/**
 * Which batches a viewer may see in full (the matrix is in docs/security.md). Access is
 * a question over read models that already exist (custody periods, lineage edges, batch origins),
 * so it needs no read model of its own: nothing more to rebuild, and nothing that could drift from
 * the custody and lineage it is derived from.
 *
 * A viewer sees a batch in full when it
 * - holds it, held it, owns or owned it, or is the consignee of its pending shipment (a *party*);
 * - holds or held a batch the batch went into (it is *upstream* of the viewer's material: its
 *   provenance);
 * - is a municipality, and the batch is, or descends from, a collection in its kommune.
 * Downstream of what a viewer shipped, it sees aggregates only (see `withheldSummary`).
 */

/** Large id lists are asked in slices, well below SQLite's and PostgreSQL's parameter limits. */
const SLICE = 200;

/** The ids among `batchIds` that the scope may see in full. */
export async function visibleBatches(db: ReadDb, scope: ReadScope, batchIds: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(batchIds)];
  if (scope.kind === 'all') return new Set(unique);
  const visible = new Set<string>();
  for (let i = 0; i < unique.length; i += SLICE) {
    let pending = unique.slice(i, i + SLICE);
    for (const ask of [asParty, asUpstream, asDerivedFromKommune]) {
      if (pending.length === 0) break;
      for (const id of await ask(db, scope, pending)) visible.add(id);
      pending = pending.filter((id) => !visible.has(id));
    }
  }
  return visible;
}

export async function isBatchVisible(db: ReadDb, scope: ReadScope, batchId: string): Promise<boolean> {
  return (await visibleBatches(db, scope, [batchId])).has(batchId);
}

type OrganisationScope = Extract<ReadScope, { kind: 'organisation' }>;

/** custody_period rows (aliased `c`) by which the organisation holds or held, owns or owned their batch. */
function holderCondition(organisationId: string): RawBuilder<unknown> {
  return sql`(c.organisation_id = ${organisationId} or c.owner_org_id = ${organisationId})`;
}

/**
 * custody_period rows (aliased `c`) that make the organisation a party to their batch: a holder, or
 * the consignee of its pending shipment (who must see what it is offered before taking it in).
 */
function partyCondition(organisationId: string): RawBuilder<unknown> {
  return sql`(${holderCondition(organisationId)} or (c.transit_to_org_id = ${organisationId} and c.to_position is null))`;
}

/** A condition on batch ids that also holds when the list is asked of PostgreSQL's "C"-collated columns. */
function idIn(column: string, ids: readonly string[]): RawBuilder<unknown> {
  return sql`${sql.ref(column)} in (${sql.join(ids)})`;
}

async function asParty(db: ReadDb, scope: OrganisationScope, ids: readonly string[]): Promise<string[]> {
  const rows = await sql<{ batch_id: string }>`
    select distinct c.batch_id from custody_period c
    where ${idIn('c.batch_id', ids)} and ${partyCondition(scope.organisationId)}`.execute(db);
  return rows.rows.map((r) => r.batch_id);
}

/**
 * Batches from which some batch the organisation holds or held descends: its provenance. A pending
 * consignment does not count until it is received: a shipment offered is not yet the consignee's
 * material, and it may refuse it.
 */
async function asUpstream(db: ReadDb, scope: OrganisationScope, ids: readonly string[]): Promise<string[]> {
  // Seeded from batch_summary_batch rather than a VALUES list, so that the seed has the edge
  // columns' type and collation on PostgreSQL (a recursive union insists on it).
  const rows = await sql<{ start_id: string }>`
    with recursive down(start_id, batch_id) as (
      select b.batch_id, b.batch_id from batch_summary_batch b where ${idIn('b.batch_id', ids)}
      union
      select down.start_id, e.child_batch_id from lineage_edge e join down on e.parent_batch_id = down.batch_id
    )
    select distinct down.start_id from down join custody_period c on c.batch_id = down.batch_id
    where down.batch_id <> down.start_id and ${holderCondition(scope.organisationId)}`.execute(db);
  return rows.rows.map((r) => r.start_id);
}

/** For a municipality: batches that are, or descend from, a collection in its kommune. */
async function asDerivedFromKommune(db: ReadDb, scope: OrganisationScope, ids: readonly string[]): Promise<string[]> {
  if (scope.kommuneCode === undefined) return [];
  return [...(await batchesDerivedFromKommune(db, scope.kommuneCode, ids))];
}

/** The ids among `batchIds` of batches that are, or descend from, a collection in the kommune. */
export async function batchesDerivedFromKommune(db: ReadDb, kommuneCode: string, batchIds: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(batchIds)];
  const derived = new Set<string>();
  for (let i = 0; i < unique.length; i += SLICE) {
    const rows = await sql<{ start_id: string }>`
      with recursive up(start_id, batch_id) as (
        select b.batch_id, b.batch_id from batch_summary_batch b where ${idIn('b.batch_id', unique.slice(i, i + SLICE))}
        union
        select up.start_id, e.parent_batch_id from lineage_edge e join up on e.child_batch_id = up.batch_id
      )
      select distinct up.start_id from up join batch_summary_batch b on b.batch_id = up.batch_id
      where b.origin_kind = 'collected' and b.origin_kommune_code = ${kommuneCode}`.execute(db);
    for (const row of rows.rows) derived.add(row.start_id);
  }
  return derived;
}

/**
 * The batches a list may show the scope: those it is a party to and, for a municipality, those
 * collected in its kommune. (Upstream and derived batches are reached through lineage and
 * provenance, not listed: listing them would need a graph walk per page.) A condition on
 * `batch_summary_batch`, for listBatches.
 */
export function listableBy(scope: OrganisationScope): RawBuilder<boolean> {
  const party = sql`batch_summary_batch.batch_id in (
    select c.batch_id from custody_period c where c.organisation_id = ${scope.organisationId}
    union select c.batch_id from custody_period c where c.owner_org_id = ${scope.organisationId}
    union select c.batch_id from custody_period c where c.transit_to_org_id = ${scope.organisationId} and c.to_position is null)`;
  if (scope.kommuneCode === undefined) return sql<boolean>`${party}`;
  return sql<boolean>`(${party} or (batch_summary_batch.origin_kind = 'collected' and batch_summary_batch.origin_kommune_code = ${scope.kommuneCode}))`;
}

/** What a viewer learns of the part of a lineage graph it may not see: how much there is, never what. */
export interface WithheldSummary {
  batches: number;
  edges: number;
}

/**
 * A lineage graph as the scope may see it: nodes it has no full view of are left out, with the
 * edges that touch them, and only counted. The root is always kept (it was checked before the walk).
 * Visibility is judged on `liveDb` (relationships only grow), the graph may come from an as-of store.
 */
export async function lineageVisibleTo(liveDb: ReadDb, scope: ReadScope, graph: LineageGraph): Promise<LineageGraph & { withheld: WithheldSummary }> {
  if (scope.kind === 'all') return { ...graph, withheld: { batches: 0, edges: 0 } };
  const visible = await visibleBatches(liveDb, scope, graph.nodes.map((n) => n.batchId));
  visible.add(graph.root);
  const nodes = graph.nodes.filter((n) => visible.has(n.batchId));
  const edges = graph.edges.filter((e) => visible.has(e.parentBatchId) && visible.has(e.childBatchId));
  return { ...graph, nodes, edges, withheld: { batches: graph.nodes.length - nodes.length, edges: graph.edges.length - edges.length } };
}

/** An event of a batch's history as a viewer may see it: `withheld` counts the parents left out. */
export type VisibleHistoryEvent<E> = E & { withheld: { parents: number } | null };

/**
 * A batch's history as the scope may see it. `BatchProduced` names the batches it was made from;
 * those the viewer may not see are left out of `parents` and only counted (a municipality sees a
 * blend derived from its collections, not the other kommune's or the firm's own input). The event's
 * hash covers the original data, so a withheld event's hash cannot be recomputed from what is shown;
 * auditors and the operator always get the events whole.
 */
export async function historyVisibleTo<E extends { readonly type: string; readonly data: unknown }>(
  liveDb: ReadDb,
  scope: ReadScope,
  events: readonly E[],
): Promise<Array<VisibleHistoryEvent<E>>> {
  const parentsOf = (event: E): Array<{ batchId: string }> =>
    event.type === 'BatchProduced' ? ((event.data as { parents?: Array<{ batchId: string }> }).parents ?? []) : [];
  if (scope.kind === 'all') return events.map((event) => ({ ...event, withheld: null }));
  const visible = await visibleBatches(liveDb, scope, events.flatMap((event) => parentsOf(event).map((p) => p.batchId)));
  return events.map((event) => {
    const parents = parentsOf(event);
    const shown = parents.filter((p) => visible.has(p.batchId));
    if (shown.length === parents.length) return { ...event, withheld: null };
    return { ...event, data: { ...(event.data as object), parents: shown }, withheld: { parents: parents.length - shown.length } };
  });
}
