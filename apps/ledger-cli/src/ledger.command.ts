/**
 * `npm run ledger -- <command>`: operator commands against the configured stores (the same
 * LEDGER_* variables as the server).
 *
 *   events export <file>   write the whole event log as NDJSON (safe while the server runs)
 *   events import <file>   verify a log file, then import it into an EMPTY event log
 *   events verify <file>   check a log file's positions, chains and hashes, with no store
 */
import { performance } from 'node:perf_hooks';
import { loadLedgerConfig } from '../../ledger-api/src/config/ledger.config.js';
import { openEventLog } from '../../ledger-api/src/ledger/event-log.js';
import { exportEventLog, importEventLog, verifyEventLog } from './event-log.js';
import { progressBar } from './progress-bar.js';

const USAGE = 'usage: npm run ledger -- events export <file> | events import <file> | events verify <file>';
const [group, command, file] = process.argv.slice(2);

if (group !== 'events' || (command !== 'export' && command !== 'import' && command !== 'verify') || !file) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

if (command === 'verify') {
  try {
    process.stdout.write(`${JSON.stringify({ command: 'events verify', file, ok: true, ...(await verifyEventLog(file)) })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ command: 'events verify', file, ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
    process.exitCode = 1;
  }
  process.exit();
}

const config = loadLedgerConfig();
const store = await openEventLog(config.eventLog);
const started = performance.now();
try {
  const summary =
    command === 'export'
      ? await exportEventLog(store, file, progressBar('export'))
      : await importEventLog(store, file, progressBar('import'));
  const seconds = Math.round(performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ command: `events ${command}`, file, ...summary, seconds })}\n`);
} catch (error) {
  process.stderr.write(`events ${command} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}
