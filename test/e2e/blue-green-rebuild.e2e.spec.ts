import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { LedgerHarness } from '../fixtures/ledger-harness.js';

const run = promisify(execFile);
const collection = { kommuneCode: '0661', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 80_000 };

/**
 * The blue-green rebuild of docs/operations.md on the embedded store: while the live (blue) server
 * serves, `npm run rebuild` builds a second read-model file (green) from the same log; a green server
 * on that file answers like blue; blue's read models are never touched.
 */
describe('blue-green rebuild of the read models', () => {
  let blue: LedgerHarness | undefined;
  let greenServer: LedgerHarness | undefined;
  afterAll(async () => {
    // Both share blue's data directory: green closes first and leaves it.
    await greenServer?.close({ keepData: true });
    await blue?.close();
  });

  it('rebuilds into a separate file while blue serves, and green answers the same', async () => {
    blue = await LedgerHarness.start();
    const holstebro = await blue.registerOrganisation('Holstebro Kommune', ['municipality'], '0661');
    const bulk = await blue.post<{ results: Array<{ batchId?: string }> }>('/batches/collections/bulk', { collections: Array.from({ length: 25 }, () => collection) }, holstebro.key);
    expect(bulk.status).toBeLessThan(300);
    const blueBefore = await blue.runner.checksum();

    const green = path.join(blue.dataDir, 'read-models-green.sqlite');
    const rebuild = run(process.execPath, [path.resolve('dist/apps/ledger-cli/src/rebuild.command.js')], {
      env: { ...process.env, LEDGER_DATA_DIR: blue.dataDir, LEDGER_READ_MODELS_FILE: green },
    });
    // Blue keeps serving while green is built.
    expect((await blue.get('/health')).status).toBe(200);
    const rebuilt = JSON.parse((await rebuild).stdout) as { checksumAfter: string; events: number; peakRssMiB: number };
    expect(rebuilt.checksumAfter).toBe(blueBefore.total);
    // The rebuild's own high-water mark: more than a bare Node process, far less than the machine.
    expect(rebuilt.peakRssMiB).toBeGreaterThan(30);
    expect(rebuilt.peakRssMiB).toBeLessThan(4096);
    expect((await blue.runner.checksum()).total).toBe(blueBefore.total);

    greenServer = await LedgerHarness.start({ dataDir: blue.dataDir, operatorKey: blue.operatorKey, env: { LEDGER_READ_MODELS_FILE: green } });
    const report = '/reports/municipal/0661/2026';
    const [fromBlue, fromGreen] = [await blue.get(report, holstebro.key), await greenServer.get(report, holstebro.key)];
    expect(fromGreen.status).toBe(fromBlue.status);
    expect(fromGreen.body).toEqual(fromBlue.body);
    expect((await greenServer.runner.checksum()).total).toBe(blueBefore.total);
  }, 60_000);
});
