/**
 * Sites on the organisation's own stream (docs/decisions/039-sites-and-ads-export.md): declared,
 * amended and closed by events, never edited. Decided on the organisation's state, so two
 * concurrent declarations of one site id cannot both pass; a P-number's uniqueness across the
 * ledger is checked against the sites read model, which the caller passes in as `pNumberHolder`.
 */
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { isKnownKommune } from '../reference/reference.js';
import { MAX_SITES, assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, type DecisionContext } from '../shared/decision-context.js';
import type { SiteDescription } from './organisation.events.js';
import type { OrganisationState, SiteState } from './organisation.state.js';
import type { AmendSite, CloseSite, DeclareSite } from './site.commands.js';

/** Which site holds a P-number, as the sites read model knows it. */
export interface SiteRef {
  readonly organisationId: string;
  readonly siteId: string;
}

/** The organisation itself, or the operator acting for it (who registers organisations and keeps their records straight). */
function asTheOrganisationOrOperator(state: OrganisationState | undefined, organisationId: string, ctx: DecisionContext): OrganisationState {
  const { actor } = ctx;
  if (actor.organisationId !== organisationId && !actor.roles.includes('operator')) {
    throw new ForbiddenError('not-own-organisation', `only organisation ${organisationId} itself, or the operator for it, declares and changes its sites`, { organisationId });
  }
  if (!state) throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
  return state;
}

function assertDescription(description: SiteDescription, state: OrganisationState, siteId: string, pNumberHolder: SiteRef | undefined): void {
  if (!isKnownKommune(description.kommuneCode)) {
    throw new InvalidCommandError('unknown-kommune', `kommune code ${description.kommuneCode} is not one of the 98 Danish municipalities`, { kommuneCode: description.kommuneCode });
  }
  if ((description.latitude === undefined) !== (description.longitude === undefined)) {
    throw new InvalidCommandError('coordinates-incomplete', 'a position needs both latitude and longitude, or neither');
  }
  if (description.pNumber === undefined) return;
  // The organisation's own sites are on the stream itself, so this part is strongly consistent.
  const own = state.sites.find((site) => site.pNumber === description.pNumber && site.siteId !== siteId);
  const holder = own ? { organisationId: state.organisationId, siteId: own.siteId } : pNumberHolder;
  if (holder !== undefined && holder.siteId !== siteId) {
    throw new ConflictError('p-number-taken', `P-number ${description.pNumber} already belongs to another site`, {
      pNumber: description.pNumber,
      ...(holder.organisationId === state.organisationId ? { siteId: holder.siteId } : {}),
    });
  }
}

function description(command: SiteDescription): SiteDescription {
  return {
    name: command.name,
    address: command.address,
    kommuneCode: command.kommuneCode,
    ...(command.pNumber !== undefined ? { pNumber: command.pNumber } : {}),
    ...(command.latitude !== undefined ? { latitude: command.latitude } : {}),
    ...(command.longitude !== undefined ? { longitude: command.longitude } : {}),
  };
}

function requireSite(state: OrganisationState, siteId: string): SiteState {
  const site = state.sites.find((s) => s.siteId === siteId);
  if (!site) throw new NotFoundError('unknown-site', `organisation ${state.organisationId} has no site ${siteId}`, { siteId });
  return site;
}

export function decideDeclareSite(state: OrganisationState | undefined, command: DeclareSite, ctx: DecisionContext, pNumberHolder?: SiteRef): DomainEvent[] {
  const organisation = asTheOrganisationOrOperator(state, command.organisationId, ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  if (organisation.sites.some((site) => site.siteId === command.siteId)) {
    throw new ConflictError('site-exists', `site ${command.siteId} is already declared`, { siteId: command.siteId });
  }
  if (organisation.sites.length >= MAX_SITES) {
    throw new InvalidCommandError('too-many-sites', `organisation ${command.organisationId} already has ${MAX_SITES} sites, the most the ledger keeps for one organisation (decision 020)`, {
      maximum: MAX_SITES,
    });
  }
  assertDescription(command, organisation, command.siteId, pNumberHolder);
  return [
    {
      type: 'SiteDeclared',
      data: { organisationId: command.organisationId, siteId: command.siteId, ...description(command), declaredBy: ctx.actor.organisationId, occurredAt: command.occurredAt },
    },
  ];
}

export function decideAmendSite(state: OrganisationState | undefined, command: AmendSite, ctx: DecisionContext, pNumberHolder?: SiteRef): DomainEvent[] {
  const organisation = asTheOrganisationOrOperator(state, command.organisationId, ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  const site = requireSite(organisation, command.siteId);
  if (!site.open) throw new ConflictError('site-closed', `site ${command.siteId} is closed`, { siteId: command.siteId });
  assertDescription(command, organisation, command.siteId, pNumberHolder);
  return [
    {
      type: 'SiteAmended',
      data: {
        organisationId: command.organisationId,
        siteId: command.siteId,
        ...description(command),
        amendedBy: ctx.actor.organisationId,
        reason: command.reason,
        occurredAt: command.occurredAt,
      },
    },
  ];
}

export function decideCloseSite(state: OrganisationState | undefined, command: CloseSite, ctx: DecisionContext): DomainEvent[] {
  const organisation = asTheOrganisationOrOperator(state, command.organisationId, ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  const site = requireSite(organisation, command.siteId);
  if (!site.open) throw new ConflictError('site-closed', `site ${command.siteId} is already closed`, { siteId: command.siteId });
  return [
    {
      type: 'SiteClosed',
      data: { organisationId: command.organisationId, siteId: command.siteId, closedBy: ctx.actor.organisationId, reason: command.reason, occurredAt: command.occurredAt },
    },
  ];
}

/**
 * A receipt, collection, registration, process or outcome may name the site where it happened: an
 * open site of the acting organisation, read from that organisation's own stream (`ctx.actorSites`).
 * Left out of the context, no site is known, so a caller that forgets to load them refuses every
 * site rather than accepting any.
 */
export function assertOpenSiteOfActor(siteId: string | undefined, ctx: DecisionContext): void {
  if (siteId === undefined) return;
  const site = ctx.actorSites?.find((s) => s.siteId === siteId);
  if (!site) {
    throw new InvalidCommandError('unknown-site', `site ${siteId} is not a site of organisation ${ctx.actor.organisationId}`, { siteId });
  }
  if (!site.open) {
    throw new InvalidCommandError('site-closed', `site ${siteId} of organisation ${ctx.actor.organisationId} is closed`, { siteId });
  }
}
