/** The API's answers (GET /emission-factors), as the page reads them. */
export interface EmissionFactor {
  readonly route: string;
  readonly kgCo2eAvoidedPerKg: string | null;
  readonly baseline: string;
  readonly source: string;
  readonly note: string;
}

export interface EmissionFactorSet {
  readonly factorSetId: string;
  readonly validFrom: string;
  readonly publishedBy: string;
  readonly publishedAt: string;
  readonly factors: readonly EmissionFactor[];
}

export interface EmissionFactorSetList {
  readonly sets: readonly EmissionFactorSet[];
  readonly inForceToday: string | null;
}
