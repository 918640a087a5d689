/**
 * The SIGKILL crash harness: runs the real server as child processes, drives a long concurrent import
 * over HTTP, and kills servers with SIGKILL at random moments. Two topologies
 * (crash-harness.topology.ts):
 *
 * - one instance (default): the embedded store (SQLite event log, projections in their worker
 *   thread); the clients wait while it is dead;
 * - N ≥ 2 instances: N servers on one real PostgreSQL with the event log and the SHARED read models,
 *   one signing key for all. Requests spread round-robin across the instances that are up, as
 *   behind a load balancer; the instances are killed in turn, and the survivors keep taking the load
 *   (and the retries of requests that died with the victim) while it is down and restarting. Reads
 *   go to another instance than the one that acknowledged the write they look for.
 *
 * After every restart (a server listens only once start-up recovery has run), with the clients held
 * and no request in flight, once every instance's read models hold the whole log, it checks:
 *
 *   1. every acknowledged command is present exactly once (crash-harness.checks.ts);
 *   2. no process is left half-done (crash-harness.checks.ts);
 *   3. `ledger verify` passes (every chain; every checkpoint validly signed, with N instances by the
 *      one shared key);
 *   4. the read models (with N instances, the shared ones) equal a fresh rebuild into a separate, new
 *      read store, by checksum;
 *   5. with N instances only: every read on another instance showed the write acknowledged just
 *      before it (read-your-writes across instances).
 *
 * Before the log checks it also sends a sample of acknowledged requests again (with N instances, to
 * another instance than the one that answered): each must get its first status back, and the log
 * must not grow.
 *
 * `npm run test:crash` runs it with 25 kills; test/crash/sigkill.crash.spec.ts with 3, and
 * test/crash/multi-instance.crash.spec.ts with 2 instances and a few kills.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { deterministicId, SEED_EMISSION_FACTOR_SETS, seedEmissionFactorSetCommandId } from '#domain';
import { Prng } from '#scenarios';
import { checkCommandsExactlyOnce, checkProcesses } from './crash-harness.checks.js';
import { delay } from './crash-harness.server.js';
import { EmbeddedTopology, LEDGER_VERIFY, PostgresTopology, type CrashTopology } from './crash-harness.topology.js';
import { CrashWorkload, Gate, InstancePool, LedgerHttpClient, type ClientStats } from './crash-harness.workload.js';

export const DEFAULT_KILLS = 25;

/** How long the clients' requests in flight get to finish once they are held for the checks. */
const QUIESCE_TIMEOUT_MS = 90_000;
/** How long a kill waits for the victim to have a request in flight before it kills it anyway. */
const IN_FLIGHT_WAIT_MS = 5_000;

export interface CrashHarnessOptions {
  /** Kills under load; each is followed by a restart and the checks. */
  readonly kills: number;
  /** Server processes (default 1: the embedded topology; 2 or more: PostgreSQL with shared read models). */
  readonly instances?: number;
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
  readonly instances: number;
  readonly topology: string;
  readonly kills: number;
  /** Kills per instance (with several instances they are killed in turn). */
  readonly killsPerInstance: readonly number[];
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
  /** With several instances: reads on another instance than the one that acknowledged the write. */
  readonly readsAcross: { readonly sent: number; readonly withMinPosition: number; readonly stale: number };
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
  readonly serverLogs: readonly string[];
}

interface CheckRound {
  readonly ok: boolean;
  readonly failures: string[];
  readonly events: number;
  readonly processes: { started: number; completed: number; rejected: number };
}

const OPERATOR_KEY = 'tl_000000000000_crash-harness-operator-key';
const BOOTSTRAP_COMMAND_ID = deterministicId('command/bootstrap-operator');
/** The commands the ledger sends itself at start-up: the operator's registration and the seed emission factor sets. */
const LEDGER_OWN_COMMAND_IDS: ReadonlySet<string> = new Set([BOOTSTRAP_COMMAND_ID, ...SEED_EMISSION_FACTOR_SETS.map((set) => seedEmissionFactorSetCommandId(set.factorSetId))]);

