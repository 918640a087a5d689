/**
 * The peer for appends (STACK.md): Emmett's PostgreSQL event store, measured in the same run as ours.
 *
 * Emmett 0.42 declares a peer uuid@^10 while the ledger uses uuid 14, so it cannot live in the root
 * dependency tree. It is a bench-only package in bench/peers/emmett/, installed there on demand, and
 * run in a child process so that its module tree (and its uuid 10) never mixes with ours.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT_PACKAGE_NAME = 'textile-ledger';

/**
 * The repository root: the nearest directory, walking up from this file, whose package.json is the
 * ledger's. Walking from import.meta.url works from the source (bench/) and from the compiled file
 * (dist/bench/) alike, and does not depend on the directory `npm run bench` was started from.
 */
function repositoryRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (name === ROOT_PACKAGE_NAME) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json named "${ROOT_PACKAGE_NAME}" above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Runs a command to completion; stdout is collected, stderr is passed through (it carries progress). */
function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}\n${stdout}`));
    });
  });
}

/** Installs the peer's own dependency tree once (it is gitignored; its package-lock.json pins it). */
async function ensurePeerInstalled(root: string, peerDir: string): Promise<void> {
  if (existsSync(path.join(peerDir, 'node_modules'))) return;
  process.stderr.write(`[bench] installing the Emmett peer into ${path.relative(root, peerDir)} (once)…\n`);
  // npm's own progress and warnings go to stderr; its stdout summary is echoed there too, so this
  // process's stdout stays one JSON figure per line.
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const summary = await run(npm, ['install', '--prefix', peerDir, '--no-audit', '--no-fund'], root);
  process.stderr.write(summary);
  process.stderr.write('[bench] Emmett peer installed\n');
}

/**
 * Emmett's appends per second: `writers` concurrent loops for `seconds`, one ~290-byte event per
 * append to a fresh stream, against `connectionString` (use a fresh database: Emmett creates its
 * own emt_* tables there).
 */
export async function emmettPeerAppends(connectionString: string, seconds: number, writers: number): Promise<number> {
  const root = repositoryRoot();
  const peerDir = path.join(root, 'bench', 'peers', 'emmett');
  await ensurePeerInstalled(root, peerDir);
  // process.execPath: the same Node binary as the bench, whatever `node` is on PATH.
  const stdout = await run(process.execPath, [path.join(peerDir, 'run.mjs'), JSON.stringify({ connectionString, seconds, writers })], peerDir);
  const line = stdout.trim().split('\n').pop() ?? '';
  const result = JSON.parse(line) as { appendsPerSecond?: unknown };
  if (typeof result.appendsPerSecond !== 'number' || !Number.isFinite(result.appendsPerSecond)) {
    throw new Error(`the Emmett peer printed no rate: ${stdout}`);
  }
  return result.appendsPerSecond;
}
