/**
 * The SIGKILL crash harness (issue 4, §7): runs the real server as a child process on the embedded
 * topology (SQLite event log, projections in their worker thread), drives a long concurrent import
 * over HTTP, and kills the server with SIGKILL at random moments. After every restart (the server
 * listens only once start-up recovery has run) it checks:
 *
 *   1. every acknowledged command is present exactly once (crash-harness.checks.ts);
 *   2. no process is left half-done (crash-harness.checks.ts);
 *   3. `ledger verify` passes (see LEDGER_VERIFY below);
 *   4. the read models equal a fresh rebuild, by checksum: the running server's read-model file,
 *      snapshotted with SQLite's online backup once /health shows lag 0, against `npm run rebuild`
 *      into a separate, new read-model file (the blue-green route of docs/operations.md).
 *
 * Before the log checks it also sends a sample of acknowledged requests again: each must get its
 * first status back, and the log must not grow.
 *
 * `npm run test:crash` runs it with 25 kills; test/crash/sigkill.crash.spec.ts with 3.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { deterministicId } from '#domain';
import { SqliteEventStore } from '#event-store';
import { createLedgerProjections, ProjectionRunner } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { Prng } from '#scenarios';
import { checkCommandsExactlyOnce, checkProcesses, type LogEvent } from './crash-harness.checks.js';
import { delay, freePort, LedgerServerProcess, runCli, type HealthReport } from './crash-harness.server.js';
import { CrashWorkload, Gate, LedgerHttpClient, type ClientStats } from './crash-harness.workload.js';

/**
 * ───── THE ONE PLACE where check 3 picks its command ─────
 * - 'events-export-verify': `ledger events export <file>`, then `ledger events verify <file>`: every
 *   position, every stream's hash chain and every hash of the whole log, with no database.
 * - 'verify': `ledger verify --json`, the whole-store verification of issue 4 §4 (chains, and the
 *   Merkle log against the signed checkpoints; exit 0 ok, 1 failed).
 * Switch to 'verify' once apps/ledger-cli/src/ledger.command.ts has it.
 */
const LEDGER_VERIFY: 'verify' | 'events-export-verify' = 'verify';

export const DEFAULT_KILLS = 25;

