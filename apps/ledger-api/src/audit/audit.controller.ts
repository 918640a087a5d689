import { Uuid, type ReadScope } from '#domain';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ViewerScope } from '../common/actor.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { AsOfParams, asOfFrom, type AsOfQuery } from '../ledger/as-of.params.js';
import type { VisibleBatchHistory } from './audit.handlers.js';
import { GetBatchHistoryQuery } from './audit.queries.js';
import { Access } from '../access/access-rule.decorator.js';
import { BatchHistorySchema } from './audit.responses.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('batches/:batchId/history')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access({ kind: 'batch', param: 'batchId' })
  @ZodApiResponse(BatchHistorySchema, { description: 'The batch’s events as the viewer may see them' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({
    summary: "A batch's events in order, as the ledger knew them at a recorded time (asOf) or log position (asOfPosition); the answer names the axis used",
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant, compared with each event’s recordedAt' })
  @ApiQuery({ name: 'asOfPosition', required: false, description: 'global log position, inclusive' })
  history(
    @Param('batchId', new ZodPipe(Uuid)) batchId: string,
    @Query(new ZodPipe(AsOfParams)) params: AsOfQuery,
    @ViewerScope() scope: ReadScope,
  ): Promise<VisibleBatchHistory> {
    return this.queries.execute(new GetBatchHistoryQuery(batchId, asOfFrom(params), scope));
  }
}
