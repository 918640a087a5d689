/**
 * Programmes, value chains and members (docs/decisions/041-programmes-and-sme-status.md): registered
 * by the operator, run by the operator or the programme's manager, members added and removed with
 * the day it applies from, as events on the programme's own stream.
 */
import { describe, expect, it } from '@jest/globals';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import { parseEvent, type DomainEvent } from '../events.js';
import type { Role } from '../organisation/organisation.events.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { AddProgrammeMember, RegisterProgramme, RegisterValueChain, RemoveProgrammeMember } from './programme.commands.js';
import { decideAddProgrammeMember, decideRegisterProgramme, decideRegisterValueChain, decideRemoveProgrammeMember } from './programme.decide.js';
import { evolveProgramme, type ProgrammeState } from './programme.state.js';

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const org = (n: number, roles: Role[]): OrganisationFacts => ({ organisationId: uuid(n), name: `org ${n}`, roles });
const OPERATOR = org(1, ['operator']);
const MANAGER = org(2, ['brand']);
const LAUNDRY = org(3, ['sorter']);
const RECYCLER = org(4, ['recycler']);
const CLOSING_LOOPS = uuid(100);
const CO59 = uuid(101);
const NOW = new Date('2024-09-01T12:00:00.000Z');
const AT = '2024-09-01T11:00:00.000Z';
const DIRECTORY = new Map([OPERATOR, MANAGER, LAUNDRY, RECYCLER].map((o): [string, OrganisationFacts] => [o.organisationId, o]));
const ctx = (actor: OrganisationFacts): DecisionContext => ({ now: NOW, actor, organisation: (id) => DIRECTORY.get(id), policy: DEFAULT_POLICY });
const spec = DeciderSpecification.for<ProgrammeState | undefined, DomainEvent>({ evolve: evolveProgramme, initialState: () => undefined });

const registered: DomainEvent = {
  type: 'ProgrammeRegistered',
  data: { programmeId: CLOSING_LOOPS, name: 'Closing Loops', tag: 'closing-loops', managerOrganisationId: MANAGER.organisationId, registeredBy: OPERATOR.organisationId, occurredAt: AT },
};
const chain: DomainEvent = { type: 'ValueChainRegistered', data: { programmeId: CLOSING_LOOPS, valueChainId: CO59, name: 'CØ59', registeredBy: MANAGER.organisationId, occurredAt: AT } };
const added = (from: string, valueChainId?: string): DomainEvent => ({
  type: 'ProgrammeMemberAdded',
  data: { programmeId: CLOSING_LOOPS, ...(valueChainId ? { valueChainId } : {}), organisationId: LAUNDRY.organisationId, from, addedBy: MANAGER.organisationId, occurredAt: AT },
});
const removed = (from: string, valueChainId?: string): DomainEvent => ({
  type: 'ProgrammeMemberRemoved',
  data: { programmeId: CLOSING_LOOPS, ...(valueChainId ? { valueChainId } : {}), organisationId: LAUNDRY.organisationId, from, removedBy: MANAGER.organisationId, occurredAt: AT },
});
const add = (from: string, valueChainId?: string, organisationId = LAUNDRY.organisationId): AddProgrammeMember =>
  AddProgrammeMember.parse({ programmeId: CLOSING_LOOPS, ...(valueChainId ? { valueChainId } : {}), organisationId, from, occurredAt: AT });
const remove = (from: string, valueChainId?: string): RemoveProgrammeMember =>
  RemoveProgrammeMember.parse({ programmeId: CLOSING_LOOPS, ...(valueChainId ? { valueChainId } : {}), organisationId: LAUNDRY.organisationId, from, occurredAt: AT });

describe('RegisterProgramme', () => {
  const command = RegisterProgramme.parse({ programmeId: CLOSING_LOOPS, name: 'Closing Loops', tag: 'closing-loops', managerOrganisationId: MANAGER.organisationId, occurredAt: AT });

  it('given no programme, when the operator registers one naming its manager, then ProgrammeRegistered its schema accepts', () => {
    spec
      .given([])
      .when((state) => decideRegisterProgramme(state, command, ctx(OPERATOR)))
      .thenSatisfies((events) => {
        expect(events).toEqual([registered]);
        for (const { type, data } of events) expect(parseEvent(type, 1, data)).toStrictEqual({ type, data });
      });
  });

  it('refuses anyone but the operator, a second registration, and a manager that is not registered', () => {
    spec.given([]).when((state) => decideRegisterProgramme(state, command, ctx(MANAGER))).thenThrows(ForbiddenError, 'role-not-permitted');
    spec.given([registered]).when((state) => decideRegisterProgramme(state, command, ctx(OPERATOR))).thenThrows(ConflictError, 'programme-exists');
    spec
      .given([])
      .when((state) => decideRegisterProgramme(state, { ...command, managerOrganisationId: uuid(99) }, ctx(OPERATOR)))
      .thenThrows(NotFoundError, 'unknown-organisation');
  });
});

