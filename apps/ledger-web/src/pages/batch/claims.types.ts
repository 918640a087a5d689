/** A recycled-content claim as GET /batches/:id/claims answers it (decision 044). */
export interface Claim {
  readonly claimId: string;
  readonly batchId: string;
  readonly claimantOrgId: string;
  readonly claimantOrgName?: string | null;
  readonly standard: string;
  readonly model: string;
  readonly recycledContentBasisPoints: number;
  readonly batchMassGrams: number;
  readonly claimedRecycledGrams: number;
  readonly batchRecycledGrams: number;
  readonly accountId: string | null;
  readonly periodId: string | null;
  readonly occurredAt: string;
}

export interface ClaimList {
  readonly claims: readonly Claim[];
}

/** GET /claims/standards: the thresholds, shown beside each standard in the form. */
export interface ClaimStandards {
  readonly standards: ReadonlyArray<{ readonly standard: string; readonly minimumRecycledBasisPoints: number }>;
  readonly models: readonly string[];
}
