/**
 * The two checks of the SIGKILL crash harness that read the event log itself (pure functions over
 * the log, so a spec can prove each one fails on a forged log):
 *
 *   1. every acknowledged command is present exactly once;
 *   2. no process is left half-done once recovery has run.
 *
 * "Present exactly once", per kind of command (the harness sends every command with an
 * Idempotency-Key, so the ledger derives its command id, decision 004):
 * - a single-stream command (registration, collection, bulk item, residual, dispatch, receipt,
 *   outcome) appends one fixed list of event types to one stream. Its command id must label exactly
 *   that list, in order, at consecutive revisions of that stream, with the event ids
 *   commandEventId(commandId, i): one more, one fewer or one elsewhere fails.
 * - a process command labels the whole intent log with its command id (recovery drives it on with
 *   the command id of ProcessStarted): exactly one ProcessStarted and one end event on its process
 *   stream; completed: exactly one BatchConsumed on every input stream and one BatchProduced (as
 *   revision 0) on every output stream, and no revert; rejected: every BatchConsumed followed by its
 *   BatchConsumptionReverted, and nothing produced.
 * - acknowledged (2xx) must be present; refused with `process-rejected`, or with a problem naming
 *   `processStatus: rejected` (a race loser rejected after its intent), must be the rejected shape;
 *   any other refusal must have appended nothing; a command still unanswered (in flight at the
 *   kill) may be absent or present, but never partly present.
 * - no event may carry a command id the harness did not send (the ledger's own start-up commands excepted: the operator bootstrap and the seed emission factor sets).
 */
import { commandEventId } from '#domain';

/** What the checks need of a stored event. */
export interface LogEvent {
  readonly position: number;
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: { readonly commandId: string };
}

export type Expectation =
  | { readonly shape: 'single'; readonly streamId: string; readonly types: readonly string[] }
  | { readonly shape: 'process'; readonly processId: string; readonly inputs: readonly string[]; readonly outputs: readonly string[] };

export type Answer = 'pending' | 'acknowledged' | 'refused';

export interface CheckedCommand {
  /** Human-readable, for failure messages: kind, ids, request. */
  readonly label: string;
  readonly commandId: string;
  readonly expect: Expectation;
  readonly answer: Answer;
  /** The problem `code` of a refusal. */
  readonly refusalCode?: string | undefined;
  /**
   * The problem's `processStatus`: `rejected` says a rejected process is on record under the refused
   * command's id (a race loser that lost after recording its intent; its code is the one every loser
   * gets, `batch-not-available`).
   */
  readonly refusalProcessStatus?: string | undefined;
}

export interface CheckOutcome {
  readonly ok: boolean;
  /** The first failures (at most MAX_FAILURES), each naming the command, process or batch. */
  readonly failures: readonly string[];
  readonly failureCount: number;
}

export interface ExactlyOnceOutcome extends CheckOutcome {
  readonly acknowledged: number;
  readonly refused: number;
  readonly pending: number;
  /** Unanswered commands the log already holds (appended before the kill, answer lost). */
  readonly pendingPresent: number;
}

export interface ProcessesOutcome extends CheckOutcome {
  readonly started: number;
  readonly completed: number;
  readonly rejected: number;
}

const MAX_FAILURES = 20;

class Failures {
  readonly list: string[] = [];
  count = 0;

  add(message: string): void {
    this.count += 1;
    if (this.list.length < MAX_FAILURES) this.list.push(message);
  }

  outcome(): CheckOutcome {
    return { ok: this.count === 0, failures: this.list, failureCount: this.count };
  }
}

type Verdict = { kind: 'none' } | { kind: 'complete' } | { kind: 'rejected' } | { kind: 'invalid'; reason: string };

const streamOfBatch = (batchId: string): string => `batch-${batchId}`;
const streamOfProcess = (processId: string): string => `process-${processId}`;

function field(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined;
}

function describe(events: readonly LogEvent[]): string {
  if (events.length === 0) return 'nothing';
  return events.map((e) => `${e.type}@${e.streamId}#${e.revision}`).join(', ');
}

