import { CollectorAuthorisationReason, Instant, Uuid, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { CommandMetadata } from '../ledger/command-metadata.js';

export const AuthoriseCollectorBody = z
  .object({
    collectorOrgId: Uuid,
    reason: CollectorAuthorisationReason.optional(),
    occurredAt: Instant.optional(),
  })
  .strict();
export type AuthoriseCollectorBody = z.infer<typeof AuthoriseCollectorBody>;

export const RevokeCollectorAuthorisationBody = z.object({ reason: CollectorAuthorisationReason, occurredAt: Instant.optional() }).strict();
export type RevokeCollectorAuthorisationBody = z.infer<typeof RevokeCollectorAuthorisationBody>;

export class AuthoriseCollectorCommand {
  constructor(
    /** The municipality. */
    readonly organisationId: string,
    readonly body: AuthoriseCollectorBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export class RevokeCollectorAuthorisationCommand {
  constructor(
    /** The municipality. */
    readonly organisationId: string,
    readonly collectorOrgId: string,
    readonly body: RevokeCollectorAuthorisationBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export interface CollectorAuthorisationResult {
  /** The municipality. */
  organisationId: string;
  kommuneCode: string;
  collectorOrgId: string;
  eventId: string;
  /** Log position of the event; the read models include it when the answer is given. */
  position: number;
}

export const ListCollectorAuthorisationsParams = z.object({ collectorOrgId: Uuid.optional() }).strict();
/** Named apart from the schema: a @Query parameter typed by the schema's own name emits the schema as its design type, which Swagger then explores as a class. */
export type ListCollectorAuthorisationsFilter = z.infer<typeof ListCollectorAuthorisationsParams>;

export class ListCollectorAuthorisationsQuery {
  constructor(
    /** The municipality. */
    readonly organisationId: string,
    /** Only this collector's entries; the AuthorizationGuard sets it to a collector viewer's own id. */
    readonly collectorOrgId: string | undefined,
  ) {}
}
