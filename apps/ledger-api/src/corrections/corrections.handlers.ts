import { decideCorrectMass } from '#domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { BatchCommandRunner, type BatchCommandResult } from '../ledger/batch-command.runner.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { CorrectMassCommand } from './corrections.commands.js';

@CommandHandler(CorrectMassCommand)
export class CorrectMassHandler implements ICommandHandler<CorrectMassCommand, BatchCommandResult> {
  constructor(
    private readonly batches: BatchCommandRunner,
    private readonly contexts: DecisionContextFactory,
  ) {}

  execute({ batchId, body, actor, meta }: CorrectMassCommand): Promise<BatchCommandResult> {
    const command = { ...body, batchId, occurredAt: body.occurredAt ?? this.contexts.now().toISOString() };
    return this.batches.run(batchId, actor, meta, (state, ctx) => decideCorrectMass(state, command, ctx));
  }
}
