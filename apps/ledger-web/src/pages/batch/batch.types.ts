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
    /** How the period ended (`endedBy`: dispatched, consumed, …), or null while it is open. */
    readonly to: { readonly endedBy: string; readonly occurredAt: string } | null;
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

/** The moment an as-of answer was taken at, as the API names it (decision 013). */
export interface AsOfAxis {
  readonly axis: 'latest' | 'position' | 'recordedAt';
  readonly position?: number;
  readonly recordedAt?: string;
}

export interface HistoryEvent {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string | null;
  readonly recordedAt: string;
  readonly actorOrgId: string;
  readonly hash: string;
  readonly corrects: string | null;
  readonly correctedBy: readonly string[];
  readonly withheld: { readonly parents: number } | null;
  /** Only in the audited history: the event's leaf in the Merkle tree of the log. */
  readonly leafHash?: string;
}

/** GET /batches/:id/history, or /audit/batches/:id/history with leaf hashes and their checkpoint. */
export interface BatchHistory {
  readonly batchId: string;
  readonly asOf: AsOfAxis;
  readonly events: readonly HistoryEvent[];
  readonly keyId?: string;
  readonly checkpoint?: { readonly treeSize: number };
}
