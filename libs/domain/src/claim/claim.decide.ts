/**
 * Deciding a recycled-content claim (docs/decisions/044-recycled-content-claims.md). Pure: the
 * handler supplies the batch as its stream tells it, the batch's provenance figure, and for mass
 * balance the claimant's account with the credits the read models show for the period.
 */
import type { BatchState } from '../batch/batch.state.js';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { claimStandard } from '../reference/claim-standards/claim-standards.data.js';
import { assertBusinessTime, assertFollows, assertHandlesMaterial, type DecisionContext } from '../shared/decision-context.js';
import { BASIS_POINTS_TOTAL } from '../shared/units.js';
import type { ClaimRecycledContent } from './claim.commands.js';
import { PHYSICAL_MODELS, type MassBalanceCredited } from './claim.events.js';
import type { MassBalanceAccount } from './mass-balance-account.js';

/** The batch's provenance as the read model has it: its mass and its recycled grams. */
export interface BatchProvenanceFigure {
  readonly massGrams: number;
  readonly recycledGrams: number;
  readonly voided: boolean;
}

/** A credit the read models show for the claimant's period (completed, not voided, reprocessing). */
export type CreditCandidate = Omit<MassBalanceCredited, 'accountId' | 'organisationId' | 'periodId'>;

export interface ClaimTarget {
  readonly batch: BatchState | undefined;
  /** Undefined while the provenance read model has not seen the batch. */
  readonly provenance: BatchProvenanceFigure | undefined;
  /** Mass balance only. */
  readonly account?: {
    readonly accountId: string;
    readonly periodId: string;
    readonly state: MassBalanceAccount;
    readonly candidates: readonly CreditCandidate[];
  };
}

/** Grams a share of a mass stands for, rounded up: what the claim must be backed by. */
export function claimedRecycledGrams(batchMassGrams: number, basisPoints: number): number {
  const total = BigInt(BASIS_POINTS_TOTAL);
  return Number((BigInt(batchMassGrams) * BigInt(basisPoints) + total - 1n) / total);
}

/** The candidates the account has not booked yet, and may: a process is credited once, and never after a void reversed it. */
export function newCredits(account: MassBalanceAccount, candidates: readonly CreditCandidate[]): CreditCandidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    if (c.creditedGrams <= 0 || seen.has(c.processId)) return false;
    seen.add(c.processId);
    return !account.creditedProcesses.has(c.processId) && !account.reversedProcesses.has(c.processId);
  });
}

export function decideRecycledContentClaim(target: ClaimTarget, command: ClaimRecycledContent, ctx: DecisionContext): DomainEvent[] {
  const { batch } = target;
  const batchId = command.batchId;
  if (!batch) throw new NotFoundError('unknown-batch', `batch ${batchId} does not exist`, { batchId });
  assertHandlesMaterial(ctx);
  const claimant = ctx.actor.organisationId;
  if (batch.ownerOrgId !== claimant && batch.custodianOrgId !== claimant) {
    throw new ForbiddenError('not-owner-or-custodian', `only the owner or the custodian of batch ${batchId} may claim its recycled content`, { batchId });
  }
  assertBusinessTime(command.occurredAt, ctx);
  assertFollows(command.occurredAt, { occurredAt: batch.latestOccurredAt, of: `batch ${batchId}` });
  if (batch.origin.kind !== 'produced') {
    throw new InvalidCommandError('not-a-process-output', `batch ${batchId} was not produced by a process; a recycled-content claim is made on a process output`, { batchId });
  }
  if (batch.status === 'consumed' || batch.status === 'voided') {
    throw new ConflictError('batch-not-claimable', `batch ${batchId} is ${batch.status}; claim on what it became instead`, { batchId, status: batch.status });
  }
  const standard = claimStandard(command.standard);
  if (command.recycledContentBasisPoints < standard.minimumRecycledBasisPoints) {
    throw new InvalidCommandError(
      'below-standard-threshold',
      `${standard.name} needs at least ${standard.minimumRecycledBasisPoints} basis points of recycled content; the claim states ${command.recycledContentBasisPoints}`,
      { standard: command.standard, minimumRecycledBasisPoints: standard.minimumRecycledBasisPoints, recycledContentBasisPoints: command.recycledContentBasisPoints },
    );
  }
  const { provenance } = target;
  // Stale or missing provenance is never guessed at: the caller retries once the read model caught up.
  if (!provenance || provenance.voided || provenance.massGrams !== batch.massGrams) {
    throw new ConflictError('provenance-not-current', `the provenance of batch ${batchId} is not yet known at its current mass; retry shortly`, { batchId });
  }
  const claimed = claimedRecycledGrams(batch.massGrams, command.recycledContentBasisPoints);
  const claim = {
    claimId: command.claimId,
    batchId,
    claimantOrganisationId: claimant,
    standard: command.standard,
    model: command.model,
    recycledContentBasisPoints: command.recycledContentBasisPoints,
    batchMassGrams: batch.massGrams,
    claimedRecycledGrams: claimed,
    batchRecycledGrams: provenance.recycledGrams,
  };

  if (PHYSICAL_MODELS.has(command.model)) {
    if (claimed > provenance.recycledGrams) {
      throw new InvalidCommandError(
        'exceeds-batch-recycled-content',
        `under ${command.model} the claim may not exceed the batch's own recycled content: it claims ${claimed} g, the batch's provenance holds ${provenance.recycledGrams} g of ${batch.massGrams} g`,
        { batchId, claimedRecycledGrams: claimed, batchRecycledGrams: provenance.recycledGrams, batchMassGrams: batch.massGrams },
      );
    }
    return [{ type: 'RecycledContentClaimed', data: { ...claim, occurredAt: command.occurredAt } }];
  }

  const account = target.account;
  if (!account) throw new Error('a mass-balance claim is decided with its account');
  if (account.state.claimIds.has(command.claimId)) {
    throw new ConflictError('claim-exists', `claim ${command.claimId} is already recorded`, { claimId: command.claimId });
  }
  const credits = newCredits(account.state, account.candidates);
  const balance = credits.reduce((sum, c) => sum + BigInt(c.creditedGrams), account.state.balanceGrams);
  if (BigInt(claimed) > balance) {
    throw new ConflictError(
      'insufficient-mass-balance',
      `mass-balance account ${account.accountId} holds ${balance} g of recycled credit; the claim needs ${claimed} g`,
      { accountId: account.accountId, periodId: account.periodId, balanceGrams: balance.toString(), claimedRecycledGrams: claimed },
    );
  }
  const of = { accountId: account.accountId, organisationId: claimant, periodId: account.periodId };
  return [
    ...credits.map((c): DomainEvent => ({ type: 'MassBalanceCredited', data: { ...of, ...c } })),
    { type: 'RecycledContentClaimed', data: { ...claim, accountId: account.accountId, periodId: account.periodId, occurredAt: command.occurredAt } },
    { type: 'MassBalanceDebited', data: { ...of, claimId: command.claimId, batchId, debitedGrams: claimed, occurredAt: command.occurredAt } },
  ];
}
