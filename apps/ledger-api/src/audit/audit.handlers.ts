import { NotFoundError } from '#domain';
import { history, type BatchHistory, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { READ_DB } from '../ledger/tokens.js';
import { GetBatchHistoryQuery } from './audit.queries.js';

@QueryHandler(GetBatchHistoryQuery)
export class GetBatchHistoryHandler implements IQueryHandler<GetBatchHistoryQuery, BatchHistory> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ batchId, asOf }: GetBatchHistoryQuery): Promise<BatchHistory> {
    const full = await history(this.db, batchId);
    if (full.events.length === 0) throw new NotFoundError('unknown-batch', `batch ${batchId} has no history`, { batchId });
    return asOf ? history(this.db, batchId, asOf) : full;
  }
}
