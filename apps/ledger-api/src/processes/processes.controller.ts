import { Uuid, type OrganisationFacts } from '#domain';
import type { ProcessView } from '#projections';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { AnswersAsOf } from '../ledger/as-of-answer.interceptor.js';
import type { AsOfAware } from '../ledger/as-of-read-models.js';
import { AsOfParams, asOfFrom, type AsOfQuery } from '../ledger/as-of.params.js';
import { GetProcessQuery, RecordProcessBody, RecordProcessCommand, type RecordProcessResult } from './processes.commands.js';
import { Access } from '../access/access-rule.decorator.js';
import { RecordProcessResultSchema, ProcessViewSchema } from './processes.responses.js';

@ApiTags('processes')
@ApiBearerAuth()
@Controller('processes')
export class ProcessesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(RecordProcessResultSchema, { status: 201, description: 'The process completed' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({
    summary: 'Record a process: consumes whole input batches, produces output batches; inputs + external inputs = outputs + losses, to the gram',
  })
  @ZodApiBody(RecordProcessBody, { example: { processType: 'sorting', inputs: [{ batchId: '0195a3c2-7d41-7b8e-9f10-2c4d6e8fb101' }], outputs: [{ massGrams: 247_500, grade: 'reuse', composition: [{ fibre: 'unknown', share: 10_000 }] }, { massGrams: 123_750, grade: 'recycling', composition: [{ fibre: 'cotton', share: 6_000 }, { fibre: 'polyester', share: 4_000 }] }, { massGrams: 33_000, grade: 'residual', composition: [{ fibre: 'unknown', share: 10_000 }], ewcCode: '19 12 08' }], losses: [{ kind: 'moisture-dust', massGrams: 8_250 }], occurredAt: '2025-03-12T10:00:00+01:00' } })
  record(
    @Body(new ZodPipe(RecordProcessBody)) body: RecordProcessBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<RecordProcessResult> {
    return this.commands.execute(new RecordProcessCommand(body, actor, meta));
  }

  @Get(':processId')
  @Access({ kind: 'process', param: 'processId' })
  @ZodApiResponse(ProcessViewSchema, { description: 'The process, with the organisations’ names beside their ids' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'A process: its definition and whether it completed or was rejected' })
  @AnswersAsOf()
  get(@Param('processId', new ZodPipe(Uuid)) processId: string, @Query(new ZodPipe(AsOfParams)) params: AsOfQuery): Promise<AsOfAware<ProcessView>> {
    return this.queries.execute(new GetProcessQuery(processId, asOfFrom(params)));
  }
}
