import {
  CURRENT_SCHEMA_VERSION,
  ConflictError,
  checkConsumption,
  processStepEventId,
  streamIds,
  type DomainEvent,
  type ProcessStarted,
} from '#domain';
import { DuplicateEventIdError, WrongExpectedRevisionError, type EventStore, type EventToAppend } from '#event-store';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { eventMetadataOf, resumedMetadata, type CommandMetadata } from '../ledger/command-metadata.js';
import { loadBatch, loadProcess, toDomainEvent } from '../ledger/stream-loader.js';
import { EVENT_STORE } from '../ledger/tokens.js';

export type ProcessOutcome =
  | { status: 'completed'; processId: string; position: number }
  /** `batchId` names the input that was no longer available, when that was the cause. */
  | { status: 'rejected'; processId: string; position: number; reason: string; batchId?: string };

type Step = 'started' | 'consumed' | 'produced' | 'reverted' | 'completed' | 'rejected';

/**
 * Records a process across its own stream and every input and output stream (docs/domain.md), as a
 * process manager with an intent log: ProcessStarted → BatchConsumed… → BatchProduced… →
 * ProcessCompleted, or reverts and ProcessRejected. Every event id derives from (process, step,
 * index), so running the same process again — a client retry, or recovery after a crash — turns the
 * steps already done into no-ops and carries on from where it stopped.
 */
