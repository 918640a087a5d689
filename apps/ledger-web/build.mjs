/**
 * Builds the web application into dist/apps/ledger-web/public, where the API serves it at `/`
 * (decision 030). Run by `npm run build`; the type check is `tsc -p apps/ledger-web/tsconfig.json`
 * just before it, since esbuild only strips types.
 */
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '../../dist/apps/ledger-web/public');

mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [path.join(here, 'src/main.ts')],
  outfile: path.join(outdir, 'app.js'),
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
cpSync(path.join(here, 'public'), outdir, { recursive: true });

if (process.argv.includes('--sizes')) {
  const gzipped = gzipSync(readFileSync(path.join(outdir, 'app.js'))).length;
  console.log(JSON.stringify({ name: 'web initial JavaScript', value: gzipped, unit: 'bytes gzipped' }));
}
