import { SiteId, Uuid, type OrganisationFacts } from '#domain';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access-rule.decorator.js';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import {
  AmendSiteBody,
  AmendSiteCommand,
  CloseSiteBody,
  CloseSiteCommand,
  DeclareSiteBody,
  DeclareSiteCommand,
  ListSitesQuery,
  type SiteCommandResult,
} from './sites.commands.js';
import type { SiteList } from './sites.handlers.js';
import { SiteCommandResultSchema, SiteListSchema } from './sites.responses.js';

/** An organisation's sites: declared, amended and closed by events (docs/decisions/039-sites-and-ads-export.md). */
@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations/:organisationId/sites')
export class SitesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(SiteCommandResultSchema, { status: 201, description: 'The site is declared' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Declare a site: name, address, kommune, and for a Danish production unit its P-number (the organisation itself, or the operator)' })
  @ZodApiBody(DeclareSiteBody, { example: { name: 'Sorteringshal Herning', address: 'Industrivej 12, 7400 Herning', kommuneCode: '0657', pNumber: '1012345678', latitude: 56.1393, longitude: 8.9738 } })
  declare(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Body(new ZodPipe(DeclareSiteBody)) body: DeclareSiteBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<SiteCommandResult> {
    return this.commands.execute(new DeclareSiteCommand(organisationId, body, actor, meta));
  }

  @Post(':siteId/amend')
  @Access({ kind: 'write', acts: 'administration' })
  @HttpCode(200)
  @ZodApiResponse(SiteCommandResultSchema, { description: 'The site’s description is replaced from now on' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: "Amend an open site: its whole description, with a reason (what it recorded before stays as it was)" })
  @ZodApiBody(AmendSiteBody, { example: { name: 'Sorteringshal Herning', address: 'Industrivej 14, 7400 Herning', kommuneCode: '0657', pNumber: '1012345678', reason: 'New street number' } })
  amend(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Param('siteId', new ZodPipe(SiteId)) siteId: string,
    @Body(new ZodPipe(AmendSiteBody)) body: AmendSiteBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<SiteCommandResult> {
    return this.commands.execute(new AmendSiteCommand(organisationId, siteId, body, actor, meta));
  }

  @Post(':siteId/close')
  @Access({ kind: 'write', acts: 'administration' })
  @HttpCode(200)
  @ZodApiResponse(SiteCommandResultSchema, { description: 'The site is closed: no new receipt, process or outcome may name it' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Close a site (it stays in the history and in its exports)' })
  @ZodApiBody(CloseSiteBody, { example: { reason: 'Lease ended 2025-12-31' } })
  close(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Param('siteId', new ZodPipe(SiteId)) siteId: string,
    @Body(new ZodPipe(CloseSiteBody)) body: CloseSiteBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<SiteCommandResult> {
    return this.commands.execute(new CloseSiteCommand(organisationId, siteId, body, actor, meta));
  }

  @Get()
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(SiteListSchema, { description: 'The organisation’s sites; address and position only for the organisation itself, auditors and the operator' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: "An organisation's sites, open and closed, with kommune and P-number (anyone signed in: how firms find a partner)" })
  list(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string, @Actor() actor: OrganisationFacts): Promise<SiteList> {
    return this.queries.execute(new ListSitesQuery(organisationId, actor));
  }
}
