import { afterEach, describe, expect, it } from '@jest/globals';
import { ProjectionRunner } from '#projections';
import { ProjectionWorkerClient } from '../../apps/ledger-api/src/ledger/projection-worker.client.js';
import { LedgerHarness } from '../fixtures/ledger-harness.js';

const collection = { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 125_000 };

/** The read side in its own worker thread (decision 007): wiring, read-your-writes, restart, rebuild. */
describe('projections in a worker thread', () => {
  let ledger: LedgerHarness | undefined;
  afterEach(async () => {
    await ledger?.close();
    ledger = undefined;
  });

  it('is the default, and a command answers only once the worker has projected it', async () => {
    ledger = await LedgerHarness.start();
    expect(ledger.runner).toBeInstanceOf(ProjectionWorkerClient);
    const collector = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    for (let i = 0; i < 20; i++) {
      const created = await ledger.post<{ batchId: string; position: number }>('/batches/collections', collection, collector.key);
      expect(created.status).toBe(201);
      expect(ledger.runner.position()).toBeGreaterThanOrEqual(created.body.position);
      expect((await ledger.get(`/batches/${created.body.batchId}`)).status).toBe(200);
    }
    const health = await ledger.get<{ projections: { lag: number } }>('/health');
    expect(health.status).toBe(200);
  });

  it('runs on the API thread with LEDGER_PROJECTIONS=in-process', async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process' } });
    expect(ledger.runner).toBeInstanceOf(ProjectionRunner);
  });

  it('restarts a worker that died, which catches up from its checkpoint with nothing lost or doubled', async () => {
    ledger = await LedgerHarness.start();
    const client = ledger.runner as ProjectionWorkerClient;
    const collector = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    const before = await ledger.post<{ batchId: string }>('/batches/collections', collection, collector.key);
    expect(before.status).toBe(201);

    await client.terminateWorker();
    expect(client.health().running).toBe(false);
    // Appended while no worker runs: durable at once, and projected once the new worker is up.
    const during = await Promise.all(Array.from({ length: 5 }, () => ledger!.post<{ batchId: string; position: number }>('/batches/collections', collection, collector.key)));
    for (const response of during) expect(response.status).toBe(201);
    const last = Math.max(...during.map((r) => r.body.position));
    await client.waitForPosition(last, 15_000);
    expect(client.health()).toMatchObject({ running: true });

    for (const { body } of [before, ...during]) expect((await ledger.get(`/batches/${body.batchId}`)).status).toBe(200);
    const live = await client.checksum();
    const rebuilt = await client.rebuild();
    expect(rebuilt.events).toBe(last + 1);
    expect((await client.checksum()).total).toBe(live.total);
  });

  it('reports rebuild progress from the worker', async () => {
    ledger = await LedgerHarness.start();
    const collector = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    const bulk = await ledger.post('/batches/collections/bulk', { collections: Array.from({ length: 30 }, () => collection) }, collector.key);
    expect(bulk.status).toBeLessThan(300);
    const progress: Array<[number, number]> = [];
    const result = await ledger.runner.rebuild({ onProgress: (done, total) => progress.push([done, total]) });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual([result.position, result.position]);
  });
});
