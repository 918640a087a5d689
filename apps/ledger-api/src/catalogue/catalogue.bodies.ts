import { CatalogueText, FIBRES, GRADES, Instant, OfferBatch, OfferStream, PublishWant, REGIONS } from '#domain';
import { z } from 'zod';

/** HTTP bodies: ids and business time may be left to the ledger. */
export const OfferBatchBody = OfferBatch.extend({ occurredAt: Instant.optional() }).strict();
export type OfferBatchBody = z.infer<typeof OfferBatchBody>;
export const OfferStreamBody = OfferStream.extend({ occurredAt: Instant.optional() }).strict();
export type OfferStreamBody = z.infer<typeof OfferStreamBody>;
export const PublishWantBody = PublishWant.extend({ occurredAt: Instant.optional() }).strict();
export type PublishWantBody = z.infer<typeof PublishWantBody>;

export const WithdrawOfferBody = z.object({ reason: CatalogueText.optional(), occurredAt: Instant.optional() }).strict();
export type WithdrawOfferBody = z.infer<typeof WithdrawOfferBody>;
export const RequestOfferBody = z.object({ requestId: z.uuid().optional(), message: CatalogueText.optional(), occurredAt: Instant.optional() }).strict();
export type RequestOfferBody = z.infer<typeof RequestOfferBody>;
export const AcceptRequestBody = z.object({ occurredAt: Instant.optional() }).strict();
export type AcceptRequestBody = z.infer<typeof AcceptRequestBody>;
export const DeclineRequestBody = z.object({ reason: CatalogueText.optional(), occurredAt: Instant.optional() }).strict();
export type DeclineRequestBody = z.infer<typeof DeclineRequestBody>;
export const CancelDealBody = z.object({ reason: CatalogueText, occurredAt: Instant.optional() }).strict();
export type CancelDealBody = z.infer<typeof CancelDealBody>;
export const WithdrawWantBody = z.object({ occurredAt: Instant.optional() }).strict();
export type WithdrawWantBody = z.infer<typeof WithdrawWantBody>;

const grams = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * Filters of the offers list. Each applies to what the viewer is shown: a mass filter to the band
 * of an offer showing a band, a kommune filter only to offers showing their kommune.
 */
export const OfferFilterParams = z
  .object({
    fibre: z.enum(FIBRES).optional(),
    minShare: z.coerce.number().int().min(1).max(10_000).optional(),
    grade: z.enum([...GRADES, 'unsorted']).optional(),
    ewcCode: z.string().regex(/^\d{2} \d{2} \d{2}$/, 'an EWC code is written "20 01 11"').optional(),
    kommuneCode: z.string().regex(/^\d{4}$/, 'kommune codes have four digits, e.g. 0657').optional(),
    region: z.enum(REGIONS).optional(),
    minGrams: grams.optional(),
    maxGrams: grams.optional(),
    kind: z.enum(['batch', 'stream']).optional(),
    /** `true`: your own offers only, in every state (reserved, withdrawn, taken …), not only the open ones. */
    mine: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()
  .refine((p) => p.minShare === undefined || p.fibre !== undefined, { message: 'minShare needs fibre', path: ['minShare'] });
export type OfferFilter = z.infer<typeof OfferFilterParams>;

export const WantFilterParams = z
  .object({ mine: z.enum(['true', 'false']).transform((v) => v === 'true').optional(), limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();
export type WantFilter = z.infer<typeof WantFilterParams>;


/**
 * How long one event stream stays open: EventSource clients reconnect by themselves, and a bounded
 * stream frees what a vanished client held. 0 answers at once and ends (what a probe needs).
 */
export const EventStreamParams = z.object({ maxSeconds: z.coerce.number().int().min(0).max(3_600).default(900) }).strict();
export type EventStreamQuery = z.infer<typeof EventStreamParams>;