function classifySingle(commandId: string, expect: Extract<Expectation, { shape: 'single' }>, group: readonly LogEvent[]): Verdict {
  if (group.length === 0) return { kind: 'none' };
  const types = group.map((e) => e.type);
  const sameList = types.length === expect.types.length && types.every((t, i) => t === expect.types[i]);
  if (!sameList) return { kind: 'invalid', reason: `expected ${expect.types.join(', ')} once, found ${describe(group)}` };
  for (const [i, event] of group.entries()) {
    if (event.streamId !== expect.streamId) return { kind: 'invalid', reason: `expected its events on ${expect.streamId}, found ${describe(group)}` };
    if (i > 0 && event.revision !== group[i - 1]!.revision + 1) return { kind: 'invalid', reason: `its events are not consecutive: ${describe(group)}` };
    if (event.eventId !== commandEventId(commandId, i)) return { kind: 'invalid', reason: `event ${i} has id ${event.eventId}, not the one derived from the command id` };
  }
  return { kind: 'complete' };
}

function classifyProcess(expect: Extract<Expectation, { shape: 'process' }>, group: readonly LogEvent[]): Verdict {
  if (group.length === 0) return { kind: 'none' };
  const processStream = streamOfProcess(expect.processId);
  const on = (type: string, streamId: string) => group.filter((e) => e.type === type && e.streamId === streamId);
  const started = on('ProcessStarted', processStream);
  const completed = on('ProcessCompleted', processStream);
  const rejected = on('ProcessRejected', processStream);
  if (started.length !== 1) return { kind: 'invalid', reason: `${started.length} ProcessStarted on ${processStream}: ${describe(group)}` };
  if (completed.length + rejected.length === 0) return { kind: 'invalid', reason: `half-done, neither completed nor rejected: ${describe(group)}` };
  if (completed.length + rejected.length > 1) return { kind: 'invalid', reason: `ended more than once: ${describe(group)}` };
  const accounted = new Set<LogEvent>([...started, ...completed, ...rejected]);
  const isCompleted = completed.length === 1;
  for (const input of expect.inputs) {
    const consumed = on('BatchConsumed', streamOfBatch(input)).filter((e) => field(e.data, 'processId') === expect.processId);
    const reverted = on('BatchConsumptionReverted', streamOfBatch(input)).filter((e) => field(e.data, 'processId') === expect.processId);
    consumed.forEach((e) => accounted.add(e));
    reverted.forEach((e) => accounted.add(e));
    if (isCompleted && (consumed.length !== 1 || reverted.length !== 0)) {
      return { kind: 'invalid', reason: `completed, but input ${input} has ${consumed.length} BatchConsumed and ${reverted.length} reverts` };
    }
    if (!isCompleted && (consumed.length > 1 || reverted.length !== consumed.length)) {
      return { kind: 'invalid', reason: `rejected, but input ${input} has ${consumed.length} BatchConsumed and ${reverted.length} reverts` };
    }
  }
  for (const output of expect.outputs) {
    const produced = on('BatchProduced', streamOfBatch(output));
    produced.forEach((e) => accounted.add(e));
    if (isCompleted && (produced.length !== 1 || produced[0]!.revision !== 0)) {
      return { kind: 'invalid', reason: `completed, but output ${output} has ${produced.length} BatchProduced (${describe(produced)})` };
    }
    if (!isCompleted && produced.length !== 0) return { kind: 'invalid', reason: `rejected, but output ${output} was produced` };
  }
  const stray = group.filter((e) => !accounted.has(e));
  if (stray.length > 0) return { kind: 'invalid', reason: `events that belong to no step of this process: ${describe(stray)}` };
  return isCompleted ? { kind: 'complete' } : { kind: 'rejected' };
}

function allowed(command: CheckedCommand): ReadonlyArray<Verdict['kind']> {
  switch (command.answer) {
    case 'acknowledged':
      return ['complete'];
    case 'refused':
      return command.expect.shape === 'process' && (command.refusalCode === 'process-rejected' || command.refusalProcessStatus === 'rejected') ? ['rejected'] : ['none'];
    case 'pending':
      return command.expect.shape === 'process' ? ['none', 'complete', 'rejected'] : ['none', 'complete'];
  }
}

