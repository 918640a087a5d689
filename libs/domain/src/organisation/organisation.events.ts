import { z } from 'zod';
import { Instant, Uuid } from '../shared/units.js';

export const ROLES = ['municipality', 'collector', 'sorter', 'recycler', 'manufacturer', 'brand', 'auditor', 'operator'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Danish CVR: 8 digits, weights 2,7,6,5,4,3,2,1, weighted sum divisible by 11. */
export function isValidCvr(cvr: string): boolean {
  if (!/^\d{8}$/.test(cvr) || cvr.startsWith('0')) return false;
  const weights = [2, 7, 6, 5, 4, 3, 2, 1];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(cvr[i]), 0);
  return sum % 11 === 0;
}

export const Site = z.object({
  name: z.string().min(1).max(200),
  address: z.string().max(500).optional(),
});

export const OrganisationRegistered = z.object({
  organisationId: Uuid,
  name: z.string().min(1).max(200),
  cvr: z.string().refine(isValidCvr, 'CVR must be 8 digits with a valid mod-11 check').optional(),
  roles: z.array(Role).min(1),
  /** Set exactly when roles include `municipality`. */
  kommuneCode: z.string().regex(/^\d{4}$/).optional(),
  sites: z.array(Site).max(100).default([]),
  occurredAt: Instant,
});
export type OrganisationRegistered = z.infer<typeof OrganisationRegistered>;

export const ApiKeyId = z.string().min(1).max(64);
/** Why a key was issued or revoked: kept with the event, for whoever audits key management later. */
export const KeyManagementReason = z.string().trim().min(1).max(500);

/**
 * How the verifier of a key chosen by a person (LEDGER_OPERATOR_KEY) was derived: scrypt with a
 * salt of its own and its cost, so that a copy of the log or a backup does not give the key away to
 * a cheap guess (decision 029). Bounded, so a stored event cannot ask for unbounded memory.
 */
export const ApiKeyDerivation = z
  .object({
    algorithm: z.literal('scrypt'),
    salt: z.string().regex(/^[A-Za-z0-9_-]{22,88}$/),
    cost: z.number().int().min(2 ** 14).max(2 ** 20).refine((n) => (n & (n - 1)) === 0, 'scrypt cost must be a power of two'),
    blockSize: z.number().int().min(1).max(32),
    parallelization: z.number().int().min(1).max(16),
  })
  .strict();
export type ApiKeyDerivation = z.infer<typeof ApiKeyDerivation>;

/**
 * A generated key is stored only as its SHA-256, a chosen one only as its scrypt (`keyDerivation`);
 * the key itself is shown once to the caller. A key issued with its organisation's registration names neither actor nor reason (the registration does);
 * a key issued later names both (they were added in schema version 1 as optional members, so events
 * written before them still parse).
 */
export const ApiKeyIssued = z.object({
  organisationId: Uuid,
  keyId: ApiKeyId,
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  keyDerivation: ApiKeyDerivation.optional(),
  issuedBy: Uuid.optional(),
  reason: KeyManagementReason.optional(),
  occurredAt: Instant,
});
export type ApiKeyIssued = z.infer<typeof ApiKeyIssued>;

/** A revoked key never authenticates again; a rotation is an ApiKeyIssued and this, in one append. */
export const ApiKeyRevoked = z.object({
  organisationId: Uuid,
  keyId: ApiKeyId,
  revokedBy: Uuid,
  reason: KeyManagementReason,
  /** Set when the key was rotated: the key that replaced it, issued in the same append. */
  replacedByKeyId: ApiKeyId.optional(),
  occurredAt: Instant,
});
export type ApiKeyRevoked = z.infer<typeof ApiKeyRevoked>;

/** Why a collector was authorised or its authorisation revoked: kept with the event, for the audit trail. */
export const CollectorAuthorisationReason = z.string().trim().min(1).max(500);

