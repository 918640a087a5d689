import { z } from 'zod';
import { EwcCode, Grade } from '../batch/batch.events.js';
import { Latitude, Longitude, SiteId } from '../organisation/organisation.events.js';
import { FIBRES } from '../reference/reference.js';
import { REGIONS } from './location.js';
import { BASIS_POINTS_TOTAL, Composition, Instant, PositiveGrams, Uuid } from '../shared/units.js';

/**
 * The symbiosis catalogue (docs/decisions/046-symbiosis-catalogue.md): residuals offered and wanted,
 * requested, and reserved when the holder accepts a request.
 *
 * Streams: every catalogue event about one batch (its offers, the requests for them, the
 * reservation) lives on that batch's listing stream, so that "offered once, promised once" is
 * decided by one append with the expected revision, whatever the concurrency and the number of
 * instances. An offer of a recurring stream (no batch) has a stream of its own; a want too.
 */
export const catalogueStreamIds = {
  /** Every offer, request and reservation of one batch. */
  batchListing: (batchId: string) => `catalogue-batch-${batchId}`,
  /** An offer of a recurring stream and its requests. */
  streamOffer: (offerId: string) => `catalogue-offer-${offerId}`,
  want: (wantId: string) => `catalogue-want-${wantId}`,
} as const;

export const MAX_NAMED_ORGANISATIONS = 100;
export const MAX_WANT_ENTRIES = 20;

/** Who sees an entry besides its own organisation, auditors and the operator. */
export const Audience = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('everyone') }),
  /** Members, today, of the programme (or of one of its value chains), or of the one value chain named. */
  z.object({ kind: z.literal('programme'), programmeId: Uuid, valueChainId: Uuid.optional() }),
  z.object({ kind: z.literal('organisations'), organisationIds: z.array(Uuid).min(1).max(MAX_NAMED_ORGANISATIONS) }),
]);
export type Audience = z.infer<typeof Audience>;

/** Where an entry is: the site itself, or only its kommune, or only its region. */
export const LOCATION_DISCLOSURES = ['site', 'kommune', 'region'] as const;
export const LocationDisclosure = z.enum(LOCATION_DISCLOSURES);
export type LocationDisclosure = z.infer<typeof LocationDisclosure>;
export const MASS_DISCLOSURES = ['exact', 'band'] as const;
export const MassDisclosure = z.enum(MASS_DISCLOSURES);
export type MassDisclosure = z.infer<typeof MassDisclosure>;

/** What the audience sees; its own organisation, auditors and the operator always see everything. */
export const Disclosure = z.object({
  name: z.boolean().default(true),
  mass: MassDisclosure.default('exact'),
  location: LocationDisclosure.default('kommune'),
});
export type Disclosure = z.infer<typeof Disclosure>;

export const Visibility = z.object({
  audience: Audience.default({ kind: 'everyone' }),
  disclosure: Disclosure.default({ name: true, mass: 'exact', location: 'kommune' }),
});
export type Visibility = z.infer<typeof Visibility>;

/** Where an entry is, as recorded: the site's position is copied from the site when the entry names one. */
export const CatalogueLocation = z.object({
  kommuneCode: z.string().regex(/^\d{4}$/, 'kommune codes have four digits, e.g. 0657'),
  siteId: SiteId.optional(),
  latitude: Latitude.optional(),
  longitude: Longitude.optional(),
});
export type CatalogueLocation = z.infer<typeof CatalogueLocation>;

export const STREAM_PERIODS = ['week', 'month', 'quarter', 'year'] as const;
export const StreamPeriod = z.enum(STREAM_PERIODS);
export type StreamPeriod = z.infer<typeof StreamPeriod>;

export const CatalogueTitle = z.string().trim().min(1).max(200);
export const CatalogueText = z.string().trim().min(1).max(1000);

/**
 * How many receipts the batch's stream held when the offer was made (or the request accepted): a
 * later receipt means the batch changed hands, which ends the offer and spends the reservation.
 */
export const BatchReceipts = z.number().int().nonnegative();

const OfferFacts = {
  offerId: Uuid,
  holderOrgId: Uuid,
  title: CatalogueTitle,
  grade: z.union([Grade, z.literal('unsorted')]),
  composition: Composition,
  ewcCode: EwcCode,
  location: CatalogueLocation,
  availableFrom: Instant,
  /** After this instant the offer has expired: a rule applied when read, since the domain has no clock. */
  availableUntil: Instant.optional(),
  terms: CatalogueText.optional(),
  visibility: Visibility,
  occurredAt: Instant,
};

