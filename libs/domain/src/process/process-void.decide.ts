/**
 * Voiding a completed process (docs/domain.md, decision 011): the intent decision `decideStartVoid`
 * and the re-checks the void driver runs right before it voids an output.
 */
import type { BatchState } from '../batch/batch.state.js';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import type { EventOfType } from '../events.js';
import { assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, assertFollows, type DecisionContext } from '../shared/decision-context.js';
import type { VoidProcess } from './process.commands.js';
import type { ProcessStarted, ProcessVoidStarted, RestoredInput, VoidedOutput } from './process.events.js';
import { isVoided, lastVoid, type ProcessState } from './process.state.js';

export interface LoadedOutput {
  readonly state: BatchState | undefined;
  /** Revision of the last event of the output's stream, as read. */
  readonly revision: number;
  /** Id of the output stream's first event, its BatchProduced. */
  readonly producedEventId: string | undefined;
}

/** What a void is decided on, as read from the process stream and the streams it touches. */
export interface VoidTarget {
  readonly process: ProcessState | undefined;
  /** Id of the stored ProcessCompleted event: what the void corrects. */
  readonly completedEventId: string | undefined;
  /** Keyed by batch id: every output of the process. */
  readonly outputs: ReadonlyMap<string, LoadedOutput>;
  /** Input batch id → id of the BatchConsumed event this process appended to it. */
  readonly consumedEventIds: ReadonlyMap<string, string>;
}

export type VoidOutputCheck = { kind: 'void' } | { kind: 'already-voided' } | { kind: 'reject'; code: string; reason: string };

/**
 * Whether an output can be voided now. The void undoes the process exactly as it was recorded, so
 * every output must still be what the process made: available (not consumed, in transit or closed),
 * held by the organisation that ran the process, and never re-weighed since (a receipt or a mass
 * correction would leave a weighing difference behind that no longer belongs to anything).
 */
export function checkVoidOutput(
  state: BatchState | undefined,
  output: Pick<VoidedOutput, 'batchId' | 'producedEventId'>,
  processId: string,
  attempt: number,
  organisationId: string,
): VoidOutputCheck {
  if (!state) return { kind: 'reject', code: 'output-not-available', reason: `output batch ${output.batchId} does not exist` };
  if (state.status === 'voided' && state.voidedBy?.processId === processId && state.voidedBy.attempt === attempt) return { kind: 'already-voided' };
  if (state.status !== 'available') {
    return { kind: 'reject', code: 'output-not-available', reason: `output batch ${output.batchId} is ${state.status}, not available` };
  }
  if (state.custodianOrgId !== organisationId) {
    return { kind: 'reject', code: 'output-not-held', reason: `output batch ${output.batchId} is held by organisation ${state.custodianOrgId}, not by ${organisationId}, which ran the process` };
  }
  if (state.massEventId !== output.producedEventId) {
    return { kind: 'reject', code: 'output-reweighed', reason: `output batch ${output.batchId} was re-weighed (event ${state.massEventId}) since the process produced it` };
  }
  return { kind: 'void' };
}

/**
 * Validates a void against the process and every output, and decides its intent. Only the
 * organisation that ran the process may void it: it recorded the process, and it must hold every
 * output, which the void takes out of its stock (the operator and auditors hold no material).
 */
