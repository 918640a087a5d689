import { AmendSite, CloseSite, DeclareSite, Instant, SiteId, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { CommandMetadata } from '../ledger/command-metadata.js';

/** HTTP bodies: the organisation and site come from the path; the id and business time may be left to the ledger. */
export const DeclareSiteBody = DeclareSite.omit({ organisationId: true, siteId: true, occurredAt: true })
  .extend({ siteId: SiteId.optional(), occurredAt: Instant.optional() })
  .strict();
export type DeclareSiteBody = z.infer<typeof DeclareSiteBody>;

export const AmendSiteBody = AmendSite.omit({ organisationId: true, siteId: true, occurredAt: true }).extend({ occurredAt: Instant.optional() }).strict();
export type AmendSiteBody = z.infer<typeof AmendSiteBody>;

export const CloseSiteBody = CloseSite.omit({ organisationId: true, siteId: true, occurredAt: true }).extend({ occurredAt: Instant.optional() }).strict();
export type CloseSiteBody = z.infer<typeof CloseSiteBody>;

export class DeclareSiteCommand {
  constructor(
    readonly organisationId: string,
    readonly body: DeclareSiteBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export class AmendSiteCommand {
  constructor(
    readonly organisationId: string,
    readonly siteId: string,
    readonly body: AmendSiteBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export class CloseSiteCommand {
  constructor(
    readonly organisationId: string,
    readonly siteId: string,
    readonly body: CloseSiteBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export interface SiteCommandResult {
  organisationId: string;
  siteId: string;
  eventId: string;
  /** Log position of the event; the read models include it when the answer is given. */
  position: number;
}

export class ListSitesQuery {
  constructor(
    readonly organisationId: string,
    readonly viewer: OrganisationFacts,
  ) {}
}
