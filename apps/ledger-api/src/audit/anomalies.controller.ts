import { Uuid } from '#domain';
import { ANOMALY_KINDS, type AnomalyPage } from '#projections';
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { AnswersAsOf } from '../ledger/as-of-answer.interceptor.js';
import type { AsOfAware } from '../ledger/as-of-read-models.js';
import { AS_OF_FIELDS, oneAsOfAxis } from '../ledger/as-of.params.js';
import { ListAnomaliesQuery } from './anomalies.queries.js';
import { Access } from '../access/access-rule.decorator.js';
import { AnomalyPageSchema } from './audit.responses.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';

const Instant = z.iso.datetime({ offset: true, message: 'an ISO-8601 instant with an offset, e.g. 2026-03-10T12:00:00+01:00 or …Z' });

const ListAnomaliesParams = z
  .object({
    kind: z.enum(ANOMALY_KINDS, { message: `one of ${ANOMALY_KINDS.join(', ')}` }).optional(),
    organisationId: Uuid.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    asOf: Instant.optional(),
    asOfPosition: AS_OF_FIELDS.asOfPosition,
    limit: z.coerce.number().int().min(1).max(500).optional(),
    // Digits only: a coerced number would take "", "1e3" or " 7 " for a cursor.
    after: z
      .string()
      .regex(/^\d{1,15}$/, 'the nextCursor of the previous page')
      .transform(Number)
      .optional(),
  })
  .strict()
  .superRefine(oneAsOfAxis)
  .superRefine((params, ctx) => {
    if (params.from !== undefined && params.to !== undefined && Date.parse(params.from) >= Date.parse(params.to)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must lie after from (the period is [from, to))' });
    }
  });
/** Named apart from the schema: swc's decorator metadata would otherwise give Swagger the schema as the parameter's type. */
type ListAnomaliesInput = z.infer<typeof ListAnomaliesParams>;

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/anomalies')
export class AnomaliesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access({ kind: 'scoped', scope: 'anomalies' })
  @ZodApiResponse(AnomalyPageSchema, { description: 'The anomalies the viewer may see, oldest first, with the organisations’ names beside their ids' })
  @ApiProblems(400, 401, 403, 429, 503)
  @ApiOperation({
    summary:
      'Anomalies in log order: transit discrepancies above the tolerance recorded with each receipt, losses of completed processes above the norm of their type, ' +
      'shipments neither received nor cancelled within the custody-gap hours, and processes unfinished beyond the grace period; paged by `after`',
  })
  @ApiQuery({ name: 'kind', required: false, enum: ANOMALY_KINDS })
  @ApiQuery({ name: 'organisationId', required: false, description: 'anomalies involving this organisation (either party of a transfer, or the process’s organisation)' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO-8601 instant, inclusive, compared with each anomaly’s occurredAt (business time)' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601 instant, exclusive, compared with occurredAt' })
  @ApiQuery({
    name: 'asOf',
    required: false,
    description: 'ISO-8601 instant: only events recorded by then count, and custody gaps and unfinished processes are judged at that instant (default: now, by the ledger’s clock)',
  })
  @ApiQuery({
    name: 'asOfPosition',
    required: false,
    description: 'global log position, inclusive: the anomalies as of that event, judged at the time it was recorded (answered from an as-of replay, like every other query)',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 50' })
  @ApiQuery({ name: 'after', required: false, description: 'the nextCursor of the previous page' })
  @AnswersAsOf()
  list(@Query(new ZodPipe(ListAnomaliesParams)) params: ListAnomaliesInput): Promise<AsOfAware<AnomalyPage>> {
    return this.queries.execute(new ListAnomaliesQuery(params));
  }
}
