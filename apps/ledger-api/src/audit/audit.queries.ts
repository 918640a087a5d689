import type { HistoryAsOf } from '#projections';

export class GetBatchHistoryQuery {
  constructor(
    readonly batchId: string,
    readonly asOf: HistoryAsOf | undefined,
  ) {}
}
