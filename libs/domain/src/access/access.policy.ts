import { ForbiddenError, MalformedRequestError, NotFoundError } from '../errors.js';
import { streamIds } from '../events.js';
import type { OrganisationFacts } from '../shared/decision-context.js';
import type { Audience } from '../catalogue/catalogue.events.js';
import { audienceIncludes, type CurrentMembership } from '../catalogue/disclosure.js';

/**
 * The permission matrix of docs/security.md, as pure decisions. The API's AuthorizationGuard asks
 * these questions of every request (the relationships it needs come from the read models); nothing
 * else in the ledger decides who may read what.
 */

/** Auditors and the operator see everything. */
export function isPrivileged(viewer: OrganisationFacts): boolean {
  return viewer.roles.includes('auditor') || viewer.roles.includes('operator');
}

/** What a viewer's reads are narrowed to. `all` for auditors and the operator. */
export type ReadScope =
  | { readonly kind: 'all' }
  | {
      readonly kind: 'organisation';
      readonly organisationId: string;
      /** Set for a municipality: what derives from this kommune's collections is its own to see. */
      readonly kommuneCode?: string;
    };

export function readScopeOf(viewer: OrganisationFacts): ReadScope {
  if (isPrivileged(viewer)) return { kind: 'all' };
  const kommuneCode = viewer.roles.includes('municipality') ? viewer.kommuneCode : undefined;
  return { kind: 'organisation', organisationId: viewer.organisationId, ...(kommuneCode !== undefined ? { kommuneCode } : {}) };
}

/**
 * A batch the viewer may not see answers exactly like a batch that does not exist, so that probing
 * ids tells a competitor nothing (not even that a batch exists).
 */
export function batchNotVisible(batchId: string): NotFoundError {
  return new NotFoundError('unknown-batch', `batch ${batchId} does not exist, or is not visible to your organisation`, { batchId });
}

export function processNotVisible(processId: string): NotFoundError {
  return new NotFoundError('unknown-process', `process ${processId} does not exist, or is not visible to your organisation`, { processId });
}

/** Inventories, API keys: an organisation's own, or anyone's for auditors and the operator. */
export function assertOwnOrganisation(viewer: OrganisationFacts, organisationId: string): void {
  if (isPrivileged(viewer) || viewer.organisationId === organisationId) return;
  throw new ForbiddenError('not-own-organisation', `organisation ${viewer.organisationId} may not read another organisation's records`, { organisationId });
}

/** A municipal report: the kommune's own municipality, auditors and the operator. */
export function assertOwnKommune(viewer: OrganisationFacts, kommuneCode: string): void {
  if (isPrivileged(viewer)) return;
  if (viewer.roles.includes('municipality') && viewer.kommuneCode === kommuneCode) return;
  throw new ForbiddenError('not-own-kommune', `only the municipality of kommune ${kommuneCode}, auditors and the operator may read its report`, { kommuneCode });
}

export function assertPrivileged(viewer: OrganisationFacts): void {
  if (isPrivileged(viewer)) return;
  throw new ForbiddenError('not-auditor', 'only auditors and the operator may read this');
}

export type CommandKind = 'material' | 'administration';

/**
 * Auditors never write. The operator runs the ledger but does not handle material: a material
 * command from it must name, explicitly, whom it acts for (impersonation), so that the log shows it.
 */
export function assertMayIssue(actor: OrganisationFacts, kind: CommandKind, impersonating: boolean): void {
  if (actor.roles.includes('auditor')) {
    throw new ForbiddenError('read-only-role', `organisation ${actor.organisationId} is an auditor: auditors read, and never write`);
  }
  if (kind === 'material' && actor.roles.includes('operator') && !impersonating) {
    throw new ForbiddenError(
      'operator-must-impersonate',
      'the operator does not act on batches or processes; to act for an organisation, send Ledger-Impersonate and Ledger-Impersonation-Reason',
    );
  }
}

/** The operator, and only it, may act as another organisation; never as another operator. */
export function assertMayImpersonate(actor: OrganisationFacts, target: OrganisationFacts | undefined, targetId: string, reason: string | undefined): OrganisationFacts {
  if (!actor.roles.includes('operator')) {
    throw new ForbiddenError('impersonation-not-permitted', 'only the operator may act on behalf of another organisation');
  }
  if (reason === undefined || reason.trim() === '') {
    throw new MalformedRequestError('impersonation-reason-required', 'impersonation needs a reason: send Ledger-Impersonation-Reason (it is recorded with every event and in the request audit log)');
  }
  if (!target) throw new NotFoundError('unknown-organisation', `organisation ${targetId} is not registered`, { organisationId: targetId });
  if (target.roles.includes('operator')) {
    throw new ForbiddenError('impersonation-not-permitted', 'the operator may not impersonate an organisation holding the operator role');
  }
  return target;
}

function scopeNotPermitted(detail: string, extra: Record<string, unknown> = {}): ForbiddenError {
  return new ForbiddenError('scope-not-permitted', detail, extra);
}

/** Origin keys of the residuals an organisation registered itself (docs/domain.md). */
export function ownResidualOriginKeys(organisationId: string): string[] {
  return [`pre-consumer:${organisationId}`, `post-consumer-business:${organisationId}`];
}

/**
 * Circularity is per origin key. A municipality sees its own kommune's (the default when it names
 * none); a firm sees the circularity of the residuals it registered, and must name which; auditors
 * and the operator see any. Returns the filter to apply.
 */