/** Check 1: every acknowledged command is present exactly once (see the header for the precise rule). */
export function checkCommandsExactlyOnce(
  events: readonly LogEvent[],
  commands: readonly CheckedCommand[],
  options: { readonly foreignCommandIds?: ReadonlySet<string> } = {},
): ExactlyOnceOutcome {
  const failures = new Failures();
  const byCommand = new Map<string, LogEvent[]>();
  for (const event of events) {
    const id = event.metadata.commandId;
    const group = byCommand.get(id);
    if (group) group.push(event);
    else byCommand.set(id, [event]);
  }
  const sent = new Set<string>();
  let acknowledged = 0;
  let refused = 0;
  let pending = 0;
  let pendingPresent = 0;
  for (const command of commands) {
    if (sent.has(command.commandId)) failures.add(`${command.label}: the harness sent two commands with command id ${command.commandId}`);
    sent.add(command.commandId);
    const group = byCommand.get(command.commandId) ?? [];
    const verdict = command.expect.shape === 'single' ? classifySingle(command.commandId, command.expect, group) : classifyProcess(command.expect, group);
    if (command.answer === 'acknowledged') acknowledged += 1;
    else if (command.answer === 'refused') refused += 1;
    else {
      pending += 1;
      if (verdict.kind !== 'none') pendingPresent += 1;
    }
    if (verdict.kind === 'invalid') {
      failures.add(`${command.label} (${command.answer}): ${verdict.reason}`);
    } else if (!allowed(command).includes(verdict.kind)) {
      const found = verdict.kind === 'none' ? 'absent from the log' : verdict.kind === 'complete' ? 'recorded' : 'recorded as rejected';
      const refusal = command.refusalCode ? ` (${command.refusalCode})` : '';
      failures.add(`${command.label} (${command.answer}${refusal}): ${found}, expected ${allowed(command).join(' or ')}`);
    }
  }
  for (const [commandId, group] of byCommand) {
    if (sent.has(commandId) || options.foreignCommandIds?.has(commandId)) continue;
    failures.add(`command id ${commandId}, which no client sent, labels ${describe(group)}`);
  }
  return { ...failures.outcome(), acknowledged, refused, pending, pendingPresent };
}

interface ProcessDefinition {
  readonly inputs: ReadonlyArray<{ batchId: string; massGrams: number }>;
  readonly outputs: ReadonlyArray<{ batchId: string; massGrams: number }>;
  readonly externalInputs: ReadonlyArray<{ massGrams: number }>;
  readonly losses: ReadonlyArray<{ massGrams: number }>;
}

function definitionOf(started: LogEvent): ProcessDefinition {
  const data = started.data as Partial<ProcessDefinition>;
  return { inputs: data.inputs ?? [], outputs: data.outputs ?? [], externalInputs: data.externalInputs ?? [], losses: data.losses ?? [] };
}

const grams = (xs: ReadonlyArray<{ massGrams: number }>): bigint => xs.reduce((sum, x) => sum + BigInt(x.massGrams), 0n);

/**
 * Check 2, over the whole log and independent of what clients were told: every ProcessStarted has
 * exactly one end event; a completed process consumed each input exactly once (never reverted) and
 * produced each output as the first event of its stream, and its masses balance to the gram
 * (consumed + external inputs = produced + losses, and each consumption and production has the mass
 * of its intent); every consumption of a rejected process is reverted and it produced nothing; no
 * batch is consumed by two processes; nothing follows the consumption of a batch by a completed
 * process.
 */
