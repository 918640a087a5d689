/** GET /organisations/:id/mass-balance-accounts[/:periodId] (decision 044). */
export interface MassBalanceAccountSummary {
  readonly accountId: string;
  readonly organisationId: string;
  readonly periodId: string;
  readonly from: string;
  readonly to: string;
  readonly creditedGrams: number;
  readonly reversedGrams: number;
  readonly debitedGrams: number;
  readonly balanceGrams: number;
}

export interface MassBalanceMovement {
  readonly kind: string;
  readonly grams: number;
  readonly balanceAfterGrams: number;
  readonly processId: string | null;
  readonly claimId: string | null;
  readonly batchId: string | null;
  readonly occurredAt: string;
}

export interface MassBalanceAccountList {
  readonly accounts: readonly MassBalanceAccountSummary[];
}

export interface MassBalanceAccount extends MassBalanceAccountSummary {
  readonly movements: readonly MassBalanceMovement[];
}
