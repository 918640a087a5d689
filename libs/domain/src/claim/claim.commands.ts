import { z } from 'zod';
import { Instant, Uuid } from '../shared/units.js';
import { ChainOfCustodyModel, ClaimStandardIdSchema, RecycledContentBasisPoints } from './claim.events.js';

/** Claim that a batch carries a recycled share under a standard and a chain-of-custody model. */
export const ClaimRecycledContent = z.object({
  claimId: Uuid,
  batchId: Uuid,
  standard: ClaimStandardIdSchema,
  model: ChainOfCustodyModel,
  recycledContentBasisPoints: RecycledContentBasisPoints,
  occurredAt: Instant,
});
export type ClaimRecycledContent = z.infer<typeof ClaimRecycledContent>;