export function circularityFilterFor(
  viewer: OrganisationFacts,
  asked: { readonly kommuneCode?: string | undefined; readonly originKey?: string | undefined },
): { kommuneCode?: string; originKey?: string } {
  const scope = readScopeOf(viewer);
  const given = { ...(asked.kommuneCode !== undefined ? { kommuneCode: asked.kommuneCode } : {}), ...(asked.originKey !== undefined ? { originKey: asked.originKey } : {}) };
  if (scope.kind === 'all') return given;
  const own = new Set(ownResidualOriginKeys(viewer.organisationId));
  if (scope.kommuneCode !== undefined) own.add(`kommune:${scope.kommuneCode}`);
  const askedKeys = [asked.kommuneCode !== undefined ? `kommune:${asked.kommuneCode}` : undefined, asked.originKey].filter((k): k is string => k !== undefined);
  for (const key of askedKeys) {
    if (!own.has(key)) throw scopeNotPermitted(`organisation ${viewer.organisationId} may read the circularity of its own origin keys only (${[...own].join(', ')}), not ${key}`, { originKey: key });
  }
  if (askedKeys.length > 0) return given;
  if (scope.kommuneCode !== undefined) return { kommuneCode: scope.kommuneCode };
  throw scopeNotPermitted(`name one of your origin keys with originKey: ${[...own].join(' or ')}`);
}

/** Anomalies involving the viewer only, unless it is an auditor or the operator. */
export function anomaliesOrganisationFor(viewer: OrganisationFacts, asked: string | undefined): string | undefined {
  if (isPrivileged(viewer) || asked === viewer.organisationId) return asked;
  if (asked === undefined) return viewer.organisationId;
  throw scopeNotPermitted(`organisation ${viewer.organisationId} may read only the anomalies it is party to`, { organisationId: asked });
}

/**
 * A municipality's collector authorisations: the municipality itself, auditors and the operator see
 * them all (filtered by `asked` when given); a collector sees only the entries naming it, whichever
 * municipality it asks about; anyone else is refused (decision 025). Returns the collector filter to
 * apply, or undefined for all entries.
 */
export function collectorAuthorisationsFilterFor(viewer: OrganisationFacts, municipalityId: string, asked: string | undefined): string | undefined {
  if (isPrivileged(viewer) || viewer.organisationId === municipalityId) return asked;
  if (!viewer.roles.includes('collector')) {
    throw new ForbiddenError(
      'not-municipality-or-collector',
      `only municipality ${municipalityId} itself, the collectors it names, auditors and the operator may read its collector authorisations`,
      { organisationId: municipalityId },
    );
  }
  if (asked === undefined || asked === viewer.organisationId) return viewer.organisationId;
  throw scopeNotPermitted(`collector ${viewer.organisationId} may read only the authorisations naming itself`, { collectorOrgId: asked });
}

/** What an event's stream is about: the batch, process or organisation whose rules say who may see it. */
export type StreamSubject = { readonly kind: 'batch' | 'process' | 'organisation'; readonly id: string };

const STREAM_PREFIXES = [
  ['batch', streamIds.batch('')],
  ['process', streamIds.process('')],
  ['organisation', streamIds.organisation('')],
] as const;

/** Undefined for a stream the ledger does not name (none is written; such an event is visible to auditors and the operator only). */
export function subjectOfStream(streamId: string): StreamSubject | undefined {
  for (const [kind, prefix] of STREAM_PREFIXES) {
    if (streamId.startsWith(prefix) && streamId.length > prefix.length) return { kind, id: streamId.slice(prefix.length) };
  }
  return undefined;
}

/**
 * An event the viewer may not see answers exactly like a log position that holds none, so that
 * probing positions tells nothing of whose events they are.
 */
export function eventNotVisible(position: number): NotFoundError {
  return new NotFoundError('unknown-position', `no event at log position ${position}, or it is not visible to your organisation`, { position });
}

// ---- the symbiosis catalogue (docs/decisions/046-symbiosis-catalogue.md) ----

/** An offer or want: its own organisation, auditors and the operator see it in full; its audience as disclosed; no one else at all. */
export function seesCatalogueEntryInFull(viewer: OrganisationFacts, ownerOrgId: string): boolean {
  return isPrivileged(viewer) || viewer.organisationId === ownerOrgId;
}

export function mayViewCatalogueEntry(viewer: OrganisationFacts, entry: { readonly ownerOrgId: string; readonly audience: Audience }, memberships: readonly CurrentMembership[]): boolean {
  return seesCatalogueEntryInFull(viewer, entry.ownerOrgId) || audienceIncludes(entry.audience, viewer.organisationId, memberships);
}

/** A deal (a request and what followed): its two parties, auditors and the operator. */
export function mayViewDeal(viewer: OrganisationFacts, deal: { readonly holderOrgId: string; readonly buyerOrgId: string }): boolean {
  return isPrivileged(viewer) || viewer.organisationId === deal.holderOrgId || viewer.organisationId === deal.buyerOrgId;
}

/** Hidden entries answer exactly like ones that do not exist. */
export function offerNotVisible(offerId: string): NotFoundError {
  return new NotFoundError('unknown-offer', `offer ${offerId} does not exist, or is not visible to your organisation`, { offerId });
}

export function wantNotVisible(wantId: string): NotFoundError {
  return new NotFoundError('unknown-want', `want ${wantId} does not exist, or is not visible to your organisation`, { wantId });
}

/** A request and the deal it became share their id. */
export function requestNotVisible(requestId: string): NotFoundError {
  return new NotFoundError('unknown-request', `request ${requestId} does not exist, or is not visible to your organisation`, { requestId });
}

export function dealNotVisible(dealId: string): NotFoundError {
  return new NotFoundError('unknown-deal', `deal ${dealId} does not exist, or is not visible to your organisation`, { dealId });
}