export function checkProcesses(events: readonly LogEvent[]): ProcessesOutcome {
  const failures = new Failures();
  const streams = new Map<string, LogEvent[]>();
  for (const event of events) {
    const list = streams.get(event.streamId);
    if (list) list.push(event);
    else streams.set(event.streamId, [event]);
  }
  const ended = new Map<string, 'completed' | 'rejected'>();
  let started = 0;
  let completed = 0;
  let rejected = 0;
  for (const [streamId, list] of streams) {
    if (!streamId.startsWith('process-')) continue;
    const processId = streamId.slice('process-'.length);
    const first = list[0]!;
    if (first.type !== 'ProcessStarted') {
      failures.add(`process ${processId}: its stream begins with ${first.type}`);
      continue;
    }
    started += 1;
    const ends = list.filter((e) => e.type === 'ProcessCompleted' || e.type === 'ProcessRejected');
    if (ends.length !== 1 || list.length !== 2) {
      failures.add(`process ${processId}: half-done or ended twice after recovery: ${describe(list)}`);
      continue;
    }
    const status = ends[0]!.type === 'ProcessCompleted' ? 'completed' : 'rejected';
    ended.set(processId, status);
    if (status === 'completed') completed += 1;
    else rejected += 1;

    const definition = definitionOf(first);
    const involving = (batchId: string, type: string) =>
      (streams.get(streamOfBatch(batchId)) ?? []).filter((e) => e.type === type && field(e.data, 'processId') === processId);
    let consumedGrams = 0n;
    let producedGrams = 0n;
    for (const input of definition.inputs) {
      const consumed = involving(input.batchId, 'BatchConsumed');
      const reverted = involving(input.batchId, 'BatchConsumptionReverted');
      if (status === 'completed') {
        if (consumed.length !== 1 || reverted.length !== 0) {
          failures.add(`process ${processId} completed, but input ${input.batchId} shows ${consumed.length} consumptions and ${reverted.length} reverts`);
          continue;
        }
        const mass = Number(field(consumed[0]!.data, 'massGrams'));
        if (mass !== input.massGrams) failures.add(`process ${processId}: input ${input.batchId} consumed as ${mass} g, its intent says ${input.massGrams} g`);
        consumedGrams += BigInt(mass);
      } else if (consumed.length !== reverted.length || consumed.some((c, i) => reverted[i]!.position < c.position)) {
        failures.add(`process ${processId} rejected, but input ${input.batchId} shows ${consumed.length} consumptions and ${reverted.length} reverts (not all reverted)`);
      }
    }
    for (const output of definition.outputs) {
      const stream = streams.get(streamOfBatch(output.batchId)) ?? [];
      const produced = stream.filter((e) => e.type === 'BatchProduced' && field(e.data, 'processId') === processId);
      if (status === 'rejected') {
        if (produced.length > 0) failures.add(`process ${processId} rejected, but produced output ${output.batchId}`);
        continue;
      }
      if (produced.length !== 1 || stream[0] !== produced[0]) {
        failures.add(`process ${processId} completed, but output ${output.batchId} begins with ${stream[0]?.type ?? 'nothing'} (${produced.length} BatchProduced)`);
        continue;
      }
      const mass = Number(field(produced[0]!.data, 'massGrams'));
      if (mass !== output.massGrams) failures.add(`process ${processId}: output ${output.batchId} produced as ${mass} g, its intent says ${output.massGrams} g`);
      producedGrams += BigInt(mass);
    }
    if (status === 'completed') {
      const inSide = consumedGrams + grams(definition.externalInputs);
      const outSide = producedGrams + grams(definition.losses);
      if (inSide !== outSide) failures.add(`process ${processId}: consumed + external = ${inSide} g, but produced + losses = ${outSide} g`);
    }
  }

  // Every batch: consumed by at most one process at a time, and for good only by a completed one.
  for (const [streamId, list] of streams) {
    if (!streamId.startsWith('batch-')) continue;
    let holder: string | undefined;
    for (const event of list) {
      const processId = field(event.data, 'processId');
      if (event.type === 'BatchProduced' || event.type === 'BatchConsumed' || event.type === 'BatchConsumptionReverted') {
        if (typeof processId !== 'string' || !streams.has(streamOfProcess(processId))) {
          failures.add(`${streamId}: ${event.type} at position ${event.position} names process ${String(processId)}, which was never started`);
          continue;
        }
      }
      if (event.type === 'BatchConsumed') {
        if (holder !== undefined) failures.add(`${streamId}: consumed by process ${String(processId)} while process ${holder} still holds it (double consumption)`);
        holder = processId as string;
      } else if (event.type === 'BatchConsumptionReverted') {
        if (holder !== processId) failures.add(`${streamId}: revert for process ${String(processId)}, but the holder is ${holder ?? 'nobody'}`);
        holder = undefined;
      } else if (holder !== undefined && ended.get(holder) === 'completed') {
        failures.add(`${streamId}: ${event.type} at position ${event.position} after its consumption by completed process ${holder}`);
      }
    }
  }
  return { ...failures.outcome(), started, completed, rejected };
}
