import { describe, expect, it } from '@jest/globals';
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
