import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { foldMassBalanceAccount, massBalanceAccountStreamId } from '#domain';
import { COTTON_POLY } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

const OPERATOR_KEY = 'tl_000000000000_e2e-operator-key-with-enough-entropy';

/**
 * Recycled-content claims (docs/decisions/044-recycled-content-claims.md): physical models are held
 * to the batch's own provenance, mass balance to the claimant's credit account, and every refusal
 * is a specific problem that appends nothing.
 */
describe('recycled-content claims', () => {
  let ledger: LedgerHarness;
  let recycler: RegisteredOrganisation;
  let outsider: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  /** 100 kg: 60 kg collected textile, 40 kg virgin polyester. */
  let output: string;
  let processId: string;
  const year = String(new Date().getUTCFullYear());

  const claim = (body: Record<string, unknown>, key = recycler.key, headers?: Record<string, string>) =>
    ledger.post<Record<string, unknown>>('/claims', { claimId: randomUUID(), batchId: output, standard: 'grs', model: 'segregated', recycledContentBasisPoints: 3_000, ...body }, key, headers);

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler', 'collector']);
    outsider = await ledger.registerOrganisation('Brand A/S', ['brand']);
    auditor = await ledger.registerOrganisation('Revision A/S', ['auditor']);
    await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), recycler.id);
    const collected = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 60_000 }, recycler.key);
    expect(collected.status).toBe(201);
    const processed = await ledger.post<{ processId: string; outputBatchIds: string[] }>(
      '/processes',
      {
        processType: 'mechanical-recycling',
        inputs: [{ batchId: collected.body.batchId }],
        externalInputs: [{ description: 'virgin polyester', massGrams: 40_000, composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'virgin' }],
        outputs: [{ massGrams: 100_000, grade: 'fibre', composition: COTTON_POLY }],
      },
      recycler.key,
    );
    expect(processed.status).toBe(201);
    output = processed.body.outputBatchIds[0]!;
    processId = processed.body.processId;
  }, 60_000);
  afterAll(async () => {
    await ledger.close();
  }, 60_000);

  /** Every refusal leaves the log as it was. */
  async function refused(response: Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }>, status: number, code: string): Promise<void> {
    const head = await ledger.store.headPosition();
    const answer = await response;
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
    expect(String(answer.headers['content-type'])).toContain('application/problem+json');
    expect(await ledger.store.headPosition()).toBe(head);
  }

  describe('physical models', () => {
    it('records a claim up to the batch’s own recycled share (60 %), with the provenance figure', async () => {
      const claimId = randomUUID();
      const recorded = await claim({ claimId, recycledContentBasisPoints: 6_000, model: 'identity-preserved' });
      expect(recorded.status).toBe(201);
      expect(recorded.body).toMatchObject({ claimId, eventTypes: ['RecycledContentClaimed'], replayed: false });
      const got = await ledger.get<Record<string, unknown>>(`/claims/${claimId}`, recycler.key);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        claimId,
        batchId: output,
        claimantOrgId: recycler.id,
        claimantOrgName: 'Fibre Loop ApS',
        standard: 'grs',
        model: 'identity-preserved',
        recycledContentBasisPoints: 6_000,
        recycledContentPercent: '60.00',
        batchMassGrams: 100_000,
        claimedRecycledGrams: 60_000,
        batchRecycledGrams: 60_000,
        accountId: null,
      });
    });

    it('refuses 60.01 % under a physical model: more than the batch holds', async () => {
      for (const model of ['identity-preserved', 'segregated', 'controlled-blending']) {
        await refused(claim({ model, recycledContentBasisPoints: 6_001 }), 422, 'exceeds-batch-recycled-content');
      }
    });

    it('refuses a share below the standard’s threshold', async () => {
      await refused(claim({ standard: 'rcs', recycledContentBasisPoints: 499 }), 422, 'below-standard-threshold');
      await refused(claim({ standard: 'grs-label', recycledContentBasisPoints: 4_999 }), 422, 'below-standard-threshold');
      await refused(claim({ standard: 'rcs-100', recycledContentBasisPoints: 9_499 }), 422, 'below-standard-threshold');
    });

    it('refuses a malformed body, an unknown standard or model, a share outside 1..10000', async () => {
      await refused(claim({ standard: 'oeko-tex' }), 400, 'invalid-body');
      await refused(claim({ model: 'book-and-claim' }), 400, 'invalid-body');
      await refused(claim({ recycledContentBasisPoints: 10_001 }), 400, 'invalid-body');
      await refused(claim({ recycledContentBasisPoints: 25.5 }), 400, 'invalid-body');
    });

    it('refuses an organisation that neither owns nor holds the batch, an auditor, and an unknown batch', async () => {
      await refused(claim({}, outsider.key), 403, 'not-owner-or-custodian');
      await refused(claim({}, auditor.key), 403, 'read-only-role');
      await refused(claim({ batchId: randomUUID() }), 404, 'unknown-batch');
    });

    it('refuses a claim id already recorded, and replays a retry under the same Idempotency-Key', async () => {
      const claimId = randomUUID();
      const first = await claim({ claimId }, recycler.key, { 'idempotency-key': `claim-${claimId}` });
      expect(first.status).toBe(201);
      const retry = await claim({ claimId }, recycler.key, { 'idempotency-key': `claim-${claimId}` });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      await refused(claim({ claimId }), 409, 'claim-exists');
      await refused(claim({ claimId, model: 'mass-balance' }), 409, 'claim-exists');
    });

    it('shows a batch’s claims to whoever may see the batch, and a claim as 404 to anyone else', async () => {
      const list = await ledger.get<{ claims: Array<{ claimId: string }> }>(`/batches/${output}/claims`, recycler.key);
      expect(list.status).toBe(200);
      expect(list.body.claims.length).toBeGreaterThanOrEqual(2);
      const claimId = list.body.claims[0]!.claimId;
      expect((await ledger.get(`/batches/${output}/claims`, outsider.key)).status).toBe(404);
      expect((await ledger.get<{ code: string }>(`/claims/${claimId}`, outsider.key)).body.code).toBe('unknown-claim');
      expect((await ledger.get(`/claims/${claimId}`, auditor.key)).status).toBe(200);
      expect((await ledger.get(`/claims/${randomUUID()}`, recycler.key)).status).toBe(404);
      const own = await ledger.get<{ organisationName: string; claims: unknown[] }>(`/organisations/${recycler.id}/claims`, recycler.key);
      expect(own.body).toMatchObject({ organisationName: 'Fibre Loop ApS', claims: list.body.claims });
      expect((await ledger.get(`/organisations/${recycler.id}/claims`, outsider.key)).status).toBe(403);
    });

    it('lists the standards with their thresholds and the period rule', async () => {
      const standards = await ledger.get<{ standards: Array<{ standard: string; minimumRecycledPercent: string }>; period: unknown }>('/claims/standards', outsider.key);
      expect(standards.body.standards.map((s) => [s.standard, s.minimumRecycledPercent])).toEqual([
        ['rcs', '5.00'],
        ['rcs-100', '95.00'],
        ['grs', '20.00'],
        ['grs-label', '50.00'],
      ]);
      expect(standards.body.period).toEqual({ length: 'calendar-year', carryOver: 'none' });
    });
  });

  describe('mass balance', () => {
    it('credits the recycled grams that entered the process (60 kg), debits each claim, and refuses what would overdraw', async () => {
      // 20 % of 100 kg = 20 kg each: the account affords three.
      for (let n = 0; n < 3; n += 1) {
        const accepted = await claim({ model: 'mass-balance', recycledContentBasisPoints: 2_000 });
        expect(accepted.status).toBe(201);
        expect(accepted.body.eventTypes).toEqual(n === 0 ? ['MassBalanceCredited', 'RecycledContentClaimed', 'MassBalanceDebited'] : ['RecycledContentClaimed', 'MassBalanceDebited']);
      }
      await refused(claim({ model: 'mass-balance', recycledContentBasisPoints: 2_000 }), 409, 'insufficient-mass-balance');

      const account = await ledger.get<Record<string, unknown> & { movements: Array<Record<string, unknown>> }>(`/organisations/${recycler.id}/mass-balance-accounts/${year}`, recycler.key);
      expect(account.status).toBe(200);
      expect(account.body).toMatchObject({ accountId: `${recycler.id}-${year}`, organisationName: 'Fibre Loop ApS', creditedGrams: 60_000, debitedGrams: 60_000, reversedGrams: 0, balanceGrams: 0 });
      expect(account.body.movements.map((m) => [m.kind, m.grams, m.balanceAfterGrams])).toEqual([
        ['credit', 60_000, 60_000],
        ['debit', 20_000, 40_000],
        ['debit', 20_000, 20_000],
        ['debit', 20_000, 0],
      ]);
      expect(account.body.movements[0]).toMatchObject({ processId });
      const list = await ledger.get<{ accounts: Array<{ periodId: string; balanceGrams: number }> }>(`/organisations/${recycler.id}/mass-balance-accounts`, recycler.key);
      expect(list.body.accounts).toEqual([expect.objectContaining({ periodId: year, balanceGrams: 0 })]);
    });

    it('shows an account to the organisation, auditors and the operator only', async () => {
      expect((await ledger.get(`/organisations/${recycler.id}/mass-balance-accounts/${year}`, auditor.key)).status).toBe(200);
      expect((await ledger.get(`/organisations/${recycler.id}/mass-balance-accounts/${year}`)).status).toBe(200);
      expect((await ledger.get(`/organisations/${recycler.id}/mass-balance-accounts/${year}`, outsider.key)).status).toBe(403);
      expect((await ledger.get(`/organisations/${recycler.id}/mass-balance-accounts`, outsider.key)).status).toBe(403);
      expect((await ledger.get(`/organisations/${recycler.id}/mass-balance-accounts/2026-13`, recycler.key)).status).toBe(400);
    });

    it('takes an unspent credit back before a void, and never credits the voided process again', async () => {
      const made: Array<{ processId: string; output: string }> = [];
      for (let n = 0; n < 2; n += 1) {
        const collected = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 10_000 }, recycler.key);
        const processed = await ledger.post<{ processId: string; outputBatchIds: string[] }>(
          '/processes',
          { processType: 'mechanical-recycling', inputs: [{ batchId: collected.body.batchId }], outputs: [{ massGrams: 10_000, grade: 'fibre', composition: COTTON_POLY }] },
          recycler.key,
        );
        expect(processed.status).toBe(201);
        made.push({ processId: processed.body.processId, output: processed.body.outputBatchIds[0]! });
      }
      const [voided, kept] = made as [{ processId: string; output: string }, { processId: string; output: string }];
      // Books both 10 kg credits, debits 2 kg: 18 kg left.
      expect((await claim({ batchId: kept.output, model: 'mass-balance', recycledContentBasisPoints: 2_000 })).body.eventTypes).toEqual([
        'MassBalanceCredited',
        'MassBalanceCredited',
        'RecycledContentClaimed',
        'MassBalanceDebited',
      ]);
      const void_ = await ledger.post<Record<string, unknown>>(`/processes/${voided.processId}/void`, { reason: 'recorded twice' }, recycler.key);
      expect(void_.status).toBe(200);
      const account = await ledger.get<{ balanceGrams: number; reversedGrams: number; movements: Array<Record<string, unknown>> }>(`/organisations/${recycler.id}/mass-balance-accounts/${year}`, recycler.key);
      expect(account.body).toMatchObject({ balanceGrams: 8_000, reversedGrams: 10_000 });
      expect(account.body.movements.at(-1)).toMatchObject({ kind: 'credit-reversal', processId: voided.processId, grams: 10_000, balanceAfterGrams: 8_000 });
      // 9 kg would need the voided process's credit again: refused.
      await refused(claim({ batchId: kept.output, model: 'mass-balance', recycledContentBasisPoints: 9_000 }), 409, 'insufficient-mass-balance');
      expect((await claim({ batchId: kept.output, model: 'mass-balance', recycledContentBasisPoints: 8_000 })).status).toBe(201);
    });

    it('refuses to void a process whose credit claims have spent: the account never goes below zero', async () => {
      await refused(ledger.post(`/processes/${processId}/void`, { reason: 'wrong input recorded' }, recycler.key), 409, 'mass-balance-credit-claimed');
      const stream = await ledger.store.readStream(massBalanceAccountStreamId(recycler.id, year));
      expect(stream.filter((e) => e.type === 'MassBalanceCreditReversed' && (e.data as { processId: string }).processId === processId)).toHaveLength(0);
    });
  });
});

