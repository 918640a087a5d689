/**
 * End to end: a collector records collections only for a kommune whose municipality has
 * authorised it, from the moment the authorisation is answered until the moment its revocation is.
 * Only the municipality itself authorises or revokes. Refusals append nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import type { CollectorAuthorisationView } from '#projections';

interface Problem {
  status: number;
  code: string;
  detail: string;
}
interface AuthorisationAnswer {
  organisationId: string;
  kommuneCode: string;
  collectorOrgId: string;
  eventId: string;
  position: number;
}

interface BulkResponse {
  succeeded: number;
  failed: number;
  results: Array<{ index: number; status: number; problem?: Problem }>;
}

const collection = (kommuneCode: string, massGrams = 10_000) => ({ kommuneCode, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams });

describe('collector authorisation', () => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let ikast: RegisteredOrganisation;
  let collector: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    ikast = await ledger.registerOrganisation('Ikast-Brande Kommune', ['municipality'], '0756');
    collector = await ledger.registerOrganisation('Tekstilindsamling ApS', ['collector']);
    sorter = await ledger.registerOrganisation('Sortering A/S', ['sorter']);
    auditor = await ledger.registerOrganisation('Revision A/S', ['auditor']);
  }, 60_000);
  afterAll(async () => {
    await ledger?.close();
  }, 60_000);

  const authorisations = (municipality: RegisteredOrganisation) => `/organisations/${municipality.id}/collector-authorisations`;

  /** Sends the request and checks that the log did not grow. */
  async function refusedWithoutAppending(send: () => Promise<{ status: number; body: Problem }>): Promise<Problem & { httpStatus: number }> {
    const head = await ledger.store.headPosition();
    const response = await send();
    expect(await ledger.store.headPosition()).toBe(head);
    return { ...response.body, httpStatus: response.status };
  }

  it('refuses a collector before, accepts it after authorisation, and refuses it again right after revocation', async () => {
    const before = await refusedWithoutAppending(() => ledger.post<Problem>('/batches/collections', collection('0657'), collector.key));
    expect(before).toMatchObject({ httpStatus: 403, code: 'collector-not-authorised' });
    expect(before.detail).toContain('Herning Kommune (0657)');

    const authorised = await ledger.post<AuthorisationAnswer>(authorisations(herning), { collectorOrgId: collector.id, reason: 'tender 2026-04' }, herning.key);
    expect(authorised.status).toBe(201);
    expect(authorised.body).toMatchObject({ organisationId: herning.id, kommuneCode: '0657', collectorOrgId: collector.id, eventId: expect.any(String) });
    const [event] = (await ledger.store.readStream(`organisation-${herning.id}`)).filter((e) => e.position === authorised.body.position);
    expect(event).toMatchObject({
      type: 'CollectorAuthorised',
      data: { organisationId: herning.id, kommuneCode: '0657', collectorOrgId: collector.id, authorisedBy: herning.id, reason: 'tender 2026-04' },
      metadata: { actorOrgId: herning.id },
    });

    const accepted = await ledger.post<{ batchId: string }>('/batches/collections', collection('0657'), collector.key);
    expect(accepted.status).toBe(201);
    // Authorised by Herning, not by Ikast-Brande.
    expect(await refusedWithoutAppending(() => ledger.post<Problem>('/batches/collections', collection('0756'), collector.key))).toMatchObject({
      httpStatus: 403,
      code: 'collector-not-authorised',
    });

    const revoked = await ledger.post<AuthorisationAnswer>(`${authorisations(herning)}/${collector.id}/revoke`, { reason: 'contract ended' }, herning.key);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ kommuneCode: '0657', collectorOrgId: collector.id });
    expect(await refusedWithoutAppending(() => ledger.post<Problem>('/batches/collections', collection('0657'), collector.key))).toMatchObject({
      httpStatus: 403,
      code: 'collector-not-authorised',
    });
  }, 60_000);

  it('checks every item of a bulk import against the authorisations of its own kommune', async () => {
    await ledger.authoriseCollector(ikast, collector.id);
    const head = await ledger.store.headPosition();
    const response = await ledger.post<BulkResponse>('/batches/collections/bulk', { collections: [collection('0756'), collection('0657'), collection('0756')] }, collector.key);
    expect(response.status).toBe(200);
    expect(response.body.results.map((r) => r.status)).toEqual([201, 403, 201]);
    expect(response.body.results[1]!.problem!.code).toBe('collector-not-authorised');
    expect(await ledger.store.headPosition()).toBe(head + 2);
  }, 60_000);

  it('still lets the municipality record its own collection naming a collector it has not authorised', async () => {
    const response = await ledger.post('/batches/collections', { ...collection('0657'), collectorOrgId: collector.id }, herning.key);
    expect(response.status).toBe(201);
  });

  it.each([
    ['another municipality', () => ikast, 'not-the-municipality'],
    ['the operator', () => undefined, 'not-the-municipality'],
    ['the collector itself', () => collector, 'not-the-municipality'],
  ])('refuses %s authorising or revoking for Herning', async (_who, as, code) => {
    const key = as()?.key;
    const authorise = await refusedWithoutAppending(() => ledger.post<Problem>(authorisations(herning), { collectorOrgId: collector.id }, key));
    expect(authorise).toMatchObject({ httpStatus: 403, code });
    await ledger.authoriseCollector(herning, collector.id);
    const revoke = await refusedWithoutAppending(() => ledger.post<Problem>(`${authorisations(herning)}/${collector.id}/revoke`, { reason: 'hostile' }, key));
    expect(revoke).toMatchObject({ httpStatus: 403, code });
    expect((await ledger.post(`${authorisations(herning)}/${collector.id}/revoke`, { reason: 'reset' }, herning.key)).status).toBe(200);
  }, 60_000);

  it('refuses an auditor: auditors never write', async () => {
    const refused = await refusedWithoutAppending(() => ledger.post<Problem>(authorisations(herning), { collectorOrgId: collector.id }, auditor.key));
    expect(refused.httpStatus).toBe(403);
  });

  it('refuses to authorise an organisation that is not a collector (422) or not registered (404)', async () => {
    expect(await refusedWithoutAppending(() => ledger.post<Problem>(authorisations(herning), { collectorOrgId: sorter.id }, herning.key))).toMatchObject({
      httpStatus: 422,
      code: 'not-a-collector',
    });
    const unknown = '0190a000-0000-7000-8000-000000000999';
    expect(await refusedWithoutAppending(() => ledger.post<Problem>(authorisations(herning), { collectorOrgId: unknown }, herning.key))).toMatchObject({
      httpStatus: 404,
      code: 'unknown-organisation',
    });
  });

  it('refuses authorising twice and revoking what is not in force (409)', async () => {
    expect(await refusedWithoutAppending(() => ledger.post<Problem>(authorisations(ikast), { collectorOrgId: collector.id }, ikast.key))).toMatchObject({
      httpStatus: 409,
      code: 'collector-already-authorised',
    });
    expect(await refusedWithoutAppending(() => ledger.post<Problem>(`${authorisations(herning)}/${collector.id}/revoke`, { reason: 'twice' }, herning.key))).toMatchObject({
      httpStatus: 409,
      code: 'collector-not-authorised',
    });
  });

  it('lists the history of a municipality to anyone authenticated: who, when, why', async () => {
    const list = await ledger.get<CollectorAuthorisationView[]>(authorisations(herning), collector.key);
    expect(list.status).toBe(200);
    // The first test's authorisation and revocation, then each refused-actor case authorised and revoked again.
    expect(list.body).toHaveLength(4);
    expect(list.body[0]).toEqual({
      kommuneCode: '0657',
      collectorOrgId: collector.id,
      collectorOrgName: 'Tekstilindsamling ApS',
      active: false,
      authorisedAt: expect.any(String),
      authorisedBy: herning.id,
      authoriseReason: 'tender 2026-04',
      revokedAt: expect.any(String),
      revokedBy: herning.id,
      revokeReason: 'contract ended',
    });
    expect(list.body.every((a) => !a.active)).toBe(true);
    expect((await ledger.get<CollectorAuthorisationView[]>(authorisations(ikast), auditor.key)).body).toMatchObject([{ kommuneCode: '0756', collectorOrgId: collector.id, active: true }]);
    expect((await ledger.get<Problem>('/organisations/0190a000-0000-7000-8000-000000000999/collector-authorisations', collector.key)).body).toMatchObject({
      status: 404,
      code: 'unknown-organisation',
    });
  });

  it('validates the bodies', async () => {
    expect((await ledger.post<Problem>(authorisations(herning), { collectorOrgId: 'nope' }, herning.key)).status).toBe(400);
    expect((await ledger.post<Problem>(`${authorisations(herning)}/${collector.id}/revoke`, {}, herning.key)).status).toBe(400);
  });
});

