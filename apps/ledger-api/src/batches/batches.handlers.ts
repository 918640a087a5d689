import { NotFoundError } from '#domain';
import { downstream, getBatch, listBatches, provenance, upstream, type BatchPage, type BatchSummary, type LineageGraph, type ProvenanceView, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { READ_DB } from '../ledger/tokens.js';
import { GetBatchQuery, GetLineageQuery, GetProvenanceQuery, ListBatchesQuery } from './batches.queries.js';

function unknownBatch(batchId: string): NotFoundError {
  return new NotFoundError('unknown-batch', `batch ${batchId} does not exist (or its process has not completed)`, { batchId });
}

@QueryHandler(GetBatchQuery)
export class GetBatchHandler implements IQueryHandler<GetBatchQuery, AsOfAware<BatchSummary>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ batchId, asOf }: GetBatchQuery): Promise<AsOfAware<BatchSummary>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      const batch = await getBatch(db, batchId);
      if (!batch) throw unknownBatch(batchId);
      return batch;
    });
  }
}

@QueryHandler(ListBatchesQuery)
export class ListBatchesHandler implements IQueryHandler<ListBatchesQuery, AsOfAware<BatchPage>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ filter, asOf }: ListBatchesQuery): Promise<AsOfAware<BatchPage>> {
    return this.readModels.at(asOf, this.db, (db) => listBatches(db, filter));
  }
}

@QueryHandler(GetLineageQuery)
export class GetLineageHandler implements IQueryHandler<GetLineageQuery, AsOfAware<LineageGraph>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ batchId, direction, maxDepth, asOf }: GetLineageQuery): Promise<AsOfAware<LineageGraph>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      if (!(await getBatch(db, batchId))) throw unknownBatch(batchId);
      return direction === 'upstream' ? upstream(db, batchId, maxDepth) : downstream(db, batchId, maxDepth);
    });
  }
}

@QueryHandler(GetProvenanceQuery)
export class GetProvenanceHandler implements IQueryHandler<GetProvenanceQuery, AsOfAware<ProvenanceView>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ batchId, asOf }: GetProvenanceQuery): Promise<AsOfAware<ProvenanceView>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      const view = await provenance(db, batchId);
      if (!view) throw unknownBatch(batchId);
      return view;
    });
  }
}
