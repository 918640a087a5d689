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