describe('collector authorisation while the read models lag', () => {
  let ledger: LedgerHarness;

  afterAll(async () => {
    await ledger?.close();
  }, 60_000);

  it('binds a revocation, and an authorisation, made through this instance at once, before the read models include them', async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_READ_YOUR_WRITES: 'false', LEDGER_PROJECTIONS: 'in-process' } });
    const herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    const collector = await ledger.registerOrganisation('Tekstilindsamling ApS', ['collector']);
    const authorisations = `/organisations/${herning.id}/collector-authorisations`;
    expect((await ledger.post(authorisations, { collectorOrgId: collector.id }, herning.key)).status).toBe(201);
    await ledger.runner.waitForPosition(await ledger.store.headPosition(), 10_000);
    expect((await ledger.post('/batches/collections', collection('0657'), collector.key)).status).toBe(201);
    // The read models include the authorisation; from here on they stand still.
    await ledger.runner.stop();

    const revoked = await ledger.post<AuthorisationAnswer>(`${authorisations}/${collector.id}/revoke`, { reason: 'contract ended' }, herning.key);
    expect(revoked.status).toBe(200);
    expect(ledger.runner.position()).toBeLessThan(revoked.body.position);
    expect(await ledger.post<Problem>('/batches/collections', collection('0657'), collector.key)).toMatchObject({ status: 403, body: { code: 'collector-not-authorised' } });

    const again = await ledger.post<AuthorisationAnswer>(authorisations, { collectorOrgId: collector.id, reason: 'new contract' }, herning.key);
    expect(again.status).toBe(201);
    expect((await ledger.post('/batches/collections', collection('0657'), collector.key)).status).toBe(201);

    // Caught up, the read models say the same, and the revocation stays in the history.
    await ledger.runner.start();
    await ledger.runner.waitForPosition(await ledger.store.headPosition(), 10_000);
    expect((await ledger.post('/batches/collections', collection('0657'), collector.key)).status).toBe(201);
    const history = await ledger.get<CollectorAuthorisationView[]>(authorisations, collector.key);
    expect(history.body.map((a) => [a.active, a.revokeReason])).toEqual([
      [false, 'contract ended'],
      [true, null],
    ]);
  }, 60_000);
});
