import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Marks a data directory the demo created. The demo registers organisations with a fixed operator
 * key that is printed in the source, so its ledger must never be mistaken for a real one, and it
 * must never write into a real one (decision 027).
 */
export const DEMO_MARKER_FILE = '.demo-ledger';

export class NotADemoLedgerError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `${dataDir} holds a ledger the demo did not create (no ${DEMO_MARKER_FILE} in it); the demo writes demo organisations and batches with a well-known operator key, ` +
        'so it refuses to touch it. Unset LEDGER_DATA_DIR, or point it at an empty or new directory.',
    );
    this.name = 'NotADemoLedgerError';
  }
}

/**
 * Makes `dataDir` ready for the demo: a new or empty directory is marked as the demo's, one the demo
 * marked before is used again, and anything else (a real ledger, or files of any other kind) is
 * refused with NotADemoLedgerError, before the ledger opens it.
 */
export function claimDemoDataDir(dataDir: string): void {
  const marker = path.join(dataDir, DEMO_MARKER_FILE);
  if (existsSync(marker)) return;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) throw new NotADemoLedgerError(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(marker, 'This data directory holds the demo ledger of `npm run demo` (well-known operator key): never use it for real data.\n', { mode: 0o600 });
}