/** An available batch offered; its mass is the batch's at the time (read models follow the batch's later weighings). */
export const CatalogueBatchOffered = z.object({ ...OfferFacts, batchId: Uuid, massGrams: PositiveGrams, batchReceipts: BatchReceipts });
export type CatalogueBatchOffered = z.infer<typeof CatalogueBatchOffered>;

/** A recurring stream offered, e.g. about 2 t a month: the mass is per period. */
export const CatalogueStreamOffered = z.object({ ...OfferFacts, period: StreamPeriod, massGramsPerPeriod: PositiveGrams });
export type CatalogueStreamOffered = z.infer<typeof CatalogueStreamOffered>;

export const CatalogueOfferWithdrawn = z.object({ offerId: Uuid, batchId: Uuid.optional(), reason: CatalogueText.optional(), occurredAt: Instant });
export type CatalogueOfferWithdrawn = z.infer<typeof CatalogueOfferWithdrawn>;

/** A buyer asks for an offer: the deal's first step (the request id is the deal id). */
export const CatalogueOfferRequested = z.object({
  requestId: Uuid,
  offerId: Uuid,
  batchId: Uuid.optional(),
  holderOrgId: Uuid,
  buyerOrgId: Uuid,
  message: CatalogueText.optional(),
  occurredAt: Instant,
});
export type CatalogueOfferRequested = z.infer<typeof CatalogueOfferRequested>;

/** The holder accepts: for a batch, this reserves it for the buyer (the ordinary dispatch and receipt then carry it out). */
export const CatalogueRequestAccepted = z.object({
  requestId: Uuid,
  offerId: Uuid,
  batchId: Uuid.optional(),
  holderOrgId: Uuid,
  buyerOrgId: Uuid,
  batchReceipts: BatchReceipts.optional(),
  occurredAt: Instant,
});
export type CatalogueRequestAccepted = z.infer<typeof CatalogueRequestAccepted>;

export const CatalogueRequestDeclined = z.object({ requestId: Uuid, offerId: Uuid, reason: CatalogueText.optional(), occurredAt: Instant });
export type CatalogueRequestDeclined = z.infer<typeof CatalogueRequestDeclined>;

/** An accepted deal called off by either party before the buyer received the batch; the reservation ends. */
export const CatalogueDealCancelled = z.object({
  requestId: Uuid,
  offerId: Uuid,
  batchId: Uuid.optional(),
  cancelledBy: Uuid,
  reason: CatalogueText,
  occurredAt: Instant,
});
export type CatalogueDealCancelled = z.infer<typeof CatalogueDealCancelled>;

export const WantedFibre = z.object({
  fibre: z.enum(FIBRES),
  /** The least share of the fibre, in basis points. */
  minShare: z.number().int().min(1).max(BASIS_POINTS_TOTAL),
});
export type WantedFibre = z.infer<typeof WantedFibre>;

export const CatalogueWantPublished = z.object({
  wantId: Uuid,
  buyerOrgId: Uuid,
  title: CatalogueTitle,
  fibres: z.array(WantedFibre).max(MAX_WANT_ENTRIES).default([]),
  grades: z.array(z.union([Grade, z.literal('unsorted')])).max(MAX_WANT_ENTRIES).default([]),
  ewcCodes: z.array(EwcCode).max(MAX_WANT_ENTRIES).default([]),
  minGrams: PositiveGrams,
  /** Absent: any mass from minGrams up. */
  maxGrams: PositiveGrams.optional(),
  location: CatalogueLocation,
  /** Offers only from this region (one of the five); absent: anywhere. */
  region: z.enum(REGIONS).optional(),
  /** The want lapses after this instant, and it takes only offers available by then. */
  neededBy: Instant.optional(),
  visibility: Visibility,
  occurredAt: Instant,
});
export type CatalogueWantPublished = z.infer<typeof CatalogueWantPublished>;

export const CatalogueWantWithdrawn = z.object({ wantId: Uuid, occurredAt: Instant });
export type CatalogueWantWithdrawn = z.infer<typeof CatalogueWantWithdrawn>;

export const catalogueEventSchemas = {
  CatalogueBatchOffered,
  CatalogueStreamOffered,
  CatalogueOfferWithdrawn,
  CatalogueOfferRequested,
  CatalogueRequestAccepted,
  CatalogueRequestDeclined,
  CatalogueDealCancelled,
  CatalogueWantPublished,
  CatalogueWantWithdrawn,
} as const;
