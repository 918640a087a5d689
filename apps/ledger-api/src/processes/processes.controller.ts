import { Uuid, type OrganisationFacts } from '#domain';
import type { ProcessView } from '#projections';
import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ZodApiBody } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { GetProcessQuery, RecordProcessBody, RecordProcessCommand, type RecordProcessResult } from './processes.commands.js';

@ApiTags('processes')
@ApiBearerAuth()
@Controller('processes')
export class ProcessesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Record a process: consumes whole input batches, produces output batches; inputs + external inputs = outputs + losses, to the gram',
  })
  @ZodApiBody(RecordProcessBody)
  record(
    @Body(new ZodPipe(RecordProcessBody)) body: RecordProcessBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<RecordProcessResult> {
    return this.commands.execute(new RecordProcessCommand(body, actor, meta));
  }

  @Get(':processId')
  @ApiOperation({ summary: 'A process: its definition and whether it completed or was rejected' })
  get(@Param('processId', new ZodPipe(Uuid)) processId: string): Promise<ProcessView> {
    return this.queries.execute(new GetProcessQuery(processId));
  }
}
