import { Instant, RecordOutcome, SiteId, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { CommandMetadata } from '../ledger/command-metadata.js';

/** One body per outcome, told apart by `outcome`; business time may be left to the ledger. */
export const RecordOutcomeBody = z.intersection(RecordOutcome, z.object({ occurredAt: Instant.optional(), siteId: SiteId.optional().describe('The custodian’s own open site where it happened') }));
export type RecordOutcomeBody = z.infer<typeof RecordOutcomeBody>;

export class RecordOutcomeCommand {
  constructor(
    readonly batchId: string,
    readonly body: RecordOutcomeBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}
