import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { streamIds } from '#domain';
import { v7 as uuidv7 } from 'uuid';
import { COTTON } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

/**
 * ProcessStarted's event id derives from the process id alone, so a second command that races the
 * first with the same client-supplied process id appends "the same" event id, which the store treats
 * as an idempotent retry. The second command must still be refused, not answered with the first
 * command's outcome and output ids that were never produced.
 */
describe('two different commands racing with the same client-supplied process id', () => {
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

  it('records one and refuses the other with 409', async () => {
    const processId = uuidv7();
    const inputs: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const r = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 10_000 }, sorter.key);
      inputs.push(r.body.batchId);
    }
    const attempts = await Promise.all(
      inputs.map((batchId) =>
        ledger.post<{ outputBatchIds?: string[]; code?: string }>(
          '/processes',
          { processId, processType: 'sorting', inputs: [{ batchId }], outputs: [{ massGrams: 10_000, grade: 'reuse', composition: COTTON }] },
          sorter.key,
        ),
      ),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual([201, 409]);
    const winner = attempts.find((a) => a.status === 201)!;
    // The winner's answer is the truth: its outputs exist.
    for (const id of winner.body.outputBatchIds ?? []) {
      expect((await ledger.store.readStream(streamIds.batch(id))).map((e) => e.type)).toEqual(['BatchProduced']);
    }
  });
});
