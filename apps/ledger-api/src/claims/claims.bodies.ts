import { ClaimRecycledContent, Instant, MassBalancePeriodId, Uuid } from '#domain';
import { z } from 'zod';
import { AS_OF_FIELDS, oneAsOfAxis } from '../ledger/as-of.params.js';

/** The HTTP body of POST /claims: the business time may be left to the ledger. */
export const ClaimRecycledContentBody = ClaimRecycledContent.omit({ occurredAt: true }).extend({ occurredAt: Instant.optional() }).strict();
export type ClaimRecycledContentBody = z.infer<typeof ClaimRecycledContentBody>;

export const ClaimIdParam = Uuid;
export const PeriodIdParam = MassBalancePeriodId;

export const ClaimReadParams = z.object(AS_OF_FIELDS).strict().superRefine(oneAsOfAxis);
export type ClaimReadQuery = z.infer<typeof ClaimReadParams>;
