import { batchNotVisible, DomainError } from '#domain';
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
import { QUERY_COST, QueryCostBudget } from '../common/cost-budget.js';
import type { LedgerConfig } from '../config/ledger.config.js';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { basisPointsPercent } from '../common/percent.js';
import { LEDGER_CONFIG, READ_DB } from '../ledger/tokens.js';
import { GetBatchQuery, GetLineageQuery, GetProvenanceQuery, ListBatchesQuery } from './batches.queries.js';

/**
 * A batch summary with each fibre share also as a percentage (decision 034): basis points of 10,000
 * are exact hundredths of a percent, so the two always agree.
 */
function withSharePercents(batch: BatchSummary): BatchSummary {
  return { ...batch, composition: batch.composition.map((entry) => ({ ...entry, sharePercent: basisPointsPercent(entry.share) })) };
}

/** A lineage graph as the viewer may see it: what it may not see is only counted. */
export type LineageView = LineageGraph & { withheld: WithheldSummary };

@QueryHandler(GetBatchQuery)
export class GetBatchHandler implements IQueryHandler<GetBatchQuery, AsOfAware<BatchSummary>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ batchId, asOf }: GetBatchQuery): Promise<AsOfAware<BatchSummary>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      const batch = await getBatch(db, batchId);
      if (!batch) throw batchNotVisible(batchId);
      return this.names.beside(withSharePercents(batch));
    });
  }
}

@QueryHandler(ListBatchesQuery)
export class ListBatchesHandler implements IQueryHandler<ListBatchesQuery, AsOfAware<BatchPage>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ filter, asOf, scope }: ListBatchesQuery): Promise<AsOfAware<BatchPage>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      const page = await listBatches(db, { ...filter, scope });
      return this.names.beside({ ...page, items: page.items.map(withSharePercents) });
    });
  }
}

/**
 * A lineage walk stays on the API thread: it visits each batch once, stops at the node cap, yields
 * between slices of its frontier, and is paid for from the organisation's query cost budget, so no
 * walk holds the thread for long and no organisation can keep walking (decision 026).
 */
@QueryHandler(GetLineageQuery)
export class GetLineageHandler implements IQueryHandler<GetLineageQuery, AsOfAware<LineageView>> {
  private readonly maxNodes: number;

  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly budget: QueryCostBudget,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    private readonly names: OrganisationNames,
  ) {
    this.maxNodes = config.heavyQueries.lineageMaxNodes;
  }

  execute({ batchId, direction, maxDepth, asOf, scope, requester }: GetLineageQuery): Promise<AsOfAware<LineageView>> {
    this.budget.admit(requester, 'this lineage walk');
    return this.readModels.at(asOf, this.db, async (db) => {
      if (!(await getBatch(db, batchId))) throw batchNotVisible(batchId);
      const walk = direction === 'upstream' ? upstream : downstream;
      let graph: LineageGraph;
      try {
        graph = await walk(db, batchId, maxDepth, { maxNodes: this.maxNodes });
      } catch (error) {
        // A walk stopped at the cap did collect the cap's worth of batches.
        if (error instanceof DomainError && error.code === 'lineage-too-large') this.budget.charge(requester, this.maxNodes * QUERY_COST.lineageNode);
        throw error;
      }
      this.budget.charge(requester, graph.nodes.length * QUERY_COST.lineageNode);
      return this.names.beside(await lineageVisibleTo(this.db, scope, graph));
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
      return { ...view, recycledContentPercent: basisPointsPercent(view.recycledContentBasisPoints) };
    });
  }
}
