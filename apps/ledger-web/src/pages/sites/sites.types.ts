/** The API's answers this page reads (GET /organisations/:id/sites, GET /reports/ads/:pNumber/:year). */
export interface Site {
  readonly siteId: string;
  readonly organisationId: string;
  readonly name: string;
  readonly kommuneCode: string;
  readonly kommuneName: string | null;
  readonly pNumber: string | null;
  readonly open: boolean;
  readonly address?: string;
  readonly latitude?: number | null;
  readonly longitude?: number | null;
}

export interface SiteList {
  readonly organisationId: string;
  readonly sites: readonly Site[];
  readonly legacySites: readonly { readonly name: string; readonly address?: string }[];
}

export interface AdsRow {
  readonly originKommuneCode: string | null;
  readonly originKommuneName: string | null;
  readonly eakCode: string | null;
  readonly fraction: string;
  readonly treatmentCode: string;
  readonly measurement: 'weighed' | 'estimated';
  readonly grams: number;
  readonly tonnes: string;
  readonly batches: number;
}

export interface AdsExport {
  readonly pNumber: string;
  readonly year: number;
  readonly site: Site;
  readonly rows: readonly AdsRow[];
  readonly totals: { readonly grams: number; readonly tonnes: string; readonly batches: number };
  readonly reconciliation: {
    readonly balanced: boolean;
    readonly rowsGrams: number;
    readonly intakeGrams: number;
    readonly differenceGrams: number;
    readonly balance: {
      readonly openingGrams: number;
      readonly producedGrams: number;
      readonly adjustmentGrams: number;
      readonly dispatchedGrams: number;
      readonly consumedGrams: number;
      readonly outcomeGrams: number;
      readonly closingGrams: number;
    };
  };
}

export interface Me {
  readonly organisationId: string;
  readonly operator: boolean;
}
