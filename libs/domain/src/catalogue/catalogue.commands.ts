import { z } from 'zod';
import { EwcCode, Grade } from '../batch/batch.events.js';
import { SiteId } from '../organisation/organisation.events.js';
import { BatchMassGrams, Composition, Instant, Uuid } from '../shared/units.js';
import { CatalogueText, CatalogueTitle, StreamPeriod, Visibility, WantedFibre, MAX_WANT_ENTRIES, type CatalogueLocation } from './catalogue.events.js';
import { REGIONS } from './location.js';

/**
 * Where an entry is, as the organisation states it: one of its sites (whose kommune and position
 * the ledger copies), or a kommune.
 */
export const PlaceInput = z
  .object({ siteId: SiteId.optional(), kommuneCode: z.string().regex(/^\d{4}$/, 'kommune codes have four digits, e.g. 0657').optional() })
  .refine((p) => p.siteId !== undefined || p.kommuneCode !== undefined, 'name a siteId or a kommuneCode');

const OfferInput = {
  title: CatalogueTitle,
  ewcCode: EwcCode,
  place: PlaceInput,
  availableFrom: Instant.optional(),
  availableUntil: Instant.optional(),
  terms: CatalogueText.optional(),
  visibility: Visibility.default({ audience: { kind: 'everyone' }, disclosure: { name: true, mass: 'exact', location: 'kommune' } }),
};

export const OfferBatch = z.object({ offerId: Uuid.optional(), batchId: Uuid, ...OfferInput });
export type OfferBatchInput = z.infer<typeof OfferBatch>;

export const OfferStream = z.object({
  offerId: Uuid.optional(),
  ...OfferInput,
  grade: z.union([Grade, z.literal('unsorted')]),
  composition: Composition,
  period: StreamPeriod,
  massGramsPerPeriod: BatchMassGrams,
});
export type OfferStreamInput = z.infer<typeof OfferStream>;

export const PublishWant = z.object({
  wantId: Uuid.optional(),
  title: CatalogueTitle,
  fibres: z.array(WantedFibre).max(MAX_WANT_ENTRIES).default([]),
  grades: z.array(z.union([Grade, z.literal('unsorted')])).max(MAX_WANT_ENTRIES).default([]),
  ewcCodes: z.array(EwcCode).max(MAX_WANT_ENTRIES).default([]),
  minGrams: BatchMassGrams,
  maxGrams: BatchMassGrams.optional(),
  place: PlaceInput,
  region: z.enum(REGIONS).optional(),
  neededBy: Instant.optional(),
  visibility: Visibility.default({ audience: { kind: 'everyone' }, disclosure: { name: true, mass: 'exact', location: 'kommune' } }),
});
export type PublishWantInput = z.infer<typeof PublishWant>;

/** The commands as the deciders take them: ids chosen, times set, the place resolved to a location. */
export type OfferBatchCommand = Omit<OfferBatchInput, 'place' | 'offerId'> & { offerId: string; location: CatalogueLocation; availableFrom: string; occurredAt: string };
export type OfferStreamCommand = Omit<OfferStreamInput, 'place' | 'offerId'> & { offerId: string; location: CatalogueLocation; availableFrom: string; occurredAt: string };
export type PublishWantCommand = Omit<PublishWantInput, 'place' | 'wantId'> & { wantId: string; location: CatalogueLocation; occurredAt: string };

export interface WithdrawOfferCommand {
  offerId: string;
  reason?: string | undefined;
  occurredAt: string;
}
export interface RequestOfferCommand {
  requestId: string;
  offerId: string;
  message?: string | undefined;
  occurredAt: string;
}
export interface AcceptRequestCommand {
  requestId: string;
  occurredAt: string;
}
export interface DeclineRequestCommand {
  requestId: string;
  reason?: string | undefined;
  occurredAt: string;
}
export interface CancelDealCommand {
  requestId: string;
  reason: string;
  occurredAt: string;
}
export interface WithdrawWantCommand {
  wantId: string;
  occurredAt: string;
}
