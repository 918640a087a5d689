import { z } from 'zod';
import { MeasurementMethod, SiteId } from '../organisation/organisation.events.js';
import { EWC_CODE_LIST } from '../reference/reference.js';
import { Composition, Grams, Instant, PositiveGrams, ProgrammeTags, Uuid } from '../shared/units.js';

export const COLLECTION_SCHEMES = ['kerbside', 'bring-bank', 'recycling-centre', 'charity-shop', 'other'] as const;
export const CollectionScheme = z.enum(COLLECTION_SCHEMES);
export const EwcCode = z.enum(EWC_CODE_LIST);
export const ResidualOriginClass = z.enum(['pre-consumer', 'post-consumer-business']);
export type ResidualOriginClass = z.infer<typeof ResidualOriginClass>;
export const GRADES = ['reuse', 'recycling', 'fibre', 'product', 'residual'] as const;
export const Grade = z.enum(GRADES);
export type Grade = z.infer<typeof Grade>;
export const Application = z.enum(['textile', 'non-textile']);
export type Application = z.infer<typeof Application>;
export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'country must be an ISO 3166-1 alpha-2 code, e.g. DE');
export const Market = z.enum(['domestic', 'export']);

// ---- 4.1 origin events: a batch stream starts with one of these ----

export const BatchCollected = z.object({
  batchId: Uuid,
  kommuneCode: z.string().regex(/^\d{4}$/),
  collectionScheme: CollectionScheme,
  ewcCode: EwcCode,
  massGrams: PositiveGrams,
  occurredAt: Instant,
  collectorOrgId: Uuid,
  programmeTags: ProgrammeTags.default([]),
  /** The collector's site that received the collection; optional, so events from before sites still fold. */
  siteId: SiteId.optional(),
  /** Absent means weighed (docs/decisions/039-sites-and-ads-export.md). */
  measurement: MeasurementMethod.optional(),
});
export type BatchCollected = z.infer<typeof BatchCollected>;

export const ResidualBatchRegistered = z.object({
  batchId: Uuid,
  /** The organisation whose residual it is; also the first custodian. */
  organisationId: Uuid,
  originClass: ResidualOriginClass,
  ewcCode: EwcCode,
  massGrams: PositiveGrams,
  composition: Composition,
  description: z.string().min(1).max(1000),
  programmeTags: ProgrammeTags.default([]),
  occurredAt: Instant,
  /** The organisation's site where the residual arose. */
  siteId: SiteId.optional(),
  /** Absent means weighed. */
  measurement: MeasurementMethod.optional(),
});
export type ResidualBatchRegistered = z.infer<typeof ResidualBatchRegistered>;

// ---- 4.2 custody ----

export const CustodyTransferDispatched = z.object({
  batchId: Uuid,
  transferId: Uuid,
  fromOrgId: Uuid,
  toOrgId: Uuid,
  massGrams: PositiveGrams,
  transportDocument: z.string().max(200).optional(),
  ownershipTransferred: z.boolean(),
  occurredAt: Instant,
});
export type CustodyTransferDispatched = z.infer<typeof CustodyTransferDispatched>;

export const CustodyTransferReceived = z.object({
  batchId: Uuid,
  transferId: Uuid,
  receivedMassGrams: PositiveGrams,
  /** Copied from the dispatch so that readers need not look it up. */
  dispatchedMassGrams: PositiveGrams,
  /** received − dispatched: negative is a transit loss, positive a gain. */
  differenceGrams: z.number().int(),
  /** True when |difference| exceeds the tolerance in force when it was received. */
  anomaly: z.boolean(),
  toleranceBasisPoints: z.number().int().nonnegative(),
  occurredAt: Instant,
  /** The consignee's site that received the batch. */
  siteId: SiteId.optional(),
  /** How receivedMassGrams was found; absent means weighed. */
  measurement: MeasurementMethod.optional(),
});
export type CustodyTransferReceived = z.infer<typeof CustodyTransferReceived>;

export const CustodyTransferCancelled = z.object({
  batchId: Uuid,
  transferId: Uuid,
  /** `sender` withdraws the shipment; `consignee` refuses it. Either way it returns to the sender. */
  cancelledBy: z.enum(['sender', 'consignee']),
  reason: z.string().min(1).max(1000),
  occurredAt: Instant,
});
export type CustodyTransferCancelled = z.infer<typeof CustodyTransferCancelled>;

// ---- 4.3 process steps written to batch streams ----

export const BatchConsumed = z.object({
  batchId: Uuid,
  processId: Uuid,
  massGrams: PositiveGrams,
});
export type BatchConsumed = z.infer<typeof BatchConsumed>;

export const BatchConsumptionReverted = z.object({
  batchId: Uuid,
  processId: Uuid,
});
export type BatchConsumptionReverted = z.infer<typeof BatchConsumptionReverted>;

