import type { Application, BatchOutcome, BatchStatus, Composition, Grade, PendingTransfer, ReadScope, ResidualOriginClass } from '#domain';
import { listableBy } from '../access/access.queries.js';
import type { ReadDb } from '../runner/projection.js';
import type { BatchSummaryRow, BatchSummaryTables } from './batch-summary.projection.js';

export type BatchSummaryOrigin =
  | { kind: 'collected'; kommuneCode: string; collectionScheme: string; collectorOrgId: string }
  | { kind: 'residual'; originClass: ResidualOriginClass; organisationId: string }
  | { kind: 'produced'; processId: string; processType: string; organisationId: string };

export interface BatchStamp {
  position: number;
  /** Business time (UTC). */
  occurredAt: string;
  recordedAt: string;
}

export interface BatchSummary {
  batchId: string;
  origin: BatchSummaryOrigin;
  ewcCode: string | null;
  massGrams: number;
  grade: Grade | 'unsorted';
  composition: Composition;
  application: Application | null;
  productType: string | null;
  custodianOrgId: string;
  ownerOrgId: string;
  status: BatchStatus;
  outcome: BatchOutcome | null;
  anomalies: number;
  pendingTransfer: PendingTransfer | null;
  consumedByProcessId: string | null;
  programmeTags: string[];
  /** The event that last set the mass: what a BatchMassCorrected must name. */
  massEventId: string;
  created: BatchStamp;
  updated: BatchStamp;
}

export interface ListBatchesFilter {
  custodianOrgId?: string;
  ownerOrgId?: string;
  status?: BatchStatus;
  grade?: Grade | 'unsorted';
  /** Default 50, at most 500. */
  limit?: number;
  /** Cursor: the last batch id of the previous page (ids are UUID v7, so this is roughly creation order). */
  after?: string;
  /** Whose list it is: an organisation sees only what it is party to (projections/access). */
  scope?: ReadScope;
}

export interface BatchPage {
  items: BatchSummary[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

export function toBatchSummary(row: BatchSummaryRow): BatchSummary {
  const origin: BatchSummaryOrigin =
    row.origin_kind === 'collected'
      ? { kind: 'collected', kommuneCode: row.origin_kommune_code ?? '', collectionScheme: row.origin_collection_scheme ?? '', collectorOrgId: row.origin_org_id }
      : row.origin_kind === 'residual'
        ? { kind: 'residual', originClass: row.origin_class as ResidualOriginClass, organisationId: row.origin_org_id }
        : { kind: 'produced', processId: row.origin_process_id ?? '', processType: row.origin_process_type ?? '', organisationId: row.origin_org_id };
  return {
    batchId: row.batch_id,
    origin,
    ewcCode: row.ewc_code,
    massGrams: Number(row.mass_grams),
    grade: row.grade as Grade | 'unsorted',
    composition: JSON.parse(row.composition) as Composition,
    application: row.application as Application | null,
    productType: row.product_type,
    custodianOrgId: row.custodian_org_id,
    ownerOrgId: row.owner_org_id,
    status: row.status,
    outcome: row.outcome,
    anomalies: Number(row.anomalies),
    pendingTransfer:
      row.pending_transfer_id === null
        ? null
        : {
            transferId: row.pending_transfer_id,
            fromOrgId: row.pending_from_org_id ?? '',
            toOrgId: row.pending_to_org_id ?? '',
            massGrams: Number(row.pending_mass_grams),
            ownershipTransferred: Number(row.pending_ownership_transferred) === 1,
          },
    consumedByProcessId: row.consumed_by_process_id,
    programmeTags: JSON.parse(row.programme_tags) as string[],
    massEventId: row.mass_event_id,
    created: { position: Number(row.created_position), occurredAt: row.created_occurred_at, recordedAt: row.created_recorded_at },
    updated: { position: Number(row.updated_position), occurredAt: row.updated_occurred_at, recordedAt: row.updated_recorded_at },
  };
}

export async function getBatch(db: ReadDb, batchId: string): Promise<BatchSummary | undefined> {
  const row = await db.withTables<BatchSummaryTables>().selectFrom('batch_summary_batch').selectAll().where('batch_id', '=', batchId).executeTakeFirst();
  return row && toBatchSummary(row);
}

export async function listBatches(db: ReadDb, filter: ListBatchesFilter = {}): Promise<BatchPage> {
  const limit = Math.max(1, Math.min(500, Math.trunc(filter.limit ?? 50)));
  let query = db.withTables<BatchSummaryTables>().selectFrom('batch_summary_batch').selectAll();
  if (filter.custodianOrgId !== undefined) query = query.where('custodian_org_id', '=', filter.custodianOrgId);
  if (filter.ownerOrgId !== undefined) query = query.where('owner_org_id', '=', filter.ownerOrgId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.grade !== undefined) query = query.where('grade', '=', filter.grade);
  if (filter.after !== undefined) query = query.where('batch_id', '>', filter.after);
  if (filter.scope?.kind === 'organisation') query = query.where(listableBy(filter.scope));
  // One row more than asked tells whether another page follows.
  const rows = await query.orderBy('batch_id').limit(limit + 1).execute();
  const items = rows.slice(0, limit).map(toBatchSummary);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.batchId : null };
}
