import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

interface BulkResponse {
  succeeded: number;
  failed: number;
  results: Array<{ index: number; status: number; result?: { batchId: string }; problem?: { code: string } }>;
}

describe('POST /batches/collections/bulk', () => {
  let ledger: LedgerHarness;
  let collector: RegisteredOrganisation;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    collector = await ledger.registerOrganisation('Collector', ['collector']);
    // a collector records collections only for a kommune whose municipality authorised it.
    for (const [name, kommuneCode] of [['Herning', '0657'], ['Holstebro', '0661'], ['Ikast-Brande', '0756']] as const) {
      await ledger.authoriseCollector(await ledger.registerOrganisation(`${name} Kommune`, ['municipality'], kommuneCode), collector.id);
    }
  });
  afterAll(async () => {
    await ledger.close();
  });

  const item = (kommuneCode: string, massGrams: number) => ({ kommuneCode, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams });

  it('records each valid item and refuses each invalid one on its own', async () => {
    const before = await ledger.store.headPosition();
    const response = await ledger.post<BulkResponse>('/batches/collections/bulk', { collections: [item('0657', 1_000), item('9999', 2_000), item('0661', 3_000)] }, collector.key);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ succeeded: 2, failed: 1 });
    expect(response.body.results.map((r) => r.status)).toEqual([201, 422, 201]);
    expect(response.body.results[1]!.problem!.code).toBe('unknown-kommune');
    expect(await ledger.store.headPosition()).toBe(before + 2);
    const summary = await ledger.get<{ massGrams: number }>(`/batches/${response.body.results[2]!.result!.batchId}`, collector.key);
    expect(summary.body.massGrams).toBe(3_000);
  });

  it('refuses a malformed body as a whole and appends nothing', async () => {
    const before = await ledger.store.headPosition();
    const response = await ledger.post<{ code: string }>('/batches/collections/bulk', { collections: [item('0657', 1.5)] }, collector.key);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid-body');
    expect(await ledger.store.headPosition()).toBe(before);
  });

  it('answers a retry under the same Idempotency-Key with the same batches and appends nothing', async () => {
    const body = { collections: [item('0657', 5_000), item('0756', 6_000)] };
    const first = await ledger.post<BulkResponse>('/batches/collections/bulk', body, collector.key, { 'idempotency-key': 'import-42' });
    const head = await ledger.store.headPosition();
    const retry = await ledger.post<BulkResponse>('/batches/collections/bulk', body, collector.key, { 'idempotency-key': 'import-42' });
    expect(retry.body.results.map((r) => r.result?.batchId)).toEqual(first.body.results.map((r) => r.result?.batchId));
    expect(await ledger.store.headPosition()).toBe(head);
  });

  describe('under a small budget of heavy work', () => {
    let small: LedgerHarness;
    let importer: RegisteredOrganisation;
    let other: RegisteredOrganisation;

    beforeAll(async () => {
      // 20 cost units, refilled 6 a minute: two items of 10 units each, then a wait of minutes.
      small = await LedgerHarness.start({ env: { LEDGER_QUERY_COST_PER_MINUTE: '6', LEDGER_QUERY_COST_BURST: '20' } });
      importer = await small.registerOrganisation('Importer', ['collector']);
      other = await small.registerOrganisation('Other collector', ['collector']);
      const herning = await small.registerOrganisation('Herning Kommune', ['municipality'], '0657');
      await small.authoriseCollector(herning, importer.id);
      await small.authoriseCollector(herning, other.id);
    });
    afterAll(async () => {
      await small.close();
    });

    it('charges a bulk request by its items: the importer is refused with 429 once in debt, appending nothing, while another organisation goes on', async () => {
      const first = await small.post<BulkResponse>('/batches/collections/bulk', { collections: [item('0657', 1_000), item('0657', 2_000), item('0657', 3_000)] }, importer.key);
      expect(first.status).toBe(200);
      const head = await small.store.headPosition();
      const refused = await small.post<{ code: string }>('/batches/collections/bulk', { collections: [item('0657', 4_000)] }, importer.key);
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('query-cost-budget-exhausted');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(await small.store.headPosition()).toBe(head);
      const others = await small.post<BulkResponse>('/batches/collections/bulk', { collections: [item('0657', 5_000)] }, other.key);
      expect(others.status).toBe(200);
      expect(others.body.succeeded).toBe(1);
    });
  });
});
