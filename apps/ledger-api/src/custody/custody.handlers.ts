import { batchNotVisible, decideCancelTransfer, decideDispatchTransfer, decideReceiveTransfer } from '#domain';
import { custodyTimeline, type CustodyTimeline, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { newIdFor } from '../common/command-meta.decorator.js';
import { BatchCommandRunner, type BatchCommandResult } from '../ledger/batch-command.runner.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { READ_DB } from '../ledger/tokens.js';
import { ActorSites } from '../sites/actor-sites.js';
import { CancelTransferCommand, DispatchTransferCommand, GetCustodyTimelineQuery, ReceiveTransferCommand } from './custody.commands.js';

@CommandHandler(DispatchTransferCommand)
export class DispatchTransferHandler implements ICommandHandler<DispatchTransferCommand, BatchCommandResult> {
  constructor(
    private readonly batches: BatchCommandRunner,
    private readonly contexts: DecisionContextFactory,
  ) {}

  execute({ batchId, body, actor, meta }: DispatchTransferCommand): Promise<BatchCommandResult> {
    const command = {
      ...body,
      batchId,
      transferId: newIdFor(meta, 'transfer', body.transferId),
      occurredAt: body.occurredAt ?? this.contexts.now().toISOString(),
    };
    return this.batches.run(batchId, actor, meta, (state, ctx) => decideDispatchTransfer(state, command, ctx), [body.toOrgId]);
  }
}

@CommandHandler(ReceiveTransferCommand)
export class ReceiveTransferHandler implements ICommandHandler<ReceiveTransferCommand, BatchCommandResult> {
  constructor(
    private readonly batches: BatchCommandRunner,
    private readonly contexts: DecisionContextFactory,
    private readonly sites: ActorSites,
  ) {}

  async execute({ batchId, body, actor, meta }: ReceiveTransferCommand): Promise<BatchCommandResult> {
    const command = { ...body, batchId, occurredAt: body.occurredAt ?? this.contexts.now().toISOString() };
    const sites = await this.sites.forCommand(actor.organisationId, command.siteId);
    return this.batches.run(batchId, actor, meta, (state, ctx) => decideReceiveTransfer(state, command, { ...ctx, ...sites }));
  }
}

@CommandHandler(CancelTransferCommand)
export class CancelTransferHandler implements ICommandHandler<CancelTransferCommand, BatchCommandResult> {
  constructor(
    private readonly batches: BatchCommandRunner,
    private readonly contexts: DecisionContextFactory,
  ) {}

  execute({ batchId, body, actor, meta }: CancelTransferCommand): Promise<BatchCommandResult> {
    const command = { ...body, batchId, occurredAt: body.occurredAt ?? this.contexts.now().toISOString() };
    return this.batches.run(batchId, actor, meta, (state, ctx) => decideCancelTransfer(state, command, ctx));
  }
}

@QueryHandler(GetCustodyTimelineQuery)
export class GetCustodyTimelineHandler implements IQueryHandler<GetCustodyTimelineQuery, AsOfAware<CustodyTimeline>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ batchId, asOf }: GetCustodyTimelineQuery): Promise<AsOfAware<CustodyTimeline>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      const timeline = await custodyTimeline(db, batchId);
      if (!timeline) throw batchNotVisible(batchId);
      return this.names.beside(timeline);
    });
  }
}
