import { BaseProjection } from '../runner/base-projection.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, textType, utcInstant, type TableDef } from '../runner/sql-rows.js';

/**
 * Programmes, value chains, members over time and organisation sizes over time
 * (docs/decisions/041-programmes-and-sme-status.md).
 *
 * - `programmes_programme`, `programmes_value_chain`: as registered.
 * - `programmes_membership`: one row per membership period, keyed by the position of its
 *   ProgrammeMemberAdded; `member_until` is set by the removal (the first day no longer a member).
 *   `value_chain_id` is null for a membership of the programme itself.
 * - `programmes_organisation_size`: every size declaration, keyed by position; the size on a day is
 *   chosen at query time, so a late declaration for an earlier day needs no rewrite.
 */
export type ProgrammeRow = {
  programme_id: string;
  name: string;
  tag: string | null;
  manager_organisation_id: string | null;
  registered_at: string;
  position: number;
};

export type ValueChainRow = {
  value_chain_id: string;
  programme_id: string;
  name: string;
  registered_at: string;
  position: number;
};

export type MembershipRow = {
  added_position: number;
  programme_id: string;
  value_chain_id: string | null;
  organisation_id: string;
  member_from: string;
  member_until: string | null;
  removed_position: number | null;
};

export type OrganisationSizeRow = {
  position: number;
  organisation_id: string;
  employees: number;
  annual_turnover_eur: number;
  balance_sheet_total_eur: number;
  applies_from: string;
  declared_by: string;
  declared_at: string;
};

export type ProgrammeTables = {
  programmes_programme: ProgrammeRow;
  programmes_value_chain: ValueChainRow;
  programmes_membership: MembershipRow;
  programmes_organisation_size: OrganisationSizeRow;
};

const PROGRAMME: TableDef = { name: 'programmes_programme', columns: ['programme_id', 'name', 'tag', 'manager_organisation_id', 'registered_at', 'position'], primaryKey: ['programme_id'] };
const VALUE_CHAIN: TableDef = { name: 'programmes_value_chain', columns: ['value_chain_id', 'programme_id', 'name', 'registered_at', 'position'], primaryKey: ['value_chain_id'] };
const MEMBERSHIP: TableDef = {
  name: 'programmes_membership',
  columns: ['added_position', 'programme_id', 'value_chain_id', 'organisation_id', 'member_from', 'member_until', 'removed_position'],
  primaryKey: ['added_position'],
};
const ORGANISATION_SIZE: TableDef = {
  name: 'programmes_organisation_size',
  columns: ['position', 'organisation_id', 'employees', 'annual_turnover_eur', 'balance_sheet_total_eur', 'applies_from', 'declared_by', 'declared_at'],
  primaryKey: ['position'],
};

const membershipKey = (programmeId: string, valueChainId: string | null | undefined, organisationId: string): string => `${programmeId}|${valueChainId ?? ''}|${organisationId}`;

