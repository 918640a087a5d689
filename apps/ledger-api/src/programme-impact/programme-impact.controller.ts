import { Uuid } from '#domain';
import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../access/access-rule.decorator.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { AnswersAsOf } from '../ledger/as-of-answer.interceptor.js';
import type { AsOfAware } from '../ledger/as-of-read-models.js';
import { asOfFrom } from '../ledger/as-of.params.js';
import { ProgrammeImpactParams, type ProgrammeImpactQueryParams } from './programme-impact.bodies.js';
import { GetProgrammeImpactQuery } from './programme-impact.queries.js';
import { PROGRAMME_IMPACT_EXAMPLE, ProgrammeImpactSchema, type ProgrammeImpactAnswer } from './programme-impact.responses.js';

/** CSV when asked for by `format=csv`, or by an Accept header that names text/csv and not JSON. */
function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0]?.trim().toLowerCase());
  return types.includes('text/csv') && !types.includes('application/json');
}

/**
 * A programme's impact (docs/decisions/043-programme-impact.md): waste used as raw material, reuse,
 * CO2e avoided, organisations and SMEs, where the waste went, and the catalogue's deals. Anyone
 * signed in reads it, as the programme's members (decision 041): these are the figures a programme
 * publishes.
 */
@ApiTags('programmes')
@ApiBearerAuth()
@Controller('programmes')
export class ProgrammeImpactController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':programmeId/impact')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(ProgrammeImpactSchema, {
    description: 'The impact figures of the programme, or of one value chain, for the period (JSON), or as CSV with `format=csv` or `Accept: text/csv`',
    example: PROGRAMME_IMPACT_EXAMPLE,
    alsoAs: { 'text/csv': { schema: { type: 'string', description: 'One figure per line: measure, key, name, grams, tonnes and, for CO2e, the factor set, factor and tonnes CO2e' } } },
  })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({
    summary:
      'Programme impact: tonnes of waste used as raw material (by origin and by member), reuse, t CO2e avoided (factor set in force on each event day, or one named set), organisations and SMEs, circularity of the waste brought in, and matched and traded tonnes of the catalogue (classic symbiosis and via the market); JSON or CSV',
  })
  @ApiQuery({ name: 'from', required: true, description: 'First day, YYYY-MM-DD (Europe/Copenhagen)' })
  @ApiQuery({ name: 'to', required: true, description: 'Last day, YYYY-MM-DD, included' })
  @ApiQuery({ name: 'valueChainId', required: false, description: 'One value chain of the programme: its members only, tagged material not included' })
  @ApiQuery({ name: 'factorSet', required: false, description: 'Compute CO2e under this one factor set (to reproduce a report under a past set); by default each event under the set in force on its day' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiHeader({ name: 'Accept', required: false, description: 'text/csv for the CSV answer (format= wins when both are given)' })
  @AnswersAsOf()
  async impact(
    @Param('programmeId', new ZodPipe(Uuid)) programmeId: string,
    @Query(new ZodPipe(ProgrammeImpactParams)) params: ProgrammeImpactQueryParams,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AsOfAware<ProgrammeImpactAnswer | string>> {
    const csv = wantsCsv(params.format, accept);
    const { from, to, valueChainId, factorSet } = params;
    const answer = await this.queries.execute<GetProgrammeImpactQuery, AsOfAware<ProgrammeImpactAnswer | string>>(
      new GetProgrammeImpactQuery(programmeId, { from, to, valueChainId, factorSet }, csv ? 'csv' : 'json', asOfFrom(params)),
    );
    if (csv) {
      const name = `programme-impact-${programmeId}${valueChainId ? `-${valueChainId}` : ''}-${from}-${to}${factorSet ? `-${factorSet}` : ''}.csv`;
      void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`);
    }
    return answer;
  }
}
