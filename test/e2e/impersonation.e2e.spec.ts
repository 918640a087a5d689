import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

type Problem = { status: number; code: string; detail: string };
type AuditEntry = { organisationId: string | null; impersonatedBy: string | null; impersonationReason: string | null; route: string | null; status: number };

/** the operator acts on batches only by explicit, logged impersonation. */
describe('operator impersonation', () => {
  let ledger: LedgerHarness;
  let operatorId: string;
  let herning: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  let batchId: string;

  const as = (organisationId: string, reason?: string): Record<string, string> => ({
    'ledger-impersonate': organisationId,
    ...(reason !== undefined ? { 'ledger-impersonation-reason': reason } : {}),
  });

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_REQUEST_AUDIT_FLUSH_MS: '50' } });
    operatorId = (await ledger.get<Array<{ organisationId: string; roles: string[] }>>('/organisations')).body.find((o) => o.roles.includes('operator'))!.organisationId;
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    sorter = await ledger.registerOrganisation('Herning Sortering', ['sorter']);
    recycler = await ledger.registerOrganisation('Fibre Recycler', ['recycler']);
    auditor = await ledger.registerOrganisation('Revisor', ['auditor']);
    const collected = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 120_000, collectorOrgId: herning.id }, herning.key);
    expect(collected.status).toBe(201);
    batchId = collected.body.batchId;
    const shipped = await ledger.post(`/batches/${batchId}/dispatch`, { toOrgId: sorter.id }, herning.key);
    expect(shipped.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await ledger?.close();
  });

  it('refuses a material command from the operator that names no one to act for, appending nothing', async () => {
    const before = await ledger.store.headPosition();
    const refused = await ledger.post<Problem>(`/batches/${batchId}/receive`, { receivedMassGrams: 119_500 });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('operator-must-impersonate');
    expect(await ledger.store.headPosition()).toBe(before);
  });

  it.each([
    ['a non-operator', () => ({ key: recycler.key, headers: as(sorter.id, 'pretending') }), 403, 'impersonation-not-permitted'],
    ['an auditor', () => ({ key: auditor.key, headers: as(sorter.id, 'pretending') }), 403, 'impersonation-not-permitted'],
    ['the operator without a reason', () => ({ key: undefined, headers: as(sorter.id) }), 400, 'impersonation-reason-required'],
    ['the operator with a blank reason', () => ({ key: undefined, headers: as(sorter.id, '   ') }), 400, 'impersonation-reason-required'],
    ['the operator, for an unknown organisation', () => ({ key: undefined, headers: as('00000000-0000-4000-8000-000000000999', 'ticket 4') }), 404, 'unknown-organisation'],
    ['the operator, for itself', () => ({ key: undefined, headers: as(operatorId, 'ticket 4') }), 403, 'impersonation-not-permitted'],
    ['the operator, with a malformed id', () => ({ key: undefined, headers: as('sorter', 'ticket 4') }), 400, 'invalid-impersonation'],
  ])('refuses impersonation by %s', async (_what, request, status, code) => {
    const { key, headers } = request();
    const before = await ledger.store.headPosition();
    const refused = await ledger.request<Problem>('POST', `/batches/${batchId}/receive`, { body: { receivedMassGrams: 119_500 }, headers, ...(key !== undefined ? { key } : {}) });
    expect(refused.status).toBe(status);
    expect(refused.body.code).toBe(code);
    expect(await ledger.store.headPosition()).toBe(before);
  });

  it("acts with the impersonated organisation's rights only: not the operator's, not more", async () => {
    // The recycler is not the consignee: impersonating it grants nothing the recycler lacks.
    const notConsignee = await ledger.request<Problem>('POST', `/batches/${batchId}/receive`, { body: { receivedMassGrams: 119_500 }, headers: as(recycler.id, 'ticket 5') });
    expect(notConsignee.status).toBe(403);
    // Nor may the operator's administration rights travel with it.
    const register = await ledger.request<Problem>('POST', '/organisations', { body: { name: 'Sneaky', roles: ['sorter'] }, headers: as(recycler.id, 'ticket 5') });
    expect(register.status).toBe(403);
    expect(register.body.code).toBe('operator-only');
    // Reads are the recycler's too: the batch is not its to see.
    expect((await ledger.request('GET', `/batches/${batchId}`, { headers: as(recycler.id, 'ticket 5') })).status).toBe(404);
  });

  it('records the operator and the reason with every event and in the request audit log', async () => {
    const received = await ledger.request<{ position: number }>('POST', `/batches/${batchId}/receive`, { body: { receivedMassGrams: 119_500 }, headers: as(sorter.id, 'sorter lost its key; ticket 4711') });
    expect(received.status).toBe(200);
    const [event] = await ledger.store.readAll({ after: received.body.position - 1, maxCount: 1 });
    expect(event!.type).toBe('CustodyTransferReceived');
    expect(event!.metadata).toMatchObject({ actorOrgId: sorter.id, impersonatedBy: operatorId, impersonationReason: 'sorter lost its key; ticket 4711' });

    // The sorter, now custodian, sees it; so does the operator while acting as the sorter.
    expect((await ledger.get(`/batches/${batchId}`, sorter.key)).status).toBe(200);
    const history = await ledger.get<{ events: Array<{ type: string; actorOrgId: string }> }>(`/batches/${batchId}/history`, sorter.key);
    expect(history.status).toBe(200);

    const page = await ledger.get<{ entries: AuditEntry[] }>(`/audit/requests?organisationId=${sorter.id}`, auditor.key);
    expect(page.body.entries).toContainEqual(
      expect.objectContaining({ organisationId: sorter.id, impersonatedBy: operatorId, impersonationReason: 'sorter lost its key; ticket 4711', route: "/batches/:batchId/receive", status: 200 }),
    );
  });

  it('lets nobody but the operator act: an ordinary request records no impersonation', async () => {
    const plain = await ledger.post<{ position: number }>(`/batches/${batchId}/outcome`, { outcome: 'incinerated', energyRecovery: true }, sorter.key);
    if (plain.status !== 200) throw new Error(JSON.stringify(plain.body));
    const [event] = await ledger.store.readAll({ after: plain.body.position - 1, maxCount: 1 });
    expect(event!.metadata.impersonatedBy).toBeUndefined();
    expect(event!.metadata.actorOrgId).toBe(sorter.id);
  });
});
