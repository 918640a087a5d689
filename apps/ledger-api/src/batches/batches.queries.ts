import type { BatchStatus, Grade } from '#domain';

export class GetBatchQuery {
  constructor(readonly batchId: string) {}
}

export class ListBatchesQuery {
  constructor(
    readonly filter: { custodianOrgId?: string; ownerOrgId?: string; status?: BatchStatus; grade?: Grade | 'unsorted'; limit?: number; after?: string },
  ) {}
}

export class GetLineageQuery {
  constructor(
    readonly batchId: string,
    readonly direction: 'upstream' | 'downstream',
    readonly maxDepth: number | undefined,
  ) {}
}

export class GetProvenanceQuery {
  constructor(readonly batchId: string) {}
}
