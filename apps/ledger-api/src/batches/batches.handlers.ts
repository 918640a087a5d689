import { batchNotVisible } from '#domain';
import {
  downstream,
  getBatch,
  lineageVisibleTo,
  listBatches,
  provenance,
  upstream,
  type BatchPage,
  type BatchSummary,
  type LineageGraph,
  type ProvenanceView,
  type ReadDb,
  type WithheldSummary,
} from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { READ_DB } from '../ledger/tokens.js';
import { GetBatchQuery, GetLineageQuery, GetProvenanceQuery, ListBatchesQuery } from './batches.queries.js';

/** A lineage graph as the viewer may see it: what it may not see is only counted. */
export type LineageView = LineageGraph & { withheld: WithheldSummary };

@QueryHandler(GetBatchQuery)
export class GetBatchHandler implements IQueryHandler<GetBatchQuery, AsOfAware<BatchSummary>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ batchId, asOf }: GetBatchQuery): Promise<AsOfAware<BatchSummary>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      const batch = await getBatch(db, batchId);
      if (!batch) throw batchNotVisible(batchId);
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

  execute({ filter, asOf, scope }: ListBatchesQuery): Promise<AsOfAware<BatchPage>> {
    return this.readModels.at(asOf, this.db, (db) => listBatches(db, { ...filter, scope }));
  }
}

@QueryHandler(GetLineageQuery)
export class GetLineageHandler implements IQueryHandler<GetLineageQuery, AsOfAware<LineageView>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ batchId, direction, maxDepth, asOf, scope }: GetLineageQuery): Promise<AsOfAware<LineageView>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      if (!(await getBatch(db, batchId))) throw batchNotVisible(batchId);
      const graph = direction === 'upstream' ? await upstream(db, batchId, maxDepth) : await downstream(db, batchId, maxDepth);
      return lineageVisibleTo(this.db, scope, graph);
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
      if (!view) throw batchNotVisible(batchId);
      return view;
    });
  }
}