export const Parent = z.object({ batchId: Uuid, massGrams: Grams });
export type Parent = z.infer<typeof Parent>;

/** The first event of an output batch's stream. */
export const BatchProduced = z.object({
  batchId: Uuid,
  processId: Uuid,
  processType: z.string(),
  /** The organisation that ran the process; the first custodian and owner. */
  organisationId: Uuid,
  massGrams: PositiveGrams,
  grade: Grade,
  composition: Composition,
  productType: z.string().min(1).max(200).optional(),
  application: Application.optional(),
  ewcCode: EwcCode.optional(),
  /** Grams of each input batch that went into this output, by proportional allocation. */
  parents: z.array(Parent),
  occurredAt: Instant,
});
export type BatchProduced = z.infer<typeof BatchProduced>;

// ---- 4.4 outcomes: the batch leaves the ledger's scope and is closed ----

/** Every outcome may name the custodian's site where it happened. */
const OutcomeSite = { siteId: SiteId.optional() };
export const BatchSoldForReuse = z.object({
  batchId: Uuid,
  market: Market,
  destinationCountry: CountryCode.optional(),
  occurredAt: Instant,
  ...OutcomeSite,
});
export const BatchIncinerated = z.object({
  batchId: Uuid,
  /** R1 (with energy recovery) or D10 (without). */
  energyRecovery: z.boolean(),
  occurredAt: Instant,
  ...OutcomeSite,
});
export const BatchLandfilled = z.object({ batchId: Uuid, occurredAt: Instant, ...OutcomeSite });
export const BatchExported = z.object({
  batchId: Uuid,
  destinationCountry: CountryCode,
  purpose: z.enum(['reuse', 'recycling', 'unknown']),
  occurredAt: Instant,
  ...OutcomeSite,
});
export const ProductPlacedOnMarket = z.object({
  batchId: Uuid,
  market: Market,
  destinationCountry: CountryCode.optional(),
  occurredAt: Instant,
  ...OutcomeSite,
});
export type BatchSoldForReuse = z.infer<typeof BatchSoldForReuse>;
export type BatchIncinerated = z.infer<typeof BatchIncinerated>;
export type BatchLandfilled = z.infer<typeof BatchLandfilled>;
export type BatchExported = z.infer<typeof BatchExported>;
export type ProductPlacedOnMarket = z.infer<typeof ProductPlacedOnMarket>;

// ---- 4.5 corrections ----

export const BatchMassCorrected = z.object({
  batchId: Uuid,
  /** The event whose mass is wrong: the one that last set the batch's mass. */
  correctedEventId: z.string().min(1),
  massGrams: PositiveGrams,
  previousMassGrams: PositiveGrams,
  reason: z.string().min(1).max(1000),
  occurredAt: Instant,
});
export type BatchMassCorrected = z.infer<typeof BatchMassCorrected>;

// ---- 4.5 corrections: a voided process (decision 011) ----

/**
 * An output of a process being voided. Appended at the revision at which the output was found still
 * available, held by the process's organisation and never re-weighed, so an output used concurrently
 * makes the void fail instead. Counts only once the void ends with ProcessVoided.
 */
export const BatchVoided = z.object({
  batchId: Uuid,
  processId: Uuid,
  /** Which void attempt of the process this belongs to (0 for the first). */
  attempt: z.number().int().nonnegative(),
  /** The BatchProduced event this output owes its existence to. */
  correctedEventId: z.string().min(1),
  reason: z.string().min(1).max(1000),
  occurredAt: Instant,
});
export type BatchVoided = z.infer<typeof BatchVoided>;

/** Compensation of a BatchVoided whose void was rejected: the output is available again. */
export const BatchVoidReverted = z.object({
  batchId: Uuid,
  processId: Uuid,
  attempt: z.number().int().nonnegative(),
});
export type BatchVoidReverted = z.infer<typeof BatchVoidReverted>;

/** An input of a voided process, returned to its custodian as it was before the process consumed it. */
export const BatchRestored = z.object({
  batchId: Uuid,
  processId: Uuid,
  /** The BatchConsumed event the void undoes. */
  correctedEventId: z.string().min(1),
  massGrams: PositiveGrams,
  reason: z.string().min(1).max(1000),
  occurredAt: Instant,
});
export type BatchRestored = z.infer<typeof BatchRestored>;

export const batchEventSchemas = {
  BatchCollected,
  ResidualBatchRegistered,
  CustodyTransferDispatched,
  CustodyTransferReceived,
  CustodyTransferCancelled,
  BatchConsumed,
  BatchConsumptionReverted,
  BatchProduced,
  BatchSoldForReuse,
  BatchIncinerated,
  BatchLandfilled,
  BatchExported,
  ProductPlacedOnMarket,
  BatchMassCorrected,
  BatchVoided,
  BatchVoidReverted,
  BatchRestored,
} as const;
