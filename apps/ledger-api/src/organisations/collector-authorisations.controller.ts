import { Uuid, type OrganisationFacts } from '#domain';
import type { CollectorAuthorisationView } from '#projections';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access-rule.decorator.js';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import {
  AuthoriseCollectorBody,
  AuthoriseCollectorCommand,
  ListCollectorAuthorisationsParams,
  ListCollectorAuthorisationsQuery,
  RevokeCollectorAuthorisationBody,
  RevokeCollectorAuthorisationCommand,
  type CollectorAuthorisationResult,
  type ListCollectorAuthorisationsFilter,
} from './collector-authorisations.commands.js';
import { CollectorAuthorisationResultSchema, CollectorAuthorisationListSchema } from './organisations.responses.js';

/** Which collectors may record a municipality's collections (decision 017). */
@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations/:organisationId/collector-authorisations')
export class CollectorAuthorisationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(CollectorAuthorisationResultSchema, { status: 201, description: 'The collector is authorised' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Authorise a collector to record collections for the kommune (the municipality itself only)' })
  @ZodApiBody(AuthoriseCollectorBody, { example: { collectorOrgId: '0195a3c2-7d41-7b8e-9f10-2c4d6e8fa011', reason: 'Tender 2025-07 awarded for kerbside textile collection' } })
  authorise(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Body(new ZodPipe(AuthoriseCollectorBody)) body: AuthoriseCollectorBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<CollectorAuthorisationResult> {
    return this.commands.execute(new AuthoriseCollectorCommand(organisationId, body, actor, meta));
  }

  @Post(':collectorOrgId/revoke')
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(CollectorAuthorisationResultSchema, { description: 'The authorisation was revoked' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @HttpCode(200)
  @ApiOperation({ summary: "Revoke a collector's authorisation (the municipality itself only); its next collection for the kommune is refused" })
  @ZodApiBody(RevokeCollectorAuthorisationBody, { example: { reason: 'Contract ended 2025-12-31' } })
  revoke(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Param('collectorOrgId', new ZodPipe(Uuid)) collectorOrgId: string,
    @Body(new ZodPipe(RevokeCollectorAuthorisationBody)) body: RevokeCollectorAuthorisationBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<CollectorAuthorisationResult> {
    return this.commands.execute(new RevokeCollectorAuthorisationCommand(organisationId, collectorOrgId, body, actor, meta));
  }

  @Get()
  @Access({ kind: 'collector-authorisations', param: 'organisationId' })
  @ZodApiResponse(CollectorAuthorisationListSchema, { description: 'The authorisations the viewer may see, with the collectors’ names' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({
    summary:
      "A municipality's collector authorisations, current and past: who authorised or revoked them, when and why (the municipality, auditors and the operator see all; a collector only those naming it)",
  })
  @ApiQuery({ name: 'collectorOrgId', required: false, description: "only this collector's entries; a collector's own id, whether given or not" })
  list(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Query(new ZodPipe(ListCollectorAuthorisationsParams)) params: ListCollectorAuthorisationsFilter,
  ): Promise<CollectorAuthorisationView[]> {
    return this.queries.execute(new ListCollectorAuthorisationsQuery(organisationId, params.collectorOrgId));
  }
}
