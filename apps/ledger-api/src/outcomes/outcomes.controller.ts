import { Uuid, type OrganisationFacts } from '#domain';
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { BatchCommandResult } from '../ledger/batch-command.runner.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { RecordOutcomeBody, RecordOutcomeCommand } from './outcomes.commands.js';
import { Access } from '../access/access-rule.decorator.js';
import { BatchCommandResultSchema } from '../common/answers.js';

@ApiTags('outcomes')
@ApiBearerAuth()
@Controller('batches/:batchId')
export class OutcomesController {
  constructor(private readonly commands: CommandBus) {}

  @Post('outcome')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(BatchCommandResultSchema, { description: 'The outcome was recorded' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close an available batch with its outcome: sold-for-reuse, incinerated, landfilled, exported or placed-on-market',
  })
  @ZodApiBody(RecordOutcomeBody, { example: { outcome: 'sold-for-reuse', market: 'export', destinationCountry: 'PL', occurredAt: '2025-03-14T11:00:00+01:00' } })
  record(
    @Param('batchId', new ZodPipe(Uuid)) batchId: string,
    @Body(new ZodPipe(RecordOutcomeBody)) body: RecordOutcomeBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<BatchCommandResult> {
    return this.commands.execute(new RecordOutcomeCommand(batchId, body, actor, meta));
  }
}
