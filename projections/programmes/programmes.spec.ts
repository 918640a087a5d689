/**
 * Programmes, members over time and SME counts (docs/decisions/041-programmes-and-sme-status.md),
 * on SQLite and PostgreSQL; rebuilt equals live.
 */
import { beforeEach, expect, it } from '@jest/globals';
import type { DomainEvent } from '#domain';
import { OrganisationsProjection } from '../organisations/organisations.projection.js';
import { expectSameRowsWhateverThePages } from '../processes/testing/void-log.js';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { ProgrammesProjection } from './programmes.projection.js';
import { getProgramme, listProgrammes, programmeMembers } from './programmes.queries.js';

const OPERATOR = uid(9, 1);
const CLOSING_LOOPS = uid(1, 7);
const CO59 = uid(2, 7);
const AT = '2023-08-01T08:00:00Z';

function append(log: EventLog, streamId: string, event: DomainEvent): void {
  log.append(streamId, event, { actorOrgId: OPERATOR });
}

function register(log: EventLog, organisationId: string, name: string): void {
  append(log, `organisation-${organisationId}`, { type: 'OrganisationRegistered', data: { organisationId, name, roles: ['sorter'], sites: [], occurredAt: AT } });
}

function size(log: EventLog, organisationId: string, employees: number, turnover: number, balance: number, appliesFrom: string): void {
  append(log, `organisation-${organisationId}`, {
    type: 'OrganisationSizeDeclared',
    data: { organisationId, employees, annualTurnoverEur: turnover, balanceSheetTotalEur: balance, appliesFrom, declaredBy: organisationId, occurredAt: AT },
  });
}

function member(log: EventLog, organisationId: string, from: string, valueChainId?: string): void {
  append(log, `programme-${CLOSING_LOOPS}`, {
    type: 'ProgrammeMemberAdded',
    data: { programmeId: CLOSING_LOOPS, ...(valueChainId ? { valueChainId } : {}), organisationId, from, addedBy: OPERATOR, occurredAt: AT },
  });
}

function leave(log: EventLog, organisationId: string, from: string, valueChainId?: string): void {
  append(log, `programme-${CLOSING_LOOPS}`, {
    type: 'ProgrammeMemberRemoved',
    data: { programmeId: CLOSING_LOOPS, ...(valueChainId ? { valueChainId } : {}), organisationId, from, removedBy: OPERATOR, occurredAt: AT },
  });
}

/**
 * Given Closing Loops with its value chain CØ59: the sorter (an SME throughout) in CØ59 from
 * 15 August 2023; the recycler (250 employees until 2024, then 120) a member of the programme from
 * 1 September 2023 until it leaves on 1 March 2024, then back in CØ59 from 1 June 2024; the maker
 * (no size declared) in CØ59 until 1 January 2024; and the collector, who joins only in 2025.
 */
function scenario(log: EventLog): void {
  register(log, ORG.sorter, 'Vaskeri Syd');
  register(log, ORG.recycler, 'Genfiber A/S');
  register(log, ORG.maker, 'Puder ApS');
  register(log, ORG.collector, 'Indsamling I/S');
  append(log, `programme-${CLOSING_LOOPS}`, { type: 'ProgrammeRegistered', data: { programmeId: CLOSING_LOOPS, name: 'Closing Loops', tag: 'closing-loops', registeredBy: OPERATOR, occurredAt: AT } });
  append(log, `programme-${CLOSING_LOOPS}`, { type: 'ValueChainRegistered', data: { programmeId: CLOSING_LOOPS, valueChainId: CO59, name: 'CØ59', registeredBy: OPERATOR, occurredAt: AT } });
  size(log, ORG.sorter, 40, 3_000_000, 2_000_000, '2022-01-01');
  size(log, ORG.recycler, 250, 30_000_000, 20_000_000, '2023-01-01');
  size(log, ORG.recycler, 120, 30_000_000, 20_000_000, '2024-01-01');
  member(log, ORG.sorter, '2023-08-15', CO59);
  member(log, ORG.recycler, '2023-09-01');
  member(log, ORG.maker, '2023-08-15', CO59);
  leave(log, ORG.maker, '2024-01-01', CO59);
  leave(log, ORG.recycler, '2024-03-01');
  member(log, ORG.recycler, '2024-06-01', CO59);
  member(log, ORG.collector, '2025-01-01', CO59);
}

