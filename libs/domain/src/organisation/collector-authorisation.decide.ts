/**
 * Collector authorisation on the municipality's stream: a collector records collections
 * only for the kommuner whose municipality authorised it. Decided on the municipality's own state, so
 * two concurrent authorisations (or an authorisation racing a revocation) cannot both pass.
 */
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, type DecisionContext } from '../shared/decision-context.js';
import type { AuthoriseCollector, RevokeCollectorAuthorisation } from './organisation.commands.js';
import type { OrganisationState } from './organisation.state.js';

type Municipality = OrganisationState & { readonly kommuneCode: string };

/**
 * Only the municipality itself authorises for its kommune: not another municipality, not the
 * operator (who registers organisations but does not speak for a kommune), not an auditor.
 */
function asTheMunicipality(state: OrganisationState | undefined, organisationId: string, ctx: DecisionContext): Municipality {
  const { actor } = ctx;
  const actorIsIt = actor.organisationId === organisationId && actor.roles.includes('municipality') && actor.kommuneCode !== undefined;
  if (!actorIsIt) {
    throw new ForbiddenError('not-the-municipality', `only municipality ${organisationId} itself authorises collectors for its kommune`, { organisationId });
  }
  if (!state) throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
  // The stream, not the directory, says which kommune: it is what the event will name.
  const { kommuneCode } = state;
  if (!state.roles.includes('municipality') || kommuneCode === undefined) {
    throw new ForbiddenError('not-the-municipality', `organisation ${organisationId} is not a municipality`, { organisationId });
  }
  return { ...state, kommuneCode };
}

export function decideAuthoriseCollector(state: OrganisationState | undefined, command: AuthoriseCollector, ctx: DecisionContext): DomainEvent[] {
  const municipality = asTheMunicipality(state, command.organisationId, ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  const collector = ctx.organisation(command.collectorOrgId);
  if (!collector) {
    throw new NotFoundError('unknown-organisation', `collector organisation ${command.collectorOrgId} is not registered`, { organisationId: command.collectorOrgId });
  }
  if (!collector.roles.includes('collector')) {
    throw new InvalidCommandError('not-a-collector', `organisation ${command.collectorOrgId} does not have the collector role`, { organisationId: command.collectorOrgId });
  }
  if (municipality.authorisedCollectors.includes(command.collectorOrgId)) {
    throw new ConflictError('collector-already-authorised', `collector ${command.collectorOrgId} is already authorised for kommune ${municipality.kommuneCode}`, {
      kommuneCode: municipality.kommuneCode,
      collectorOrgId: command.collectorOrgId,
    });
  }
  return [
    {
      type: 'CollectorAuthorised',
      data: {
        organisationId: command.organisationId,
        kommuneCode: municipality.kommuneCode,
        collectorOrgId: command.collectorOrgId,
        authorisedBy: ctx.actor.organisationId,
        ...(command.reason !== undefined ? { reason: command.reason } : {}),
        occurredAt: command.occurredAt,
      },
    },
  ];
}

export function decideRevokeCollectorAuthorisation(state: OrganisationState | undefined, command: RevokeCollectorAuthorisation, ctx: DecisionContext): DomainEvent[] {
  const municipality = asTheMunicipality(state, command.organisationId, ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  if (!municipality.authorisedCollectors.includes(command.collectorOrgId)) {
    throw new ConflictError('collector-not-authorised', `collector ${command.collectorOrgId} is not authorised for kommune ${municipality.kommuneCode}`, {
      kommuneCode: municipality.kommuneCode,
      collectorOrgId: command.collectorOrgId,
    });
  }
  return [
    {
      type: 'CollectorAuthorisationRevoked',
      data: {
        organisationId: command.organisationId,
        kommuneCode: municipality.kommuneCode,
        collectorOrgId: command.collectorOrgId,
        revokedBy: ctx.actor.organisationId,
        reason: command.reason,
        occurredAt: command.occurredAt,
      },
    },
  ];
}
