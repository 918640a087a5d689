import {
  CURRENT_SCHEMA_VERSION,
  checkVoidOutput,
  processVoidStepEventId,
  streamIds,
  voidedProcess,
  type DomainEvent,
  type ProcessState,
  type ProcessVoidStarted,
  type VoidStep,
} from '#domain';
import { DuplicateEventIdError, WrongExpectedRevisionError, type EventStore, type EventToAppend, type StoredEvent } from '#event-store';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { eventMetadataOf, resumedMetadata, type CommandMetadata } from '../ledger/command-metadata.js';
import { loadBatch, loadProcess } from '../ledger/stream-loader.js';
import { EVENT_STORE } from '../ledger/tokens.js';

export type VoidOutcome =
  | { status: 'voided'; processId: string; attempt: number; position: number }
  | { status: 'rejected'; processId: string; attempt: number; position: number; reason: string; batchId?: string };

/** The intent could not be appended because the process stream moved on: decide again. */
export const VOID_SUPERSEDED = 'superseded';

type Verdict = { kind: 'ok' } | { kind: 'reject'; reason: string };

/**
 * Voids a completed process across its own stream and every output and input stream (decision 011),
 * as the ProcessManager records processes (decision 002): ProcessVoidStarted → BatchVoided… →
 * ProcessVoided → BatchRestored…, or ProcessVoidRejected → BatchVoidReverted…. Each BatchVoided is
 * appended at the revision at which the output was just re-checked, so an output consumed or
 * dispatched concurrently makes the void fail; every event id derives from (process, attempt, step,
 * index), so a retry or recovery turns the steps already done into no-ops.
 *
 * ProcessVoided is written once every output is voided and before any input is restored: from then
 * on nothing can make the void fail (a voided output takes no commands), so read models apply the
 * whole void at ProcessVoided, and an input becomes usable on the write side only after it.
 */
