import { z } from 'zod';
import { MAX_ROLES, MAX_SITES } from '../shared/bounds.js';
import { Instant, Uuid } from '../shared/units.js';
import { ApiKeyDerivation, ApiKeyId, CollectorAuthorisationReason, KeyManagementReason, Role, Site, isValidCvr } from './organisation.events.js';

export const RegisterOrganisation = z.object({
  organisationId: Uuid,
  name: z.string().trim().min(1).max(200),
  cvr: z.string().refine(isValidCvr, 'CVR must be 8 digits with a valid mod-11 check').optional(),
  roles: z.array(Role).min(1, 'an organisation needs at least one role').max(MAX_ROLES, `at most ${MAX_ROLES} roles, each once`),
  kommuneCode: z.string().regex(/^\d{4}$/, 'kommune codes have four digits, e.g. 0657').optional(),
  sites: z.array(Site).max(MAX_SITES, `at most ${MAX_SITES} sites`).default([]),
  occurredAt: Instant,
  /** SHA-256 of the API key handed to the organisation; the key itself is never stored. */
  apiKeyHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Set when apiKeyHash is a chosen key's scrypt rather than a generated key's SHA-256 (decision 029). */
  apiKeyDerivation: ApiKeyDerivation.optional(),
  apiKeyId: z.string().min(1).max(64),
});
export type RegisterOrganisation = z.infer<typeof RegisterOrganisation>;

/** A new key for an existing organisation; with `replacesKeyId` it is a rotation (the old key is revoked in the same append). */
export const IssueApiKey = z.object({
  organisationId: Uuid,
  apiKeyId: ApiKeyId,
  apiKeyHash: z.string().regex(/^[0-9a-f]{64}$/),
  replacesKeyId: ApiKeyId.optional(),
  reason: KeyManagementReason,
  occurredAt: Instant,
});
export type IssueApiKey = z.infer<typeof IssueApiKey>;

export const RevokeApiKey = z.object({
  organisationId: Uuid,
  keyId: ApiKeyId,
  reason: KeyManagementReason,
  occurredAt: Instant,
});
export type RevokeApiKey = z.infer<typeof RevokeApiKey>;

/** The municipality `organisationId` authorises the collector to record collections for its kommune. */
export const AuthoriseCollector = z.object({
  organisationId: Uuid,
  collectorOrgId: Uuid,
  reason: CollectorAuthorisationReason.optional(),
  occurredAt: Instant,
});
export type AuthoriseCollector = z.infer<typeof AuthoriseCollector>;

export const RevokeCollectorAuthorisation = z.object({
  organisationId: Uuid,
  collectorOrgId: Uuid,
  reason: CollectorAuthorisationReason,
  occurredAt: Instant,
});
export type RevokeCollectorAuthorisation = z.infer<typeof RevokeCollectorAuthorisation>;
