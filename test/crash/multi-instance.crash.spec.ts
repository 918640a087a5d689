import { describe, expect, it } from '@jest/globals';
import { commandEventId } from '#domain';
import { checkCommandsExactlyOnce, checkProcesses, type CheckedCommand, type LogEvent } from '../support/crash-harness.checks.js';
import { formatReport, runCrashHarness } from '../support/crash-harness.js';

/**
 * The SIGKILL crash harness with two instances (test/support/crash-harness.ts): two real servers on
 * one real PostgreSQL, sharing the event log, the read models and one signing key, behind a
 * round-robin "load balancer". They are killed in turn while the survivor keeps serving the import
 * and the retries of the requests that died with the victim. After every restart: acknowledged
 * commands are in the log exactly once, no process is half-done, `ledger verify` passes against the
 * shared key, the shared read models equal a fresh rebuild by checksum, and reads on another instance
 * than the writer showed the write. `npm run test:crash -- --instances 2 --kills 25` runs the same
 * with 25 kills; LEDGER_CRASH_SEED replays a run's choices and kill moments.
 */
describe('SIGKILL crash harness with two instances on one PostgreSQL', () => {
  it('given two instances under a shared import, when each is killed in turn, then every check passes after every restart', async () => {
    const seed = process.env.LEDGER_CRASH_SEED ? Number(process.env.LEDGER_CRASH_SEED) : undefined;

    const report = await runCrashHarness({ instances: 2, kills: 3, ...(seed !== undefined ? { seed } : {}), minRunMs: 800, maxRunMs: 2_000, startupKillChance: 0.1 });

    if (!report.ok) process.stderr.write(`${formatReport(report)}\n`);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    // Killed in turn: both instances died at least once.
    expect(report.killsPerInstance).toEqual([2, 1]);
    // Three restarts, and once more at the end with every command answered; five checks each time.
    expect(report.checks).toHaveLength(5);
    for (const check of report.checks) expect({ check: check.name, passed: check.passed, failed: check.failed }).toEqual({ check: check.name, passed: 4, failed: 0 });
    // The kills landed on a working import spread over both: requests died in flight and were
    // retried, reads went to the other instance, and processes ran.
    expect(report.requests.retriedRequests).toBeGreaterThan(0);
    expect(report.readsAcross.sent).toBeGreaterThan(0);
    expect(report.commands.acknowledged).toBeGreaterThan(10);
    expect(report.commands.pending).toBe(0);
    expect(report.processes.completed).toBeGreaterThan(0);
  }, 420_000);
});

// ---- the race-loser rule of check 1, on a small log forged by hand ----

const WON = 'batch-won';
const LOST_OUT = 'out-lost';

/** Two sortings raced for one collected batch: p won; q recorded its intent, then lost and was rejected. */
function raceLog(): LogEvent[] {
  const events: LogEvent[] = [];
  const append = (streamId: string, type: string, data: Record<string, unknown>, commandId: string, index = 0) =>
    events.push({ position: events.length, streamId, revision: events.filter((e) => e.streamId === streamId).length, eventId: commandEventId(commandId, index), type, data, metadata: { commandId } });
  append(`batch-${WON}`, 'BatchCollected', { batchId: WON, massGrams: 100_000 }, 'c-collect');
  append('process-p', 'ProcessStarted', { processId: 'p', inputs: [{ batchId: WON, massGrams: 100_000 }], outputs: [{ batchId: 'out-won', massGrams: 100_000 }], losses: [] }, 'c-p');
  append('process-q', 'ProcessStarted', { processId: 'q', inputs: [{ batchId: WON, massGrams: 100_000 }], outputs: [{ batchId: LOST_OUT, massGrams: 100_000 }], losses: [] }, 'c-q');
  append(`batch-${WON}`, 'BatchConsumed', { batchId: WON, processId: 'p', massGrams: 100_000 }, 'c-p');
  append('batch-out-won', 'BatchProduced', { batchId: 'out-won', processId: 'p', massGrams: 100_000 }, 'c-p');
  append('process-p', 'ProcessCompleted', { processId: 'p' }, 'c-p');
  append('process-q', 'ProcessRejected', { processId: 'q', reason: `batch ${WON} is consumed` }, 'c-q');
  return events;
}

function raceCommands(loser: Pick<CheckedCommand, 'refusalCode' | 'refusalProcessStatus'>): CheckedCommand[] {
  return [
    { label: 'collect', commandId: 'c-collect', answer: 'acknowledged', expect: { shape: 'single', streamId: `batch-${WON}`, types: ['BatchCollected'] } },
    { label: 'winner p', commandId: 'c-p', answer: 'acknowledged', expect: { shape: 'process', processId: 'p', inputs: [WON], outputs: ['out-won'] } },
    { label: 'loser q', commandId: 'c-q', answer: 'refused', ...loser, expect: { shape: 'process', processId: 'q', inputs: [WON], outputs: [LOST_OUT] } },
  ];
}

describe('the crash harness log check for a race loser', () => {
  it('given a loser refused with batch-not-available naming processStatus rejected, when the log holds its rejected process, then check 1 passes', () => {
    const result = checkCommandsExactlyOnce(raceLog(), raceCommands({ refusalCode: 'batch-not-available', refusalProcessStatus: 'rejected' }));
    expect(result.failures).toEqual([]);
    expect(checkProcesses(raceLog())).toMatchObject({ ok: true, completed: 1, rejected: 1 });
  });

  it('given a loser refused with batch-not-available naming processStatus rejected, when the log lacks its process, then check 1 fails', () => {
    const withoutLoser = raceLog().filter((e) => e.metadata.commandId !== 'c-q');
    const result = checkCommandsExactlyOnce(withoutLoser, raceCommands({ refusalCode: 'batch-not-available', refusalProcessStatus: 'rejected' }));
    expect(result.failures).toEqual([expect.stringContaining('loser q (refused (batch-not-available)): absent from the log, expected rejected')]);
  });

  it('given a loser refused with batch-not-available and no process on record, when the log holds a rejected process for it, then check 1 fails', () => {
    const result = checkCommandsExactlyOnce(raceLog(), raceCommands({ refusalCode: 'batch-not-available' }));
    expect(result.failures).toEqual([expect.stringContaining('loser q (refused (batch-not-available)): recorded as rejected, expected none')]);
  });
});
