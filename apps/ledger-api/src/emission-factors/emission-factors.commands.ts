import { CalendarDate, Instant, PublishEmissionFactorSet, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { CommandMetadata } from '../ledger/command-metadata.js';

/** The HTTP body: the business time may be left to the ledger. */
export const PublishEmissionFactorSetBody = PublishEmissionFactorSet.omit({ occurredAt: true }).extend({ occurredAt: Instant.optional() }).strict();
export type PublishEmissionFactorSetBody = z.infer<typeof PublishEmissionFactorSetBody>;

export class PublishEmissionFactorSetCommand {
  constructor(
    readonly body: PublishEmissionFactorSetBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export interface EmissionFactorSetCommandResult {
  factorSetId: string;
  eventId: string;
  /** Log position of the event; the read models include it when the answer is given. */
  position: number;
}

export const InForceParams = z.object({ on: CalendarDate }).strict();
export type InForceQuery = z.infer<typeof InForceParams>;

export class ListEmissionFactorSetsQuery {}

export class GetEmissionFactorSetQuery {
  constructor(readonly factorSetId: string) {}
}

export class EmissionFactorSetInForceQuery {
  constructor(readonly on: string) {}
}
