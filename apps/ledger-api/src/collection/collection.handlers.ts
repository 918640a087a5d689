import { actsAsMunicipalityOf, decideCollectBatch, decideRegisterResidualBatch } from '#domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { newIdFor } from '../common/command-meta.decorator.js';
import { BatchCommandRunner, type BatchCommandResult } from '../ledger/batch-command.runner.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { OrganisationDirectory, type CollectorAuthorisationLookup } from '../ledger/organisation-directory.js';
import { ActorSites } from '../sites/actor-sites.js';
import { CollectBatchCommand, RegisterResidualBatchCommand } from './collection.commands.js';

const NOBODY_AUTHORISED: CollectorAuthorisationLookup = () => false;

@CommandHandler(CollectBatchCommand)
export class CollectBatchHandler implements ICommandHandler<CollectBatchCommand, BatchCommandResult> {
  constructor(
    private readonly batches: BatchCommandRunner,
    private readonly contexts: DecisionContextFactory,
    private readonly directory: OrganisationDirectory,
    private readonly sites: ActorSites,
  ) {}

  async execute({ body, actor, meta, collectorAuthorisations }: CollectBatchCommand): Promise<BatchCommandResult> {
    const batchId = newIdFor(meta, 'batch', body.batchId);
    const command = {
      ...body,
      batchId,
      occurredAt: body.occurredAt ?? this.contexts.now().toISOString(),
      collectorOrgId: body.collectorOrgId ?? actor.organisationId,
    };
    // Only a collector acting for another's kommune is asked about: the municipality
    // recording its own collection, and anyone the decision refuses anyway, cost no read.
    const asksAuthorisation = actor.roles.includes('collector') && !actsAsMunicipalityOf(actor, command.kommuneCode);
    const collectorAuthorised = asksAuthorisation ? (collectorAuthorisations ?? (await this.directory.collectorAuthorisations([command.kommuneCode]))) : NOBODY_AUTHORISED;
    const sites = await this.sites.forCommand(actor.organisationId, command.siteId);
    return this.batches.run(batchId, actor, meta, (state, ctx) => decideCollectBatch(state, command, { ...ctx, collectorAuthorised, ...sites }), [command.collectorOrgId], {
      createsStream: true,
    });
  }
}

@CommandHandler(RegisterResidualBatchCommand)
export class RegisterResidualBatchHandler implements ICommandHandler<RegisterResidualBatchCommand, BatchCommandResult> {
  constructor(
    private readonly batches: BatchCommandRunner,
    private readonly contexts: DecisionContextFactory,
    private readonly sites: ActorSites,
  ) {}

  async execute({ body, actor, meta }: RegisterResidualBatchCommand): Promise<BatchCommandResult> {
    const batchId = newIdFor(meta, 'batch', body.batchId);
    const command = { ...body, batchId, occurredAt: body.occurredAt ?? this.contexts.now().toISOString() };
    const sites = await this.sites.forCommand(actor.organisationId, command.siteId);
    return this.batches.run(batchId, actor, meta, (state, ctx) => decideRegisterResidualBatch(state, command, { ...ctx, ...sites }), [], { createsStream: true });
  }
}
