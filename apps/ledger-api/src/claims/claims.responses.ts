import { CHAIN_OF_CUSTODY_MODELS, CLAIM_STANDARD_IDS, MASS_BALANCE_PERIOD_LENGTHS } from '#domain';
import { z } from 'zod';
import { AsOfMember, CommandResultFields, grams, instant, orgName, percent, position, uuid } from '../common/answers.js';

/**
 * The answers of the claims feature (docs/decisions/044-recycled-content-claims.md). Grams are JSON
 * integers; the read model keeps account totals exact and the answer refuses a total past 2^53
 * rather than round it.
 */
export const ClaimCommandResultSchema = z.object({ claimId: uuid(), ...CommandResultFields });

export const ClaimStandardSchema = z.object({
  standard: z.enum(CLAIM_STANDARD_IDS),
  name: z.string(),
  minimumRecycledBasisPoints: z.number().int().describe('The smallest recycled share the standard accepts, in basis points (500 = 5 %)'),
  minimumRecycledPercent: percent(),
  source: z.string(),
});
export const ClaimStandardListSchema = z.object({
  standards: z.array(ClaimStandardSchema),
  models: z.array(z.enum(CHAIN_OF_CUSTODY_MODELS)).describe('ISO 22095 chain-of-custody models; all but mass-balance are physical'),
  period: z.object({
    length: z.enum(MASS_BALANCE_PERIOD_LENGTHS).describe('How long a mass-balance claim period runs (UTC calendar periods)'),
    carryOver: z.literal('none').describe('An unused balance does not pass to the next period'),
  }),
});

export const ClaimSchema = z.object({
  claimId: uuid(),
  batchId: uuid(),
  claimantOrgId: uuid(),
  claimantOrgName: orgName(),
  standard: z.enum(CLAIM_STANDARD_IDS),
  model: z.enum(CHAIN_OF_CUSTODY_MODELS),
  recycledContentBasisPoints: z.number().int().describe('The claimed recycled share in basis points of the batch mass'),
  recycledContentPercent: percent(),
  batchMassGrams: grams(),
  claimedRecycledGrams: grams().describe('ceil(batch mass × basis points ÷ 10,000)'),
  batchRecycledGrams: grams().describe('The batch’s recycled grams by its provenance when the claim was decided'),
  accountId: z.string().nullable().describe('Mass balance: the account the claim debited; null for physical models'),
  periodId: z.string().nullable().describe('Mass balance: the claim period (2026, 2026-Q1 or 2026-03)'),
  occurredAt: instant().describe('Business time of the claim, as recorded'),
  recordedAt: instant(),
  eventId: uuid(),
  position: position(),
});

export const ClaimListSchema = z.object({ batchId: uuid(), claims: z.array(ClaimSchema), asOf: AsOfMember });
export const OrganisationClaimListSchema = z.object({ organisationId: uuid(), organisationName: orgName(), claims: z.array(ClaimSchema), asOf: AsOfMember });

export const MassBalanceMovementSchema = z.object({
  kind: z.enum(['credit', 'credit-reversal', 'debit']),
  grams: grams(),
  balanceAfterGrams: grams(),
  processId: uuid().nullable().describe('credit, credit-reversal: the reprocessing process'),
  claimId: uuid().nullable().describe('debit: the claim'),
  batchId: uuid().nullable().describe('debit: the claimed batch'),
  occurredAt: instant().describe('credit: the process’s business time; debit: the claim’s; reversal: the void’s'),
  recordedAt: instant(),
  eventId: uuid(),
  position: position(),
});

const AccountFields = {
  accountId: z.string(),
  organisationId: uuid(),
  organisationName: orgName(),
  periodId: z.string(),
  from: instant().describe('First instant of the period (UTC)'),
  to: instant().describe('First instant after the period (UTC)'),
  creditedGrams: grams().describe('Recycled grams that entered the organisation’s reprocessing processes in the period, as booked'),
  reversedGrams: grams().describe('Credits taken back because their process was voided'),
  debitedGrams: grams().describe('Claimed under mass balance'),
  balanceGrams: grams().describe('credited − reversed − debited; never below zero'),
};

export const MassBalanceAccountSummarySchema = z.object(AccountFields);
export const MassBalanceAccountListSchema = z.object({ accounts: z.array(MassBalanceAccountSummarySchema), asOf: AsOfMember });
export const MassBalanceAccountSchema = z.object({ ...AccountFields, movements: z.array(MassBalanceMovementSchema), asOf: AsOfMember });
