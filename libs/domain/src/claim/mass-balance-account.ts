/**
 * A mass-balance credit account (docs/decisions/044-recycled-content-claims.md): one per organisation
 * and claim period, on a stream of its own. Everything that changes the balance is appended to that
 * stream with the revision that was read, so no two movements can both spend the same grams.
 */
import { ConflictError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import type { MassBalanceCredited, MassBalanceCreditReversed, MassBalanceDebited } from './claim.events.js';

/** How long a claim period runs. Carry-over of an unused balance into the next period: none. */
export const MASS_BALANCE_PERIOD_LENGTHS = ['calendar-year', 'calendar-quarter', 'calendar-month'] as const;
export type MassBalancePeriodLength = (typeof MASS_BALANCE_PERIOD_LENGTHS)[number];
export const DEFAULT_MASS_BALANCE_PERIOD_LENGTH: MassBalancePeriodLength = 'calendar-year';

/** The period (in UTC) an instant falls in: `2026`, `2026-Q1` or `2026-03`. */
export function massBalancePeriodOf(occurredAt: string, length: MassBalancePeriodLength): string {
  const t = new Date(occurredAt);
  if (Number.isNaN(t.getTime())) throw new RangeError(`not an instant: ${occurredAt}`);
  const year = String(t.getUTCFullYear()).padStart(4, '0');
  const month = t.getUTCMonth();
  if (length === 'calendar-year') return year;
  if (length === 'calendar-quarter') return `${year}-Q${Math.floor(month / 3) + 1}`;
  return `${year}-${String(month + 1).padStart(2, '0')}`;
}

/** A period as a half-open UTC interval [from, to). */
export function massBalancePeriodRange(periodId: string): { from: string; to: string } {
  const match = /^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/.exec(periodId);
  if (!match) throw new RangeError(`not a claim period: ${periodId}`);
  const year = Number(match[1]);
  const at = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString();
  if (match[2] !== undefined) {
    const first = (Number(match[2]) - 1) * 3;
    return { from: at(year, first), to: at(year, first + 3) };
  }
  if (match[3] !== undefined) {
    const month = Number(match[3]) - 1;
    return { from: at(year, month), to: at(year, month + 1) };
  }
  return { from: at(year, 0), to: at(year + 1, 0) };
}

export type MassBalanceMovement =
  | { readonly kind: 'credit'; readonly grams: bigint; readonly balanceAfterGrams: bigint; readonly processId: string; readonly occurredAt: string }
  | { readonly kind: 'credit-reversal'; readonly grams: bigint; readonly balanceAfterGrams: bigint; readonly processId: string; readonly occurredAt: string }
  | { readonly kind: 'debit'; readonly grams: bigint; readonly balanceAfterGrams: bigint; readonly claimId: string; readonly batchId: string; readonly occurredAt: string };

export interface MassBalanceAccount {
  /** Credits as recorded, before reversals. */
  readonly creditedGrams: bigint;
  /** Credits taken back because their process was voided. */
  readonly reversedGrams: bigint;
  readonly debitedGrams: bigint;
  /** creditedGrams − reversedGrams − debitedGrams; never below zero. */
  readonly balanceGrams: bigint;
  /** In stream order. */
  readonly movements: readonly MassBalanceMovement[];
  /** Credit per process still counted. */
  readonly creditedProcesses: ReadonlyMap<string, bigint>;
  /** Processes whose credit was reversed (or blocked before it was given): never credited again. */
  readonly reversedProcesses: ReadonlySet<string>;
  /** Reversals by `${processId}/${voidAttempt}`, so a retried void does not reverse twice. */
  readonly reversals: ReadonlySet<string>;
  readonly claimIds: ReadonlySet<string>;
}

export const EMPTY_MASS_BALANCE_ACCOUNT: MassBalanceAccount = {
  creditedGrams: 0n,
  reversedGrams: 0n,
  debitedGrams: 0n,
  balanceGrams: 0n,
  movements: [],
  creditedProcesses: new Map(),
  reversedProcesses: new Set(),
  reversals: new Set(),
  claimIds: new Set(),
};

/** An event as it is stored: its type and data, whatever else the envelope carries. */
export type AccountEvent = Pick<DomainEvent, 'type' | 'data'> | { readonly type: string; readonly data: unknown };

/** Folds one account event; events the account does not book (the claims beside them) leave it as it is. */
export function evolveMassBalanceAccount(account: MassBalanceAccount, event: AccountEvent): MassBalanceAccount {
  switch (event.type) {
    case 'MassBalanceCredited': {
      const data = event.data as MassBalanceCredited;
      const grams = BigInt(data.creditedGrams);
      const balance = account.balanceGrams + grams;
      return {
        ...account,
        creditedGrams: account.creditedGrams + grams,
        balanceGrams: balance,
        movements: [...account.movements, { kind: 'credit', grams, balanceAfterGrams: balance, processId: data.processId, occurredAt: data.occurredAt }],
        creditedProcesses: new Map([...account.creditedProcesses, [data.processId, grams]]),
      };
    }
    case 'MassBalanceCreditReversed': {
      const data = event.data as MassBalanceCreditReversed;
      const grams = BigInt(data.reversedGrams);
      const balance = account.balanceGrams - grams;
      const credited = new Map(account.creditedProcesses);
      credited.delete(data.processId);
      return {
        ...account,
        reversedGrams: account.reversedGrams + grams,
        balanceGrams: balance,
        movements: [...account.movements, { kind: 'credit-reversal', grams, balanceAfterGrams: balance, processId: data.processId, occurredAt: data.occurredAt }],
        creditedProcesses: credited,
        reversedProcesses: new Set([...account.reversedProcesses, data.processId]),
        reversals: new Set([...account.reversals, `${data.processId}/${data.voidAttempt}`]),
      };
    }
    case 'MassBalanceDebited': {
      const data = event.data as MassBalanceDebited;
      const grams = BigInt(data.debitedGrams);
      const balance = account.balanceGrams - grams;
      return {
        ...account,
        debitedGrams: account.debitedGrams + grams,
        balanceGrams: balance,
        movements: [...account.movements, { kind: 'debit', grams, balanceAfterGrams: balance, claimId: data.claimId, batchId: data.batchId, occurredAt: data.occurredAt }],
        claimIds: new Set([...account.claimIds, data.claimId]),
      };
    }
    case 'RecycledContentClaimed': {
      const data = event.data as { claimId: string };
      return { ...account, claimIds: new Set([...account.claimIds, data.claimId]) };
    }
    default:
      return account;
  }
}

/**
 * The account as its stream tells it: credits, reversals, debits, the balance and every movement
 * with the balance after it. Pure, so an offline verifier of an evidence bundle folds the same
 * events to the same figures.
 */
export function foldMassBalanceAccount(events: readonly AccountEvent[]): MassBalanceAccount {
  return events.reduce(evolveMassBalanceAccount, EMPTY_MASS_BALANCE_ACCOUNT);
}

/** What a void needs to know of the process it voids, to take its credit back first. */
export interface VoidOnAccount {
  readonly accountId: string;
  readonly organisationId: string;
  readonly periodId: string;
  readonly processId: string;
  readonly voidAttempt: number;
  readonly occurredAt: string;
}

/**
 * Before a reprocessing process is voided, its credit leaves the account it went to, on that
 * account's stream and with the revision read, so a claim cannot spend it meanwhile. The reversal
 * is written even when the process was never credited: it bars any later credit for it, which a
 * read model that has not yet seen the void would otherwise grant. A void whose credit was already
 * claimed is refused: the account never goes below zero, and the claims stand.
 */
export function decideMassBalanceVoid(account: MassBalanceAccount, target: VoidOnAccount): DomainEvent[] {
  if (account.reversals.has(`${target.processId}/${target.voidAttempt}`)) return [];
  const credited = account.creditedProcesses.get(target.processId) ?? 0n;
  if (account.balanceGrams - credited < 0n) {
    throw new ConflictError(
      'mass-balance-credit-claimed',
      `process ${target.processId} credited ${credited} g to mass-balance account ${target.accountId}, and claims have spent all but ${account.balanceGrams} g of it; the void would overdraw the account`,
      { processId: target.processId, accountId: target.accountId, creditedGrams: credited.toString(), balanceGrams: account.balanceGrams.toString() },
    );
  }
  return [
    {
      type: 'MassBalanceCreditReversed',
      data: {
        accountId: target.accountId,
        organisationId: target.organisationId,
        periodId: target.periodId,
        processId: target.processId,
        voidAttempt: target.voidAttempt,
        reversedGrams: Number(credited),
        occurredAt: target.occurredAt,
      },
    },
  ];
}
