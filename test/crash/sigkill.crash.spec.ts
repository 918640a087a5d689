import { describe, expect, it } from '@jest/globals';
import { commandEventId } from '#domain';
import { checkCommandsExactlyOnce, checkProcesses, type CheckedCommand, type LogEvent } from '../support/crash-harness.checks.js';
import { formatReport, runCrashHarness } from '../support/crash-harness.js';

/**
 * The SIGKILL crash harness with a small count: the real server as a child process is
 * killed 3 times during a concurrent import with processes; after every restart, acknowledged
 * commands are in the log exactly once, no process is half-done, the log verifies, and the read
 * models equal a fresh rebuild by checksum. `npm run test:crash` runs the same with 25 kills.
 * LEDGER_CRASH_SEED replays a run's choices and kill moments.
 */
describe('SIGKILL crash harness', () => {
  it('passes every check after each of 3 SIGKILLs during a concurrent import', async () => {
    const seed = process.env.LEDGER_CRASH_SEED ? Number(process.env.LEDGER_CRASH_SEED) : undefined;
    const report = await runCrashHarness({ kills: 3, ...(seed !== undefined ? { seed } : {}), minRunMs: 800, maxRunMs: 2_000 });
    if (!report.ok) process.stderr.write(`${formatReport(report)}\n`);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.kills).toBe(3);
    // Three restarts, and once more at the end with every command answered.
    for (const check of report.checks) expect({ check: check.name, passed: check.passed, failed: check.failed }).toEqual({ check: check.name, passed: 4, failed: 0 });
    // The kills really landed on a working import: requests died in flight and were retried.
    expect(report.requests.retriedRequests).toBeGreaterThan(0);
    expect(report.commands.acknowledged).toBeGreaterThan(10);
    expect(report.commands.pending).toBe(0);
    expect(report.processes.completed).toBeGreaterThan(0);
  }, 150_000);
});

// ---- the log checks themselves, on a small log forged by hand ----

const A = 'batch-a';
const B = 'batch-b';
const OUT = 'out-1';
const REJECTED_OUT = 'out-2';

/** A consistent log: two collections, a completed process, a rejected one, a dispatch. */
function consistentLog(): { events: LogEvent[]; commands: CheckedCommand[] } {
  const events: LogEvent[] = [];
  const append = (streamId: string, type: string, data: Record<string, unknown>, commandId: string, index = 0) =>
    events.push({ position: events.length, streamId, revision: events.filter((e) => e.streamId === streamId).length, eventId: commandEventId(commandId, index), type, data, metadata: { commandId } });
  append(`batch-${A}`, 'BatchCollected', { batchId: A, massGrams: 100_000 }, 'c-collect-a');
  append(`batch-${B}`, 'BatchCollected', { batchId: B, massGrams: 50_000 }, 'c-collect-b');
  append('process-p', 'ProcessStarted', { processId: 'p', inputs: [{ batchId: A, massGrams: 100_000 }], externalInputs: [{ massGrams: 5_000 }], outputs: [{ batchId: OUT, massGrams: 95_000 }], losses: [{ massGrams: 10_000 }] }, 'c-process-p');
  append(`batch-${A}`, 'BatchConsumed', { batchId: A, processId: 'p', massGrams: 100_000 }, 'c-process-p');
  append(`batch-${OUT}`, 'BatchProduced', { batchId: OUT, processId: 'p', massGrams: 95_000 }, 'c-process-p');
  append('process-p', 'ProcessCompleted', { processId: 'p' }, 'c-process-p');
  append('process-q', 'ProcessStarted', { processId: 'q', inputs: [{ batchId: B, massGrams: 50_000 }], outputs: [{ batchId: REJECTED_OUT, massGrams: 50_000 }], losses: [] }, 'c-process-q');
  append(`batch-${B}`, 'BatchConsumed', { batchId: B, processId: 'q', massGrams: 50_000 }, 'c-process-q');
  append('process-q', 'ProcessRejected', { processId: 'q', reason: 'test' }, 'c-process-q');
  append(`batch-${B}`, 'BatchConsumptionReverted', { batchId: B, processId: 'q' }, 'c-process-q');
  append(`batch-${OUT}`, 'CustodyTransferDispatched', { batchId: OUT }, 'c-dispatch');
  const commands: CheckedCommand[] = [
    { label: 'collect a', commandId: 'c-collect-a', answer: 'acknowledged', expect: { shape: 'single', streamId: `batch-${A}`, types: ['BatchCollected'] } },
    { label: 'collect b', commandId: 'c-collect-b', answer: 'pending', expect: { shape: 'single', streamId: `batch-${B}`, types: ['BatchCollected'] } },
    { label: 'process p', commandId: 'c-process-p', answer: 'acknowledged', expect: { shape: 'process', processId: 'p', inputs: [A], outputs: [OUT] } },
    { label: 'process q', commandId: 'c-process-q', answer: 'refused', refusalCode: 'process-rejected', expect: { shape: 'process', processId: 'q', inputs: [B], outputs: [REJECTED_OUT] } },
    { label: 'dispatch', commandId: 'c-dispatch', answer: 'acknowledged', expect: { shape: 'single', streamId: `batch-${OUT}`, types: ['CustodyTransferDispatched'] } },
    { label: 'refused before appending', commandId: 'c-refused', answer: 'refused', refusalCode: 'batch-not-available', expect: { shape: 'single', streamId: `batch-${A}`, types: ['BatchSoldForReuse'] } },
    { label: 'never reached the ledger', commandId: 'c-lost', answer: 'pending', expect: { shape: 'process', processId: 'lost', inputs: [A], outputs: ['out-3'] } },
  ];
  return { events, commands };
}

