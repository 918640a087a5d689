import { Instant, RegisterOrganisation, Uuid, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { AsOf } from '../ledger/as-of-replay.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import type { ChosenKeyVerifier } from './api-key.js';

export const RegisterOrganisationBody = RegisterOrganisation.omit({ apiKeyHash: true, apiKeyId: true, apiKeyDerivation: true })
  .extend({ organisationId: Uuid.optional(), occurredAt: Instant.optional() })
  .strict();
export type RegisterOrganisationBody = z.infer<typeof RegisterOrganisationBody>;

export class RegisterOrganisationCommand {
  constructor(
    readonly body: RegisterOrganisationBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
    /** The key handed to the new organisation; only its hash is stored. */
    readonly apiKey: string,
    /** A chosen key's slow salted verifier, stored instead of its SHA-256 (decision 029). */
    readonly chosenKeyVerifier?: ChosenKeyVerifier,
  ) {}
}

export interface RegisterOrganisationResult {
  organisationId: string;
  name: string;
  roles: string[];
  /** Shown once: the ledger keeps only its SHA-256. Absent when a retry is answered. */
  apiKey?: string;
  apiKeyId: string;
  position: number;
}

export class GetOrganisationQuery {
  constructor(
    readonly organisationId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}
export class ListOrganisationsQuery {
  constructor(readonly asOf: AsOf | undefined) {}
}
