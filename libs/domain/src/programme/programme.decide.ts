/**
 * Programmes, value chains and members (docs/decisions/041-programmes-and-sme-status.md): events on
 * the programme's own stream, never edits. The operator registers a programme and may name the
 * organisation that manages it; the operator and that manager register its value chains and add and
 * remove members, each with the day it applies from.
 */
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, type DecisionContext } from '../shared/decision-context.js';
import type { AddProgrammeMember, RegisterProgramme, RegisterValueChain, RemoveProgrammeMember } from './programme.commands.js';
import { membershipKey, type ProgrammeState } from './programme.state.js';

/** The most value chains one programme keeps (Closing Loops has 26). */
export const MAX_VALUE_CHAINS = 200;

function isOperator(ctx: DecisionContext): boolean {
  return ctx.actor.roles.includes('operator');
}

function asOperatorOrManager(state: ProgrammeState | undefined, programmeId: string, ctx: DecisionContext): ProgrammeState {
  if (!state) {
    if (!isOperator(ctx)) throw new ForbiddenError('not-programme-manager', `only the operator or the manager of programme ${programmeId} changes it`, { programmeId });
    throw new NotFoundError('unknown-programme', `programme ${programmeId} is not registered`, { programmeId });
  }
  if (!isOperator(ctx) && ctx.actor.organisationId !== state.managerOrganisationId) {
    throw new ForbiddenError('not-programme-manager', `only the operator or the manager of programme ${programmeId} changes it`, { programmeId });
  }
  return state;
}

function requireOrganisation(organisationId: string, ctx: DecisionContext): void {
  if (!ctx.organisation(organisationId)) throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
}

function requireValueChain(state: ProgrammeState, valueChainId: string | undefined): void {
  if (valueChainId !== undefined && !state.valueChainIds.includes(valueChainId)) {
    throw new NotFoundError('unknown-value-chain', `programme ${state.programmeId} has no value chain ${valueChainId}`, { valueChainId });
  }
}

export function decideRegisterProgramme(state: ProgrammeState | undefined, command: RegisterProgramme, ctx: DecisionContext): DomainEvent[] {
  if (!isOperator(ctx)) throw new ForbiddenError('role-not-permitted', 'only the operator registers programmes', { roles: ctx.actor.roles });
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  if (state) throw new ConflictError('programme-exists', `programme ${command.programmeId} is already registered`, { programmeId: command.programmeId });
  if (command.managerOrganisationId !== undefined) requireOrganisation(command.managerOrganisationId, ctx);
  return [
    {
      type: 'ProgrammeRegistered',
      data: {
        programmeId: command.programmeId,
        name: command.name,
        ...(command.tag !== undefined ? { tag: command.tag } : {}),
        ...(command.managerOrganisationId !== undefined ? { managerOrganisationId: command.managerOrganisationId } : {}),
        registeredBy: ctx.actor.organisationId,
        occurredAt: command.occurredAt,
      },
    },
  ];
}

export function decideRegisterValueChain(state: ProgrammeState | undefined, command: RegisterValueChain, ctx: DecisionContext): DomainEvent[] {
  const programme = asOperatorOrManager(state, command.programmeId, ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  if (programme.valueChainIds.includes(command.valueChainId)) {
    throw new ConflictError('value-chain-exists', `value chain ${command.valueChainId} is already registered`, { valueChainId: command.valueChainId });
  }
  if (programme.valueChainIds.length >= MAX_VALUE_CHAINS) {
    throw new InvalidCommandError('too-many-value-chains', `programme ${command.programmeId} already has ${MAX_VALUE_CHAINS} value chains, the most the ledger keeps for one programme`, { maximum: MAX_VALUE_CHAINS });
  }
  return [
    {
      type: 'ValueChainRegistered',
      data: { programmeId: command.programmeId, valueChainId: command.valueChainId, name: command.name, registeredBy: ctx.actor.organisationId, occurredAt: command.occurredAt },
    },
  ];
}

export function decideAddProgrammeMember(state: ProgrammeState | undefined, command: AddProgrammeMember, ctx: DecisionContext): DomainEvent[] {
  const programme = asOperatorOrManager(state, command.programmeId, ctx);
  assertBusinessTime(command.occurredAt, ctx);
  requireValueChain(programme, command.valueChainId);
  requireOrganisation(command.organisationId, ctx);
  const periods = programme.memberships.get(membershipKey(command.valueChainId, command.organisationId)) ?? [];
  const last = periods[periods.length - 1];
  if (last && last.until === undefined) {
    throw new ConflictError('already-member', `organisation ${command.organisationId} is already a member from ${last.from}`, { organisationId: command.organisationId, memberFrom: last.from });
  }
  // Periods never overlap, so "a member on day D" has one answer.
  if (last?.until !== undefined && command.from < last.until) {
    throw new InvalidCommandError('membership-overlaps', `organisation ${command.organisationId} was a member until ${last.until}; a new membership starts on or after that day`, {
      organisationId: command.organisationId,
      memberUntil: last.until,
    });
  }
  return [
    {
      type: 'ProgrammeMemberAdded',
      data: {
        programmeId: command.programmeId,
        ...(command.valueChainId !== undefined ? { valueChainId: command.valueChainId } : {}),
        organisationId: command.organisationId,
        from: command.from,
        addedBy: ctx.actor.organisationId,
        occurredAt: command.occurredAt,
      },
    },
  ];
}

export function decideRemoveProgrammeMember(state: ProgrammeState | undefined, command: RemoveProgrammeMember, ctx: DecisionContext): DomainEvent[] {
  const programme = asOperatorOrManager(state, command.programmeId, ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  requireValueChain(programme, command.valueChainId);
  const periods = programme.memberships.get(membershipKey(command.valueChainId, command.organisationId)) ?? [];
  const last = periods[periods.length - 1];
  if (!last || last.until !== undefined) {
    throw new ConflictError('not-a-member', `organisation ${command.organisationId} is not a member`, { organisationId: command.organisationId });
  }
  if (command.from <= last.from) {
    throw new InvalidCommandError('removal-before-membership', `a membership from ${last.from} ends on a later day, not ${command.from}`, { memberFrom: last.from, from: command.from });
  }
  return [
    {
      type: 'ProgrammeMemberRemoved',
      data: {
        programmeId: command.programmeId,
        ...(command.valueChainId !== undefined ? { valueChainId: command.valueChainId } : {}),
        organisationId: command.organisationId,
        from: command.from,
        removedBy: ctx.actor.organisationId,
        ...(command.reason !== undefined ? { reason: command.reason } : {}),
        occurredAt: command.occurredAt,
      },
    },
  ];
}
