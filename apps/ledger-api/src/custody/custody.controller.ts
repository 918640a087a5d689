import { Uuid, type OrganisationFacts } from '#domain';
import type { CustodyTimeline } from '#projections';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { BatchCommandResult } from '../ledger/batch-command.runner.js';
import { AnswersAsOf } from '../ledger/as-of-answer.interceptor.js';
import type { AsOfAware } from '../ledger/as-of-read-models.js';
import { AsOfParams, asOfFrom, type AsOfQuery } from '../ledger/as-of.params.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import {
  CancelTransferBody,
  CancelTransferCommand,
  DispatchTransferBody,
  DispatchTransferCommand,
  GetCustodyTimelineQuery,
  ReceiveTransferBody,
  ReceiveTransferCommand,
} from './custody.commands.js';
import { Access } from '../access/access-rule.decorator.js';
import { BatchCommandResultSchema } from '../common/answers.js';
import { CustodyTimelineSchema } from './custody.responses.js';

@ApiTags('custody')
@ApiBearerAuth()
@Controller('batches/:batchId')
export class CustodyController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('dispatch')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(BatchCommandResultSchema, { description: 'The batch is in transit' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @HttpCode(200)
  @ApiOperation({ summary: 'Ship an available batch to another organisation (custodian only)' })
  @ZodApiBody(DispatchTransferBody, { example: { toOrgId: '0195a3c2-7d41-7b8e-9f10-2c4d6e8fa022', massGrams: 412_500, transportDocument: 'CMR 2025-000417', occurredAt: '2025-03-10T09:30:00+01:00' } })
  dispatch(
    @Param('batchId', new ZodPipe(Uuid)) batchId: string,
    @Body(new ZodPipe(DispatchTransferBody)) body: DispatchTransferBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<BatchCommandResult> {
    return this.commands.execute(new DispatchTransferCommand(batchId, body, actor, meta));
  }

  @Post('receive')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(BatchCommandResultSchema, { description: 'The batch was received' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @HttpCode(200)
  @ApiOperation({ summary: 'Take in a batch in transit, weighed on arrival (consignee only)' })
  @ZodApiBody(ReceiveTransferBody, { example: { receivedMassGrams: 411_800, occurredAt: '2025-03-11T07:45:00+01:00' } })
  receive(
    @Param('batchId', new ZodPipe(Uuid)) batchId: string,
    @Body(new ZodPipe(ReceiveTransferBody)) body: ReceiveTransferBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<BatchCommandResult> {
    return this.commands.execute(new ReceiveTransferCommand(batchId, body, actor, meta));
  }

  @Post('cancel-transfer')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(BatchCommandResultSchema, { description: 'The transfer was cancelled' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw (sender) or refuse (consignee) a transfer before receipt' })
  @ZodApiBody(CancelTransferBody, { example: { reason: 'Lorry broke down; the load returns to the sender', occurredAt: '2025-03-10T16:00:00+01:00' } })
  cancel(
    @Param('batchId', new ZodPipe(Uuid)) batchId: string,
    @Body(new ZodPipe(CancelTransferBody)) body: CancelTransferBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<BatchCommandResult> {
    return this.commands.execute(new CancelTransferCommand(batchId, body, actor, meta));
  }

  @Get('custody')
  @Access({ kind: 'batch', param: 'batchId' })
  @ZodApiResponse(CustodyTimelineSchema, { description: 'Custody periods, with the organisations’ names beside their ids' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'Custody periods of a batch: who held it, from when to when' })
  @AnswersAsOf()
  timeline(@Param('batchId', new ZodPipe(Uuid)) batchId: string, @Query(new ZodPipe(AsOfParams)) params: AsOfQuery): Promise<AsOfAware<CustodyTimeline>> {
    return this.queries.execute(new GetCustodyTimelineQuery(batchId, asOfFrom(params)));
  }
}
