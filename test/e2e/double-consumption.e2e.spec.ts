import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { streamIds } from '#domain';
import { COTTON_POLY } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

/** The cardinal invariant: a batch is consumed by at most one process, under any concurrency. */
// On the embedded log and on PostgreSQL: the guarantee must not depend on the store.
describe.each(['sqlite', 'postgres'] as const)('50 concurrent processes on the same batch (event log: %s)', (eventLog) => {
  let postgres: TestPostgres | undefined;
  let ledger: LedgerHarness;
  let sorter: RegisteredOrganisation;

  beforeAll(async () => {
    // On PostgreSQL, the read models live there too (the postgres topology).
    const env: NodeJS.ProcessEnv = { LEDGER_STORE: eventLog, LEDGER_READ_MODELS: eventLog };
    if (eventLog === 'postgres') {
      postgres = await startTestPostgres();
      env.LEDGER_DATABASE_URL = await postgres.createDatabase();
    }
    ledger = await LedgerHarness.start({ env });
    sorter = await ledger.registerOrganisation('Sorter', ['sorter', 'collector']);
    // a collector records collections only for a kommune whose municipality authorised it.
    await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), sorter.id);
  }, 60_000);
  afterAll(async () => {
    await ledger.close();
    await postgres?.stop();
  }, 60_000);

  it('lets exactly one succeed; the rest get 409 and leave nothing half-written', async () => {
    const collected = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 100_000 }, sorter.key);
    expect(collected.status).toBe(201);
    const batchId = collected.body.batchId;
    // A second, untouched input makes each attempt consume one input before it can fail.
    const attempts = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const other = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 1_000 }, sorter.key);
        return ledger.post<{ processId?: string; code?: string }>(
          '/processes',
          {
            processType: 'blending',
            inputs: [{ batchId: other.body.batchId }, { batchId }],
            outputs: [{ massGrams: 101_000, grade: 'recycling', composition: COTTON_POLY }],
          },
          sorter.key,
        ).then((r) => ({ ...r, other: other.body.batchId }));
      }),
    );
    const winners = attempts.filter((a) => a.status === 201);
    const losers = attempts.filter((a) => a.status !== 201);
    expect(winners).toHaveLength(1);
    expect(losers.map((l) => l.status)).toEqual(Array(49).fill(409));
    for (const loser of losers) expect(String(loser.headers['content-type'])).toContain('application/problem+json');
    // One problem type for every loser, whether it lost before recording its intent or after; those
    // that lost after say so, since a rejected process is then on record under their id.
    expect(new Set(losers.map((l) => l.body.code))).toEqual(new Set(['batch-not-available']));
    for (const loser of losers.filter((l) => (l.body as { processStatus?: string }).processStatus === 'rejected')) {
      expect(loser.body).toMatchObject({ batchId, processId: expect.any(String) });
    }

    // The contested batch was consumed exactly once, and never reverted.
    const contested = await ledger.store.readStream(streamIds.batch(batchId));
    expect(contested.filter((e) => e.type === 'BatchConsumed')).toHaveLength(1);
    expect(contested.filter((e) => e.type === 'BatchConsumptionReverted')).toHaveLength(0);

    // Every loser's other input is available again: consumed then reverted, or never touched.
    for (const loser of losers) {
      const summary = await ledger.get<{ status: string }>(`/batches/${loser.other}`, sorter.key);
      expect(summary.body.status).toBe('available');
    }
    // No process is left started without an end.
    const all = await ledger.store.readAll({ maxCount: 100_000 });
    const started = all.filter((e) => e.type === 'ProcessStarted').length;
    const ended = all.filter((e) => e.type === 'ProcessCompleted' || e.type === 'ProcessRejected').length;
    expect(ended).toBe(started);
    expect(all.filter((e) => e.type === 'ProcessCompleted')).toHaveLength(1);
  });
});
