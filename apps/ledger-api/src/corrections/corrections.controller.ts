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
import { CorrectMassBody, CorrectMassCommand, VoidProcessBody, VoidProcessCommand, type VoidProcessResult } from './corrections.commands.js';
import { Access } from '../access/access-rule.decorator.js';
import { BatchCommandResultSchema } from '../common/answers.js';
import { VoidProcessResultSchema } from './corrections.responses.js';

@ApiTags('corrections')
@ApiBearerAuth()
@Controller('batches/:batchId')
export class CorrectionsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('mass-corrections')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(BatchCommandResultSchema, { description: 'The mass was corrected' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Correct the mass of an available batch: a new event naming the event it corrects, with a reason (events are never edited)',
  })
  @ZodApiBody(CorrectMassBody, { example: { correctedEventId: '0195a3c2-7d41-7b8e-9f10-2c4d6e8fc301', massGrams: 409_900, reason: 'Weighbridge recalibrated; the receipt was 1.9 kg high', occurredAt: '2025-03-11T09:00:00+01:00' } })
  correct(
    @Param('batchId', new ZodPipe(Uuid)) batchId: string,
    @Body(new ZodPipe(CorrectMassBody)) body: CorrectMassBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<BatchCommandResult> {
    return this.commands.execute(new CorrectMassCommand(batchId, body, actor, meta));
  }
}

/** Corrections of a whole process live here, beside the batch corrections, not with the process queries. */
@ApiTags('corrections')
@ApiBearerAuth()
@Controller('processes/:processId')
export class ProcessCorrectionsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('void')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(VoidProcessResultSchema, { description: 'The process was voided' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Void a completed process (ProcessVoided, naming its ProcessCompleted, with a reason): its outputs become voided and its inputs available again. ' +
      'Only the organisation that ran it, and only while it still holds every output unused and as produced',
  })
  @ZodApiBody(VoidProcessBody, { example: { reason: 'Recorded against the wrong input lot', occurredAt: '2025-03-12T15:00:00+01:00' } })
  voidProcess(
    @Param('processId', new ZodPipe(Uuid)) processId: string,
    @Body(new ZodPipe(VoidProcessBody)) body: VoidProcessBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<VoidProcessResult> {
    return this.commands.execute(new VoidProcessCommand(processId, body, actor, meta));
  }
}
