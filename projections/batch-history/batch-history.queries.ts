import type { DomainEvent } from '#domain';
import type { ReadDb } from '../runner/projection.js';
import type { BatchHistoryTables } from './batch-history.projection.js';

/** Which moment a history is taken at. Without one, the whole history known now. */
export type HistoryAsOf = { readonly recordedAt: string } | { readonly position: number };

/** The time axis a history was cut on (docs/domain.md: every as-of query says which one it uses). */
export type HistoryAxis =
  | { axis: 'latest' }
  | { axis: 'position'; position: number }
  /** Normalised to UTC; includes every event recorded at or before it. */
  | { axis: 'recordedAt'; recordedAt: string };

export interface HistoryEvent {
  position: number;
  revision: number;
  eventId: string;
  type: DomainEvent['type'];
  data: DomainEvent['data'];
  /** Business time as the event states it, or null for events without one (BatchConsumed, …). */
  occurredAt: string | null;
  recordedAt: string;
  actorOrgId: string;
  hash: string;
  /** For a correction (BatchMassCorrected, BatchVoided, BatchRestored): the event it corrects. */
  corrects: string | null;
  /**
   * The corrections of this event known at the cut, next to the original: an as-of before a
   * correction shows the original alone. A void reverted within the cut no longer counts.
   */
  correctedBy: string[];
}

export interface BatchHistory {
  batchId: string;
  asOf: HistoryAxis;
  events: HistoryEvent[];
}

/**
 * The events of one batch stream in order, as known at `asOf`: by log position (inclusive), or by
 * the store's recordedAt (inclusive). Business time (occurredAt) is not an as-of axis here because an
 * event can be recorded after a later-stated business time; it is returned on each event instead.
 */
export async function history(db: ReadDb, batchId: string, asOf?: HistoryAsOf): Promise<BatchHistory> {
  let query = db.withTables<BatchHistoryTables>().selectFrom('batch_history_event').selectAll().where('batch_id', '=', batchId);
  let axis: HistoryAxis = { axis: 'latest' };
  if (asOf !== undefined && 'position' in asOf) {
    axis = { axis: 'position', position: asOf.position };
    query = query.where('position', '<=', asOf.position);
  } else if (asOf !== undefined) {
    const instant = new Date(asOf.recordedAt);
    if (Number.isNaN(instant.getTime())) throw new RangeError(`not an ISO-8601 instant: ${asOf.recordedAt}`);
    // The store writes recordedAt with toISOString(), so UTC text order is time order.
    axis = { axis: 'recordedAt', recordedAt: instant.toISOString() };
    query = query.where('recorded_at', '<=', axis.recordedAt);
  }
  const rows = await query.orderBy('position').execute();
  const events: HistoryEvent[] = rows.map((row) => {
    const data = JSON.parse(row.data) as DomainEvent['data'];
    const corrected = (data as { correctedEventId?: unknown }).correctedEventId;
    return {
      position: Number(row.position),
      revision: Number(row.revision),
      eventId: row.event_id,
      type: row.type as DomainEvent['type'],
      data,
      occurredAt: row.occurred_at,
      recordedAt: row.recorded_at,
      actorOrgId: row.actor_org_id,
      hash: row.hash,
      corrects: typeof corrected === 'string' ? corrected : null,
      correctedBy: [],
    };
  });
  linkCorrections(events);
  return { batchId, asOf: axis, events };
}

/** Puts each correction in effect at the cut next to the event it corrects (decision 011). */
function linkCorrections(events: HistoryEvent[]): void {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const revertedVoids = new Set(
    events.filter((e) => e.type === 'BatchVoidReverted').map((e) => voidKey(e.data as { processId: string; attempt: number })),
  );
  for (const event of events) {
    if (event.corrects === null) continue;
    if (event.type === 'BatchVoided' && revertedVoids.has(voidKey(event.data as { processId: string; attempt: number }))) continue;
    byId.get(event.corrects)?.correctedBy.push(event.eventId);
  }
}

function voidKey(data: { processId: string; attempt: number }): string {
  return `${data.processId}/${data.attempt}`;
}
