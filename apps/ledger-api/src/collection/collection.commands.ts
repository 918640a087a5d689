import { CollectBatch, Instant, MAX_BULK_COLLECTIONS, RegisterResidualBatch, Uuid, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import type { CollectorAuthorisationLookup } from '../ledger/organisation-directory.js';

/** HTTP bodies: ids and business time may be left to the ledger. */
export const CollectBatchBody = CollectBatch.extend({
  batchId: Uuid.optional(),
  occurredAt: Instant.optional(),
  collectorOrgId: Uuid.optional(),
}).strict();
export type CollectBatchBody = z.infer<typeof CollectBatchBody>;

export const RegisterResidualBatchBody = RegisterResidualBatch.extend({
  batchId: Uuid.optional(),
  occurredAt: Instant.optional(),
}).strict();
export type RegisterResidualBatchBody = z.infer<typeof RegisterResidualBatchBody>;

export class CollectBatchCommand {
  constructor(
    readonly body: CollectBatchBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
    /** Collector authorisations a bulk import read once for all its kommuner; otherwise the handler reads them. */
    readonly collectorAuthorisations?: CollectorAuthorisationLookup,
  ) {}
}

export class RegisterResidualBatchCommand {
  constructor(
    readonly body: RegisterResidualBatchBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

/** A weighbridge or municipal import: many collections in one request, each its own command. */
export const CollectBatchesBulkBody = z
  .object({ collections: z.array(CollectBatchBody).min(1).max(MAX_BULK_COLLECTIONS, `at most ${MAX_BULK_COLLECTIONS} collections per request`) })
  .strict();
export type CollectBatchesBulkBody = z.infer<typeof CollectBatchesBulkBody>;