@Injectable()
export class ProcessManager {
  private readonly logger = new Logger(ProcessManager.name);
  /** Serialises runs of one process inside this instance (a request and recovery, say). */
  private readonly running = new Map<string, Promise<ProcessOutcome>>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Appends the intent, then drives it to an end. */
  async start(started: ProcessStarted, meta: CommandMetadata): Promise<ProcessOutcome> {
    const streamId = streamIds.process(started.processId);
    try {
      await this.store.append(streamId, [this.envelope('ProcessStarted', started, 'started', 0, started.processId, meta)], 'no-stream');
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) && !(error instanceof DuplicateEventIdError)) throw error;
    }
    // A successful append does not prove the intent is ours: the event id derives from the process id
    // only, so another command racing with the same client-supplied process id gets the store's
    // idempotent "already there" answer. Whose intent is stored is told by its commandId.
    const existing = await loadProcess(this.store, started.processId);
    if (existing.state?.commandId !== meta.commandId) {
      throw new ConflictError('process-exists', `process ${started.processId} was already recorded by another command`, {
        processId: started.processId,
      });
    }
    return this.drive(started.processId, meta);
  }

  /** Finishes or rejects a process that was started but did not end (start-up and periodic recovery). */
  async resume(processId: string): Promise<ProcessOutcome | undefined> {
    const loaded = await loadProcess(this.store, processId);
    const state = loaded.state;
    if (!state) return undefined;
    const first = loaded.events[0]!;
    return this.drive(processId, resumedMetadata(first));
  }

  private drive(processId: string, meta: CommandMetadata): Promise<ProcessOutcome> {
    const inFlight = this.running.get(processId);
    if (inFlight) return inFlight.then(() => this.driveNow(processId, meta));
    const run = this.driveNow(processId, meta).finally(() => this.running.delete(processId));
    this.running.set(processId, run);
    return run;
  }

  private async driveNow(processId: string, meta: CommandMetadata): Promise<ProcessOutcome> {
    const processStream = await loadProcess(this.store, processId);
    const state = processStream.state;
    if (!state) throw new Error(`process ${processId} has no intent to drive`);
    const endEvent = processStream.events.find((e) => e.type === 'ProcessCompleted' || e.type === 'ProcessRejected');
    if (state.status === 'completed' && endEvent) return { status: 'completed', processId, position: endEvent.position };
    if (state.status === 'rejected' && endEvent) {
      // Whoever sees the rejection finishes its compensation: the driver that ended it may have died
      // before reverting, and another driver (another instance) may have consumed an input after the
      // rejecting driver's revert pass. Reverting is idempotent, so running it again is harmless.
      const position = Math.max(endEvent.position, await this.revertConsumed(state.started, meta));
      const { batchId } = toDomainEvent(endEvent).data as { batchId?: string };
      return { status: 'rejected', processId, position, reason: state.rejectionReason ?? 'rejected', ...(batchId ? { batchId } : {}) };
    }

    const started = state.started;
    for (const [index, input] of started.inputs.entries()) {
      const verdict = await this.consume(started, index, meta);
      if (verdict.kind === 'reject') return this.reject(started, verdict.reason, input.batchId, meta);
    }
    for (const [index, output] of started.outputs.entries()) {
      const data = {
        batchId: output.batchId,
        processId,
        processType: started.processType,
        organisationId: started.organisationId,
        massGrams: output.massGrams,
        grade: output.grade,
        composition: output.composition,
        ...(output.productType !== undefined ? { productType: output.productType } : {}),
        ...(output.application !== undefined ? { application: output.application } : {}),
        ...(output.ewcCode !== undefined ? { ewcCode: output.ewcCode } : {}),
        parents: output.parents,
        occurredAt: started.occurredAt,
      };
      try {
        await this.store.append(streamIds.batch(output.batchId), [this.envelope('BatchProduced', data, 'produced', index, processId, meta)], 'no-stream');
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) && !(error instanceof DuplicateEventIdError)) throw error;
        const existing = await this.store.readStream(streamIds.batch(output.batchId), { maxCount: 1 });
        if (existing[0]?.eventId !== processStepEventId(processId, 'produced', index)) {
          // Another command took the output id between the decision and now. Nothing consumed can
          // stay consumed for a process that cannot produce.
          return this.reject(started, `output batch id ${output.batchId} was taken by another command`, undefined, meta);
        }
      }
    }
    return this.end(started, 'completed', { processId }, meta);
  }

  /** Appends BatchConsumed for one input, re-deciding on a version conflict. */
  private async consume(started: ProcessStarted, index: number, meta: CommandMetadata): Promise<{ kind: 'ok' } | { kind: 'reject'; reason: string }> {
    const input = started.inputs[index]!;
    const eventId = processStepEventId(started.processId, 'consumed', index);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const loaded = await loadBatch(this.store, input.batchId);
      if (loaded.events.some((e) => e.eventId === eventId)) {
        // Our consumption is recorded; it counts only if no revert of ours followed it.
        return loaded.state?.consumedByProcessId === started.processId
          ? { kind: 'ok' }
          : { kind: 'reject', reason: `consumption of input batch ${input.batchId} was already reverted` };
      }
      const check = checkConsumption(loaded.state, input, started.processId, started.organisationId);
      if (check.kind === 'reject') return check;
      if (check.kind === 'already-consumed') return { kind: 'ok' };
      try {
        const data = { batchId: input.batchId, processId: started.processId, massGrams: input.massGrams };
        await this.store.append(streamIds.batch(input.batchId), [this.envelope('BatchConsumed', data, 'consumed', index, started.processId, meta)], loaded.revision);
        return { kind: 'ok' };
      } catch (error) {
        // A duplicate id means another driver of this process (another instance) appended our
        // BatchConsumed after a revision other than the one we read: the re-read above finds it.
        if (error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError) continue;
        throw error;
      }
    }
    return { kind: 'reject', reason: `input batch ${input.batchId} kept changing while the process was recorded` };
  }

  /**
   * Rejection is decided on the process stream first (ProcessRejected at revision 0) and compensated
   * after. Reverting first would be unsafe across instances: another driver that had already seen an
   * input consumed by this process could still append ProcessCompleted, leaving a completed process
   * whose input is available again for a second process (double consumption). Once ProcessRejected
   * is stored, ProcessCompleted can never be, so every revert is final.
   */
  private async reject(started: ProcessStarted, reason: string, batchId: string | undefined, meta: CommandMetadata): Promise<ProcessOutcome> {
    const outcome = await this.end(started, 'rejected', { processId: started.processId, reason, ...(batchId ? { batchId } : {}) }, meta);
    if (outcome.status === 'rejected') this.logger.debug(`process ${started.processId} rejected: ${reason}`);
    return outcome;
  }

  /**
   * Appends BatchConsumptionReverted to every input this process holds, whichever driver consumed it.
   * Only called once ProcessRejected is stored. A driver that consumes an input after this pass read
   * it ends by trying its own end event, which fails, and so runs this pass again. Returns the last
   * position written (-1 if none), so the 409 is answered only once read models have seen the reverts.
   */
  private async revertConsumed(started: ProcessStarted, meta: CommandMetadata): Promise<number> {
    let last = -1;
    for (const [index, input] of started.inputs.entries()) {
      const loaded = await loadBatch(this.store, input.batchId);
      if (loaded.state?.consumedByProcessId !== started.processId) continue;
      const data = { batchId: input.batchId, processId: started.processId };
      const result = await this.store.append(streamIds.batch(input.batchId), [this.envelope('BatchConsumptionReverted', data, 'reverted', index, started.processId, meta)], 'any');
      last = Math.max(last, result.position);
    }
    return last;
  }

  /**
   * The end event expects revision 0 (right after ProcessStarted), so a process ends exactly once:
   * whichever of two concurrent drivers ends it first wins, and the other reports that result.
   */
  private async end(
    started: ProcessStarted,
    step: 'completed' | 'rejected',
    data: { processId: string; reason?: string; batchId?: string },
    meta: CommandMetadata,
  ): Promise<ProcessOutcome> {
    const processId = started.processId;
    const type = step === 'completed' ? 'ProcessCompleted' : 'ProcessRejected';
    let position: number;
    try {
      position = (await this.store.append(streamIds.process(processId), [this.envelope(type, data, step, 0, processId, meta)], 0)).position;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) && !(error instanceof DuplicateEventIdError)) throw error;
      return this.driveNow(processId, meta);
    }
    if (step === 'completed') return { status: 'completed', processId, position };
    const reverted = await this.revertConsumed(started, meta);
    return { status: 'rejected', processId, position: Math.max(position, reverted), reason: data.reason ?? 'rejected', ...(data.batchId ? { batchId: data.batchId } : {}) };
  }

  private envelope(type: DomainEvent['type'], data: unknown, step: Step, index: number, processId: string, meta: CommandMetadata): EventToAppend {
    return {
      eventId: processStepEventId(processId, step, index),
      type,
      schemaVersion: CURRENT_SCHEMA_VERSION[type],
      data,
      metadata: eventMetadataOf(meta),
    };
  }
}
