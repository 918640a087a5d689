import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COTTON } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

describe('Idempotency-Key and client-supplied ids', () => {
  let ledger: LedgerHarness;
  let sorter: RegisteredOrganisation;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    sorter = await ledger.registerOrganisation('Sorter', ['sorter', 'collector']);
    // a collector records collections only for a kommune whose municipality authorised it.
    await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), sorter.id);
  });
  afterAll(async () => {
    await ledger.close();
  });

  const collectBody = { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 12_345 };

  it('returns the first result for a retried POST and appends nothing new', async () => {
    const first = await ledger.post<{ batchId: string }>('/batches/collections', collectBody, sorter.key, { 'idempotency-key': 'collect-1' });
    const head = await ledger.store.headPosition();
    const retry = await ledger.post<{ batchId: string }>('/batches/collections', collectBody, sorter.key, { 'idempotency-key': 'collect-1' });
    expect(retry.status).toBe(first.status);
    expect(retry.body).toEqual(first.body);
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('refuses the same key with a different body', async () => {
    await ledger.post('/batches/collections', collectBody, sorter.key, { 'idempotency-key': 'collect-2' });
    const reused = await ledger.post<{ code: string }>('/batches/collections', { ...collectBody, massGrams: 1 }, sorter.key, { 'idempotency-key': 'collect-2' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency-key-reused');
  });

  it('recognises a retried process by its key even when the stored answer was lost', async () => {
    const input = await ledger.post<{ batchId: string }>('/batches/collections', collectBody, sorter.key);
    const body = { processType: 'sorting', inputs: [{ batchId: input.body.batchId }], outputs: [{ massGrams: 12_345, grade: 'reuse', composition: COTTON }] };
    const first = await ledger.post<{ processId: string; outputBatchIds: string[] }>('/processes', body, sorter.key, { 'idempotency-key': 'sort-1' });
    expect(first.status).toBe(201);
    // Forget the stored answer, as a crash right after the append would.
    await ledger.app.get<import('kysely').Kysely<object>>((await import('../../apps/ledger-api/src/ledger/tokens.js')).READ_DB)
      .withTables<{ ledger_idempotency: { idempotency_key: string } }>()
      .deleteFrom('ledger_idempotency')
      .execute();
    const head = await ledger.store.headPosition();
    const retry = await ledger.post<{ processId: string; outputBatchIds: string[]; replayed: boolean }>('/processes', body, sorter.key, { 'idempotency-key': 'sort-1' });
    expect(retry.status).toBe(201);
    expect(retry.body.processId).toBe(first.body.processId);
    expect(retry.body.outputBatchIds).toEqual(first.body.outputBatchIds);
    expect(retry.body.replayed).toBe(true);
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('treats a client-supplied batch id as the identity of the batch', async () => {
    const batchId = '019a0000-0000-7000-8000-0000000000aa';
    expect((await ledger.post('/batches/collections', { ...collectBody, batchId }, sorter.key)).status).toBe(201);
    const again = await ledger.post<{ code: string }>('/batches/collections', { ...collectBody, batchId }, sorter.key);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('batch-exists');
  });
});
