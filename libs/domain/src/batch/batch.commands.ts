import { z } from 'zod';
import { Composition, Instant, BatchMassGrams, ProgrammeTags, Uuid } from '../shared/units.js';
import { MeasurementMethod, SiteId } from '../organisation/organisation.events.js';
import { CollectionScheme, CountryCode, EwcCode, Market, ResidualOriginClass } from './batch.events.js';

export const CollectBatch = z.object({
  batchId: Uuid,
  kommuneCode: z.string().regex(/^\d{4}$/, 'kommune codes have four digits, e.g. 0657'),
  collectionScheme: CollectionScheme,
  ewcCode: EwcCode,
  massGrams: BatchMassGrams,
  occurredAt: Instant,
  collectorOrgId: Uuid,
  programmeTags: ProgrammeTags.default([]),
  siteId: SiteId.optional(),
  measurement: MeasurementMethod.optional(),
});
export type CollectBatch = z.infer<typeof CollectBatch>;

export const RegisterResidualBatch = z.object({
  batchId: Uuid,
  originClass: ResidualOriginClass,
  ewcCode: EwcCode,
  massGrams: BatchMassGrams,
  composition: Composition,
  description: z.string().trim().min(1).max(1000),
  programmeTags: ProgrammeTags.default([]),
  occurredAt: Instant,
  siteId: SiteId.optional(),
  measurement: MeasurementMethod.optional(),
});
export type RegisterResidualBatch = z.infer<typeof RegisterResidualBatch>;

export const DispatchTransfer = z.object({
  batchId: Uuid,
  transferId: Uuid,
  toOrgId: Uuid,
  /** Weighed at dispatch; defaults to the batch's current mass. */
  massGrams: BatchMassGrams.optional(),
  transportDocument: z.string().max(200).optional(),
  /** Defaults to true when the dispatching custodian is also the owner, false otherwise. */
  ownershipTransferred: z.boolean().optional(),
  occurredAt: Instant,
});
export type DispatchTransfer = z.infer<typeof DispatchTransfer>;

export const ReceiveTransfer = z.object({
  batchId: Uuid,
  receivedMassGrams: BatchMassGrams,
  occurredAt: Instant,
  siteId: SiteId.optional(),
  measurement: MeasurementMethod.optional(),
});
export type ReceiveTransfer = z.infer<typeof ReceiveTransfer>;

export const CancelTransfer = z.object({
  batchId: Uuid,
  reason: z.string().trim().min(1).max(1000),
  occurredAt: Instant,
});
export type CancelTransfer = z.infer<typeof CancelTransfer>;

export const RecordOutcome = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('sold-for-reuse'), market: Market, destinationCountry: CountryCode.optional() }),
  z.object({ outcome: z.literal('incinerated'), energyRecovery: z.boolean() }),
  z.object({ outcome: z.literal('landfilled') }),
  z.object({ outcome: z.literal('exported'), destinationCountry: CountryCode, purpose: z.enum(['reuse', 'recycling', 'unknown']) }),
  z.object({ outcome: z.literal('placed-on-market'), market: Market, destinationCountry: CountryCode.optional() }),
]);
export type RecordOutcome = z.infer<typeof RecordOutcome> & { batchId: string; occurredAt: string; siteId?: string | undefined };

export const CorrectMass = z.object({
  batchId: Uuid,
  correctedEventId: z.string().min(1),
  massGrams: BatchMassGrams,
  reason: z.string().trim().min(1).max(1000),
  occurredAt: Instant,
});
export type CorrectMass = z.infer<typeof CorrectMass>;
