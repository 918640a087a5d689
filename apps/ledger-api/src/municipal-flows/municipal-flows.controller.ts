import type { MunicipalFlows } from '#projections';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access } from '../access/access-rule.decorator.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { AnswersAsOf } from '../ledger/as-of-answer.interceptor.js';
import type { AsOfAware } from '../ledger/as-of-read-models.js';
import { AS_OF_FIELDS, asOfFrom, oneAsOfAxis } from '../ledger/as-of.params.js';
import { MUNICIPAL_FLOWS_EXAMPLE, MunicipalFlowsAnswerSchema } from './municipal-flows.responses.js';
import { GetMunicipalFlowsQuery } from './municipal-flows.query.js';

const FlowsParams = z
  .object({ quarter: z.coerce.number().int().min(1).max(4).optional() })
  .strict()
  .extend(AS_OF_FIELDS)
  .superRefine(oneAsOfAxis);

/**
 * The flows beside the municipal report, under the report's own path and access rule: whoever may
 * read a kommune's report may read where its textiles went (docs/decisions/036-municipal-flows.md).
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports/municipal')
export class MunicipalFlowsController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':kommuneCode/:year/flows')
  @Access({ kind: 'kommune', param: 'kommuneCode' })
  @ApiOperation({
    summary:
      "Where a kommune's collected textiles went, in exact grams: kommune → collector → first sorter → grade → fate (the circularity buckets); every level sums to what was collected",
  })
  @ApiQuery({ name: 'quarter', required: false, description: '1–4; the whole year without it' })
  @ZodApiResponse(MunicipalFlowsAnswerSchema, { description: 'The flows of the kommune’s collection in that year or quarter', example: MUNICIPAL_FLOWS_EXAMPLE })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @AnswersAsOf()
  flows(
    @Param('kommuneCode', new ZodPipe(z.string().regex(/^\d{4}$/, 'kommune codes have four digits'))) kommuneCode: string,
    @Param('year', new ZodPipe(z.coerce.number().int().min(2000).max(2100))) year: number,
    @Query(new ZodPipe(FlowsParams)) params: z.infer<typeof FlowsParams>,
  ): Promise<AsOfAware<MunicipalFlows>> {
    return this.queries.execute(new GetMunicipalFlowsQuery(kommuneCode, year, params.quarter, asOfFrom(params)));
  }
}