describeOnEachReadDb('programmes projection', (openDb) => {
  let db: ReadDb;
  let programmes: ProgrammesProjection;
  let organisations: OrganisationsProjection;

  beforeEach(async () => {
    db = await openDb();
    programmes = new ProgrammesProjection();
    organisations = new OrganisationsProjection();
    for (const p of [programmes, organisations]) {
      await p.migrate(db);
      await p.load(db);
    }
  });

  async function projectAll(log: EventLog): Promise<void> {
    await project(db, organisations, log.projected());
    await project(db, programmes, log.projected());
  }

  it('lists the programme with its value chains', async () => {
    const log = new EventLog();
    scenario(log);
    await projectAll(log);
    expect(await listProgrammes(db)).toEqual([
      { programmeId: CLOSING_LOOPS, name: 'Closing Loops', tag: 'closing-loops', managerOrganisationId: null, registeredAt: '2023-08-01T08:00:00.000Z', valueChains: [{ valueChainId: CO59, name: 'CØ59', registeredAt: '2023-08-01T08:00:00.000Z' }] },
    ]);
    expect((await getProgramme(db, CLOSING_LOOPS))?.valueChains.map((c) => c.name)).toEqual(['CØ59']);
    expect(await getProgramme(db, uid(99, 7))).toBeUndefined();
  });

  it('counts the members during 15 August 2023 to 31 August 2024, once each, SME by the size on the last day each was a member', async () => {
    const log = new EventLog();
    scenario(log);
    await projectAll(log);
    const report = await programmeMembers(db, { programmeId: CLOSING_LOOPS, from: '2023-08-15', to: '2024-08-31' });
    expect(report.members.map((m) => [m.name, m.lastMemberDay, m.smeStatus])).toEqual([
      // The recycler's last member day is in 2024, when it had 120 employees.
      ['Genfiber A/S', '2024-08-31', 'sme'],
      // No size declared: unknown, never assumed an SME.
      ['Puder ApS', '2023-12-31', 'unknown'],
      ['Vaskeri Syd', '2024-08-31', 'sme'],
    ]);
    expect(report.counts).toEqual({ organisations: 3, smes: 2, notSmes: 0, unknown: 1 });
    expect(report.members[0]!.memberships).toEqual([
      { valueChainId: null, from: '2023-09-01', until: '2024-03-01' },
      { valueChainId: CO59, from: '2024-06-01', until: null },
    ]);
  });

  it('answers for one day and for one value chain', async () => {
    const log = new EventLog();
    scenario(log);
    await projectAll(log);
    // On 1 January 2024 the maker has left; the recycler is a programme member, with 120 employees from that day.
    const day = await programmeMembers(db, { programmeId: CLOSING_LOOPS, from: '2024-01-01', to: '2024-01-01' });
    expect(day.members.map((m) => m.name)).toEqual(['Genfiber A/S', 'Vaskeri Syd']);
    // On 31 December 2023 the recycler still had 250 employees: not an SME.
    const before = await programmeMembers(db, { programmeId: CLOSING_LOOPS, from: '2023-12-31', to: '2023-12-31' });
    expect(before.members.map((m) => [m.name, m.smeStatus])).toEqual([
      ['Genfiber A/S', 'not-sme'],
      ['Puder ApS', 'unknown'],
      ['Vaskeri Syd', 'sme'],
    ]);
    expect(before.counts).toEqual({ organisations: 3, smes: 1, notSmes: 1, unknown: 1 });
    // CØ59 alone, between the recycler leaving the programme and rejoining in the chain: the sorter only.
    const chain = await programmeMembers(db, { programmeId: CLOSING_LOOPS, valueChainId: CO59, from: '2024-03-01', to: '2024-05-31' });
    expect(chain.members.map((m) => m.name)).toEqual(['Vaskeri Syd']);
    expect((await programmeMembers(db, { programmeId: CLOSING_LOOPS, from: '2025-01-01', to: '2025-12-31' })).counts.organisations).toBe(3);
  });

  it('writes the same rows whatever the pages, and after a restart at every event (rebuild equals live)', async () => {
    const log = new EventLog();
    scenario(log);
    const rows = await expectSameRowsWhateverThePages(openDb, () => new ProgrammesProjection(), log.projected());
    expect(rows['programmes_membership']).toHaveLength(5);
    expect(rows['programmes_organisation_size']).toHaveLength(3);
  });
});
