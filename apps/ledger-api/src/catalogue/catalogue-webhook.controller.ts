import { Uuid, type OrganisationFacts } from '#domain';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access-rule.decorator.js';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { RegisterCatalogueWebhookBody, RemoveCatalogueWebhookBody } from './catalogue-webhook.bodies.js';
import {
  CatalogueWebhookSchema,
  RegisterCatalogueWebhookResultSchema,
  RemoveCatalogueWebhookResultSchema,
  type CatalogueWebhookAnswer,
  type RegisterCatalogueWebhookResult,
  type RemoveCatalogueWebhookResult,
} from './catalogue-webhook.responses.js';
import { CatalogueWebhooks } from './catalogue-webhook.service.js';

/**
 * An organisation's webhook for catalogue matches (docs/decisions/046-symbiosis-catalogue.md,
 * "Webhooks"): each new match it may see is POSTed there, signed with the secret this route answers
 * once. Registering and removing are the organisation's own (or the operator's), decided in the
 * domain; reading is the organisation's, auditors' and the operator's.
 */
@ApiTags('catalogue')
@ApiBearerAuth()
@Controller('organisations/:organisationId/catalogue-webhook')
export class CatalogueWebhookController {
  constructor(private readonly webhooks: CatalogueWebhooks) {}

  // POST, not PUT: the ledger's commands are POSTs (Idempotency-Key, the request audit log), and
  // each registration is a new one, with a new secret.
  @Post()
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(RegisterCatalogueWebhookResultSchema, { status: 201, description: 'Registered (replacing any earlier endpoint and its secret); the secret is in this answer only' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Register the organisation’s webhook for new catalogue matches (http or https; not a private or loopback address). The ledger generates the signing secret and answers it once' })
  @ZodApiBody(RegisterCatalogueWebhookBody, { example: { url: 'https://erp.spinderi-nord.dk/hooks/textile-ledger' } })
  register(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Body(new ZodPipe(RegisterCatalogueWebhookBody)) body: RegisterCatalogueWebhookBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<RegisterCatalogueWebhookResult> {
    return this.webhooks.register(organisationId, body, actor, meta);
  }

  @Get()
  @Access({ kind: 'organisation', param: 'organisationId' })
  @ZodApiResponse(CatalogueWebhookSchema, { description: 'The registration: its URL and when; never the secret' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: 'The organisation’s catalogue webhook: URL, registration id and time, whether active; never the secret' })
  get(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string): Promise<CatalogueWebhookAnswer> {
    return this.webhooks.get(organisationId);
  }

  @Post('remove')
  @Access({ kind: 'write', acts: 'administration' })
  @HttpCode(200)
  @ZodApiResponse(RemoveCatalogueWebhookResultSchema, { description: 'Removed: no more deliveries' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Remove the organisation’s catalogue webhook' })
  @ZodApiBody(RemoveCatalogueWebhookBody, { example: {} })
  remove(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Body(new ZodPipe(RemoveCatalogueWebhookBody)) body: RemoveCatalogueWebhookBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<RemoveCatalogueWebhookResult> {
    return this.webhooks.remove(organisationId, body, actor, meta);
  }
}
