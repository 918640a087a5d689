import type { OrganisationFacts } from '#domain';
import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ZodApiBody } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { BatchCommandResult } from '../ledger/batch-command.runner.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { CollectBatchBody, CollectBatchCommand, RegisterResidualBatchBody, RegisterResidualBatchCommand } from './collection.commands.js';

@ApiTags('collection')
@ApiBearerAuth()
@Controller('batches')
export class CollectionController {
  constructor(private readonly commands: CommandBus) {}

  @Post('collections')
  @ApiOperation({ summary: 'Record a municipal collection of household textiles (BatchCollected)' })
  @ZodApiBody(CollectBatchBody)
  collect(
    @Body(new ZodPipe(CollectBatchBody)) body: CollectBatchBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<BatchCommandResult> {
    return this.commands.execute(new CollectBatchCommand(body, actor, meta));
  }

  @Post('residuals')
  @ApiOperation({ summary: "Register a business residual offered as another firm's raw material (ResidualBatchRegistered)" })
  @ZodApiBody(RegisterResidualBatchBody)
  registerResidual(
    @Body(new ZodPipe(RegisterResidualBatchBody)) body: RegisterResidualBatchBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<BatchCommandResult> {
    return this.commands.execute(new RegisterResidualBatchCommand(body, actor, meta));
  }
}
