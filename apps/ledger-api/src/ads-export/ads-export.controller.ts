import { ADS_CSV_COLUMNS, PNumber } from '#domain';
import { adsExportCsv, type AdsExport } from '#projections';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Access } from '../access/access-rule.decorator.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { GetAdsExportQuery } from './ads-export.queries.js';
import { AdsExportSchema } from './ads-export.responses.js';

const AdsParams = z.object({ format: z.enum(['json', 'csv']).optional() }).strict();

/** What a receiving site files with Affaldsdatasystemet each year (docs/decisions/039-sites-and-ads-export.md). */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports/ads')
export class AdsExportController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':pNumber/:year')
  @Access({ kind: 'site', param: 'pNumber' })
  @ZodApiResponse(AdsExportSchema, {
    description: 'The ADS-ready annual export (JSON), or as CSV in ADS’s field order with `format=csv` or `Accept: text/csv`',
    alsoAs: { 'text/csv': { schema: { type: 'string', description: 'The same rows as CSV: `;`, decimal comma, CRLF' } } },
  })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({
    summary:
      "A receiving site's annual ADS report by P-number: one row per origin kommune, EAK code, fraction, treatment (R/D) and measurement method, in tonnes, reconciled to the gram with the site's mass balance (the site's organisation, auditors, the operator)",
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async export(
    @Param('pNumber', new ZodPipe(PNumber)) pNumber: string,
    @Param('year', new ZodPipe(z.coerce.number().int().min(2000).max(2100))) year: number,
    @Query(new ZodPipe(AdsParams)) params: z.infer<typeof AdsParams>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AdsExport | string> {
    const report = await this.queries.execute<GetAdsExportQuery, AdsExport>(new GetAdsExportQuery(pNumber, year));
    const accept = String(reply.request.headers.accept ?? '').toLowerCase();
    const csv = params.format === 'csv' || (params.format === undefined && accept.includes('text/csv'));
    if (!csv) return report;
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="ads-${pNumber}-${year}.csv"`);
    return adsExportCsv(report, ADS_CSV_COLUMNS);
  }
}
