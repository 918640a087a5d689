import { BatchStatus, Grade, Uuid, type OrganisationFacts, type ReadScope } from '#domain';
import type { BatchPage, BatchSummary, ProvenanceView } from '#projections';
import { Actor, ViewerScope } from '../common/actor.js';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { AnswersAsOf } from '../ledger/as-of-answer.interceptor.js';
import type { AsOfAware } from '../ledger/as-of-read-models.js';
import { AS_OF_FIELDS, AsOfParams, asOfFrom, oneAsOfAxis, type AsOfQuery } from '../ledger/as-of.params.js';
import type { LineageView } from './batches.handlers.js';
import { GetBatchQuery, GetLineageQuery, GetProvenanceQuery, ListBatchesQuery } from './batches.queries.js';
import { Access } from '../access/access-rule.decorator.js';
import { BATCH_EXAMPLE, BatchPageSchema, BatchResponseSchema, LineageSchema, ProvenanceSchema } from './batches.responses.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';

const ListBatchesParams = z
  .object({
    custodianOrgId: Uuid.optional(),
    ownerOrgId: Uuid.optional(),
    status: z.enum(['available', 'in-transit', 'consumed', 'closed', 'voided'] satisfies BatchStatus[]).optional(),
    grade: z.union([Grade, z.literal('unsorted')]).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    after: Uuid.optional(),
  })
  .strict()
  .extend(AS_OF_FIELDS)
  .superRefine(oneAsOfAxis);

const LineageParams = z
  .object({
    direction: z.enum(['upstream', 'downstream']).default('upstream'),
    maxDepth: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict()
  .extend(AS_OF_FIELDS)
  .superRefine(oneAsOfAxis);

@ApiTags('batches')
@ApiBearerAuth()
@Controller('batches')
export class BatchesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access({ kind: 'scoped', scope: 'batches' })
  @ZodApiResponse(BatchPageSchema, { description: 'One page of the batches the viewer may list' })
  @ApiProblems(400, 401, 429, 503)
  @ApiOperation({ summary: 'Batches, filtered by custodian, owner, status or grade; paged by `after`. An organisation lists only the batches it holds, held, owns or is the consignee of (a municipality also those collected in its kommune)' })
  @ApiQuery({ name: 'custodianOrgId', required: false })
  @ApiQuery({ name: 'status', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'after', required: false })
  @AnswersAsOf()
  list(@Query(new ZodPipe(ListBatchesParams)) params: z.infer<typeof ListBatchesParams>, @ViewerScope() scope: ReadScope): Promise<AsOfAware<BatchPage>> {
    const { asOf: _asOf, asOfPosition: _asOfPosition, ...filter } = params;
    return this.queries.execute(new ListBatchesQuery(filter, asOfFrom(params), scope));
  }

  @Get(':batchId')
  @Access({ kind: 'batch', param: 'batchId' })
  @ZodApiResponse(BatchResponseSchema, { description: 'The batch, with the organisations’ names beside their ids and each fibre share also in percent', example: BATCH_EXAMPLE })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'A batch: mass, grade, composition, custodian, owner, status, anomalies' })
  @AnswersAsOf()
  get(@Param('batchId', new ZodPipe(Uuid)) batchId: string, @Query(new ZodPipe(AsOfParams)) params: AsOfQuery): Promise<AsOfAware<BatchSummary>> {
    return this.queries.execute(new GetBatchQuery(batchId, asOfFrom(params)));
  }

  @Get(':batchId/lineage')
  @Access({ kind: 'batch', param: 'batchId' })
  @ZodApiResponse(LineageSchema, { description: 'The lineage graph as the viewer may see it' })
  @ApiProblems(400, 401, 404, 422, 429, 503)
  @ApiOperation({
    summary:
      'Parent/child edges with contributed grams, upstream (where from) or downstream (where to), to any depth. Batches the viewer may not see are withheld and only counted (`withheld`). ' +
      'A walk that would collect more than LEDGER_LINEAGE_MAX_NODES batches (10,000) is a 422 `lineage-too-large` problem suggesting a `maxDepth`; the batches walked are charged to the organisation’s query cost budget (429 `query-cost-budget-exhausted` while it is spent)',
  })
  @ApiQuery({ name: 'direction', required: false, enum: ['upstream', 'downstream'] })
  @ApiQuery({ name: 'maxDepth', required: false })
  @AnswersAsOf()
  lineage(
    @Param('batchId', new ZodPipe(Uuid)) batchId: string,
    @Query(new ZodPipe(LineageParams)) params: z.infer<typeof LineageParams>,
    @ViewerScope() scope: ReadScope,
    @Actor() actor: OrganisationFacts,
  ): Promise<AsOfAware<LineageView>> {
    return this.queries.execute(new GetLineageQuery(batchId, params.direction, params.maxDepth, asOfFrom(params), scope, actor.organisationId));
  }

  @Get(':batchId/provenance')
  @Access({ kind: 'batch', param: 'batchId' })
  @ZodApiResponse(ProvenanceSchema, { description: 'Where the batch’s grams came from' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'Origin by cohort (kommune or residual origin × month), post-/pre-consumer grams and recycled content, exact to the gram' })
  @AnswersAsOf()
  provenance(@Param('batchId', new ZodPipe(Uuid)) batchId: string, @Query(new ZodPipe(AsOfParams)) params: AsOfQuery): Promise<AsOfAware<ProvenanceView>> {
    return this.queries.execute(new GetProvenanceQuery(batchId, asOfFrom(params)));
  }
}
