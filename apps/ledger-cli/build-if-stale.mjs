/**
 * `npm start`, `npm run demo`, `npm run ledger -- …` and the other run scripts build first, but only
 * when a source changed since the last build: compiling the whole tree takes ~20 s, and a
 * `ledger verify` that then runs for milliseconds should not wait for it. `npm test` and
 * `npm run build` always build.
 *
 *   node apps/ledger-cli/build-if-stale.mjs            build when stale (output on stderr)
 *   node apps/ledger-cli/build-if-stale.mjs --check    exit 0 when fresh, 1 when stale; builds nothing
 *
 * "Stale" means: no `dist/.build-stamp`, or a file under the compiled folders (or a package or
 * TypeScript configuration file) modified after the stamp. The stamp is dated when the build
 * *started*, so a file saved during a build makes the next run build again. Plain JavaScript, because
 * it runs before anything is compiled. LEDGER_BUILD_ROOT names another tree (for its tests).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

const SOURCE_FOLDERS = ['apps', 'libs', 'projections', 'bench', 'test/support'];
const CONFIG_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const SKIPPED = new Set(['node_modules', 'dist', 'artifacts']);

/** The newest modification time (ms) of the files a build reads, or 0 when there are none. */
export function newestSourceTime(root) {
  let newest = 0;
  const visit = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name) || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const folder of SOURCE_FOLDERS) visit(path.join(root, folder));
  for (const file of CONFIG_FILES) {
    const full = path.join(root, file);
    if (existsSync(full)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export function stampPath(root) {
  return path.join(root, 'dist', '.build-stamp');
}

export function isStale(root) {
  const stamp = stampPath(root);
  if (!existsSync(stamp)) return true;
  return newestSourceTime(root) > statSync(stamp).mtimeMs;
}

function markBuilt(root, startedMs) {
  const stamp = stampPath(root);
  closeSync(openSync(stamp, 'a'));
  const started = new Date(startedMs);
  utimesSync(stamp, started, started);
}

const root = process.env.LEDGER_BUILD_ROOT ?? process.cwd();
if (process.argv.includes('--check')) {
  process.exit(isStale(root) ? 1 : 0);
} else if (isStale(root)) {
  const started = Date.now();
  // The build's output goes to stderr: a command's stdout (a JSON report, say) stays its own.
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
  markBuilt(root, started);
}
