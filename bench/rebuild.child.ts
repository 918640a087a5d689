/**
 * One full rebuild in a process of its own, for the scale bench: `node rebuild.child.js [lastPosition]`
 * with the ledger's configuration in the environment (LEDGER_STORE, LEDGER_READ_MODELS, …). It
 * rebuilds every read model into the read store the environment names, from the log up to
 * `lastPosition` (the whole log without it), and prints one JSON line:
 * {"events","seconds","peakRssMiB"}.
 *
 * A process of its own because peak RSS is a property of the process: measured in the bench's own
 * process it also counted the generated scenario (millions of events held for loading), which grows
 * with the ledger whatever the rebuild does.
 */
import { performance } from 'node:perf_hooks';
import { createLedgerProjections, ProjectionRunner } from '#projections';
import { loadLedgerConfig } from '../apps/ledger-api/src/config/ledger.config.js';
import { EventLogPrefix } from '../apps/ledger-api/src/ledger/as-of-replay.js';
import { openEventLog } from '../apps/ledger-api/src/ledger/event-log.js';
import { openReadModels } from '../apps/ledger-api/src/ledger/read-models.js';

export interface ChildRebuild {
  readonly events: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
}

const argument = process.argv[2];
const last = argument === undefined ? undefined : Number(argument);
if (last !== undefined && !Number.isSafeInteger(last)) throw new Error(`the last position must be a whole number, got ${argument}`);

const config = loadLedgerConfig();
const log = await openEventLog(config.eventLog);
const db = openReadModels(config.readModels, 'projections');
try {
  const runner = new ProjectionRunner({ store: last === undefined ? log : new EventLogPrefix(log, last), db, projections: createLedgerProjections() });
  const start = performance.now();
  const rebuilt = await runner.rebuild();
  const seconds = (performance.now() - start) / 1000;
  await runner.close();
  // maxRSS is the kernel's high-water mark for this process (KiB on Linux), not a sample.
  const result: ChildRebuild = { events: rebuilt.events, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await log.close();
  await db.destroy();
}
