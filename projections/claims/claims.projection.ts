import { BaseProjection } from '../runner/base-projection.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { insertIgnoreRows, positionKeyType, textType, utcInstant, type SqlRow, type TableDef } from '../runner/sql-rows.js';

/**
 * Recycled-content claims and mass-balance account movements (docs/decisions/044-recycled-content-claims.md).
 * Both are facts the log states once, so rows are only ever inserted, keyed by their event: a page
 * projected twice, or a rebuild, writes the same rows. Balances are not stored: a query folds an
 * account's movements in log order (one account is one stream, so log order is stream order), which
 * keeps the read model free of running totals that could drift from the stream.
 *
 * - `claims_claim`: one row per RecycledContentClaimed.
 * - `claims_movement`: one row per MassBalanceCredited, MassBalanceDebited and MassBalanceCreditReversed.
 */
export type ClaimRow = {
  claim_id: string;
  batch_id: string;
  claimant_org_id: string;
  standard: string;
  model: string;
  recycled_content_basis_points: number;
  batch_mass_grams: number;
  claimed_recycled_grams: number;
  batch_recycled_grams: number;
  account_id: string | null;
  period_id: string | null;
  occurred_at: string;
  recorded_at: string;
  event_id: string;
  position: number;
};

export type MovementRow = {
  event_id: string;
  account_id: string;
  organisation_id: string;
  period_id: string;
  kind: 'credit' | 'credit-reversal' | 'debit';
  grams: number;
  process_id: string | null;
  claim_id: string | null;
  batch_id: string | null;
  occurred_at: string;
  recorded_at: string;
  position: number;
};

export type ClaimTables = {
  claims_claim: ClaimRow;
  claims_movement: MovementRow;
};

export const CLAIM_TABLE: TableDef = {
  name: 'claims_claim',
  columns: [
    'claim_id',
    'batch_id',
    'claimant_org_id',
    'standard',
    'model',
    'recycled_content_basis_points',
    'batch_mass_grams',
    'claimed_recycled_grams',
    'batch_recycled_grams',
    'account_id',
    'period_id',
    'occurred_at',
    'recorded_at',
    'event_id',
    'position',
  ],
  primaryKey: ['claim_id'],
};

export const MOVEMENT_TABLE: TableDef = {
  name: 'claims_movement',
  columns: ['event_id', 'account_id', 'organisation_id', 'period_id', 'kind', 'grams', 'process_id', 'claim_id', 'batch_id', 'occurred_at', 'recorded_at', 'position'],
  primaryKey: ['event_id'],
};

