import { CorrectMass, Instant, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { CommandMetadata } from '../ledger/command-metadata.js';

export const CorrectMassBody = CorrectMass.omit({ batchId: true }).extend({ occurredAt: Instant.optional() }).strict();
export type CorrectMassBody = z.infer<typeof CorrectMassBody>;

export class CorrectMassCommand {
  constructor(
    readonly batchId: string,
    readonly body: CorrectMassBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}
