import { sizeOn, smeStatus, type DatedSize, type SmeStatus } from '#domain';
import type { OrganisationTables } from '../organisations/organisations.projection.js';
import type { ReadDb } from '../runner/projection.js';
import type { MembershipRow, ProgrammeTables } from './programmes.projection.js';

export interface ValueChainView {
  valueChainId: string;
  name: string;
  registeredAt: string;
}

export interface ProgrammeView {
  programmeId: string;
  name: string;
  tag: string | null;
  managerOrganisationId: string | null;
  registeredAt: string;
  valueChains: ValueChainView[];
}

export interface MembershipView {
  /** Null for a membership of the programme itself. */
  valueChainId: string | null;
  from: string;
  /** The first day no longer a member; null while it lasts. */
  until: string | null;
}

export interface SizeView extends DatedSize {
  declaredBy: string;
  declaredAt: string;
  smeStatus: SmeStatus;
}

export interface MemberView {
  organisationId: string;
  /** Null if the organisation is unknown to the organisations read model. */
  name: string | null;
  memberships: MembershipView[];
  /** The last day in the period it was a member: the day its SME status is read on. */
  lastMemberDay: string;
  size: SizeView | null;
  smeStatus: SmeStatus;
}

export interface MembersReport {
  programmeId: string;
  valueChainId: string | null;
  /** Inclusive days, YYYY-MM-DD. */
  from: string;
  to: string;
  members: MemberView[];
  counts: { organisations: number; smes: number; notSmes: number; unknown: number };
}

const DAY_MS = 86_400_000;
function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
}

export async function listProgrammes(db: ReadDb): Promise<ProgrammeView[]> {
  const tables = db.withTables<ProgrammeTables>();
  const programmes = await tables.selectFrom('programmes_programme').selectAll().orderBy('name').orderBy('programme_id').execute();
  const chains = await tables.selectFrom('programmes_value_chain').selectAll().orderBy('name').orderBy('value_chain_id').execute();
  return programmes.map((p) => ({
    programmeId: p.programme_id,
    name: p.name,
    tag: p.tag,
    managerOrganisationId: p.manager_organisation_id,
    registeredAt: p.registered_at,
    valueChains: chains.filter((c) => c.programme_id === p.programme_id).map((c) => ({ valueChainId: c.value_chain_id, name: c.name, registeredAt: c.registered_at })),
  }));
}

export async function getProgramme(db: ReadDb, programmeId: string): Promise<ProgrammeView | undefined> {
  const tables = db.withTables<ProgrammeTables>();
  const p = await tables.selectFrom('programmes_programme').selectAll().where('programme_id', '=', programmeId).executeTakeFirst();
  if (!p) return undefined;
  const chains = await tables.selectFrom('programmes_value_chain').selectAll().where('programme_id', '=', programmeId).orderBy('name').orderBy('value_chain_id').execute();
  return {
    programmeId: p.programme_id,
    name: p.name,
    tag: p.tag,
    managerOrganisationId: p.manager_organisation_id,
    registeredAt: p.registered_at,
    valueChains: chains.map((c) => ({ valueChainId: c.value_chain_id, name: c.name, registeredAt: c.registered_at })),
  };
}

/** Every size an organisation declared, in the order they were declared. */
export async function organisationSizes(db: ReadDb, organisationIds: readonly string[]): Promise<Map<string, SizeView[]>> {
  const result = new Map<string, SizeView[]>();
  for (let start = 0; start < organisationIds.length; start += 500) {
    const rows = await db
      .withTables<ProgrammeTables>()
      .selectFrom('programmes_organisation_size')
      .selectAll()
      .where('organisation_id', 'in', organisationIds.slice(start, start + 500))
      .orderBy('position')
      .execute();
    for (const row of rows) {
      const size = { employees: Number(row.employees), annualTurnoverEur: Number(row.annual_turnover_eur), balanceSheetTotalEur: Number(row.balance_sheet_total_eur) };
      const list = result.get(row.organisation_id) ?? [];
      list.push({ ...size, appliesFrom: row.applies_from, declaredBy: row.declared_by, declaredAt: row.declared_at, smeStatus: smeStatus(size) });
      result.set(row.organisation_id, list);
    }
  }
  return result;
}

/**
 * The members of a programme (all its memberships, its value chains' included) or of one value
 * chain, during the inclusive days `from`..`to` (one day: from = to). An organisation counts once if
 * it was a member on any day of the period; it is an SME if it was one, by the size it declared, on
 * the last day of the period it was a member; without a size in force that day its status is
 * unknown, and it is not counted as an SME (docs/decisions/041-programmes-and-sme-status.md).
 */
export async function programmeMembers(db: ReadDb, query: { programmeId: string; valueChainId?: string; from: string; to: string }): Promise<MembersReport> {
  let select = db.withTables<ProgrammeTables>().selectFrom('programmes_membership').selectAll().where('programme_id', '=', query.programmeId).where('member_from', '<=', query.to);
  if (query.valueChainId !== undefined) select = select.where('value_chain_id', '=', query.valueChainId);
  const rows = (await select.orderBy('added_position').execute()).filter((r: MembershipRow) => r.member_until === null || r.member_until > query.from);
  const byOrganisation = new Map<string, MembershipRow[]>();
  for (const row of rows) byOrganisation.set(row.organisation_id, [...(byOrganisation.get(row.organisation_id) ?? []), row]);
  const ids = [...byOrganisation.keys()];
  const sizes = await organisationSizes(db, ids);
  const names = new Map<string, string>();
  for (let start = 0; start < ids.length; start += 500) {
    const found = await db
      .withTables<OrganisationTables>()
      .selectFrom('organisations_organisation')
      .select(['organisation_id', 'name'])
      .where('organisation_id', 'in', ids.slice(start, start + 500))
      .execute();
    for (const f of found) names.set(f.organisation_id, f.name);
  }
  const members: MemberView[] = ids.map((organisationId) => {
    const periods = byOrganisation.get(organisationId) ?? [];
    const lastMemberDay = periods
      .map((p) => (p.member_until === null || p.member_until > query.to ? query.to : dayBefore(p.member_until)))
      .reduce((a, b) => (a > b ? a : b));
    const size = sizeOn(sizes.get(organisationId) ?? [], lastMemberDay) as SizeView | undefined;
    return {
      organisationId,
      name: names.get(organisationId) ?? null,
      memberships: periods.map((p) => ({ valueChainId: p.value_chain_id, from: p.member_from, until: p.member_until })),
      lastMemberDay,
      size: size ?? null,
      smeStatus: smeStatus(size),
    };
  });
  members.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '', 'da') || a.organisationId.localeCompare(b.organisationId));
  return {
    programmeId: query.programmeId,
    valueChainId: query.valueChainId ?? null,
    from: query.from,
    to: query.to,
    members,
    counts: {
      organisations: members.length,
      smes: members.filter((m) => m.smeStatus === 'sme').length,
      notSmes: members.filter((m) => m.smeStatus === 'not-sme').length,
      unknown: members.filter((m) => m.smeStatus === 'unknown').length,
    },
  };
}
