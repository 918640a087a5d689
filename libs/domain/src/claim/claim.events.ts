import { z } from 'zod';
import { ProcessType } from '../process/process.events.js';
import { CLAIM_STANDARD_IDS } from '../reference/claim-standards/claim-standards.data.js';
import { BASIS_POINTS_TOTAL, Grams, Instant, PositiveGrams, Uuid } from '../shared/units.js';

/**
 * Recycled-content claims and mass-balance credit accounts (docs/decisions/044-recycled-content-claims.md).
 * A claim says: this batch carries X % recycled content under a standard and an ISO 22095
 * chain-of-custody model. Physical models are checked against the batch's own provenance; mass
 * balance debits the claimant's credit account for the claim period.
 */
export const ClaimStandardIdSchema = z.enum(CLAIM_STANDARD_IDS).meta({ example: 'grs' });

export const CHAIN_OF_CUSTODY_MODELS = ['identity-preserved', 'segregated', 'controlled-blending', 'mass-balance'] as const;
export const ChainOfCustodyModel = z.enum(CHAIN_OF_CUSTODY_MODELS).meta({ example: 'mass-balance' });
export type ChainOfCustodyModel = z.infer<typeof ChainOfCustodyModel>;

/** The models whose claim must be backed by the batch's own grams. */
export const PHYSICAL_MODELS: ReadonlySet<ChainOfCustodyModel> = new Set(['identity-preserved', 'segregated', 'controlled-blending']);

/** The claimed recycled share of the batch's mass, in basis points (1 = 0.01 %). */
export const RecycledContentBasisPoints = z
  .number()
  .int('the recycled share is an integer number of basis points')
  .min(1)
  .max(BASIS_POINTS_TOTAL)
  .meta({ example: 3000, description: 'basis points of the batch mass: 3000 = 30 %' });

/**
 * A claim period: a calendar year (`2026`), quarter (`2026-Q1`) or month (`2026-03`), in UTC. The
 * three forms never collide, so accounts of different period lengths never share a stream.
 */
export const MassBalancePeriodId = z
  .string()
  .regex(/^\d{4}(?:-Q[1-4]|-(?:0[1-9]|1[0-2]))?$/, 'a claim period is a year (2026), a quarter (2026-Q1) or a month (2026-03)')
  .meta({ example: '2026' });

/** `<organisationId>-<periodId>`: the suffix of the account's stream. */
export const MassBalanceAccountId = z.string().min(1).max(100).meta({ example: '0190a000-0000-7000-8000-000000000010-2026' });

export const RecycledContentClaimed = z.object({
  claimId: Uuid,
  batchId: Uuid,
  claimantOrganisationId: Uuid,
  standard: ClaimStandardIdSchema,
  model: ChainOfCustodyModel,
  recycledContentBasisPoints: RecycledContentBasisPoints,
  batchMassGrams: PositiveGrams,
  /** ceil(batch mass × basis points ÷ 10,000): rounded up, so the claim is never understated against what backs it. */
  claimedRecycledGrams: PositiveGrams,
  /** The batch's recycled grams by its provenance when the claim was decided. */
  batchRecycledGrams: Grams,
  /** Mass balance only: the account the claim debited. */
  accountId: MassBalanceAccountId.optional(),
  periodId: MassBalancePeriodId.optional(),
  occurredAt: Instant,
});
export type RecycledContentClaimed = z.infer<typeof RecycledContentClaimed>;

const AccountOf = {
  accountId: MassBalanceAccountId,
  organisationId: Uuid,
  periodId: MassBalancePeriodId,
};

/** Recycled grams that entered one of the organisation's reprocessing processes in the period. */
export const MassBalanceCredited = z.object({
  ...AccountOf,
  processId: Uuid,
  processType: ProcessType,
  creditedGrams: PositiveGrams,
  /** Each input batch and its recycled grams by its provenance. */
  inputs: z.array(z.object({ batchId: Uuid, recycledGrams: Grams })).min(1),
  /** The process's business time, which put it in the period. */
  occurredAt: Instant,
});
export type MassBalanceCredited = z.infer<typeof MassBalanceCredited>;

/** A mass-balance claim's grams, taken from the account in the same append as the claim. */
export const MassBalanceDebited = z.object({
  ...AccountOf,
  claimId: Uuid,
  batchId: Uuid,
  debitedGrams: PositiveGrams,
  occurredAt: Instant,
});
export type MassBalanceDebited = z.infer<typeof MassBalanceDebited>;

/**
 * A void of one of the period's processes: its credit (0 g when it was never credited) leaves the
 * account before the void starts, and the process is never credited again.
 */
export const MassBalanceCreditReversed = z.object({
  ...AccountOf,
  processId: Uuid,
  voidAttempt: z.number().int().nonnegative(),
  reversedGrams: Grams,
  occurredAt: Instant,
});
export type MassBalanceCreditReversed = z.infer<typeof MassBalanceCreditReversed>;

export const claimEventSchemas = { RecycledContentClaimed, MassBalanceCredited, MassBalanceDebited, MassBalanceCreditReversed } as const;

export const massBalanceAccountId = (organisationId: string, periodId: string): string => `${organisationId}-${periodId}`;
export const massBalanceAccountStreamId = (organisationId: string, periodId: string): string => `mass-balance-account-${massBalanceAccountId(organisationId, periodId)}`;
/** A claim under a physical model is decided on a stream of its own. */
export const recycledContentClaimStreamId = (claimId: string): string => `recycled-content-claim-${claimId}`;
