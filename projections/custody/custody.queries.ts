import { sql, type SqlBool } from 'kysely';
import { decodePageCursor, encodePageCursor } from '../runner/page-cursor.js';
import type { ReadDb } from '../runner/projection.js';
import type { CustodyEnd, CustodyPeriodRow, CustodyStart, CustodyTables } from './custody.projection.js';

export interface CustodyShipment {
  transferId: string;
  toOrgId: string;
  massGrams: number;
  /** Business time of the dispatch (UTC). */
  dispatchedAt: string;
  ownershipTransferred: boolean;
  /** `in-transit` until the consignee receives it; then the period ends with `dispatched`. */
  status: 'in-transit' | 'received';
}

export interface CustodyPeriod {
  seq: number;
  organisationId: string;
  ownerOrgId: string;
  from: { kind: CustodyStart; detail: string | null; occurredAt: string; recordedAt: string; position: number };
  /** null while the period is open. */
  to: { endedBy: CustodyEnd; detail: string | null; occurredAt: string; recordedAt: string; position: number } | null;
  shipment: CustodyShipment | null;
}

export interface CustodyTimeline {
  batchId: string;
  /** Periods are bounded by business time (occurredAt); recordedAt and position are given too. */
  axis: 'occurredAt';
  periods: CustodyPeriod[];
  /** The custodian now, or null once the batch was consumed or closed. */
  currentCustodianOrgId: string | null;
  /** The shipment under way, if the batch is in transit. */
  inTransit: CustodyShipment | null;
}

function toPeriod(row: CustodyPeriodRow): CustodyPeriod {
  const shipment: CustodyShipment | null =
    row.transit_transfer_id === null
      ? null
      : {
          transferId: row.transit_transfer_id,
          toOrgId: row.transit_to_org_id ?? '',
          massGrams: Number(row.transit_mass_grams),
          dispatchedAt: row.transit_dispatched_at ?? '',
          ownershipTransferred: Number(row.transit_ownership_transferred) === 1,
          status: row.ended_by === 'dispatched' ? 'received' : 'in-transit',
        };
  return {
    seq: Number(row.seq),
    organisationId: row.organisation_id,
    ownerOrgId: row.owner_org_id,
    from: { kind: row.from_kind, detail: row.from_detail, occurredAt: row.from_occurred_at, recordedAt: row.from_recorded_at, position: Number(row.from_position) },
    to:
      row.ended_by === null
        ? null
        : {
            endedBy: row.ended_by,
            detail: row.end_detail,
            occurredAt: row.to_occurred_at ?? '',
            recordedAt: row.to_recorded_at ?? '',
            position: Number(row.to_position),
          },
    shipment,
  };
}

/**
 * The custody periods of one batch, oldest first; undefined for a batch the ledger does not know (or
 * an output of a process that has not completed).
 */
export async function timeline(db: ReadDb, batchId: string): Promise<CustodyTimeline | undefined> {
  const rows = await db.withTables<CustodyTables>().selectFrom('custody_period').selectAll().where('batch_id', '=', batchId).orderBy('seq').execute();
  if (rows.length === 0) return undefined;
  const periods = rows.map(toPeriod);
  const current = periods.find((p) => p.to === null);
  return {
    batchId,
    axis: 'occurredAt',
    periods,
    currentCustodianOrgId: current?.organisationId ?? null,
    inTransit: current?.shipment ?? null,
  };
}

/** The same query under the name the API uses. */
export const custodyTimeline = timeline;

/** A shipment to or from an organisation: one dispatch of one batch, and its receipt once made. */
export interface OrganisationShipment {
  transferId: string;
  batchId: string;
  direction: 'outgoing' | 'incoming';
  /** The consignee of an outgoing shipment, the sender of an incoming one. */
  counterpartOrgId: string;
  /** The dispatch weight. */
  massGrams: number;
  /** Business times, UTC. */
  dispatchedAt: string;
  receivedAt: string | null;
  status: 'in-transit' | 'received';
  ownershipTransferred: boolean;
}

export interface ShipmentPage {
  /** Half-open [from, to) on the dispatch's business time, normalised to UTC; null = unbounded. */
  period: { axis: 'dispatchedAt'; from: string | null; to: string | null };
  shipments: OrganisationShipment[];
  nextAfter: string | null;
}

