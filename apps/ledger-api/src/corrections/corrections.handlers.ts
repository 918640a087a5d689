import { ConflictError, decideCorrectMass, decideStartVoid, lastVoid, streamIds, type LoadedOutput, type ProcessState, type ProcessVoidStarted, type VoidProcess, type VoidTarget } from '#domain';
import type { EventStore } from '#event-store';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { BatchCommandRunner, type BatchCommandResult } from '../ledger/batch-command.runner.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { MassBalanceVoidGuard } from '../ledger/mass-balance-void.guard.js';
import { loadBatch, loadProcess, type LoadedStream } from '../ledger/stream-loader.js';
import { EVENT_STORE } from '../ledger/tokens.js';
import { CorrectMassCommand, VoidProcessCommand, type VoidProcessResult } from './corrections.commands.js';
import { ProcessVoidManager, VOID_SUPERSEDED, type VoidOutcome } from './process-void.manager.js';

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

/** How often a void is decided again when another command's intent got onto the process stream first. */
const MAX_DECISIONS = 3;

@CommandHandler(VoidProcessCommand)
export class VoidProcessHandler implements ICommandHandler<VoidProcessCommand, VoidProcessResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly contexts: DecisionContextFactory,
    private readonly voids: ProcessVoidManager,
    private readonly readYourWrites: ReadYourWrites,
    private readonly massBalance: MassBalanceVoidGuard,
  ) {}

  async execute({ processId, body, actor, meta }: VoidProcessCommand): Promise<VoidProcessResult> {
    const command: VoidProcess = {
      processId,
      reason: body.reason,
      ...(body.correctedEventId !== undefined ? { correctedEventId: body.correctedEventId } : {}),
      occurredAt: body.occurredAt ?? this.contexts.now().toISOString(),
    };
    for (let decision = 0; decision < MAX_DECISIONS; decision += 1) {
      let loaded = await loadProcess(this.store, processId);
      // A retry of this very command (same Idempotency-Key) reports, or finishes, what it started.
      const mine = loaded.state?.voids.find((v) => v.commandId === meta.commandId);
      if (mine) return this.answer(await this.voids.driveAttempt(processId, mine.attempt, meta), mine.started, true);
      if (lastVoid(loaded.state)?.status === 'rejected') {
        // A rejected attempt may still hold an output voided (its driver died before reverting):
        // finish that first, so this decision sees the outputs as they really are.
        await this.voids.resume(processId);
        loaded = await loadProcess(this.store, processId);
      }
      const intent = decideStartVoid(await this.target(processId, loaded), command, await this.contexts.create(actor));
      // A reprocessing process's mass-balance credit leaves its account first (decision 044).
      if (loaded.state) await this.massBalance.reverseCredit(intent.data, loaded.state.started, meta);
      const outcome = await this.voids.start(intent.data, loaded.revision, meta);
      if (outcome !== VOID_SUPERSEDED) return this.answer(outcome, intent.data, false);
    }
    throw new ConflictError('process-void-in-progress', `process ${processId} is being voided by another command`, { processId });
  }

  /** The process, each output as it is now, and the BatchConsumed this process left on each input. */
  private async target(processId: string, loaded: LoadedStream<ProcessState>): Promise<VoidTarget> {
    const outputs = new Map<string, LoadedOutput>();
    const consumedEventIds = new Map<string, string>();
    const started = loaded.state?.started;
    for (const { batchId } of started?.outputs ?? []) {
      const output = await loadBatch(this.store, batchId);
      outputs.set(batchId, { state: output.state, revision: output.revision, producedEventId: output.events[0]?.eventId });
    }
    for (const { batchId } of started?.inputs ?? []) {
      const events = await this.store.readStream(streamIds.batch(batchId));
      const consumed = events.filter((e) => e.type === 'BatchConsumed' && (e.data as { processId: string }).processId === processId).at(-1);
      if (consumed) consumedEventIds.set(batchId, consumed.eventId);
    }
    const completedEventId = loaded.events.find((e) => e.type === 'ProcessCompleted')?.eventId;
    return { process: loaded.state, completedEventId, outputs, consumedEventIds };
  }

  private async answer(outcome: VoidOutcome, intent: ProcessVoidStarted, replayed: boolean): Promise<VoidProcessResult> {
    await this.readYourWrites.settle(outcome.position);
    if (outcome.status === 'rejected') {
      throw new ConflictError('process-void-rejected', `the void of process ${outcome.processId} was rejected: ${outcome.reason}`, {
        processId: outcome.processId,
        ...(outcome.batchId !== undefined ? { batchId: outcome.batchId } : {}),
      });
    }
    return {
      processId: intent.processId,
      status: 'voided',
      correctedEventId: intent.correctedEventId,
      voidedBatchIds: intent.outputs.map((o) => o.batchId),
      restoredBatchIds: intent.inputs.map((i) => i.batchId),
      position: outcome.position,
      replayed,
    };
  }
}
