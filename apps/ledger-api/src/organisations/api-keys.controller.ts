import { ApiKeyId, Uuid, type OrganisationFacts } from '#domain';
import type { ApiKeyView } from '#projections';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { generateApiKey } from './api-key.js';
import {
  IssueApiKeyBody,
  IssueApiKeyCommand,
  ListApiKeysQuery,
  RevokeApiKeyBody,
  RevokeApiKeyCommand,
  type IssueApiKeyResult,
  type RevokeApiKeyResult,
} from './api-keys.commands.js';
import { Access } from '../access/access-rule.decorator.js';
import { IssueApiKeyResultSchema, RevokeApiKeyResultSchema, ApiKeyListSchema } from './organisations.responses.js';

/** Key management (docs/security.md "Authentication"). */
@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations/:organisationId/api-keys')
export class ApiKeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(IssueApiKeyResultSchema, { status: 201, description: 'The new key, shown once' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({
    summary: 'Issue an API key (operator only); with replacesKeyId, rotate: the old key is revoked in the same step. Answers with the key, once',
  })
  @ZodApiBody(IssueApiKeyBody, { example: { reason: 'Scheduled quarterly key rotation', replacesKeyId: 'k_01HZX3Q5' } })
  issue(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Body(new ZodPipe(IssueApiKeyBody)) body: IssueApiKeyBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<IssueApiKeyResult> {
    return this.commands.execute(new IssueApiKeyCommand(organisationId, body, actor, meta, generateApiKey().apiKey));
  }

  @Post(':keyId/revoke')
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(RevokeApiKeyResultSchema, { description: 'The key was revoked' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @HttpCode(200)
  @ApiOperation({ summary: "Revoke an API key (the operator, or the key's own organisation); it fails at once" })
  @ZodApiBody(RevokeApiKeyBody, { example: { reason: 'Key exposed in a support ticket' } })
  revoke(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Param('keyId', new ZodPipe(ApiKeyId)) keyId: string,
    @Body(new ZodPipe(RevokeApiKeyBody)) body: RevokeApiKeyBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<RevokeApiKeyResult> {
    return this.commands.execute(new RevokeApiKeyCommand(organisationId, keyId, body, actor, meta));
  }

  @Get()
  @Access({ kind: 'organisation', param: 'organisationId' })
  @ZodApiResponse(ApiKeyListSchema, { description: 'The organisation’s keys, never a key or its hash' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: "An organisation's API keys: ids, who issued or revoked them, when and why; never a key or its hash" })
  list(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string): Promise<ApiKeyView[]> {
    return this.queries.execute(new ListApiKeysQuery(organisationId));
  }
}