describe('RegisterValueChain', () => {
  const command = RegisterValueChain.parse({ programmeId: CLOSING_LOOPS, valueChainId: CO59, name: 'CØ59', occurredAt: AT });

  it('given a programme, when its manager registers a value chain, then ValueChainRegistered', () => {
    spec.given([registered]).when((state) => decideRegisterValueChain(state, command, ctx(MANAGER))).thenSatisfies((events) => expect(events).toEqual([chain]));
  });

  it('lets the operator register one too, and refuses any other organisation, an unknown programme and a second registration', () => {
    spec.given([registered]).when((state) => decideRegisterValueChain(state, command, ctx(OPERATOR))).thenSatisfies((events) => expect(events[0]!.data).toMatchObject({ registeredBy: OPERATOR.organisationId }));
    spec.given([registered]).when((state) => decideRegisterValueChain(state, command, ctx(LAUNDRY))).thenThrows(ForbiddenError, 'not-programme-manager');
    spec.given([]).when((state) => decideRegisterValueChain(state, command, ctx(OPERATOR))).thenThrows(NotFoundError, 'unknown-programme');
    spec.given([]).when((state) => decideRegisterValueChain(state, command, ctx(LAUNDRY))).thenThrows(ForbiddenError, 'not-programme-manager');
    spec.given([registered, chain]).when((state) => decideRegisterValueChain(state, command, ctx(MANAGER))).thenThrows(ConflictError, 'value-chain-exists');
  });
});

describe('AddProgrammeMember and RemoveProgrammeMember', () => {
  it('given a value chain, when the manager adds a member from a day, then ProgrammeMemberAdded with that day', () => {
    spec.given([registered, chain]).when((state) => decideAddProgrammeMember(state, add('2023-08-15', CO59), ctx(MANAGER))).thenSatisfies((events) => expect(events).toEqual([added('2023-08-15', CO59)]));
  });

  it('given a member, when it is removed from a later day, then ProgrammeMemberRemoved; and it may join again from that day on', () => {
    spec.given([registered, added('2023-08-15')]).when((state) => decideRemoveProgrammeMember(state, remove('2024-03-01'), ctx(OPERATOR))).thenSatisfies((events) => {
      expect(events).toEqual([{ ...removed('2024-03-01'), data: { ...removed('2024-03-01').data, removedBy: OPERATOR.organisationId } }]);
    });
    spec.given([registered, added('2023-08-15'), removed('2024-03-01')]).when((state) => decideAddProgrammeMember(state, add('2024-03-01'), ctx(MANAGER))).thenSatisfies((events) => expect(events).toEqual([added('2024-03-01')]));
  });

  it('refuses a member twice, an overlapping return, a removal on or before its first day, removing a non-member, an unknown chain or organisation', () => {
    spec.given([registered, added('2023-08-15')]).when((state) => decideAddProgrammeMember(state, add('2023-09-01'), ctx(MANAGER))).thenThrows(ConflictError, 'already-member');
    spec.given([registered, added('2023-08-15'), removed('2024-03-01')]).when((state) => decideAddProgrammeMember(state, add('2024-02-01'), ctx(MANAGER))).thenThrows(InvalidCommandError, 'membership-overlaps');
    spec.given([registered, added('2023-08-15')]).when((state) => decideRemoveProgrammeMember(state, remove('2023-08-15'), ctx(MANAGER))).thenThrows(InvalidCommandError, 'removal-before-membership');
    spec.given([registered]).when((state) => decideRemoveProgrammeMember(state, remove('2024-01-01'), ctx(MANAGER))).thenThrows(ConflictError, 'not-a-member');
    spec.given([registered]).when((state) => decideAddProgrammeMember(state, add('2023-08-15', CO59), ctx(MANAGER))).thenThrows(NotFoundError, 'unknown-value-chain');
    spec.given([registered]).when((state) => decideAddProgrammeMember(state, add('2023-08-15', undefined, uuid(99)), ctx(MANAGER))).thenThrows(NotFoundError, 'unknown-organisation');
  });

  it('keeps a programme membership and a value-chain membership of one organisation apart', () => {
    spec.given([registered, chain, added('2023-08-15')]).when((state) => decideAddProgrammeMember(state, add('2023-08-15', CO59), ctx(MANAGER))).thenSatisfies((events) => expect(events).toEqual([added('2023-08-15', CO59)]));
  });

  it('refuses members changed by an organisation that does not manage the programme', () => {
    spec.given([registered]).when((state) => decideAddProgrammeMember(state, add('2023-08-15'), ctx(RECYCLER))).thenThrows(ForbiddenError, 'not-programme-manager');
  });

  it('refuses a day that is not on the calendar', () => {
    expect(() => add('2023-02-30')).toThrow();
  });
});
