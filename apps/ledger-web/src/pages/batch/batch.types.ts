/** The parts of the API's batch answers this page reads (see the API's Swagger at /docs). */
export interface BatchSummary {
  readonly batchId: string;
  readonly origin:
    | { readonly kind: 'collected'; readonly kommuneCode: string; readonly collectionScheme: string; readonly collectorOrgId: string }
    | { readonly kind: 'produced'; readonly processId: string; readonly processType: string; readonly organisationId: string }
    | { readonly kind: string; readonly [field: string]: unknown };
  readonly ewcCode: string | null;
  readonly massGrams: number;
  readonly grade: string;
  readonly composition: readonly { readonly fibre: string; readonly share: number }[];
  readonly productType: string | null;
  readonly custodianOrgId: string;
  readonly ownerOrgId: string;
  readonly status: string;
  readonly created: { readonly occurredAt: string };
}

export interface CustodyPoint {
  readonly kind: string;
  readonly occurredAt: string;
}

export interface Custody {
  readonly periods: readonly {
    readonly seq: number;
    readonly organisationId: string;
    readonly from: CustodyPoint;
    readonly to: CustodyPoint | null;
  }[];
}

export interface Provenance {
  readonly massGrams: number;
  readonly cohorts: readonly { readonly originKey: string; readonly month: string; readonly grams: number }[];
  readonly byKommune: readonly { readonly kommuneCode: string; readonly grams: number }[];
  readonly postConsumerGrams: number;
  readonly preConsumerGrams: number;
  readonly virginGrams: number;
  readonly untrackedGrams: number;
  readonly recycledContentBasisPoints: number;
}

export interface Lineage {
  readonly nodes: readonly { readonly batchId: string; readonly depth: number }[];
  readonly edges: readonly {
    readonly parentBatchId: string;
    readonly childBatchId: string;
    readonly grams: number;
    readonly processType: string;
    readonly organisationId: string;
  }[];
  readonly withheld?: { readonly batches: number; readonly edges: number };
}
