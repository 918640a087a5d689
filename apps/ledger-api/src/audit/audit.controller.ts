import { InvalidCommandError, Uuid } from '#domain';
import type { BatchHistory } from '#projections';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { GetBatchHistoryQuery } from './audit.queries.js';

const HistoryParams = z
  .object({
    asOf: z.iso.datetime({ offset: true }).optional(),
    asOfPosition: z.coerce.number().int().min(0).optional(),
  })
  .strict();

@ApiTags('audit')
@ApiBearerAuth()
@Controller('batches/:batchId/history')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: "A batch's events in order, as the ledger knew them at a recorded time (asOf) or log position (asOfPosition); the answer names the axis used",
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant, compared with each event’s recordedAt' })
  @ApiQuery({ name: 'asOfPosition', required: false, description: 'global log position, inclusive' })
  history(@Param('batchId', new ZodPipe(Uuid)) batchId: string, @Query(new ZodPipe(HistoryParams)) params: z.infer<typeof HistoryParams>): Promise<BatchHistory> {
    if (params.asOf !== undefined && params.asOfPosition !== undefined) {
      throw new InvalidCommandError('ambiguous-as-of', 'give either asOf (a recorded time) or asOfPosition (a log position), not both');
    }
    const asOf = params.asOfPosition !== undefined ? { position: params.asOfPosition } : params.asOf !== undefined ? { recordedAt: params.asOf } : undefined;
    return this.queries.execute(new GetBatchHistoryQuery(batchId, asOf));
  }
}