export function decideStartVoid(target: VoidTarget, command: VoidProcess, ctx: DecisionContext): EventOfType<'ProcessVoidStarted'> {
  const { process } = target;
  const processId = command.processId;
  if (!process) throw new NotFoundError('unknown-process', `process ${processId} does not exist`, { processId });
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  const organisationId = process.started.organisationId;
  if (ctx.actor.organisationId !== organisationId) {
    throw new ForbiddenError('not-process-organisation', `only organisation ${organisationId}, which ran process ${processId}, may void it`, { processId });
  }
  const completedEventId = target.completedEventId;
  if (process.status === 'started' || (process.status === 'completed' && completedEventId === undefined)) {
    throw new ConflictError('process-not-completed', `process ${processId} has not completed; only a completed process can be voided`, { processId });
  }
  if (process.status === 'rejected') {
    throw new ConflictError('process-rejected', `process ${processId} was rejected and counted nothing; there is nothing to void`, { processId });
  }
  if (isVoided(process)) throw new ConflictError('process-already-voided', `process ${processId} is already voided`, { processId });
  if (lastVoid(process)?.status === 'started') {
    throw new ConflictError('process-void-in-progress', `process ${processId} is being voided by another command`, { processId });
  }
  if (completedEventId === undefined) throw new Error(`process ${processId} is completed without a completion event`);
  if (command.correctedEventId !== undefined && command.correctedEventId !== completedEventId) {
    throw new InvalidCommandError('not-the-completion-event', `a void must name the ProcessCompleted event of process ${processId} (${completedEventId})`, {
      expectedEventId: completedEventId,
    });
  }

  // A void follows the process it undoes, and whatever happened to its outputs since.
  assertFollows(command.occurredAt, { occurredAt: process.started.occurredAt, of: `process ${processId}` });
  for (const [batchId, output] of target.outputs) {
    if (output.state?.latestOccurredAt !== undefined) assertFollows(command.occurredAt, { occurredAt: output.state.latestOccurredAt, of: `output batch ${batchId}` });
  }

  const attempt = process.voids.length;
  const outputs: VoidedOutput[] = process.started.outputs.map(({ batchId, massGrams }) => {
    const loaded = target.outputs.get(batchId);
    const producedEventId = loaded?.producedEventId ?? '';
    const check = checkVoidOutput(loaded?.state, { batchId, producedEventId }, processId, attempt, organisationId);
    if (check.kind !== 'void') {
      const reason = check.kind === 'reject' ? check.reason : `output batch ${batchId} is already voided`;
      throw new ConflictError(check.kind === 'reject' ? check.code : 'output-not-available', reason, { processId, batchId });
    }
    return { batchId, massGrams, producedEventId, expectedRevision: loaded?.revision ?? 0 };
  });
  const inputs: RestoredInput[] = process.started.inputs.map(({ batchId, massGrams }) => {
    const consumedEventId = target.consumedEventIds.get(batchId);
    // A completed, unvoided process holds all its inputs; anything else is a broken stream.
    if (consumedEventId === undefined) {
      throw new ConflictError('input-not-held', `input batch ${batchId} carries no consumption by process ${processId}`, { processId, batchId });
    }
    return { batchId, massGrams, consumedEventId };
  });

  return {
    type: 'ProcessVoidStarted',
    data: {
      processId,
      attempt,
      correctedEventId: completedEventId,
      reason: command.reason,
      organisationId,
      outputs,
      inputs,
      occurredAt: command.occurredAt,
    },
  };
}

/** The void's decisive event: what read models need to un-count the process, from its intent and the void's. */
export function voidedProcess(
  started: ProcessStarted,
  intent: Pick<ProcessVoidStarted, 'processId' | 'attempt' | 'correctedEventId' | 'reason' | 'organisationId' | 'occurredAt'>,
): EventOfType<'ProcessVoided'> {
  return {
    type: 'ProcessVoided',
    data: {
      processId: intent.processId,
      attempt: intent.attempt,
      correctedEventId: intent.correctedEventId,
      reason: intent.reason,
      organisationId: intent.organisationId,
      processType: started.processType,
      processOccurredAt: started.occurredAt,
      inputs: started.inputs.map(({ batchId, massGrams }) => ({ batchId, massGrams })),
      outputs: started.outputs.map(({ batchId, massGrams }) => ({ batchId, massGrams })),
      externalInputs: started.externalInputs,
      losses: started.losses,
      occurredAt: intent.occurredAt,
    },
  };
}
