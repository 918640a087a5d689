/**
 * Lineage and provenance latency for one batch, in a process of its own, for the scale bench:
 * `node query-latency.child.js <batchId> <runs>` with the ledger's configuration in the environment.
 * Prints one JSON line: {"lineage":{"p50","p95"},"provenance":{"p50","p95"},"ancestors"}, latencies in
 * milliseconds, `ancestors` the upstream batches the lineage answer holds (the root not counted).
 *
 * A process of its own, as a server's queries would run: in the bench's own process each major GC
 * also walks the generated scenario (millions of events held for loading), and those pauses landed
 * in the p95 of whichever measurement they happened to hit.
 */
import { provenance, upstream } from '#projections';
import { loadLedgerConfig } from '../apps/ledger-api/src/config/ledger.config.js';
import { openReadModels } from '../apps/ledger-api/src/ledger/read-models.js';
import { latency } from './bench-support.js';

export interface QueryLatencies {
  readonly lineage: { p50: number; p95: number };
  readonly provenance: { p50: number; p95: number };
  /** Upstream batches in the lineage answer, so the bench can check it measured the product it meant to. */
  readonly ancestors: number;
}

const [batchId, runsArgument] = process.argv.slice(2);
const runs = Number(runsArgument);
if (!batchId || !Number.isSafeInteger(runs) || runs < 1) throw new Error('usage: query-latency.child.js <batchId> <runs>');

const db = openReadModels(loadLedgerConfig().readModels, 'queries');
try {
  const result: QueryLatencies = {
    lineage: await latency(runs, () => upstream(db, batchId)),
    provenance: await latency(runs, () => provenance(db, batchId)),
    ancestors: (await upstream(db, batchId)).nodes.length - 1,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await db.destroy();
}