export interface ShipmentQuery {
  from?: string;
  to?: string;
  limit: number;
  /** The `nextAfter` of the previous page. */
  after?: string;
}

/**
 * What an organisation dispatched and received, by dispatch time, oldest first. An outgoing
 * shipment is a period of the sender's that carries a transfer (a cancelled one no longer does); an
 * incoming one is a period of the consignee's that began with a receipt, whose predecessor (the
 * sender's period, `seq - 1`) carries the dispatch.
 */
export async function shipmentsOf(db: ReadDb, organisationId: string, query: ShipmentQuery): Promise<ShipmentPage> {
  const from = query.from === undefined ? null : new Date(query.from).toISOString();
  const to = query.to === undefined ? null : new Date(query.to).toISOString();
  const typed = db.withTables<CustodyTables>();
  const sent = typed
    .selectFrom('custody_period as sender')
    .leftJoin('custody_period as receiver', (join) => join.onRef('receiver.batch_id', '=', 'sender.batch_id').on(sql<SqlBool>`receiver.seq = sender.seq + 1`))
    .select([
      sql<string>`'outgoing'`.as('direction'),
      'sender.transit_transfer_id as transfer_id',
      'sender.batch_id as batch_id',
      'sender.transit_to_org_id as counterpart',
      'sender.transit_mass_grams as mass',
      'sender.transit_dispatched_at as dispatched_at',
      'receiver.from_occurred_at as received_at',
      'sender.transit_ownership_transferred as ownership',
    ])
    .where('sender.organisation_id', '=', organisationId)
    .where('sender.transit_transfer_id', 'is not', null);
  const received = typed
    .selectFrom('custody_period as receiver')
    .innerJoin('custody_period as sender', (join) => join.onRef('sender.batch_id', '=', 'receiver.batch_id').on(sql<SqlBool>`sender.seq = receiver.seq - 1`))
    .select([
      sql<string>`'incoming'`.as('direction'),
      'sender.transit_transfer_id as transfer_id',
      'receiver.batch_id as batch_id',
      'sender.organisation_id as counterpart',
      'sender.transit_mass_grams as mass',
      'sender.transit_dispatched_at as dispatched_at',
      'receiver.from_occurred_at as received_at',
      'sender.transit_ownership_transferred as ownership',
    ])
    .where('receiver.organisation_id', '=', organisationId)
    .where('receiver.from_kind', '=', 'received')
    .where('sender.transit_transfer_id', 'is not', null);
  let union = typed.selectFrom(sent.unionAll(received).as('shipment')).selectAll();
  if (from !== null) union = union.where('dispatched_at', '>=', from);
  if (to !== null) union = union.where('dispatched_at', '<', to);
  if (query.after !== undefined) {
    const { at, ids } = decodePageCursor(query.after, 2);
    const [transferId, batchId] = ids as [string, string];
    union = union.where((eb) =>
      eb.or([
        eb('dispatched_at', '>', at),
        eb.and([eb('dispatched_at', '=', at), eb.or([eb('transfer_id', '>', transferId), eb.and([eb('transfer_id', '=', transferId), eb('batch_id', '>', batchId)])])]),
      ]),
    );
  }
  // One organisation is never both sender and consignee of one transfer (the domain refuses a
  // shipment to oneself), so (time, transfer, batch) orders the page uniquely.
  const rows = await union.orderBy('dispatched_at').orderBy('transfer_id').orderBy('batch_id').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    period: { axis: 'dispatchedAt', from, to },
    shipments: page.map((row) => ({
      transferId: String(row.transfer_id),
      batchId: row.batch_id,
      direction: row.direction as OrganisationShipment['direction'],
      counterpartOrgId: String(row.counterpart),
      massGrams: Number(row.mass),
      dispatchedAt: String(row.dispatched_at),
      receivedAt: row.received_at === null ? null : String(row.received_at),
      status: row.received_at === null ? 'in-transit' : 'received',
      ownershipTransferred: Number(row.ownership) === 1,
    })),
    nextAfter: rows.length > query.limit && last ? encodePageCursor(String(last.dispatched_at), String(last.transfer_id), last.batch_id) : null,
  };
}
