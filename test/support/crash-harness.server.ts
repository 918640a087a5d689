/**
 * The real ledger server as a child process, for the SIGKILL crash harness: started from the
 * compiled sources exactly as `npm start` does, killed with SIGKILL, restarted on the same data
 * directory. Also runs the compiled operator CLIs (rebuild, ledger) against that directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder with a package.json above this file (TS source or dist/). */
export function repositoryRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'tsconfig.build.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('crash harness: cannot find the repository root');
    dir = parent;
  }
}

export function compiledEntry(relative: string): string {
  const file = path.join(repositoryRoot(), 'dist', relative);
  if (!existsSync(file)) throw new Error(`crash harness: ${file} is missing; build first (npm run build)`);
  return file;
}

/** A port that was free a moment ago; the server keeps it across restarts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The whole /health report, which the ledger shows to its operator only (others get the status alone). */
export interface HealthReport {
  status: string;
  problems?: string[];
  store: { ok: boolean; headPosition: number };
  projections: { position: number; lag: number; running?: boolean; rebuilding?: boolean; failure?: unknown };
}

export interface LedgerServerOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly operatorKey: string;
  /** Server output of every start goes here, one header line per start. */
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
}

export class LedgerServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private starts = 0;
  /** Marks the running child's coming exit as asked for (kill or stop), not a crash of its own. */
  private expectExit: () => void = () => undefined;
  /** Set when the server exits without being asked to (a crash of its own is a finding). */
  unexpectedExit: string | undefined;

  constructor(private readonly options: LedgerServerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * The environment every process of this ledger gets, server and CLIs alike. The caller's own
   * LEDGER_* settings are dropped: the harness tests the default topology, whatever the shell says.
   */
  env(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LEDGER_') && name !== 'EVENTSTORE_CONNECTION_STRING'));
    return {
      ...inherited,
      LEDGER_DATA_DIR: this.options.dataDir,
      LEDGER_OPERATOR_KEY: this.options.operatorKey,
      PORT: String(this.options.port),
      HOST: '127.0.0.1',
      // The pipelines send far more a second per organisation than the default budget (decision 028).
      LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
      // Its bulk imports too: each item is charged to the budget of heavy work (decision 026).
      LEDGER_QUERY_COST_PER_MINUTE: '1000000000',
      LEDGER_QUERY_COST_BURST: '1000000000',
      ...this.options.env,
      ...extra,
    };
  }

  start(): void {
    if (this.child) throw new Error('crash harness: the server is already running');
    this.starts += 1;
    appendFileSync(this.options.logFile, `\n===== start ${this.starts} at ${new Date().toISOString()} =====\n`);
    const fd = openSync(this.options.logFile, 'a');
    const child = spawn(process.execPath, [compiledEntry('apps/ledger-api/src/main.js')], {
      cwd: repositoryRoot(),
      env: this.env(),
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    let expected = false;
    this.expectExit = () => {
      expected = true;
    };
    // A harness that dies (a test timeout, Ctrl-C) must not leave a server behind on the port.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        process.off('exit', killOnExit);
        if (!expected) this.unexpectedExit = `server pid ${child.pid} exited by itself (code ${code}, signal ${signal}); see ${this.options.logFile}`;
        appendFileSync(this.options.logFile, `===== pid ${child.pid} exited (code ${code}, signal ${signal}) =====\n`);
        resolve(code);
      });
    });
  }

  /** Polls /health until it answers 200; recovery has run by then (the server listens only after it). */
  async waitHealthy(timeoutMs = 120_000): Promise<HealthReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.unexpectedExit) throw new Error(this.unexpectedExit);
      try {
        const response = await fetch(`${this.url}/health`, { headers: this.operatorHeaders(), signal: AbortSignal.timeout(5_000) });
        if (response.status === 200) return (await response.json()) as HealthReport;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`crash harness: the server did not become healthy within ${timeoutMs} ms; see ${this.options.logFile}`);
      await delay(50);
    }
  }

  async health(): Promise<HealthReport> {
    const response = await fetch(`${this.url}/health`, { headers: this.operatorHeaders(), signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) throw new Error(`crash harness: /health answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
    const report = (await response.json()) as Partial<HealthReport>;
    if (report.store === undefined || report.projections === undefined) throw new Error(`crash harness: /health gave the operator no full report: ${JSON.stringify(report)}`);
    return report as HealthReport;
  }

  private operatorHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.options.operatorKey}` };
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) throw new Error('crash harness: no server to kill');
    this.expectExit();
    appendFileSync(this.options.logFile, `===== SIGKILL pid ${child.pid} at ${new Date().toISOString()} =====\n`);
    child.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** A clean stop at the end of a run (SIGTERM, SIGKILL after a grace period). */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectExit();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one compiled CLI (dist-relative path) with the ledger's environment; never throws on a non-zero exit. */
export function runCli(entry: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [compiledEntry(entry), ...args], { cwd: repositoryRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
