import type { ReadScope } from '#domain';
import type { HistoryAsOf } from '#projections';

export class GetBatchHistoryQuery {
  constructor(
    readonly batchId: string,
    readonly asOf: HistoryAsOf | undefined,
    /** Parents the viewer may not see are withheld from BatchProduced (docs/security.md). */
    readonly scope: ReadScope,
  ) {}
}

/** The batch's history with, for every event, its leaf and audit path against a signed checkpoint. */
export class GetAuditedBatchHistoryQuery {
  constructor(
    readonly batchId: string,
    readonly asOf: HistoryAsOf | undefined,
    readonly scope: ReadScope,
  ) {}
}

export class ListCheckpointsQuery {
  constructor(
    readonly fromTreeSize: number | undefined,
    readonly limit: number,
  ) {}
}

export class GetInclusionProofQuery {
  constructor(
    readonly position: number,
    /** Without one, the proof is against the oldest signed checkpoint that holds the event. */
    readonly treeSize: number | undefined,
  ) {}
}

export class GetConsistencyProofQuery {
  constructor(
    readonly fromSize: number,
    readonly toSize: number,
  ) {}
}
