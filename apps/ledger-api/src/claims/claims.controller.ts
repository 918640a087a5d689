import { Uuid, type OrganisationFacts, type ReadScope } from '#domain';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access-rule.decorator.js';
import { Actor, ViewerScope } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { AnswersAsOf } from '../ledger/as-of-answer.interceptor.js';
import type { AsOfAware } from '../ledger/as-of-read-models.js';
import { asOfFrom } from '../ledger/as-of.params.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { ClaimIdParam, ClaimReadParams, ClaimRecycledContentBody, PeriodIdParam, type ClaimReadQuery } from './claims.bodies.js';
import {
  ClaimRecycledContentCommand,
  ClaimsOfBatchQuery,
  ClaimsOfOrganisationQuery,
  ClaimStandardsQuery,
  GetClaimQuery,
  MassBalanceAccountQuery,
  MassBalanceAccountsQuery,
  type ClaimCommandResult,
} from './claims.commands.js';
import type { AccountAnswer, AccountListAnswer, ClaimAnswer, ClaimListAnswer, ClaimStandardsAnswer, OrganisationClaimListAnswer } from './claims.handlers.js';
import {
  ClaimCommandResultSchema,
  ClaimListSchema,
  ClaimSchema,
  ClaimStandardListSchema,
  MassBalanceAccountListSchema,
  MassBalanceAccountSchema,
  OrganisationClaimListSchema,
} from './claims.responses.js';

/** Recycled-content claims and mass-balance credit accounts (docs/decisions/044-recycled-content-claims.md). */
@ApiTags('claims')
@ApiBearerAuth()
@Controller()
export class ClaimsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('claims')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(ClaimCommandResultSchema, { status: 201, description: 'The claim is recorded (for mass balance, with its debit and the credits it booked)' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({
    summary:
      'Claim a recycled share of a batch under a standard (rcs ≥ 5 %, rcs-100 ≥ 95 %, grs ≥ 20 %, grs-label ≥ 50 %) and an ISO 22095 model: physical models up to the batch’s own recycled share, mass balance from the claimant’s credit account for the period (the batch’s owner or custodian; send an Idempotency-Key)',
  })
  @ZodApiBody(ClaimRecycledContentBody, {
    example: {
      claimId: '0190b3a0-7c1e-7d2a-9f00-4b1c2d3e4f50',
      batchId: '0190b39f-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
      standard: 'grs',
      model: 'mass-balance',
      recycledContentBasisPoints: 3000,
      occurredAt: '2026-05-04T10:00:00+02:00',
    },
  })
  claim(
    @Body(new ZodPipe(ClaimRecycledContentBody)) body: ClaimRecycledContentBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<ClaimCommandResult> {
    return this.commands.execute(new ClaimRecycledContentCommand(body, actor, meta));
  }

  @Get('claims/standards')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(ClaimStandardListSchema, { description: 'The standards a claim can name with their thresholds, the chain-of-custody models, and the claim period rule' })
  @ApiProblems(401, 429, 503)
  @ApiOperation({ summary: 'Claim standards, models and the mass-balance period rule (anyone signed in)' })
  standards(): Promise<ClaimStandardsAnswer> {
    return this.queries.execute(new ClaimStandardsQuery());
  }

  @Get('claims/:claimId')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(ClaimSchema, { description: 'The claim as recorded' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'One claim (whoever may see its batch; anyone else gets 404, as for a claim that does not exist)' })
  @AnswersAsOf()
  get(
    @Param('claimId', new ZodPipe(ClaimIdParam)) claimId: string,
    @Query(new ZodPipe(ClaimReadParams)) params: ClaimReadQuery,
    @ViewerScope() scope: ReadScope,
  ): Promise<AsOfAware<ClaimAnswer>> {
    return this.queries.execute(new GetClaimQuery(claimId, scope, asOfFrom(params)));
  }

  @Get('batches/:batchId/claims')
  @Access({ kind: 'batch', param: 'batchId' })
  @ZodApiResponse(ClaimListSchema, { description: 'Every claim on the batch, in log order' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'The recycled-content claims on a batch (whoever may see the batch)' })
  @AnswersAsOf()
  ofBatch(@Param('batchId', new ZodPipe(Uuid)) batchId: string, @Query(new ZodPipe(ClaimReadParams)) params: ClaimReadQuery): Promise<AsOfAware<ClaimListAnswer>> {
    return this.queries.execute(new ClaimsOfBatchQuery(batchId, asOfFrom(params)));
  }

  @Get('organisations/:organisationId/claims')
  @Access({ kind: 'organisation', param: 'organisationId' })
  @ZodApiResponse(OrganisationClaimListSchema, { description: 'Every claim the organisation made, in log order' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: 'The recycled-content claims an organisation made (the organisation itself, auditors, the operator)' })
  @AnswersAsOf()
  ofOrganisation(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string, @Query(new ZodPipe(ClaimReadParams)) params: ClaimReadQuery): Promise<AsOfAware<OrganisationClaimListAnswer>> {
    return this.queries.execute(new ClaimsOfOrganisationQuery(organisationId, asOfFrom(params)));
  }

  @Get('organisations/:organisationId/mass-balance-accounts')
  @Access({ kind: 'organisation', param: 'organisationId' })
  @ZodApiResponse(MassBalanceAccountListSchema, { description: 'The organisation’s accounts that have a movement, the latest period first' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: 'An organisation’s mass-balance credit accounts with their balances (the organisation itself, auditors, the operator)' })
  @AnswersAsOf()
  accounts(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string, @Query(new ZodPipe(ClaimReadParams)) params: ClaimReadQuery): Promise<AsOfAware<AccountListAnswer>> {
    return this.queries.execute(new MassBalanceAccountsQuery(organisationId, asOfFrom(params)));
  }

  @Get('organisations/:organisationId/mass-balance-accounts/:periodId')
  @Access({ kind: 'organisation', param: 'organisationId' })
  @ZodApiResponse(MassBalanceAccountSchema, { description: 'The account for the period with every movement and the balance after it; empty when nothing was booked' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: 'One mass-balance account (period 2026, 2026-Q1 or 2026-03) with its credits, reversals and debits (the organisation itself, auditors, the operator)' })
  @AnswersAsOf()
  account(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Param('periodId', new ZodPipe(PeriodIdParam)) periodId: string,
    @Query(new ZodPipe(ClaimReadParams)) params: ClaimReadQuery,
  ): Promise<AsOfAware<AccountAnswer>> {
    return this.queries.execute(new MassBalanceAccountQuery(organisationId, periodId, asOfFrom(params)));
  }
}
