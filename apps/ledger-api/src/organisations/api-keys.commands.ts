import { ApiKeyId, Instant, KeyManagementReason, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { CommandMetadata } from '../ledger/command-metadata.js';

export const IssueApiKeyBody = z
  .object({
    reason: KeyManagementReason,
    /** Rotation: the key to revoke in the same step. Without it, the new key is an additional one. */
    replacesKeyId: ApiKeyId.optional(),
    occurredAt: Instant.optional(),
  })
  .strict();
export type IssueApiKeyBody = z.infer<typeof IssueApiKeyBody>;

export const RevokeApiKeyBody = z.object({ reason: KeyManagementReason, occurredAt: Instant.optional() }).strict();
export type RevokeApiKeyBody = z.infer<typeof RevokeApiKeyBody>;

export class IssueApiKeyCommand {
  constructor(
    readonly organisationId: string,
    readonly body: IssueApiKeyBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
    /** The new key; only its hash is stored. */
    readonly apiKey: string,
  ) {}
}

export interface IssueApiKeyResult {
  organisationId: string;
  apiKeyId: string;
  /** Shown once: the ledger keeps only its SHA-256. Absent when a retry is answered. */
  apiKey?: string;
  /** The key this one replaced, revoked in the same append. */
  revokedKeyId?: string;
  position: number;
}

export class RevokeApiKeyCommand {
  constructor(
    readonly organisationId: string,
    readonly keyId: string,
    readonly body: RevokeApiKeyBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export interface RevokeApiKeyResult {
  organisationId: string;
  keyId: string;
  position: number;
}

export class ListApiKeysQuery {
  constructor(readonly organisationId: string) {}
}
