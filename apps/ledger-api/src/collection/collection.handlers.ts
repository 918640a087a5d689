import { decideCollectBatch, decideRegisterResidualBatch } from '#domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { newIdFor } from '../common/command-meta.decorator.js';
import { BatchCommandRunner, type BatchCommandResult } from '../ledger/batch-command.runner.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { CollectBatchCommand, RegisterResidualBatchCommand } from './collection.commands.js';

@CommandHandler(CollectBatchCommand)
export class CollectBatchHandler implements ICommandHandler<CollectBatchCommand, BatchCommandResult> {
  constructor(
    private readonly batches: BatchCommandRunner,
    private readonly contexts: DecisionContextFactory,
  ) {}

  execute({ body, actor, meta }: CollectBatchCommand): Promise<BatchCommandResult> {
    const batchId = newIdFor(meta, 'batch', body.batchId);
    const command = {
      ...body,
      batchId,
      occurredAt: body.occurredAt ?? this.contexts.now().toISOString(),
      collectorOrgId: body.collectorOrgId ?? actor.organisationId,
    };
    return this.batches.run(batchId, actor, meta, (state, ctx) => decideCollectBatch(state, command, ctx), [command.collectorOrgId], {
      createsStream: true,
    });
  }
}

@CommandHandler(RegisterResidualBatchCommand)
export class RegisterResidualBatchHandler implements ICommandHandler<RegisterResidualBatchCommand, BatchCommandResult> {
  constructor(
    private readonly batches: BatchCommandRunner,
    private readonly contexts: DecisionContextFactory,
  ) {}

  execute({ body, actor, meta }: RegisterResidualBatchCommand): Promise<BatchCommandResult> {
    const batchId = newIdFor(meta, 'batch', body.batchId);
    const command = { ...body, batchId, occurredAt: body.occurredAt ?? this.contexts.now().toISOString() };
    return this.batches.run(batchId, actor, meta, (state, ctx) => decideRegisterResidualBatch(state, command, ctx), [], { createsStream: true });
  }
}