const emptyStats = (): ClientStats => ({ requests: 0, attempts: 0, retriedRequests: 0, networkErrors: 0, unexplainedNetworkErrors: 0, serverErrors: 0, retriedElsewhere: 0, retryLaterAnswers: 0, replayedAnswers: 0 });

export async function runCrashHarness(options: CrashHarnessOptions): Promise<CrashReport> {
  const began = performance.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const instances = options.instances ?? 1;
  if (!Number.isInteger(instances) || instances < 1) throw new Error(`crash harness: instances must be a whole number ≥ 1, got ${instances}`);
  const shared = instances > 1;
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
  const gate = new Gate();
  let kills = 0;
  let startupKills = 0;
  const killsPerInstance = Array.from({ length: instances }, () => 0);
  const checks: CheckTally[] = [
    { name: '1 acknowledged commands present exactly once', passed: 0, failed: 0, detail: '' },
    { name: '2 no process half-done after recovery', passed: 0, failed: 0, detail: '' },
    { name: `3 ledger verify (${LEDGER_VERIFY === 'verify' ? `ledger verify --json${shared ? ' --public-key <the shared key>' : ''}` : 'events export + events verify'})`, passed: 0, failed: 0, detail: '' },
    { name: `4 ${shared ? 'shared read models' : 'read models'} = fresh rebuild, by checksum`, passed: 0, failed: 0, detail: '' },
    ...(shared ? [{ name: '5 reads on another instance show the write acknowledged before them', passed: 0, failed: 0, detail: '' }] : []),
  ];
  const failures: string[] = [];
  const restartMs: number[] = [];
  const checksMs: number[] = [];
  let resent = 0;
  let staleReads = 0;
  /** Processes a kill left started but not ended (recovery must finish each). */
  const halfDoneAtKills = new Set<string>();
  /** Unanswered commands already in the log at a check: appended, answer lost with the server. */
  let recordedBeforeAnswer = 0;
  let inFlightAtKills = 0;
  let last: CheckRound | undefined;
  let running: Promise<void> | undefined;
  let topology: CrashTopology | undefined;
  let workload: CrashWorkload | undefined;
  let pool: InstancePool | undefined;

  log(`crash harness: seed ${seed}, ${instances} instance${shared ? 's' : ''}, ${options.kills} kills, data in ${dataDir}`);
  try {
    topology = shared
      ? await PostgresTopology.create({ instances, dataDir, workDir, operatorKey: OPERATOR_KEY })
      : await EmbeddedTopology.create(dataDir, workDir, OPERATOR_KEY);
    const servers = topology.servers;
    pool = new InstancePool(servers.map((server) => server.url));
    workload = new CrashWorkload({ seed, instances: pool, operatorKey: OPERATOR_KEY, gate, epoch: () => kills });
    log(`topology: ${topology.description}`);
    await topology.start();
    await workload.setup();
    gate.open();
    running = workload.run(options.pipelines ?? 4);

    for (let k = 1; k <= options.kills; k += 1) {
      const runFor = prng.int(minRunMs, maxRunMs);
      await delay(runFor);
      // One instance: the clients wait while it is dead. Several: the victim leaves the pool and the
      // survivors take the load, including the retries of whatever died with it.
      const victim = (k - 1) % instances;
      const server = servers[victim]!;
      // A kill between two requests proves nothing about requests that die with their server: wait
      // (bounded) until the victim has one in flight. On a loaded machine the pipelines can spend a
      // whole run window in their own waits, and every kill then fell on an idle instance.
      const waitUntil = performance.now() + IN_FLIGHT_WAIT_MS;
      while (pool.inFlight(victim) === 0 && performance.now() < waitUntil) await delay(1);
      if (shared) pool.markDown(victim);
      else gate.close();
      const acknowledged = workload.commands.filter((c) => c.answer === 'acknowledged').length;
      await server.kill();
      kills += 1;
      killsPerInstance[victim]! += 1;
      await noteHalfDoneProcesses();
      const restartBegan = performance.now();
      if (prng.chance(startupKillChance)) {
        // A second crash while the server starts: loading, catching up, recovering, or just listening.
        server.start();
        await delay(Math.round(prng.real(0.3, 1.05) * (restartMs.at(-1) ?? 3_000)));
        await server.kill();
        startupKills += 1;
        await noteHalfDoneProcesses();
      }
      server.start();
      await server.waitHealthy();
      restartMs.push(performance.now() - restartBegan);
      if (shared) {
        pool.markUp(victim);
        gate.close();
      }
      const checksBegan = performance.now();
      last = await checkRound(`after kill ${k}${shared ? ` (instance ${victim})` : ''}`, false);
      checksMs.push(performance.now() - checksBegan);
      log(
        `kill ${k}/${options.kills}${shared ? ` of instance ${victim}` : ''} after ${runFor} ms (${acknowledged} acknowledged)${startupKills > 0 ? `, ${startupKills} during start-up so far` : ''}; ` +
          `restart ${Math.round(restartMs.at(-1)!)} ms; checks ${last.ok ? 'passed' : 'FAILED'} in ${Math.round(checksMs.at(-1)!)} ms (${last.events} events)`,
      );
      if (!last.ok) {
        for (const failure of last.failures.slice(0, 10)) log(`  - ${failure}`);
        break;
      }
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
    workload?.abort();
    gate.open();
    await topology?.stop().catch((error: unknown) => failures.push(`stopping: ${String(error)}`));
    if (running) await running;
  }

  const ok = failures.length === 0 && checks.every((c) => c.failed === 0) && kills === options.kills;
  if (ok && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
  const commands = workload?.commands ?? [];
  const byKind: Record<string, number> = {};
  for (const c of commands) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length));
  return {
    ok,
    seed,
    instances,
    topology: topology?.description ?? `${instances} instance(s), never started`,
    kills,
    killsPerInstance,
    startupKills,
    checkedRestarts: checksMs.length,
    commands: {
      sent: commands.length,
      acknowledged: commands.filter((c) => c.answer === 'acknowledged').length,
      refused: commands.filter((c) => c.answer === 'refused').length,
      pending: commands.filter((c) => c.answer === 'pending').length,
      recordedBeforeAnswer,
      inFlightAtKills,
      byKind,
    },
    requests: workload?.stats ?? emptyStats(),
    readsAcross: { sent: workload?.readsAcross.sent ?? 0, withMinPosition: workload?.readsAcross.withMinPosition ?? 0, stale: staleReads },
    resent,
    contests: workload?.contests ?? { held: 0, lostBeforeStart: 0, lostByRejection: 0 },
    registrationsWithLostKey: workload?.registrationsWithLostKey ?? 0,
    halfDoneAtKills: halfDoneAtKills.size,
    events: last?.events ?? 0,
    processes: last?.processes ?? { started: 0, completed: 0, rejected: 0 },
    checks,
    verifyCommand: LEDGER_VERIFY === 'verify' ? 'ledger verify --json' : 'ledger events export + ledger events verify',
    timings: { totalSeconds: Math.round((performance.now() - began) / 100) / 10, meanRestartMs: mean(restartMs), meanChecksMs: mean(checksMs) },
    failures,
    dataDir,
    serverLogs: topology?.serverLogs ?? [],
  };

  /** The checks (and the resend), with the clients held at the gate and nothing in flight. */
  async function checkRound(label: string, final: boolean): Promise<CheckRound> {
    const top = topology!;
    const work = workload!;
    const roundFailures: string[] = [];
    const fail = (check: CheckTally | undefined, message: string) => {
      roundFailures.push(`${label}: ${check ? `check ${check.name}: ` : ''}${message}`);
    };
    const tally = (check: CheckTally, passed: boolean, detail: string) => {
      if (passed) check.passed += 1;
      else check.failed += 1;
      check.detail = detail;
    };

    // With several instances the survivors were serving until the gate closed: let those requests end.
    let timer: NodeJS.Timeout | undefined;
    const quiet = await Promise.race([work.client.idle().then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), QUIESCE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (!quiet) throw new Error(`${label}: ${work.client.inFlight} requests still in flight ${QUIESCE_TIMEOUT_MS} ms after the clients were held`);
    const head = await top.caughtUp();

    // Acknowledged requests sent again must get their first status back and append nothing; with
    // several instances, on another instance than the one that answered first.
    const resender = new LedgerHttpClient(pool!, new Gate(), emptyStats(), (message) => fail(undefined, `resend: ${message}`));
    const answered = work.requests.filter((r) => r.answer && r.answer.status < 300);
    for (let i = 0; i < Math.min(resendSample, answered.length); i += 1) {
      const request = resendPrng.pick(answered);
      const first = request.answer!;
      const instance = shared ? (first.instance + resendPrng.int(1, instances - 1)) % instances : 0;
      const again = await resender.post(request.path, request.apiKey, request.idempotencyKey, request.body, { instance });
      resent += 1;
      const firstItems = JSON.stringify(itemStatuses(first.body));
      if (again.status !== first.status || JSON.stringify(itemStatuses(again.body)) !== firstItems) {
        fail(undefined, `resending ${request.path} (Idempotency-Key ${request.idempotencyKey}) to instance ${instance} answered ${again.status} ${JSON.stringify(again.body).slice(0, 300)}, first answer was ${first.status} from instance ${first.instance}`);
      }
    }
    if ((await top.head()) !== head) fail(undefined, 'resending acknowledged requests appended events');

    const events = await top.readLog();
    const commands = checkCommandsExactlyOnce(events, work.commands, { foreignCommandIds: LEDGER_OWN_COMMAND_IDS });
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
    const [verified, checksums] = await Promise.all([top.verify(), top.compareChecksums(head)]);
    tally(checks[2]!, verified.ok, verified.detail);
    if (!verified.ok) fail(checks[2], verified.detail);

    tally(checks[3]!, checksums.ok, checksums.detail);
    if (!checksums.ok) fail(checks[3], checksums.detail);

    if (shared) {
      const stale = work.staleReads.splice(0);
      staleReads += stale.length;
      tally(checks[4]!, stale.length === 0, `${work.readsAcross.sent} reads on another instance so far (${work.readsAcross.withMinPosition} with Ledger-Min-Position), ${staleReads} stale`);
      for (const read of stale.slice(0, 10)) {
        const stream = events.filter((e) => e.streamId === `batch-${read.batchId}`).map((e) => `${e.type}@${e.position}`);
        fail(checks[4], `${read.message}; the log holds the batch's ${stream.join(', ') || 'nothing'} (between kills ${read.epoch} and ${read.epoch + 1})`);
      }
      if (stale.length > 10) fail(checks[4], `… and ${stale.length - 10} more stale reads`);
    }

    if ((await top.head()) !== head) fail(undefined, `the log grew while the clients were held (from ${head})`);
    for (const failure of work.failures.splice(0)) fail(undefined, `client: ${failure.message} (between kills ${failure.epoch} and ${failure.epoch + 1})`);
    for (const message of work.serverErrors.splice(0)) fail(undefined, `server error: ${message}`);
    for (const server of top.servers) if (server.unexpectedExit) fail(undefined, server.unexpectedExit);

    if (roundFailures.length > 0) {
      // PostgreSQL is gone once the run ends: keep the log the failed round read, for a look.
      const file = path.join(dataDir, `log-${label.replace(/[^a-z0-9]+/gi, '-')}.ndjson`);
      writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      roundFailures.push(`${label}: the log this round checked is in ${file}`);
    }
    failures.push(...roundFailures);
    return {
      ok: roundFailures.length === 0,
      failures: roundFailures,
      events: events.length,
      processes: { started: processes.started, completed: processes.completed, rejected: processes.rejected },
    };
  }

  /**
   * Read right after a kill: processes the log holds between ProcessStarted and their end (with
   * several instances, the survivors' processes under way at that moment count too).
   */
  async function noteHalfDoneProcesses(): Promise<void> {
    const ended = new Set<string>();
    const started: string[] = [];
    for (const event of await topology!.readLog()) {
      if (!event.streamId.startsWith('process-')) continue;
      if (event.type === 'ProcessStarted') started.push(event.streamId);
      else if (event.type === 'ProcessCompleted' || event.type === 'ProcessRejected') ended.add(event.streamId);
    }
    for (const stream of started) if (!ended.has(stream)) halfDoneAtKills.add(stream);
  }
}

function itemStatuses(body: unknown): number[] | undefined {
  const results = typeof body === 'object' && body !== null ? (body as { results?: unknown }).results : undefined;
  return Array.isArray(results) ? results.map((r) => Number((r as { status?: unknown }).status)) : undefined;
}

export function formatReport(report: CrashReport): string {
  const c = report.commands;
  const r = report.requests;
  const shared = report.instances > 1;
  const lines = [
    `crash harness ${report.ok ? 'PASSED' : 'FAILED'} — seed ${report.seed} (replay: --seed ${report.seed}${shared ? ` --instances ${report.instances}` : ''})`,
    `topology: ${report.topology}`,
    `kills: ${report.kills} SIGKILLs under load${shared ? ` (per instance: ${report.killsPerInstance.join(', ')})` : ''}, ${report.startupKills} more during start-up/recovery; ${report.checkedRestarts} restarts checked`,
    `commands: ${c.sent} sent, ${c.acknowledged} acknowledged, ${c.refused} refused, ${c.pending} unanswered at the end`,
    `  unanswered at a check (in flight at a kill${shared ? ', or waiting to retry a "retry later"' : ''}): ${c.inFlightAtKills}, of which ${c.recordedBeforeAnswer} already in the log (answer lost with the server); processes half-done in the log at a kill: ${report.halfDoneAtKills}`,
    `  by kind: ${Object.entries(c.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ')}`,
    `requests: ${r.requests} (${r.attempts} attempts), ${r.retriedRequests} retried after a kill${shared ? ` (${r.retriedElsewhere} on another instance than the one they died on)` : ''}, ${r.networkErrors} network errors (${r.unexplainedNetworkErrors} with the server up), ${r.serverErrors} 5xx, ${r.retryLaterAnswers} "retry later" answers retried, ${r.replayedAnswers} answers replayed from the idempotency record; ${report.resent} acknowledged requests resent after restarts${shared ? ' (each to another instance)' : ''}`,
    ...(shared ? [`reads on another instance than the writer: ${report.readsAcross.sent} (${report.readsAcross.withMinPosition} with Ledger-Min-Position), ${report.readsAcross.stale} stale`] : []),
    `contested processes: ${report.contests.held} (loser refused before its intent ${report.contests.lostBeforeStart}, rejected after it ${report.contests.lostByRejection}); registrations whose API key died with the server: ${report.registrationsWithLostKey}`,
    `log: ${report.events} events; processes: ${report.processes.started} started, ${report.processes.completed} completed, ${report.processes.rejected} rejected`,
    'checks, after every restart:',
    ...report.checks.map((check) => `  ${check.failed === 0 ? 'ok  ' : 'FAIL'} ${check.name}: ${check.passed} passed, ${check.failed} failed — ${check.detail}`),
    `time: ${report.timings.totalSeconds} s in all; per restart ${report.timings.meanRestartMs} ms to healthy, ${report.timings.meanChecksMs} ms of checks`,
  ];
  if (report.failures.length > 0) {
    lines.push(`failures (data kept in ${report.dataDir}, server output in ${report.serverLogs.join(', ')}):`);
    lines.push(...report.failures.slice(0, 40).map((f) => `  - ${f}`));
    if (report.failures.length > 40) lines.push(`  … and ${report.failures.length - 40} more`);
  }
  return lines.join('\n');
}
