import { NotFoundError } from '#domain';
import { downstream, getBatch, listBatches, provenance, upstream, type BatchPage, type BatchSummary, type LineageGraph, type ProvenanceView, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { READ_DB } from '../ledger/tokens.js';
import { GetBatchQuery, GetLineageQuery, GetProvenanceQuery, ListBatchesQuery } from './batches.queries.js';

function unknownBatch(batchId: string): NotFoundError {
  return new NotFoundError('unknown-batch', `batch ${batchId} does not exist (or its process has not completed)`, { batchId });
}

@QueryHandler(GetBatchQuery)
export class GetBatchHandler implements IQueryHandler<GetBatchQuery, BatchSummary> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ batchId }: GetBatchQuery): Promise<BatchSummary> {
    const batch = await getBatch(this.db, batchId);
    if (!batch) throw unknownBatch(batchId);
    return batch;
  }
}

@QueryHandler(ListBatchesQuery)
export class ListBatchesHandler implements IQueryHandler<ListBatchesQuery, BatchPage> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  execute({ filter }: ListBatchesQuery): Promise<BatchPage> {
    return listBatches(this.db, filter);
  }
}

@QueryHandler(GetLineageQuery)
export class GetLineageHandler implements IQueryHandler<GetLineageQuery, LineageGraph> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ batchId, direction, maxDepth }: GetLineageQuery): Promise<LineageGraph> {
    if (!(await getBatch(this.db, batchId))) throw unknownBatch(batchId);
    return direction === 'upstream' ? upstream(this.db, batchId, maxDepth) : downstream(this.db, batchId, maxDepth);
  }
}

@QueryHandler(GetProvenanceQuery)
export class GetProvenanceHandler implements IQueryHandler<GetProvenanceQuery, ProvenanceView> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ batchId }: GetProvenanceQuery): Promise<ProvenanceView> {
    const view = await provenance(this.db, batchId);
    if (!view) throw unknownBatch(batchId);
    return view;
  }
}