/**
 * A municipality authorises a collector to record collections for its kommune. On the
 * municipality's own stream, so that authorising and revoking are decided on its strongly consistent
 * state; `kommuneCode` is the municipality's, copied from its registration for the read models.
 */
export const CollectorAuthorised = z.object({
  organisationId: Uuid,
  kommuneCode: z.string().regex(/^\d{4}$/),
  collectorOrgId: Uuid,
  authorisedBy: Uuid,
  reason: CollectorAuthorisationReason.optional(),
  occurredAt: Instant,
});
export type CollectorAuthorised = z.infer<typeof CollectorAuthorised>;

/** From this event on the collector no longer records collections for the kommune; it may be authorised again later. */
export const CollectorAuthorisationRevoked = z.object({
  organisationId: Uuid,
  kommuneCode: z.string().regex(/^\d{4}$/),
  collectorOrgId: Uuid,
  revokedBy: Uuid,
  reason: CollectorAuthorisationReason,
  occurredAt: Instant,
});
export type CollectorAuthorisationRevoked = z.infer<typeof CollectorAuthorisationRevoked>;

// ---- sites: where an organisation receives, processes and hands on material (docs/decisions/039-sites-and-ads-export.md) ----

/**
 * A Danish production unit number (P-nummer): ten digits, issued by the CVR register to every
 * physical place a firm works from. The register publishes no check digit, so only the form is checked.
 */
export const PNumber = z.string().regex(/^\d{10}$/, 'a P-number has ten digits, e.g. 1012345678');
export const SiteId = Uuid;
/** WGS84 degrees; bounded so a stored event cannot carry a position off the globe. */
export const Latitude = z.number().min(-90).max(90);
export const Longitude = z.number().min(-180).max(180);
export const SiteName = z.string().trim().min(1).max(200);
export const SiteAddress = z.string().trim().min(1).max(500);
export const SiteReason = z.string().trim().min(1).max(500);

/** What describes a site: declared whole, and amended whole (so a reader needs only the latest). */
export const SiteDescription = z.object({
  name: SiteName,
  address: SiteAddress,
  kommuneCode: z.string().regex(/^\d{4}$/, 'kommune codes have four digits, e.g. 0657'),
  pNumber: PNumber.optional(),
  latitude: Latitude.optional(),
  longitude: Longitude.optional(),
});
export type SiteDescription = z.infer<typeof SiteDescription>;

export const SiteDeclared = SiteDescription.extend({
  organisationId: Uuid,
  siteId: SiteId,
  /** The organisation itself, or the operator acting for it. */
  declaredBy: Uuid,
  occurredAt: Instant,
});
export type SiteDeclared = z.infer<typeof SiteDeclared>;

/** The site's whole description from now on; what it recorded before stays as it was. */
export const SiteAmended = SiteDescription.extend({
  organisationId: Uuid,
  siteId: SiteId,
  amendedBy: Uuid,
  reason: SiteReason,
  occurredAt: Instant,
});
export type SiteAmended = z.infer<typeof SiteAmended>;

/** A closed site names no new receipt, process or outcome; it stays in the history and in its exports. */
export const SiteClosed = z.object({
  organisationId: Uuid,
  siteId: SiteId,
  closedBy: Uuid,
  reason: SiteReason,
  occurredAt: Instant,
});
export type SiteClosed = z.infer<typeof SiteClosed>;

/** ADS asks whether a mass was weighed or estimated; a mass recorded without saying was weighed. */
export const MEASUREMENT_METHODS = ['weighed', 'estimated'] as const;
export const MeasurementMethod = z.enum(MEASUREMENT_METHODS);
export type MeasurementMethod = z.infer<typeof MeasurementMethod>;
export const DEFAULT_MEASUREMENT: MeasurementMethod = 'weighed';

export const organisationEventSchemas = {
  OrganisationRegistered,
  ApiKeyIssued,
  ApiKeyRevoked,
  CollectorAuthorised,
  CollectorAuthorisationRevoked,
  SiteDeclared,
  SiteAmended,
  SiteClosed,
} as const;
