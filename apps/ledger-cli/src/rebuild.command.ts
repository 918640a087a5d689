/**
 * `npm run rebuild`: rebuilds every read model from position zero, with a progress bar, then
 * prints the checksum so it can be compared with the live one (`GET /health` reports lag only).
 * Stop the server first: the read store is rebuilt in place.
 */
import { performance } from 'node:perf_hooks';
import { createLedgerProjections, ProjectionRunner } from '#projections';
import { loadLedgerConfig } from '../../ledger-api/src/config/ledger.config.js';
import { openEventLog } from '../../ledger-api/src/ledger/event-log.js';
import { openReadModels } from '../../ledger-api/src/ledger/read-models.js';
import { progressBar } from './progress-bar.js';

const config = loadLedgerConfig();
const store = await openEventLog(config.eventLog);
const db = openReadModels(config.readModels, 'projections');
const runner = new ProjectionRunner({ store, db, projections: createLedgerProjections() });
const started = performance.now();
const before = await runner.checksum().catch(() => undefined);
await runner.rebuild({ onProgress: progressBar('rebuild') });
const after = await runner.checksum();
const seconds = (performance.now() - started) / 1000;
const head = await store.headPosition();
process.stdout.write(
  `${JSON.stringify({ events: head + 1, seconds: Math.round(seconds * 1000) / 1000, checksumBefore: before?.total ?? null, checksumAfter: after.total, identical: before?.total === after.total })}\n`,
);
await runner.close();
await store.close();
await db.destroy();
