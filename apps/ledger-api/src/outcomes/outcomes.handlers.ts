import { decideRecordOutcome, type RecordOutcome } from '#domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { BatchCommandRunner, type BatchCommandResult } from '../ledger/batch-command.runner.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { ActorSites } from '../sites/actor-sites.js';
import { RecordOutcomeCommand } from './outcomes.commands.js';

@CommandHandler(RecordOutcomeCommand)
export class RecordOutcomeHandler implements ICommandHandler<RecordOutcomeCommand, BatchCommandResult> {
  constructor(
    private readonly batches: BatchCommandRunner,
    private readonly contexts: DecisionContextFactory,
    private readonly sites: ActorSites,
  ) {}

  async execute({ batchId, body, actor, meta }: RecordOutcomeCommand): Promise<BatchCommandResult> {
    const command = { ...body, batchId, occurredAt: body.occurredAt ?? this.contexts.now().toISOString() } as RecordOutcome;
    const sites = await this.sites.forCommand(actor.organisationId, command.siteId);
    return this.batches.run(batchId, actor, meta, (state, ctx) => decideRecordOutcome(state, command, { ...ctx, ...sites }));
  }
}