const without = (events: readonly LogEvent[], type: string, streamId: string) => events.filter((e) => !(e.type === type && e.streamId === streamId));
const mapData = (events: readonly LogEvent[], type: string, change: (data: Record<string, unknown>) => Record<string, unknown>) =>
  events.map((e) => (e.type === type ? { ...e, data: change(e.data as Record<string, unknown>) } : e));

describe('the crash harness log checks', () => {
  it('pass a consistent log', () => {
    const { events, commands } = consistentLog();
    const once = checkCommandsExactlyOnce(events, commands);
    expect(once.failures).toEqual([]);
    expect(once).toMatchObject({ ok: true, acknowledged: 3, refused: 2, pending: 2, pendingPresent: 1 });
    expect(checkProcesses(events)).toMatchObject({ ok: true, failures: [], started: 2, completed: 1, rejected: 1 });
  });

  it('check 1 fails when an acknowledged command is missing', () => {
    const { events, commands } = consistentLog();
    const result = checkCommandsExactlyOnce(without(events, 'CustodyTransferDispatched', `batch-${OUT}`), commands);
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([expect.stringContaining('dispatch (acknowledged): absent from the log')]);
  });

  it('check 1 fails when a command is recorded twice, under its own id or under one nobody sent', () => {
    const { events, commands } = consistentLog();
    const dispatch = events.find((e) => e.type === 'CustodyTransferDispatched')!;
    const twice = [...events, { ...dispatch, position: events.length, revision: dispatch.revision + 1, eventId: commandEventId('c-dispatch', 1) }];
    expect(checkCommandsExactlyOnce(twice, commands).failures).toEqual([expect.stringContaining('expected CustodyTransferDispatched once')]);
    const foreign = [...events, { ...dispatch, position: events.length, revision: dispatch.revision + 1, eventId: 'x', metadata: { commandId: 'c-other' } }];
    expect(checkCommandsExactlyOnce(foreign, commands).failures).toEqual([expect.stringContaining('command id c-other, which no client sent')]);
    expect(checkCommandsExactlyOnce(foreign, commands, { foreignCommandIds: new Set(['c-other']) }).ok).toBe(true);
  });

  it('check 1 fails when a refused command appended something', () => {
    const { events, commands } = consistentLog();
    const appended = [...events, { position: events.length, streamId: `batch-${A}`, revision: 2, eventId: commandEventId('c-refused', 0), type: 'BatchSoldForReuse', data: {}, metadata: { commandId: 'c-refused' } }];
    expect(checkCommandsExactlyOnce(appended, commands).failures).toEqual([expect.stringContaining('refused before appending (refused (batch-not-available)): recorded')]);
  });

  it('checks 1 and 2 fail on a half-done process', () => {
    const { events, commands } = consistentLog();
    const halfDone = without(events, 'ProcessCompleted', 'process-p');
    expect(checkCommandsExactlyOnce(halfDone, commands).failures).toEqual([expect.stringContaining('process p (acknowledged): half-done')]);
    expect(checkProcesses(halfDone).failures).toEqual([expect.stringContaining('process p: half-done')]);
  });

  it('checks 1 and 2 fail on a rejected process whose consumption was not reverted', () => {
    const { events, commands } = consistentLog();
    const unreverted = without(events, 'BatchConsumptionReverted', `batch-${B}`);
    expect(checkCommandsExactlyOnce(unreverted, commands).failures).toEqual([expect.stringContaining('rejected, but input batch-b has 1 BatchConsumed and 0 reverts')]);
    expect(checkProcesses(unreverted).failures).toEqual([expect.stringContaining('process q rejected, but input batch-b')]);
  });

  it('check 2 fails when a completed process does not balance to the gram', () => {
    const { events } = consistentLog();
    const unbalanced = mapData(events, 'BatchProduced', (data) => ({ ...data, massGrams: 95_001 }));
    expect(checkProcesses(unbalanced).failures).toEqual([
      expect.stringContaining('output out-1 produced as 95001 g, its intent says 95000 g'),
      expect.stringContaining('consumed + external = 105000 g, but produced + losses = 105001 g'),
    ]);
  });

  it('check 2 fails on a double consumption', () => {
    const { events } = consistentLog();
    const next = (streamId: string) => events.filter((e) => e.streamId === streamId).length;
    const second: LogEvent[] = [
      { position: 100, streamId: 'process-r', revision: 0, eventId: 'r0', type: 'ProcessStarted', data: { processId: 'r', inputs: [{ batchId: A, massGrams: 100_000 }], outputs: [], losses: [{ massGrams: 100_000 }] }, metadata: { commandId: 'c-r' } },
      { position: 101, streamId: `batch-${A}`, revision: next(`batch-${A}`), eventId: 'r1', type: 'BatchConsumed', data: { batchId: A, processId: 'r', massGrams: 100_000 }, metadata: { commandId: 'c-r' } },
      { position: 102, streamId: 'process-r', revision: 1, eventId: 'r2', type: 'ProcessCompleted', data: { processId: 'r' }, metadata: { commandId: 'c-r' } },
    ];
    expect(checkProcesses([...events, ...second]).failures).toEqual([expect.stringContaining('consumed by process r while process p still holds it (double consumption)')]);
  });
});
