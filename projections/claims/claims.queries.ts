import { massBalancePeriodRange } from '#domain';
import { toBigIntValue } from '../provenance/projection-support.js';
import type { ReadDb } from '../runner/projection.js';
import type { ClaimRow, ClaimTables, MovementRow } from './claims.projection.js';

/** A recorded claim. Grams are per batch, bounded below 2^53 by the event schema. */
export interface ClaimView {
  claimId: string;
  batchId: string;
  claimantOrgId: string;
  standard: string;
  model: string;
  recycledContentBasisPoints: number;
  batchMassGrams: number;
  claimedRecycledGrams: number;
  batchRecycledGrams: number;
  accountId: string | null;
  periodId: string | null;
  occurredAt: string;
  recordedAt: string;
  eventId: string;
  position: number;
}

export interface MovementView {
  kind: MovementRow['kind'];
  grams: bigint;
  balanceAfterGrams: bigint;
  processId: string | null;
  claimId: string | null;
  batchId: string | null;
  occurredAt: string;
  recordedAt: string;
  eventId: string;
  position: number;
}

/** Totals are BigInt: an account adds up any number of processes. */
export interface AccountSummaryView {
  accountId: string;
  organisationId: string;
  periodId: string;
  from: string;
  to: string;
  creditedGrams: bigint;
  reversedGrams: bigint;
  debitedGrams: bigint;
  balanceGrams: bigint;
}

export interface AccountView extends AccountSummaryView {
  movements: MovementView[];
}

function toClaimView(row: ClaimRow): ClaimView {
  return {
    claimId: row.claim_id,
    batchId: row.batch_id,
    claimantOrgId: row.claimant_org_id,
    standard: row.standard,
    model: row.model,
    recycledContentBasisPoints: Number(row.recycled_content_basis_points),
    batchMassGrams: Number(row.batch_mass_grams),
    claimedRecycledGrams: Number(row.claimed_recycled_grams),
    batchRecycledGrams: Number(row.batch_recycled_grams),
    accountId: row.account_id,
    periodId: row.period_id,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    eventId: row.event_id,
    position: Number(row.position),
  };
}

export async function getClaim(db: ReadDb, claimId: string): Promise<ClaimView | undefined> {
  const row = await db.withTables<ClaimTables>().selectFrom('claims_claim').selectAll().where('claim_id', '=', claimId).executeTakeFirst();
  return row && toClaimView(row);
}

/** Every claim on a batch, in log order. */
export async function claimsOfBatch(db: ReadDb, batchId: string): Promise<ClaimView[]> {
  const rows = await db.withTables<ClaimTables>().selectFrom('claims_claim').selectAll().where('batch_id', '=', batchId).orderBy('position').execute();
  return rows.map(toClaimView);
}

/** Every claim an organisation made, in log order. */
export async function claimsOfOrganisation(db: ReadDb, organisationId: string): Promise<ClaimView[]> {
  const rows = await db.withTables<ClaimTables>().selectFrom('claims_claim').selectAll().where('claimant_org_id', '=', organisationId).orderBy('position').execute();
  return rows.map(toClaimView);
}

/** Folds an account's movements in log order: the balance after each, and the totals. */
function foldMovements(accountId: string, organisationId: string, periodId: string, rows: readonly MovementRow[]): AccountView {
  let credited = 0n;
  let reversed = 0n;
  let debited = 0n;
  const movements = rows.map((row): MovementView => {
    const grams = toBigIntValue(row.grams);
    if (row.kind === 'credit') credited += grams;
    else if (row.kind === 'credit-reversal') reversed += grams;
    else debited += grams;
    return {
      kind: row.kind,
      grams,
      balanceAfterGrams: credited - reversed - debited,
      processId: row.process_id,
      claimId: row.claim_id,
      batchId: row.batch_id,
      occurredAt: row.occurred_at,
      recordedAt: row.recorded_at,
      eventId: row.event_id,
      position: Number(row.position),
    };
  });
  const { from, to } = massBalancePeriodRange(periodId);
  return { accountId, organisationId, periodId, from, to, creditedGrams: credited, reversedGrams: reversed, debitedGrams: debited, balanceGrams: credited - reversed - debited, movements };
}

/** One account with its movements; an account nothing was booked to is empty, not missing. */
export async function massBalanceAccount(db: ReadDb, organisationId: string, periodId: string): Promise<AccountView> {
  const rows = await db
    .withTables<ClaimTables>()
    .selectFrom('claims_movement')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('period_id', '=', periodId)
    .orderBy('position')
    .execute();
  return foldMovements(`${organisationId}-${periodId}`, organisationId, periodId, rows);
}

/** Every account of an organisation that has a movement, the latest period first, without movements. */
export async function massBalanceAccountsOf(db: ReadDb, organisationId: string): Promise<AccountSummaryView[]> {
  const rows = await db.withTables<ClaimTables>().selectFrom('claims_movement').selectAll().where('organisation_id', '=', organisationId).orderBy('position').execute();
  const byPeriod = new Map<string, MovementRow[]>();
  for (const row of rows) byPeriod.set(row.period_id, [...(byPeriod.get(row.period_id) ?? []), row]);
  return [...byPeriod]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([periodId, movements]) => {
      const { movements: _omitted, ...summary } = foldMovements(movements[0]!.account_id, organisationId, periodId, movements);
      return summary;
    });
}
