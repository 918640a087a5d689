import { Uuid, type OrganisationFacts } from '#domain';
import type { CollectorAuthorisationView } from '#projections';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access-rule.decorator.js';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ZodApiBody } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import {
  AuthoriseCollectorBody,
  AuthoriseCollectorCommand,
  ListCollectorAuthorisationsQuery,
  RevokeCollectorAuthorisationBody,
  RevokeCollectorAuthorisationCommand,
  type CollectorAuthorisationResult,
} from './collector-authorisations.commands.js';

/** Which collectors may record a municipality's collections (issue 5 §1; decision 017). */
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
  @ApiOperation({ summary: 'Authorise a collector to record collections for the kommune (the municipality itself only)' })
  @ZodApiBody(AuthoriseCollectorBody)
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
  @HttpCode(200)
  @ApiOperation({ summary: "Revoke a collector's authorisation (the municipality itself only); its next collection for the kommune is refused" })
  @ZodApiBody(RevokeCollectorAuthorisationBody)
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
  @Access({ kind: 'authenticated' })
  @ApiOperation({ summary: "A municipality's collector authorisations, current and past: who authorised or revoked them, when and why" })
  list(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string): Promise<CollectorAuthorisationView[]> {
    return this.queries.execute(new ListCollectorAuthorisationsQuery(organisationId));
  }
}