export class ClaimsProjection extends BaseProjection {
  readonly name = 'claims';
  readonly version = 1;
  readonly tables = [CLAIM_TABLE.name, MOVEMENT_TABLE.name] as const;
  private claims: SqlRow[] = [];
  private movements: SqlRow[] = [];

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<ClaimTables>().schema;
    const text = textType(db);
    const positionType = positionKeyType(db);
    await schema
      .createTable(CLAIM_TABLE.name)
      .ifNotExists()
      .addColumn('claim_id', text, (c) => c.primaryKey())
      .addColumn('batch_id', text, (c) => c.notNull())
      .addColumn('claimant_org_id', text, (c) => c.notNull())
      .addColumn('standard', text, (c) => c.notNull())
      .addColumn('model', text, (c) => c.notNull())
      .addColumn('recycled_content_basis_points', 'integer', (c) => c.notNull())
      .addColumn('batch_mass_grams', 'bigint', (c) => c.notNull())
      .addColumn('claimed_recycled_grams', 'bigint', (c) => c.notNull())
      .addColumn('batch_recycled_grams', 'bigint', (c) => c.notNull())
      .addColumn('account_id', text)
      .addColumn('period_id', text)
      .addColumn('occurred_at', text, (c) => c.notNull())
      .addColumn('recorded_at', text, (c) => c.notNull())
      .addColumn('event_id', text, (c) => c.notNull())
      .addColumn('position', positionType, (c) => c.notNull())
      .execute();
    await schema.createIndex('claims_claim_batch').ifNotExists().on(CLAIM_TABLE.name).columns(['batch_id', 'position']).execute();
    await schema.createIndex('claims_claim_claimant').ifNotExists().on(CLAIM_TABLE.name).columns(['claimant_org_id', 'position']).execute();
    await schema
      .createTable(MOVEMENT_TABLE.name)
      .ifNotExists()
      .addColumn('event_id', text, (c) => c.primaryKey())
      .addColumn('account_id', text, (c) => c.notNull())
      .addColumn('organisation_id', text, (c) => c.notNull())
      .addColumn('period_id', text, (c) => c.notNull())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('grams', 'bigint', (c) => c.notNull())
      .addColumn('process_id', text)
      .addColumn('claim_id', text)
      .addColumn('batch_id', text)
      .addColumn('occurred_at', text, (c) => c.notNull())
      .addColumn('recorded_at', text, (c) => c.notNull())
      .addColumn('position', positionType, (c) => c.notNull())
      .execute();
    await schema.createIndex('claims_movement_account').ifNotExists().on(MOVEMENT_TABLE.name).columns(['account_id', 'position']).execute();
    await schema.createIndex('claims_movement_organisation').ifNotExists().on(MOVEMENT_TABLE.name).columns(['organisation_id', 'period_id']).execute();
  }

  protected async loadState(): Promise<void> {
    // Rows are inserted once and never read back by the fold.
  }

  protected clearState(): void {
    this.claims = [];
    this.movements = [];
  }

  protected fold(projected: ProjectedEvent): void {
    const { event } = projected;
    const envelope = { event_id: projected.eventId, recorded_at: utcInstant(projected.recordedAt), position: projected.position };
    switch (event.type) {
      case 'RecycledContentClaimed': {
        const e = event.data;
        this.claims.push({
          claim_id: e.claimId,
          batch_id: e.batchId,
          claimant_org_id: e.claimantOrganisationId,
          standard: e.standard,
          model: e.model,
          recycled_content_basis_points: e.recycledContentBasisPoints,
          batch_mass_grams: e.batchMassGrams,
          claimed_recycled_grams: e.claimedRecycledGrams,
          batch_recycled_grams: e.batchRecycledGrams,
          account_id: e.accountId ?? null,
          period_id: e.periodId ?? null,
          occurred_at: e.occurredAt,
          ...envelope,
        });
        return;
      }
      case 'MassBalanceCredited': {
        const e = event.data;
        this.movement(envelope, e, 'credit', e.creditedGrams, { process_id: e.processId, claim_id: null, batch_id: null });
        return;
      }
      case 'MassBalanceCreditReversed': {
        const e = event.data;
        this.movement(envelope, e, 'credit-reversal', e.reversedGrams, { process_id: e.processId, claim_id: null, batch_id: null });
        return;
      }
      case 'MassBalanceDebited': {
        const e = event.data;
        this.movement(envelope, e, 'debit', e.debitedGrams, { process_id: null, claim_id: e.claimId, batch_id: e.batchId });
        return;
      }
      default:
        return;
    }
  }

  private movement(
    envelope: { event_id: string; recorded_at: string; position: number },
    e: { accountId: string; organisationId: string; periodId: string; occurredAt: string },
    kind: MovementRow['kind'],
    grams: number,
    refs: Pick<MovementRow, 'process_id' | 'claim_id' | 'batch_id'>,
  ): void {
    this.movements.push({ ...envelope, account_id: e.accountId, organisation_id: e.organisationId, period_id: e.periodId, kind, grams, ...refs, occurred_at: e.occurredAt });
  }

  async flush(tx: ReadTx): Promise<void> {
    const claims = this.claims;
    const movements = this.movements;
    this.clearState();
    // The first claim of an id wins, should a log ever hold two (the store's event ids make it one).
    await insertIgnoreRows(tx, CLAIM_TABLE, claims);
    await insertIgnoreRows(tx, MOVEMENT_TABLE, movements);
  }
}