export interface CrashHarnessOptions {
  /** Kills under load; each is followed by a restart and the four checks. */
  readonly kills: number;
  /** Seeds the workload's choices and the kill moments; printed, so a failure can be replayed. */
  readonly seed?: number;
  /** Concurrent client pipelines. */
  readonly pipelines?: number;
  /** The kill comes this long after the clients resume (uniform in [min, max], from the seed). */
  readonly minRunMs?: number;
  readonly maxRunMs?: number;
  /** Chance, per kill, of one more SIGKILL during the following start-up (while recovery runs). */
  readonly startupKillChance?: number;
  /** Acknowledged requests sent again after each restart. */
  readonly resendSample?: number;
  /** Keep the data directory even when everything passed. */
  readonly keepData?: boolean;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export interface CheckTally {
  readonly name: string;
  passed: number;
  failed: number;
  /** What the last run of this check covered. */
  detail: string;
}

export interface CrashReport {
  readonly ok: boolean;
  readonly seed: number;
  readonly kills: number;
  readonly startupKills: number;
  readonly checkedRestarts: number;
  readonly commands: {
    readonly sent: number;
    readonly acknowledged: number;
    readonly refused: number;
    readonly pending: number;
    /** Commands whose first answer died with the server and that the log held before the retry. */
    readonly recordedBeforeAnswer: number;
    /** Commands in flight when the server was killed (retried after the restart). */
    readonly inFlightAtKills: number;
    readonly byKind: Readonly<Record<string, number>>;
  };
  readonly requests: ClientStats;
  readonly resent: number;
  readonly contests: { readonly held: number; readonly lostBeforeStart: number; readonly lostByRejection: number };
  readonly registrationsWithLostKey: number;
  readonly halfDoneAtKills: number;
  readonly events: number;
  readonly processes: { readonly started: number; readonly completed: number; readonly rejected: number };
  readonly checks: readonly CheckTally[];
  readonly verifyCommand: string;
  readonly timings: { readonly totalSeconds: number; readonly meanRestartMs: number; readonly meanChecksMs: number };
  readonly failures: readonly string[];
  readonly dataDir: string;
  readonly serverLog: string;
}

interface CheckRound {
  readonly ok: boolean;
  readonly failures: string[];
  readonly events: number;
  readonly processes: { started: number; completed: number; rejected: number };
}

const OPERATOR_KEY = 'tl_000000000000_crash-harness-operator-key';
const BOOTSTRAP_COMMAND_ID = deterministicId('command/bootstrap-operator');

export async function runCrashHarness(options: CrashHarnessOptions): Promise<CrashReport> {
  const began = performance.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const log = options.log ?? (() => undefined);
  const prng = new Prng(seed);
  // Its own stream, so that the kill moments stay a function of the seed alone.
  const resendPrng = new Prng(seed + 0x5bd1e995);
  const minRunMs = options.minRunMs ?? 300;
  const maxRunMs = options.maxRunMs ?? 2_500;
  const startupKillChance = options.startupKillChance ?? 0.15;
  const resendSample = options.resendSample ?? 8;

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-crash-'));
  const workDir = path.join(dataDir, 'harness');
  mkdirSync(workDir);
  const serverLog = path.join(dataDir, 'server.log');
  const server = new LedgerServerProcess({ dataDir, port: await freePort(), operatorKey: OPERATOR_KEY, logFile: serverLog });
  const gate = new Gate();
  let kills = 0;
  let startupKills = 0;
  const workload = new CrashWorkload({ seed, baseUrl: server.url, operatorKey: OPERATOR_KEY, gate, epoch: () => kills });
  const checks: CheckTally[] = [
    { name: '1 acknowledged commands present exactly once', passed: 0, failed: 0, detail: '' },
    { name: '2 no process half-done after recovery', passed: 0, failed: 0, detail: '' },
    { name: `3 ledger verify (${LEDGER_VERIFY === 'verify' ? 'ledger verify --json' : 'events export + events verify'})`, passed: 0, failed: 0, detail: '' },
    { name: '4 read models = fresh rebuild, by checksum', passed: 0, failed: 0, detail: '' },
  ];
  const failures: string[] = [];
  const restartMs: number[] = [];
  const checksMs: number[] = [];
  let resent = 0;
  /** Processes a kill left started but not ended (recovery must finish each). */
  const halfDoneAtKills = new Set<string>();
  /** Unanswered commands already in the log at a check: appended, answer lost with the server. */
  let recordedBeforeAnswer = 0;
  let inFlightAtKills = 0;
  let last: CheckRound | undefined;
  let running: Promise<void> | undefined;

  log(`crash harness: seed ${seed}, ${options.kills} kills, data in ${dataDir}`);
  try {
    server.start();
    await server.waitHealthy();
    await workload.setup();
    gate.open();
    running = workload.run(options.pipelines ?? 4);

    for (let k = 1; k <= options.kills; k += 1) {
      const runFor = prng.int(minRunMs, maxRunMs);
      await delay(runFor);
      gate.close();
      const acknowledged = workload.commands.filter((c) => c.answer === 'acknowledged').length;
      await server.kill();
      kills += 1;
      noteHalfDoneProcesses();
      const restartBegan = performance.now();
      if (prng.chance(startupKillChance)) {
        // A second crash while the server starts: loading, catching up, recovering, or just listening.
        server.start();
        await delay(Math.round(prng.real(0.3, 1.05) * (restartMs.at(-1) ?? 3_000)));
        await server.kill();
        startupKills += 1;
        noteHalfDoneProcesses();
      }
      server.start();
      await server.waitHealthy();
      restartMs.push(performance.now() - restartBegan);
      const checksBegan = performance.now();
      last = await checkRound(`after kill ${k}`, false);
      checksMs.push(performance.now() - checksBegan);
      log(
        `kill ${k}/${options.kills} after ${runFor} ms (${acknowledged} acknowledged)${startupKills > 0 ? `, ${startupKills} during start-up so far` : ''}; ` +
          `restart ${Math.round(restartMs.at(-1)!)} ms; checks ${last.ok ? 'passed' : 'FAILED'} in ${Math.round(checksMs.at(-1)!)} ms (${last.events} events)`,
      );
      if (!last.ok) break;
      gate.open();
    }

    if (failures.length === 0) {
      // Let every pipeline finish its step, then check once more with every command answered.
      workload.stop();
      gate.open();
      await running;
      running = undefined;
      gate.close();
      last = await checkRound('at the end', true);
      log(`final checks ${last.ok ? 'passed' : 'FAILED'} (${last.events} events)`);
    }
  } catch (error) {
    failures.push(`harness stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    // Pipelines still running (a failed round) give up at their next attempt.
    workload.abort();
    gate.open();
    if (server.pid !== undefined) await server.stop();
    if (running) await running;
  }

  const ok = failures.length === 0 && checks.every((c) => c.failed === 0) && kills === options.kills;
  if (ok && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
  const byKind: Record<string, number> = {};
  for (const c of workload.commands) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length));
  return {
    ok,
    seed,
    kills,
    startupKills,
    checkedRestarts: checksMs.length,
    commands: {
      sent: workload.commands.length,
      acknowledged: workload.commands.filter((c) => c.answer === 'acknowledged').length,
      refused: workload.commands.filter((c) => c.answer === 'refused').length,
      pending: workload.commands.filter((c) => c.answer === 'pending').length,
      recordedBeforeAnswer,
      inFlightAtKills,
      byKind,
    },
    requests: workload.stats,
    resent,
    contests: workload.contests,
    registrationsWithLostKey: workload.registrationsWithLostKey,
    halfDoneAtKills: halfDoneAtKills.size,
    events: last?.events ?? 0,
    processes: last?.processes ?? { started: 0, completed: 0, rejected: 0 },
    checks,
    verifyCommand: LEDGER_VERIFY === 'verify' ? 'ledger verify --json' : 'ledger events export + ledger events verify',
    timings: { totalSeconds: Math.round((performance.now() - began) / 100) / 10, meanRestartMs: mean(restartMs), meanChecksMs: mean(checksMs) },
    failures,
    dataDir,
    serverLog,
  };

  /** The four checks (and the resend), with the clients held at the gate. */
  async function checkRound(label: string, final: boolean): Promise<CheckRound> {
    const roundFailures: string[] = [];
    const fail = (check: CheckTally | undefined, message: string) => {
      roundFailures.push(`${label}: ${check ? `check ${check.name}: ` : ''}${message}`);
    };
    const tally = (check: CheckTally, passed: boolean, detail: string) => {
      if (passed) check.passed += 1;
      else check.failed += 1;
      check.detail = detail;
    };

    const health = await caughtUp();
    const head = health.store.headPosition;

    // Acknowledged requests sent again must get their first status back and append nothing.
    const resender = new LedgerHttpClient(server.url, new Gate(), { requests: 0, attempts: 0, retriedRequests: 0, networkErrors: 0, unexplainedNetworkErrors: 0, serverErrors: 0 }, (message) => fail(undefined, `resend: ${message}`));
    const answered = workload.requests.filter((r) => r.answer && r.answer.status < 300);
    for (let i = 0; i < Math.min(resendSample, answered.length); i += 1) {
      const request = resendPrng.pick(answered);
      const again = await resender.post(request.path, request.apiKey, request.idempotencyKey, request.body);
      resent += 1;
      const firstItems = JSON.stringify(itemStatuses(request.answer!.body));
      if (again.status !== request.answer!.status || JSON.stringify(itemStatuses(again.body)) !== firstItems) {
        fail(undefined, `resending ${request.path} (Idempotency-Key ${request.idempotencyKey}) answered ${again.status} ${JSON.stringify(again.body).slice(0, 300)}, first answer was ${request.answer!.status}`);
      }
    }
    if ((await server.health()).store.headPosition !== head) fail(undefined, 'resending acknowledged requests appended events');

    const events = readEventLog(path.join(dataDir, 'events.sqlite'));
    const commands = checkCommandsExactlyOnce(events, workload.commands, { foreignCommandIds: new Set([BOOTSTRAP_COMMAND_ID]) });
    if (final && commands.pending > 0) roundFailures.push(`${label}: ${commands.pending} commands never got an answer`);
    if (!final) {
      recordedBeforeAnswer += commands.pendingPresent;
      inFlightAtKills += commands.pending;
    }
    tally(checks[0]!, commands.ok, `${commands.acknowledged} acknowledged, ${commands.refused} refused, ${commands.pending} unanswered (${commands.pendingPresent} already in the log)`);
    for (const message of commands.failures) fail(checks[0], message);

    const processes = checkProcesses(events);
    tally(checks[1]!, processes.ok, `${processes.started} processes: ${processes.completed} completed, ${processes.rejected} rejected`);
    for (const message of processes.failures) fail(checks[1], message);

    // Both only read the log: side by side, they share the machine's two cores.
    const [verified, checksums] = await Promise.all([ledgerVerify(), compareChecksums(head)]);
    tally(checks[2]!, verified.ok, verified.detail);
    if (!verified.ok) fail(checks[2], verified.detail);

    tally(checks[3]!, checksums.ok, checksums.detail);
    if (!checksums.ok) fail(checks[3], checksums.detail);

    if ((await server.health()).store.headPosition !== head) fail(undefined, `the log grew while the clients were held (from ${head})`);
    for (const failure of workload.failures.splice(0)) fail(undefined, `client: ${failure.message} (between kills ${failure.epoch} and ${failure.epoch + 1})`);
    for (const message of workload.serverErrors.splice(0)) fail(undefined, `server error: ${message}`);
    if (server.unexpectedExit) fail(undefined, server.unexpectedExit);

    failures.push(...roundFailures);
    return {
      ok: roundFailures.length === 0,
      failures: roundFailures,
      events: events.length,
      processes: { started: processes.started, completed: processes.completed, rejected: processes.rejected },
    };
  }

  /** Read while the server is down: processes the kill left between ProcessStarted and their end. */
  function noteHalfDoneProcesses(): void {
    const ended = new Set<string>();
    const started: string[] = [];
    for (const event of readEventLog(path.join(dataDir, 'events.sqlite'))) {
      if (!event.streamId.startsWith('process-')) continue;
      if (event.type === 'ProcessStarted') started.push(event.streamId);
      else if (event.type === 'ProcessCompleted' || event.type === 'ProcessRejected') ended.add(event.streamId);
    }
    for (const stream of started) if (!ended.has(stream)) halfDoneAtKills.add(stream);
  }

  /** /health until the read models have applied every event (and the head stays put). */
  async function caughtUp(): Promise<HealthReport> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const health = await server.health();
      if (health.status === 'ok' && health.projections.lag === 0 && health.projections.position === health.store.headPosition) return health;
      if (Date.now() > deadline) throw new Error(`the read models did not catch up: ${JSON.stringify(health)}`);
      await delay(50);
    }
  }

  async function ledgerVerify(): Promise<{ ok: boolean; detail: string }> {
    const env = server.env();
    if (LEDGER_VERIFY === 'verify') {
      const result = await runCli('apps/ledger-cli/src/ledger.command.js', ['verify', '--json'], env);
      return { ok: result.code === 0, detail: `ledger verify exit ${result.code}: ${lastLine(result.stdout) || tail(result.stderr)}` };
    }
    const file = path.join(workDir, 'events.ndjson');
    const exported = await runCli('apps/ledger-cli/src/ledger.command.js', ['events', 'export', file], env);
    if (exported.code !== 0) return { ok: false, detail: `events export exit ${exported.code}: ${tail(exported.stderr)}` };
    const verified = await runCli('apps/ledger-cli/src/ledger.command.js', ['events', 'verify', file], env);
    rmSync(file, { force: true });
    return { ok: verified.code === 0, detail: `events verify exit ${verified.code}: ${lastLine(verified.stdout) || tail(verified.stderr)}` };
  }

  async function compareChecksums(head: number): Promise<{ ok: boolean; detail: string }> {
    const snapshot = path.join(workDir, 'read-models-live.sqlite');
    const fresh = path.join(workDir, 'read-models-fresh.sqlite');
    removeDatabase(snapshot);
    removeDatabase(fresh);
    try {
      // The server's own file, copied consistently while it runs (SQLite's online backup).
      const liveFile = new Database(path.join(dataDir, 'read-models.sqlite'), { readonly: true, fileMustExist: true });
      try {
        await liveFile.backup(snapshot);
      } finally {
        liveFile.close();
      }
      const live = await projectionChecksum(snapshot);
      const rebuilt = await runCli('apps/ledger-cli/src/rebuild.command.js', [], server.env({ LEDGER_READ_MODELS_FILE: fresh }));
      if (rebuilt.code !== 0) return { ok: false, detail: `rebuild exit ${rebuilt.code}: ${tail(rebuilt.stderr)}` };
      const result = JSON.parse(lastLine(rebuilt.stdout)) as { events: number };
      // Both digests are taken here, by one build of the projections: a dist/ rebuilt during a run
      // (a colleague's tsc) must not pass for a difference between live and rebuilt read models.
      const green = await projectionChecksum(fresh);
      const short = (s: string) => s.slice(0, 16);
      if (live.position !== head || green.position !== head || result.events !== head + 1) {
        return { ok: false, detail: `positions differ: server log head ${head}, live read models at ${live.position}, rebuilt at ${green.position} (${result.events} events read)` };
      }
      if (live.total !== green.total) {
        const tables = Object.keys({ ...live.perTable, ...green.perTable }).filter((t) => live.perTable[t] !== green.perTable[t]);
        return { ok: false, detail: `live ${short(live.total)}… ≠ rebuilt ${short(green.total)}… at position ${head}; tables that differ: ${tables.join(', ')}` };
      }
      return { ok: true, detail: `live = rebuilt = ${short(live.total)}… at position ${head}` };
    } finally {
      removeDatabase(snapshot);
      removeDatabase(fresh);
    }
  }

  async function projectionChecksum(file: string): Promise<{ total: string; perTable: Readonly<Record<string, string>>; position: number }> {
    const store = await SqliteEventStore.open({ filename: path.join(dataDir, 'events.sqlite') });
    const db = openSqliteReadDb({ filename: file });
    try {
      return await new ProjectionRunner({ store, db, projections: createLedgerProjections() }).checksum();
    } finally {
      await db.destroy();
      await store.close();
    }
  }
}

/** The whole log, read-only, straight from the embedded store's table (libs/event-store/src/sqlite). */
export function readEventLog(file: string): LogEvent[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT position, stream_id, revision, event_id, type, data, metadata FROM events ORDER BY position')
      .all() as Array<{ position: number; stream_id: string; revision: number; event_id: string; type: string; data: string; metadata: string }>;
    return rows.map((r) => ({
      position: r.position,
      streamId: r.stream_id,
      revision: r.revision,
      eventId: r.event_id,
      type: r.type,
      data: JSON.parse(r.data) as unknown,
      metadata: JSON.parse(r.metadata) as { commandId: string },
    }));
  } finally {
    db.close();
  }
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** The end of a CLI's stderr: a stack trace's message sits a few lines above Node's version line. */
function tail(text: string): string {
  return text.trim().split('\n').slice(-8).join(' | ');
}

function itemStatuses(body: unknown): number[] | undefined {
  const results = typeof body === 'object' && body !== null ? (body as { results?: unknown }).results : undefined;
  return Array.isArray(results) ? results.map((r) => Number((r as { status?: unknown }).status)) : undefined;
}

export function formatReport(report: CrashReport): string {
  const c = report.commands;
  const r = report.requests;
  const lines = [
    `crash harness ${report.ok ? 'PASSED' : 'FAILED'} — seed ${report.seed} (replay: --seed ${report.seed})`,
    `kills: ${report.kills} SIGKILLs under load, ${report.startupKills} more during start-up/recovery; ${report.checkedRestarts} restarts checked`,
    `commands: ${c.sent} sent, ${c.acknowledged} acknowledged, ${c.refused} refused, ${c.pending} unanswered at the end`,
    `  in flight at a kill: ${c.inFlightAtKills}, of which ${c.recordedBeforeAnswer} already in the log (answer lost with the server); processes a kill left half-done: ${report.halfDoneAtKills}`,
    `  by kind: ${Object.entries(c.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ')}`,
    `requests: ${r.requests} (${r.attempts} attempts), ${r.retriedRequests} retried after a kill, ${r.networkErrors} network errors (${r.unexplainedNetworkErrors} with the server up), ${r.serverErrors} 5xx; ${report.resent} acknowledged requests resent after restarts`,
    `contested processes: ${report.contests.held} (loser refused before its intent ${report.contests.lostBeforeStart}, rejected after it ${report.contests.lostByRejection}); registrations whose API key died with the server: ${report.registrationsWithLostKey}`,
    `log: ${report.events} events; processes: ${report.processes.started} started, ${report.processes.completed} completed, ${report.processes.rejected} rejected`,
    'checks, after every restart:',
    ...report.checks.map((check) => `  ${check.failed === 0 ? 'ok  ' : 'FAIL'} ${check.name}: ${check.passed} passed, ${check.failed} failed — ${check.detail}`),
    `time: ${report.timings.totalSeconds} s in all; per restart ${report.timings.meanRestartMs} ms to healthy, ${report.timings.meanChecksMs} ms of checks`,
  ];
  if (report.failures.length > 0) {
    lines.push(`failures (data kept in ${report.dataDir}, server output in ${report.serverLog}):`);
    lines.push(...report.failures.slice(0, 40).map((f) => `  - ${f}`));
    if (report.failures.length > 40) lines.push(`  … and ${report.failures.length - 40} more`);
  }
  return lines.join('\n');
}
