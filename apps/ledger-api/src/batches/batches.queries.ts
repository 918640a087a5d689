import type { BatchStatus, Grade } from '#domain';
import type { AsOf } from '../ledger/as-of-replay.js';

export class GetBatchQuery {
  constructor(
    readonly batchId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}

export class ListBatchesQuery {
  constructor(
    readonly filter: { custodianOrgId?: string; ownerOrgId?: string; status?: BatchStatus; grade?: Grade | 'unsorted'; limit?: number; after?: string },
    readonly asOf: AsOf | undefined,
  ) {}
}

export class GetLineageQuery {
  constructor(
    readonly batchId: string,
    readonly direction: 'upstream' | 'downstream',
    readonly maxDepth: number | undefined,
    readonly asOf: AsOf | undefined,
  ) {}
}

export class GetProvenanceQuery {
  constructor(
    readonly batchId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}
