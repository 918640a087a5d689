import { Uuid } from '#domain';
import type { CircularityRow, Inventory, MunicipalReport } from '#projections';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { AnswersAsOf } from '../ledger/as-of-answer.interceptor.js';
import type { AsOfAware } from '../ledger/as-of-read-models.js';
import { AS_OF_FIELDS, asOfFrom, oneAsOfAxis } from '../ledger/as-of.params.js';
import { GetCircularityQuery, GetInventoryQuery, GetMunicipalReportQuery, GetNationalReportQuery } from './reports.queries.js';
import { Access } from '../access/access-rule.decorator.js';
import { CIRCULARITY_EXAMPLE, CircularitySchema, MunicipalReportSchema, InventorySchema, NationalReportSchema } from './reports.responses.js';
import type { NationalReportAnswer } from './reports.handlers.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';

const PeriodBound = z.string().regex(/^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/, 'use YYYY, YYYY-Qn or YYYY-MM');
const CircularityParams = z
  .object({
    kommuneCode: z.string().regex(/^\d{4}$/).optional(),
    originKey: z.string().min(3).max(200).optional(),
    period: z.enum(['month', 'quarter', 'year']).default('year'),
    from: PeriodBound.optional(),
    to: PeriodBound.optional(),
  })
  .strict()
  .extend(AS_OF_FIELDS)
  .superRefine(oneAsOfAxis);
const MunicipalParams = z
  .object({ quarter: z.coerce.number().int().min(1).max(4).optional(), format: z.enum(['json', 'csv']).default('json') })
  .strict()
  .extend(AS_OF_FIELDS)
  .superRefine(oneAsOfAxis);
const NationalParams = z
  .object({ format: z.enum(['json', 'csv']).default('json') })
  .strict()
  .extend(AS_OF_FIELDS)
  .superRefine(oneAsOfAxis);
const InventoryParams = z
  .object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() })
  .strict()
  .extend(AS_OF_FIELDS)
  .superRefine(oneAsOfAxis);

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('circularity')
  @Access({ kind: 'scoped', scope: 'circularity' })
  @ZodApiResponse(CircularitySchema, { description: 'Circularity by origin and period; rates as exact fractions and as percentages', example: CIRCULARITY_EXAMPLE })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: 'Circularity buckets and rates per origin key (kommune or residual origin) and month, quarter or year; collected = Σ buckets' })
  @ApiQuery({ name: 'kommuneCode', required: false })
  @ApiQuery({ name: 'originKey', required: false })
  @ApiQuery({ name: 'period', required: false, enum: ['month', 'quarter', 'year'] })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @AnswersAsOf()
  circularity(@Query(new ZodPipe(CircularityParams)) params: z.infer<typeof CircularityParams>): Promise<AsOfAware<{ rows: CircularityRow[] }>> {
    const { asOf: _asOf, asOfPosition: _asOfPosition, ...query } = params;
    return this.queries.execute(new GetCircularityQuery(query, asOfFrom(params)));
  }

  @Get('municipal/:kommuneCode/:year')
  @Access({ kind: 'kommune', param: 'kommuneCode' })
  @ZodApiResponse(MunicipalReportSchema, { description: 'The municipal report (JSON), or as CSV with `format=csv`', alsoAs: { 'text/csv': { schema: { type: 'string', description: 'The same report as CSV' } } } })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: 'Municipal report: collected kg and batches by EWC code and scheme, and what became of them; JSON or CSV' })
  @ApiQuery({ name: 'quarter', required: false })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @AnswersAsOf()
  async municipal(
    @Param('kommuneCode', new ZodPipe(z.string().regex(/^\d{4}$/, 'kommune codes have four digits'))) kommuneCode: string,
    @Param('year', new ZodPipe(z.coerce.number().int().min(2000).max(2100))) year: number,
    @Query(new ZodPipe(MunicipalParams)) params: z.infer<typeof MunicipalParams>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AsOfAware<MunicipalReport | string>> {
    const report = await this.queries.execute<GetMunicipalReportQuery, AsOfAware<MunicipalReport | string>>(
      new GetMunicipalReportQuery(kommuneCode, year, params.quarter, params.format, asOfFrom(params)),
    );
    if (params.format === 'csv') {
      void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="municipal-${kommuneCode}-${year}${params.quarter ? `-Q${params.quarter}` : ''}.csv"`);
    }
    return report;
  }

  @Get('national/:year')
  // Every kommune side by side: more than any one municipality may see, so auditors and the operator only.
  @Access({ kind: 'privileged' })
  @ZodApiResponse(NationalReportSchema, { description: 'The national view (JSON), or as CSV with `format=csv`', alsoAs: { 'text/csv': { schema: { type: 'string', description: 'One line per kommune, then the total (kommune_code DK)' } } } })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: 'National view: every kommune’s collected, prepared for re-use and recycled grams and the other buckets for a year, with the country’s totals; JSON or CSV' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @AnswersAsOf()
  async national(
    @Param('year', new ZodPipe(z.coerce.number().int().min(2000).max(2100))) year: number,
    @Query(new ZodPipe(NationalParams)) params: z.infer<typeof NationalParams>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AsOfAware<NationalReportAnswer | string>> {
    const report = await this.queries.execute<GetNationalReportQuery, AsOfAware<NationalReportAnswer | string>>(new GetNationalReportQuery(year, params.format, asOfFrom(params)));
    if (params.format === 'csv') void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="national-${year}.csv"`);
    return report;
  }

  @Get('inventory/:organisationId')
  @Access({ kind: 'organisation', param: 'organisationId' })
  @ZodApiResponse(InventorySchema, { description: 'The organisation’s mass balance for the period and its stock now' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: "An organisation's stock by grade and its exact mass balance over a period (business time)" })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @AnswersAsOf()
  inventory(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Query(new ZodPipe(InventoryParams)) params: z.infer<typeof InventoryParams>,
  ): Promise<AsOfAware<Inventory>> {
    return this.queries.execute(new GetInventoryQuery(organisationId, params.from, params.to, asOfFrom(params)));
  }
}
