import { Uuid, type OrganisationFacts } from '#domain';
import type { Organisation } from '#projections';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { AnswersAsOf } from '../ledger/as-of-answer.interceptor.js';
import type { AsOfAware } from '../ledger/as-of-read-models.js';
import { AsOfParams, asOfFrom, type AsOfQuery } from '../ledger/as-of.params.js';
import { generateApiKey } from './api-key.js';
import {
  GetOrganisationQuery,
  ListOrganisationsQuery,
  RegisterOrganisationBody,
  RegisterOrganisationCommand,
  type RegisterOrganisationResult,
} from './organisations.commands.js';
import { Access } from '../access/access-rule.decorator.js';
import { RegisterOrganisationResultSchema, OrganisationListSchema, OrganisationSchema } from './organisations.responses.js';

@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations')
export class OrganisationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(RegisterOrganisationResultSchema, { status: 201, description: 'The organisation and its first key, shown once' })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Register an organisation with its roles (operator only); answers with its API key, once' })
  @ZodApiBody(RegisterOrganisationBody, { example: { name: 'Sortering Midtjylland A/S', roles: ['sorter', 'collector'], sites: [{ name: 'Sorteringshal 2', address: 'Industrivej 12, 7400 Herning' }] } })
  register(
    @Body(new ZodPipe(RegisterOrganisationBody)) body: RegisterOrganisationBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<RegisterOrganisationResult> {
    return this.commands.execute(new RegisterOrganisationCommand(body, actor, meta, generateApiKey().apiKey));
  }

  @Get()
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(OrganisationListSchema, { description: 'Every registered organisation (names are public)' })
  @ApiProblems(400, 401, 429, 503)
  @ApiOperation({ summary: 'All registered organisations' })
  @AnswersAsOf()
  list(@Query(new ZodPipe(AsOfParams)) params: AsOfQuery): Promise<AsOfAware<Organisation[]>> {
    return this.queries.execute(new ListOrganisationsQuery(asOfFrom(params)));
  }

  @Get(':organisationId')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(OrganisationSchema, { description: 'The organisation' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'One organisation' })
  @AnswersAsOf()
  get(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string, @Query(new ZodPipe(AsOfParams)) params: AsOfQuery): Promise<AsOfAware<Organisation>> {
    return this.queries.execute(new GetOrganisationQuery(organisationId, asOfFrom(params)));
  }
}
