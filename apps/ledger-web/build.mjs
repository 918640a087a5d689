/**
 * Builds the web application into dist/apps/ledger-web/public, where the API serves it at `/`
 * (decision 030). Run by `npm run build`; the type check is `tsc -p apps/ledger-web/tsconfig.json`
 * just before it, since esbuild only strips types.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '../../dist/apps/ledger-web/public');

mkdirSync(outdir, { recursive: true });
// The build goes to a staging folder beside the output and is then moved in file by file, each by
// a rename (atomic on one file system), chunks before app.js: a server still serving the previous
// build (another test suite's, say, while this one rebuilds) never reads a missing or half-written
// file. Deleting the output first and writing it anew left such a window, and pages came up blank.
const staging = mkdtempSync(path.join(path.dirname(outdir), '.public-build-'));
// Code loaded on demand (the batch page's graph layout, decision 032) and the code it shares with
// app.js go to chunks/, named by content hash: esbuild may make several shared chunks, which need
// names of their own. The server routes the files present when it starts (wildcard: false), so
// after a rebuild the server is restarted, as `npm start` does.
const result = await build({
  entryPoints: { app: path.join(here, 'src/main.ts') },
  outdir: staging,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  metafile: true,
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
cpSync(path.join(here, 'public'), staging, { recursive: true });

/** app.js and the chunks it imports statically: what the browser loads before the first page. */
function initialFiles(entry) {
  const seen = new Set([entry]);
  for (const file of seen) {
    for (const imported of result.metafile.outputs[file]?.imports ?? []) if (imported.kind === 'import-statement') seen.add(imported.path);
  }
  return [...seen];
}

if (process.argv.includes('--sizes')) {
  const entry = Object.keys(result.metafile.outputs).find((file) => file.endsWith('/app.js'));
  const initial = initialFiles(entry);
  const gzipped = initial.reduce((sum, file) => sum + gzipSync(readFileSync(path.resolve(file))).length, 0);
  console.log(JSON.stringify({ name: 'web initial JavaScript', value: gzipped, unit: 'bytes gzipped', files: initial.map((file) => path.basename(file)) }));
  const lazy = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js') && !initial.includes(file));
  for (const file of lazy) console.log(JSON.stringify({ name: `web on-demand JavaScript ${path.basename(file)}`, value: gzipSync(readFileSync(path.resolve(file))).length, unit: 'bytes gzipped' }));
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir, prefix = '') {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(dir, relative) : [relative];
  });
}

const built = filesUnder(staging);
const isChunk = (file) => file.startsWith(`chunks${path.sep}`);
mkdirSync(path.join(outdir, 'chunks'), { recursive: true });
for (const file of [...built.filter(isChunk), ...built.filter((file) => !isChunk(file))]) {
  mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
  renameSync(path.join(staging, file), path.join(outdir, file));
}
// Chunks a former build wrote and this one does not would otherwise still be served.
const current = new Set(built.filter(isChunk));
for (const file of filesUnder(outdir, 'chunks')) if (!current.has(file)) rmSync(path.join(outdir, file), { force: true });
rmSync(staging, { recursive: true, force: true });
