import { ConflictError, assertProcessBounds, decideStartProcess, processNotVisible, streamIds, type LoadedInput, type RecordProcess } from '#domain';
import type { EventStore } from '#event-store';
import { getProcess, type ProcessView, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { newIdFor } from '../common/command-meta.decorator.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { ProducerGate } from '../ledger/producer-gate.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { loadBatch, loadProcess } from '../ledger/stream-loader.js';
import { EVENT_STORE, READ_DB } from '../ledger/tokens.js';
import { ProcessManager, type ProcessOutcome } from './process-manager.js';
import { ActorSites } from '../sites/actor-sites.js';
import { GetProcessQuery, RecordProcessCommand, type RecordProcessResult } from './processes.commands.js';

@CommandHandler(RecordProcessCommand)
export class RecordProcessHandler implements ICommandHandler<RecordProcessCommand, RecordProcessResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly contexts: DecisionContextFactory,
    private readonly processManager: ProcessManager,
    private readonly readYourWrites: ReadYourWrites,
    private readonly producers: ProducerGate,
    private readonly sites: ActorSites,
  ) {}

  async execute({ body, actor, meta }: RecordProcessCommand): Promise<RecordProcessResult> {
    const processId = newIdFor(meta, 'process', body.processId);
    const command: RecordProcess = {
      ...body,
      processId,
      occurredAt: body.occurredAt ?? this.contexts.now().toISOString(),
      outputs: body.outputs.map((output, index) => ({ ...output, batchId: newIdFor(meta, `output/${index}`, output.batchId) })),
    };
    const outputBatchIds = command.outputs.map((o) => o.batchId);

    const existing = await loadProcess(this.store, processId);
    let outcome: ProcessOutcome | undefined;
    if (existing.state) {
      // A retry of the same command resumes (or reports) it; any other command may not reuse the id.
      if (existing.state.commandId !== meta.commandId) {
        throw new ConflictError('process-exists', `process ${processId} was already recorded`, { processId });
      }
      outcome = await this.processManager.resume(processId);
    } else {
      // Refuse an oversized process before loading any input stream for it.
      assertProcessBounds(command);
      const inputs = new Map<string, LoadedInput>();
      for (const { batchId } of command.inputs) {
        const loaded = await loadBatch(this.store, batchId);
        await this.producers.assertUsable(loaded.state);
        inputs.set(batchId, { state: loaded.state, revision: loaded.revision });
      }
      const existingOutputIds = new Set<string>();
      for (const id of outputBatchIds) {
        if ((await this.store.readStream(streamIds.batch(id), { maxCount: 1 })).length > 0) existingOutputIds.add(id);
      }
      const ctx = { ...(await this.contexts.create(actor)), ...(await this.sites.forCommand(actor.organisationId, command.siteId)) };
      const started = decideStartProcess(inputs, existingOutputIds, command, ctx);
      outcome = await this.processManager.start(started.data, meta);
    }
    if (!outcome) throw new Error(`process ${processId} could not be resumed`);
    await this.readYourWrites.settle(outcome.position);
    if (outcome.status === 'rejected') throw rejectedProcessConflict(outcome);
    return { processId, status: 'completed', outputBatchIds, position: outcome.position, replayed: existing.state !== undefined };
  }
}

/**
 * The losers of a race for one input get one problem type, whichever moment they lost at: before
 * recording their intent (the decision saw the input taken) or after (the process manager found it
 * taken and rejected the process). `processStatus: 'rejected'` tells a client that a rejected
 * process is now on record under its id (decision 020).
 */
function rejectedProcessConflict(outcome: Extract<ProcessOutcome, { status: 'rejected' }>): ConflictError {
  const details = { processId: outcome.processId, processStatus: 'rejected' };
  const message = `process ${outcome.processId} was rejected: ${outcome.reason}`;
  return outcome.batchId
    ? new ConflictError('batch-not-available', message, { ...details, batchId: outcome.batchId })
    : new ConflictError('process-rejected', message, details);
}

@QueryHandler(GetProcessQuery)
export class GetProcessHandler implements IQueryHandler<GetProcessQuery, AsOfAware<ProcessView>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ processId, asOf }: GetProcessQuery): Promise<AsOfAware<ProcessView>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      const process = await getProcess(db, processId);
      if (!process) throw processNotVisible(processId);
      return this.names.beside(process);
    });
  }
}
