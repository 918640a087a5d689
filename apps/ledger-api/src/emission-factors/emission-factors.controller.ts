import { EmissionFactorSetId, type OrganisationFacts } from '#domain';
import type { EmissionFactorSetView } from '#projections';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access-rule.decorator.js';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import {
  EmissionFactorSetInForceQuery,
  GetEmissionFactorSetQuery,
  InForceParams,
  type InForceQuery,
  ListEmissionFactorSetsQuery,
  PublishEmissionFactorSetBody,
  PublishEmissionFactorSetCommand,
  type EmissionFactorSetCommandResult,
} from './emission-factors.commands.js';
import type { EmissionFactorSetList } from './emission-factors.handlers.js';
import { EmissionFactorSetCommandResultSchema, EmissionFactorSetListSchema, EmissionFactorSetSchema } from './emission-factors.responses.js';

/** Emission factor sets as data with a history (docs/decisions/042-emission-factors-as-data.md). */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('emission-factors')
export class EmissionFactorsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(EmissionFactorSetCommandResultSchema, { status: 201, description: 'The set is published' })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Publish an emission factor set (the operator): kg CO2e avoided per kg by route, as exact decimal strings, null when unknown; a set id is published once' })
  @ZodApiBody(PublishEmissionFactorSetBody, {
    example: {
      factorSetId: 'herning-2026',
      validFrom: '2026-01-01',
      factors: [
        { route: 'recycling', kgCo2eAvoidedPerKg: '20.4', baseline: 'incineration', source: 'Tekstilsymbiose Herning brochure', note: 'as stated in the brochure' },
        { route: 'reuse', kgCo2eAvoidedPerKg: null, baseline: 'incineration', source: 'not given', note: 'unknown, never zero' },
      ],
    },
  })
  publish(
    @Body(new ZodPipe(PublishEmissionFactorSetBody)) body: PublishEmissionFactorSetBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<EmissionFactorSetCommandResult> {
    return this.commands.execute(new PublishEmissionFactorSetCommand(body, actor, meta));
  }

  @Get()
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(EmissionFactorSetListSchema, { description: 'Every published set with its factors, the latest valid from first, and the set in force today' })
  @ApiProblems(401, 429, 503)
  @ApiOperation({ summary: 'All emission factor sets with their factors and sources (anyone signed in)' })
  list(): Promise<EmissionFactorSetList> {
    return this.queries.execute(new ListEmissionFactorSetsQuery());
  }

  @Get('in-force')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(EmissionFactorSetSchema, { description: 'The set in force on the date: the latest valid from on or before it' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'The emission factor set in force on a date (anyone signed in)' })
  @ApiQuery({ name: 'on', required: true, example: '2025-06-30', description: 'YYYY-MM-DD' })
  inForce(@Query(new ZodPipe(InForceParams)) params: InForceQuery): Promise<EmissionFactorSetView> {
    return this.queries.execute(new EmissionFactorSetInForceQuery(params.on));
  }

  @Get(':factorSetId')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(EmissionFactorSetSchema, { description: 'The named set with its factors' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'One emission factor set by id (anyone signed in)' })
  get(@Param('factorSetId', new ZodPipe(EmissionFactorSetId)) factorSetId: string): Promise<EmissionFactorSetView> {
    return this.queries.execute(new GetEmissionFactorSetQuery(factorSetId));
  }
}
