/**
 * `npm run demo`: seeds a year of textile flows in six kommuner over HTTP (demo/seed-demo-year.ts)
 * and prints the organisations, their keys and a link to each user's page. Against a running ledger
 * with LEDGER_URL (and LEDGER_OPERATOR_KEY); otherwise against an embedded ledger on a temporary
 * data directory, or on LEDGER_DATA_DIR, which is then kept (to export audit evidence from it
 * afterwards, say). A LEDGER_DATA_DIR that holds a ledger the demo did not create is refused
 * (demo-data-dir.ts).
 *
 * `npm run demo -- --serve`: the same, then the embedded ledger stays up with the web application
 * on 127.0.0.1:LEDGER_PORT (3000 by default) until Ctrl-C (decision 033).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadLedgerConfig } from '../../ledger-api/src/config/ledger.config.js';
import { createLedgerApp } from '../../ledger-api/src/ledger-app.js';
import { claimDemoDataDir, NotADemoLedgerError } from './demo-data-dir.js';
import { DemoClient } from './demo/demo-client.js';
import { describeDemoYear } from './demo/demo-summary.js';
import { seedDemoYear } from './demo/seed-demo-year.js';

const serve = process.argv.includes('--serve');

interface Target {
  readonly url: string;
  readonly operatorKey: string;
  readonly close: () => Promise<void>;
}

async function embedded(port: number): Promise<Target> {
  const keep = process.env.LEDGER_DATA_DIR;
  const dir = keep ?? mkdtempSync(path.join(os.tmpdir(), 'ledger-demo-'));
  // Before the ledger opens anything in it: the demo never writes into a real ledger.
  try {
    claimDemoDataDir(path.resolve(dir));
  } catch (error) {
    if (!(error instanceof NotADemoLedgerError)) throw error;
    process.stderr.write(`npm run demo: ${error.message}\n`);
    process.exit(2);
  }
  const operatorKey = 'tl_000000000000_demo-operator-key-for-the-embedded-ledger';
  const config = loadLedgerConfig({ LEDGER_DATA_DIR: dir, LEDGER_OPERATOR_KEY: operatorKey, LEDGER_RECOVERY_INTERVAL_MS: '0' });
  const { app } = await createLedgerApp(config, { logger: false });
  // Loopback only, as `npm start` by default (decision 027): the demo's operator key is public.
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    operatorKey,
    close: async () => {
      await app.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function servePort(): number {
  const raw = process.env.LEDGER_PORT ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    process.stderr.write(`npm run demo: LEDGER_PORT must be a port number (1–65535), got "${raw}"\n`);
    process.exit(2);
  }
  return port;
}

if (serve && process.env.LEDGER_URL) {
  process.stderr.write('npm run demo: --serve starts its own ledger; unset LEDGER_URL, or leave out --serve to seed the ledger it names\n');
  process.exit(2);
}

const target: Target = process.env.LEDGER_URL
  ? { url: process.env.LEDGER_URL.replace(/\/$/, ''), operatorKey: process.env.LEDGER_OPERATOR_KEY ?? '', close: async () => undefined }
  : await embedded(serve ? servePort() : 0);
if (!target.operatorKey) throw new Error('set LEDGER_OPERATOR_KEY to the running ledger’s operator key');

let closing = false;
async function stop(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  await target.close();
  process.exit(code);
}

try {
  const started = performance.now();
  // Progress on stdout: stderr stays for failures, which scripts and tests look for.
  const year = await seedDemoYear(target.url, target.operatorKey, { log: (line) => process.stdout.write(`  ${line}\n`) });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`\nSeeded ${year.year}: ${year.counts.collections} collections, ${year.counts.processes} processes, ${year.counts.requests} requests in ${seconds.toFixed(1)} s.\n`);
  process.stdout.write(await describeDemoYear(year, new DemoClient(target.url)));
} catch (error) {
  process.stderr.write(`npm run demo: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}

if (serve) {
  process.stdout.write(`\nThe ledger and its web application are at ${target.url}/ (this host only). Sign in with a key above. Ctrl-C stops it.\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stdout.write('\nStopping the demo ledger…\n');
      void stop(0);
    });
  }
} else {
  await stop(0);
}
