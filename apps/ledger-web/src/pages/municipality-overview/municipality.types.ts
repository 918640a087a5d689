/** The parts of the API's report answers this page reads (see the API's Swagger at /docs). */
export type Buckets = Readonly<Record<string, number>>;

export interface CircularityRow {
  readonly originKey: string;
  readonly period: string;
  readonly collectedGrams: number;
  readonly buckets: Buckets;
  readonly rates: Readonly<Record<string, number>>;
}

export interface CircularityReport {
  readonly rows: readonly CircularityRow[];
}

export interface MunicipalReport {
  readonly kommuneCode: string;
  readonly kommuneName: string | null;
  readonly year: number;
  readonly collected: { readonly grams: number; readonly batches: number };
  readonly byEwcAndScheme: readonly {
    readonly ewcCode: string;
    readonly ewcDescription: string | null;
    readonly collectionScheme: string;
    readonly batches: number;
    readonly grams: number;
  }[];
  readonly circularity: {
    readonly collected: { readonly grams: number };
    readonly buckets: Readonly<Record<string, { readonly grams: number }>>;
    readonly rates: Readonly<Record<string, number>>;
  };
}

/** GET /reports/municipal/:kommuneCode/:year/flows (docs/decisions/036-municipal-flows.md). */
export interface MunicipalFlows {
  readonly kommuneCode: string;
  readonly kommuneName: string | null;
  readonly year: number;
  readonly quarter: number | null;
  readonly collectedGrams: number;
  readonly collectors: readonly { readonly collectorOrgId: string; readonly collectorOrgName?: string | null; readonly grams: number }[];
  readonly sorters: readonly { readonly collectorOrgId: string; readonly sorterOrgId: string | null; readonly sorterOrgName?: string | null; readonly grams: number }[];
  readonly grades: readonly { readonly sorterOrgId: string | null; readonly grade: string; readonly grams: number }[];
  readonly fates: readonly { readonly grade: string; readonly bucket: string; readonly grams: number }[];
  readonly buckets: Readonly<Record<string, number>>;
}
