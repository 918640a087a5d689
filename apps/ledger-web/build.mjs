/**
 * Builds the web application into dist/apps/ledger-web/public, where the API serves it at `/`
 * (decision 030). Run by `npm run build`; the type check is `tsc -p apps/ledger-web/tsconfig.json`
 * just before it, since esbuild only strips types.
 */
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '../../dist/apps/ledger-web/public');

mkdirSync(outdir, { recursive: true });
// Chunks a former build wrote and this one does not would otherwise still be served.
rmSync(path.join(outdir, 'chunks'), { recursive: true, force: true });
// Code loaded on demand (the batch page's graph layout, decision 032) and the code it shares with
// app.js go to chunks/, named by content hash: esbuild may make several shared chunks, which need
// names of their own. The server routes the files present when it starts (wildcard: false), so
// after a rebuild the server is restarted, as `npm start` does.
const result = await build({
  entryPoints: { app: path.join(here, 'src/main.ts') },
  outdir,
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
cpSync(path.join(here, 'public'), outdir, { recursive: true });

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