@Injectable()
export class ProcessVoidManager {
  private readonly logger = new Logger(ProcessVoidManager.name);
  /** Serialises drivers of one process's void inside this instance (a request and recovery, say). */
  private readonly running = new Map<string, Promise<VoidOutcome>>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * Appends the intent right after the process stream revision the decision read, then drives it.
   * Returns VOID_SUPERSEDED when another command's append got there first.
   */
  async start(intent: ProcessVoidStarted, expectedRevision: number, meta: CommandMetadata): Promise<VoidOutcome | typeof VOID_SUPERSEDED> {
    const streamId = streamIds.process(intent.processId);
    try {
      await this.store.append(streamId, [this.envelope('ProcessVoidStarted', intent, intent.processId, intent.attempt, 'started', 0, meta)], expectedRevision);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) && !(error instanceof DuplicateEventIdError)) throw error;
    }
    const loaded = await loadProcess(this.store, intent.processId);
    const stored = loaded.state?.voids.find((v) => v.attempt === intent.attempt);
    if (stored?.commandId !== meta.commandId) return VOID_SUPERSEDED;
    return this.drive(intent.processId, intent.attempt, meta);
  }

  /** Finishes the latest void attempt of a process (start-up and periodic recovery, or a retry). */
  async resume(processId: string): Promise<VoidOutcome | undefined> {
    const loaded = await loadProcess(this.store, processId);
    const attempt = loaded.state?.voids.at(-1);
    if (!attempt) return undefined;
    const intent = intentEvent(loaded.events, attempt.attempt);
    if (!intent) return undefined;
    return this.drive(processId, attempt.attempt, resumedMetadata(intent));
  }

  /** Drives (or reports) one attempt: a retry of the command that started it. */
  driveAttempt(processId: string, attempt: number, meta: CommandMetadata): Promise<VoidOutcome> {
    return this.drive(processId, attempt, meta);
  }

  private drive(processId: string, attempt: number, meta: CommandMetadata): Promise<VoidOutcome> {
    const inFlight = this.running.get(processId);
    if (inFlight) return inFlight.then(() => this.driveNow(processId, attempt, meta));
    const run = this.driveNow(processId, attempt, meta).finally(() => this.running.delete(processId));
    this.running.set(processId, run);
    return run;
  }

  private async driveNow(processId: string, attempt: number, meta: CommandMetadata): Promise<VoidOutcome> {
    const loaded = await loadProcess(this.store, processId);
    const process = loaded.state;
    const state = process?.voids.find((v) => v.attempt === attempt);
    const intentStored = intentEvent(loaded.events, attempt);
    if (!process || !state || !intentStored) throw new Error(`process ${processId} has no void attempt ${attempt} to drive`);
    const intent = state.started;
    const end = loaded.events.find((e) => (e.type === 'ProcessVoided' || e.type === 'ProcessVoidRejected') && (e.data as { attempt: number }).attempt === attempt);
    if (state.status === 'voided' && end) {
      // The driver that ended it may have died before restoring every input; restoring is idempotent.
      const position = Math.max(end.position, await this.restoreInputs(intent, meta));
      return { status: 'voided', processId, attempt, position };
    }
    if (state.status === 'rejected' && end) {
      const position = Math.max(end.position, await this.revertOutputs(intent, meta));
      return { status: 'rejected', processId, attempt, position, reason: state.rejectionReason ?? 'rejected' };
    }

    for (const [index, output] of intent.outputs.entries()) {
      const verdict = await this.voidOutput(intent, index, meta);
      if (verdict.kind === 'reject') return this.end(process, intent, intentStored.revision, { kind: 'rejected', reason: verdict.reason, batchId: output.batchId }, meta);
    }
    return this.end(process, intent, intentStored.revision, { kind: 'voided' }, meta);
  }

  /** Appends BatchVoided to one output, re-checking it on every version conflict. */
  private async voidOutput(intent: ProcessVoidStarted, index: number, meta: CommandMetadata): Promise<Verdict> {
    const output = intent.outputs[index]!;
    const { processId, attempt } = intent;
    const eventId = processVoidStepEventId(processId, attempt, 'voided-output', index);
    for (let round = 0; round < 5; round += 1) {
      const loaded = await loadBatch(this.store, output.batchId);
      if (loaded.events.some((e) => e.eventId === eventId)) {
        // Our BatchVoided is stored; it holds only if no revert of ours followed it.
        const by = loaded.state?.voidedBy;
        return loaded.state?.status === 'voided' && by?.processId === processId && by.attempt === attempt
          ? { kind: 'ok' }
          : { kind: 'reject', reason: `the void of output batch ${output.batchId} was already reverted` };
      }
      const check = checkVoidOutput(loaded.state, output, processId, attempt, intent.organisationId);
      if (check.kind === 'reject') return { kind: 'reject', reason: check.reason };
      if (check.kind === 'already-voided') return { kind: 'ok' };
      try {
        const data = { batchId: output.batchId, processId, attempt, correctedEventId: output.producedEventId, reason: intent.reason, occurredAt: intent.occurredAt };
        await this.store.append(streamIds.batch(output.batchId), [this.envelope('BatchVoided', data, processId, attempt, 'voided-output', index, meta)], loaded.revision);
        return { kind: 'ok' };
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError) continue;
        throw error;
      }
    }
    return { kind: 'reject', reason: `output batch ${output.batchId} kept changing while the void was recorded` };
  }

  /**
   * The end event expects the revision of this attempt's intent, so an attempt ends exactly once. A
   * rejection is decided before it is compensated (as in decision 002): once ProcessVoidRejected is
   * stored no driver can write ProcessVoided, so reverting the voided outputs is final.
   */
  private async end(
    process: ProcessState,
    intent: ProcessVoidStarted,
    intentRevision: number,
    outcome: { kind: 'voided' } | { kind: 'rejected'; reason: string; batchId: string },
    meta: CommandMetadata,
  ): Promise<VoidOutcome> {
    const { processId, attempt } = intent;
    const streamId = streamIds.process(processId);
    let position: number;
    try {
      const event =
        outcome.kind === 'voided'
          ? this.envelope('ProcessVoided', voidedProcess(process.started, intent).data, processId, attempt, 'voided', 0, meta)
          : this.envelope('ProcessVoidRejected', { processId, attempt, reason: outcome.reason, batchId: outcome.batchId }, processId, attempt, 'rejected', 0, meta);
      position = (await this.store.append(streamId, [event], intentRevision)).position;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) && !(error instanceof DuplicateEventIdError)) throw error;
      return this.driveNow(processId, attempt, meta);
    }
    if (outcome.kind === 'voided') {
      return { status: 'voided', processId, attempt, position: Math.max(position, await this.restoreInputs(intent, meta)) };
    }
    this.logger.debug(`void of process ${processId} rejected: ${outcome.reason}`);
    const reverted = await this.revertOutputs(intent, meta);
    return { status: 'rejected', processId, attempt, position: Math.max(position, reverted), reason: outcome.reason, batchId: outcome.batchId };
  }

  /**
   * Appends BatchRestored to every input the process still holds. Only called once ProcessVoided is
   * stored. Nothing else can change a consumed batch, so 'any' is safe, and the id makes a repeat a
   * no-op. Returns the position of the last restore, written now or before (-1 if none), so a retry
   * answers with the same position as the first run.
   */
  private async restoreInputs(intent: ProcessVoidStarted, meta: CommandMetadata): Promise<number> {
    let last = -1;
    for (const [index, input] of intent.inputs.entries()) {
      const loaded = await loadBatch(this.store, input.batchId);
      const done = loaded.events.find((e) => e.eventId === processVoidStepEventId(intent.processId, intent.attempt, 'restored', index));
      if (done) last = Math.max(last, done.position);
      if (loaded.state?.status !== 'consumed' || loaded.state.consumedByProcessId !== intent.processId) continue;
      const data = { batchId: input.batchId, processId: intent.processId, correctedEventId: input.consumedEventId, massGrams: input.massGrams, reason: intent.reason, occurredAt: intent.occurredAt };
      const result = await this.store.append(streamIds.batch(input.batchId), [this.envelope('BatchRestored', data, intent.processId, intent.attempt, 'restored', index, meta)], 'any');
      last = Math.max(last, result.position);
    }
    return last;
  }

  /** Appends BatchVoidReverted to every output this attempt still holds voided. Only after ProcessVoidRejected. */
  private async revertOutputs(intent: ProcessVoidStarted, meta: CommandMetadata): Promise<number> {
    let last = -1;
    for (const [index, output] of intent.outputs.entries()) {
      const loaded = await loadBatch(this.store, output.batchId);
      const done = loaded.events.find((e) => e.eventId === processVoidStepEventId(intent.processId, intent.attempt, 'reverted-output', index));
      if (done) last = Math.max(last, done.position);
      const by = loaded.state?.voidedBy;
      if (loaded.state?.status !== 'voided' || by?.processId !== intent.processId || by.attempt !== intent.attempt) continue;
      const data = { batchId: output.batchId, processId: intent.processId, attempt: intent.attempt };
      const result = await this.store.append(streamIds.batch(output.batchId), [this.envelope('BatchVoidReverted', data, intent.processId, intent.attempt, 'reverted-output', index, meta)], 'any');
      last = Math.max(last, result.position);
    }
    return last;
  }

  private envelope(type: DomainEvent['type'], data: unknown, processId: string, attempt: number, step: VoidStep, index: number, meta: CommandMetadata): EventToAppend {
    return {
      eventId: processVoidStepEventId(processId, attempt, step, index),
      type,
      schemaVersion: CURRENT_SCHEMA_VERSION[type],
      data,
      metadata: eventMetadataOf(meta),
    };
  }
}

function intentEvent(events: readonly StoredEvent[], attempt: number): StoredEvent | undefined {
  return events.find((e) => e.type === 'ProcessVoidStarted' && (e.data as { attempt: number }).attempt === attempt);
}