export class ProgrammesProjection extends BaseProjection {
  readonly name = 'programmes';
  readonly version = 1;
  readonly tables = [PROGRAMME.name, VALUE_CHAIN.name, MEMBERSHIP.name, ORGANISATION_SIZE.name] as const;
  private readonly programmes = new RowBuffer(PROGRAMME);
  private readonly valueChains = new RowBuffer(VALUE_CHAIN);
  private readonly memberships = new RowBuffer(MEMBERSHIP);
  private readonly sizes = new RowBuffer(ORGANISATION_SIZE);
  /** Memberships still open, by programme, chain and organisation: a removal names those, not the row's key. */
  private readonly open = new Map<string, MembershipRow>();

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<ProgrammeTables>().schema;
    const text = textType(db);
    await schema
      .createTable(PROGRAMME.name)
      .ifNotExists()
      .addColumn('programme_id', text, (c) => c.primaryKey())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('tag', text)
      .addColumn('manager_organisation_id', text)
      .addColumn('registered_at', text, (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await schema
      .createTable(VALUE_CHAIN.name)
      .ifNotExists()
      .addColumn('value_chain_id', text, (c) => c.primaryKey())
      .addColumn('programme_id', text, (c) => c.notNull())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('registered_at', text, (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await schema.createIndex('programmes_value_chain_programme').ifNotExists().on(VALUE_CHAIN.name).column('programme_id').execute();
    await schema
      .createTable(MEMBERSHIP.name)
      .ifNotExists()
      .addColumn('added_position', 'bigint', (c) => c.primaryKey())
      .addColumn('programme_id', text, (c) => c.notNull())
      .addColumn('value_chain_id', text)
      .addColumn('organisation_id', text, (c) => c.notNull())
      .addColumn('member_from', text, (c) => c.notNull())
      .addColumn('member_until', text)
      .addColumn('removed_position', 'bigint')
      .execute();
    await schema.createIndex('programmes_membership_programme').ifNotExists().on(MEMBERSHIP.name).columns(['programme_id', 'value_chain_id']).execute();
    await schema
      .createTable(ORGANISATION_SIZE.name)
      .ifNotExists()
      .addColumn('position', 'bigint', (c) => c.primaryKey())
      .addColumn('organisation_id', text, (c) => c.notNull())
      .addColumn('employees', 'bigint', (c) => c.notNull())
      .addColumn('annual_turnover_eur', 'bigint', (c) => c.notNull())
      .addColumn('balance_sheet_total_eur', 'bigint', (c) => c.notNull())
      .addColumn('applies_from', text, (c) => c.notNull())
      .addColumn('declared_by', text, (c) => c.notNull())
      .addColumn('declared_at', text, (c) => c.notNull())
      .execute();
    await schema.createIndex('programmes_organisation_size_org').ifNotExists().on(ORGANISATION_SIZE.name).column('organisation_id').execute();
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const rows = await db.withTables<ProgrammeTables>().selectFrom('programmes_membership').selectAll().where('removed_position', 'is', null).execute();
    for (const row of rows) {
      this.open.set(membershipKey(row.programme_id, row.value_chain_id, row.organisation_id), { ...row, added_position: Number(row.added_position), removed_position: null });
    }
  }

  protected clearState(): void {
    this.programmes.clear();
    this.valueChains.clear();
    this.memberships.clear();
    this.sizes.clear();
    this.open.clear();
  }

  protected fold(projected: ProjectedEvent): void {
    const { event, position } = projected;
    switch (event.type) {
      case 'ProgrammeRegistered': {
        const e = event.data;
        this.programmes.put(e.programmeId, {
          programme_id: e.programmeId,
          name: e.name,
          tag: e.tag ?? null,
          manager_organisation_id: e.managerOrganisationId ?? null,
          registered_at: utcInstant(e.occurredAt),
          position,
        });
        return;
      }
      case 'ValueChainRegistered': {
        const e = event.data;
        this.valueChains.put(e.valueChainId, { value_chain_id: e.valueChainId, programme_id: e.programmeId, name: e.name, registered_at: utcInstant(e.occurredAt), position });
        return;
      }
      case 'ProgrammeMemberAdded': {
        const e = event.data;
        const row: MembershipRow = {
          added_position: position,
          programme_id: e.programmeId,
          value_chain_id: e.valueChainId ?? null,
          organisation_id: e.organisationId,
          member_from: e.from,
          member_until: null,
          removed_position: null,
        };
        this.open.set(membershipKey(e.programmeId, e.valueChainId, e.organisationId), row);
        this.memberships.put(String(position), row);
        return;
      }
      case 'ProgrammeMemberRemoved': {
        const e = event.data;
        const key = membershipKey(e.programmeId, e.valueChainId, e.organisationId);
        const openRow = this.open.get(key);
        // The decision refuses to remove a non-member, so this only guards a hand-made log.
        if (!openRow) return;
        this.open.delete(key);
        this.memberships.put(String(openRow.added_position), { ...openRow, member_until: e.from, removed_position: position });
        return;
      }
      case 'OrganisationSizeDeclared': {
        const e = event.data;
        this.sizes.put(String(position), {
          position,
          organisation_id: e.organisationId,
          employees: e.employees,
          annual_turnover_eur: e.annualTurnoverEur,
          balance_sheet_total_eur: e.balanceSheetTotalEur,
          applies_from: e.appliesFrom,
          declared_by: e.declaredBy,
          declared_at: utcInstant(e.occurredAt),
        });
        return;
      }
      default:
        return;
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.programmes.flush(tx);
    await this.valueChains.flush(tx);
    await this.memberships.flush(tx);
    await this.sizes.flush(tx);
  }
}
