import type { BatchStatus, Grade, ReadScope } from '#domain';
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
    /** Whose list: an organisation's lists only what it is party to (docs/security.md). */
    readonly scope: ReadScope,
  ) {}
}

export class GetLineageQuery {
  constructor(
    readonly batchId: string,
    readonly direction: 'upstream' | 'downstream',
    readonly maxDepth: number | undefined,
    readonly asOf: AsOf | undefined,
    /** Nodes outside the viewer's scope are withheld and only counted. */
    readonly scope: ReadScope,
    /** The organisation asking, whose query cost budget pays for the walk (decision 026). */
    readonly requester: string,
  ) {}
}

export class GetProvenanceQuery {
  constructor(
    readonly batchId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}
