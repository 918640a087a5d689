import type { DomainEvent } from '../events.js';
import { ConflictError, ForbiddenError, InvalidCommandError } from '../errors.js';
import { isKnownKommune } from '../reference/reference.js';
import { assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, type DecisionContext } from '../shared/decision-context.js';
import type { RegisterOrganisation } from './organisation.commands.js';

/** `exists` is whether the organisation's stream already has events. */
export function decideRegisterOrganisation(exists: boolean, command: RegisterOrganisation, ctx: DecisionContext): DomainEvent[] {
  if (!ctx.actor.roles.includes('operator')) {
    throw new ForbiddenError('operator-only', 'only the operator registers organisations');
  }
  if (exists) {
    throw new ConflictError('organisation-exists', `organisation ${command.organisationId} is already registered`);
  }
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  const isMunicipality = command.roles.includes('municipality');
  if (isMunicipality && command.kommuneCode === undefined) {
    throw new InvalidCommandError('kommune-required', 'a municipality must be bound to one kommune code');
  }
  if (!isMunicipality && command.kommuneCode !== undefined) {
    throw new InvalidCommandError('kommune-not-allowed', 'only a municipality is bound to a kommune code');
  }
  if (command.kommuneCode !== undefined && !isKnownKommune(command.kommuneCode)) {
    throw new InvalidCommandError('unknown-kommune', `kommune code ${command.kommuneCode} is not one of the 98 Danish municipalities`, {
      kommuneCode: command.kommuneCode,
    });
  }
  if (new Set(command.roles).size !== command.roles.length) {
    throw new InvalidCommandError('duplicate-role', 'each role may be listed once');
  }
  return [
    {
      type: 'OrganisationRegistered',
      data: {
        organisationId: command.organisationId,
        name: command.name,
        ...(command.cvr !== undefined ? { cvr: command.cvr } : {}),
        roles: command.roles,
        ...(command.kommuneCode !== undefined ? { kommuneCode: command.kommuneCode } : {}),
        sites: command.sites,
        occurredAt: command.occurredAt,
      },
    },
    {
      type: 'ApiKeyIssued',
      data: {
        organisationId: command.organisationId,
        keyId: command.apiKeyId,
        keyHash: command.apiKeyHash,
        ...(command.apiKeyDerivation !== undefined ? { keyDerivation: command.apiKeyDerivation } : {}),
        occurredAt: command.occurredAt,
      },
    },
  ];
}

// Key management and collector authorisation live in their own files; re-exported here so that
// #domain's index exposes them.
export * from './organisation.state.js';
export * from './api-key.decide.js';
export * from './collector-authorisation.decide.js';
