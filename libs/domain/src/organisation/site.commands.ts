import { z } from 'zod';
import { Instant, Uuid } from '../shared/units.js';
import { SiteDescription, SiteId, SiteReason } from './organisation.events.js';

/** An organisation (or the operator for it) declares a site it works from (docs/decisions/039-sites-and-ads-export.md). */
export const DeclareSite = SiteDescription.extend({
  organisationId: Uuid,
  siteId: SiteId,
  occurredAt: Instant,
});
export type DeclareSite = z.infer<typeof DeclareSite>;

/** Replaces the site's whole description from now on. */
export const AmendSite = SiteDescription.extend({
  organisationId: Uuid,
  siteId: SiteId,
  reason: SiteReason,
  occurredAt: Instant,
});
export type AmendSite = z.infer<typeof AmendSite>;

export const CloseSite = z.object({
  organisationId: Uuid,
  siteId: SiteId,
  reason: SiteReason,
  occurredAt: Instant,
});
export type CloseSite = z.infer<typeof CloseSite>;