/**
 * Fifty claims at once against one account that affords fourteen: exactly fourteen are recorded,
 * the rest are refused, and no movement ever leaves the account below zero; on the embedded log, and
 * on PostgreSQL with the claims spread over two API instances (decision 024).
 */
describe.each(['sqlite', 'postgres'] as const)('50 concurrent mass-balance claims on one account (event log: %s)', (eventLog) => {
  let postgres: TestPostgres | undefined;
  const instances: LedgerHarness[] = [];
  let recycler: RegisteredOrganisation;
  let output: string;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { LEDGER_STORE: eventLog, LEDGER_READ_MODELS: eventLog };
    if (eventLog === 'postgres') {
      postgres = await startTestPostgres();
      env.LEDGER_DATABASE_URL = await postgres.createDatabase();
      // The instances share the checkpoint signing key, as decision 024 requires.
      const keyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const quiet = { LEDGER_AUDIT_KEY: keyPem, LEDGER_CHECKPOINT_EVERY_EVENTS: '0', LEDGER_CHECKPOINT_EVERY_MS: '0', LEDGER_REQUEST_AUDIT: 'off' };
      for (let n = 0; n < 2; n += 1) instances.push(await LedgerHarness.start({ operatorKey: OPERATOR_KEY, env: { ...env, ...quiet, LEDGER_READ_MODELS_URL: await postgres.createDatabase() } }));
    } else {
      instances.push(await LedgerHarness.start({ operatorKey: OPERATOR_KEY, env }));
    }
    const a = instances[0]!;
    recycler = await a.registerOrganisation('Fibre Loop ApS', ['recycler', 'collector']);
    await a.authoriseCollector(await a.registerOrganisation('Herning Kommune', ['municipality'], '0657'), recycler.id);
    const collected = await a.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 100_000 }, recycler.key);
    const processed = await a.post<{ outputBatchIds: string[] }>(
      '/processes',
      { processType: 'mechanical-recycling', inputs: [{ batchId: collected.body.batchId }], outputs: [{ massGrams: 100_000, grade: 'fibre', composition: COTTON_POLY }] },
      recycler.key,
    );
    expect(processed.status).toBe(201);
    output = processed.body.outputBatchIds[0]!;
    // Every instance's read models know the process and its output before the race.
    for (const instance of instances) await instance.runner.waitForPosition(await instance.store.headPosition(), 10_000);
  }, 120_000);
  afterAll(async () => {
    for (const instance of instances.reverse()) await instance.close().catch(() => undefined);
    await postgres?.stop();
  }, 60_000);

  it('records exactly the claims that fit, refuses the rest, and never overdraws', async () => {
    // 100 kg of credit; each claim is 7 % of the 100 kg batch, 7 kg: fourteen fit (98 kg).
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        instances[n % instances.length]!.post<{ code?: string; eventTypes?: string[] }>(
          '/claims',
          { claimId: randomUUID(), batchId: output, standard: 'rcs', model: 'mass-balance', recycledContentBasisPoints: 700 },
          recycler.key,
        ),
      ),
    );
    const accepted = attempts.filter((a) => a.status === 201);
    const refusedOnes = attempts.filter((a) => a.status !== 201);
    expect(accepted).toHaveLength(14);
    expect(refusedOnes.map((r) => [r.status, r.body.code])).toEqual(Array(36).fill([409, 'insufficient-mass-balance']));

    const year = String(new Date().getUTCFullYear());
    const stream = await instances[0]!.store.readStream(massBalanceAccountStreamId(recycler.id, year));
    expect(stream.filter((e) => e.type === 'MassBalanceCredited')).toHaveLength(1);
    expect(stream.filter((e) => e.type === 'MassBalanceDebited')).toHaveLength(14);
    const account = foldMassBalanceAccount(stream);
    expect(account.movements.every((m) => m.balanceAfterGrams >= 0n)).toBe(true);
    expect(account).toMatchObject({ creditedGrams: 100_000n, debitedGrams: 98_000n, balanceGrams: 2_000n });
    for (const instance of instances) {
      await instance.runner.waitForPosition(await instance.store.headPosition(), 10_000);
      const view = await instance.get<{ balanceGrams: number; debitedGrams: number }>(`/organisations/${recycler.id}/mass-balance-accounts/${year}`, recycler.key);
      expect(view.body).toMatchObject({ balanceGrams: 2_000, debitedGrams: 98_000 });
    }
  });
});
