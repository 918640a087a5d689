import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

type Json = Record<string, unknown>;
interface MembersAnswer {
  members: Array<{ organisationId: string; name: string; lastMemberDay: string; smeStatus: string; sizeAppliesFrom: string | null }>;
  counts: { organisations: number; smes: number; notSmes: number; unknown: number };
}

/**
 * Closing Loops over HTTP (docs/decisions/041-programmes-and-sme-status.md): the operator registers
 * the programme naming its manager; the manager registers CØ59 and adds and removes members; the
 * members declare their sizes; the members report counts organisations and SMEs for a period.
 */
describe('programmes, value chains, members and SME status over HTTP', () => {
  let ledger: LedgerHarness;
  let manager: RegisteredOrganisation;
  let laundry: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let maker: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  let programmeId: string;
  let chainId: string;

  async function ok(response: Promise<{ status: number; body: unknown }>, status = 200): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Json;
  }

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    manager = await ledger.registerOrganisation('Lifestyle & Design Cluster', ['brand']);
    laundry = await ledger.registerOrganisation('Hospitalsvaskeriet', ['sorter']);
    recycler = await ledger.registerOrganisation('Genfiber A/S', ['recycler']);
    maker = await ledger.registerOrganisation('Puder og Poser ApS', ['manufacturer']);
    auditor = await ledger.registerOrganisation('Revisionsfirma', ['auditor']);
  }, 120_000);

  afterAll(async () => {
    await ledger.close();
  });

  it('registers the programme (operator only) and its value chain (its manager)', async () => {
    const refused = await ledger.post('/programmes', { name: 'Closing Loops' }, manager.key);
    expect(refused).toMatchObject({ status: 403, body: { code: 'role-not-permitted' } });
    ({ programmeId } = (await ok(ledger.post('/programmes', { name: 'Closing Loops', tag: 'closing-loops', managerOrganisationId: manager.id }), 201)) as { programmeId: string });
    ({ valueChainId: chainId } = (await ok(ledger.post(`/programmes/${programmeId}/value-chains`, { name: 'CØ59' }, manager.key), 201)) as { valueChainId: string });
    const outsider = await ledger.post(`/programmes/${programmeId}/value-chains`, { name: 'CØ60' }, laundry.key);
    expect(outsider).toMatchObject({ status: 403, body: { code: 'not-programme-manager' } });
    const list = await ok(ledger.get('/programmes', laundry.key));
    expect(list).toEqual({
      programmes: [
        {
          programmeId,
          name: 'Closing Loops',
          tag: 'closing-loops',
          managerOrganisationId: manager.id,
          registeredAt: expect.any(String),
          valueChains: [{ valueChainId: chainId, name: 'CØ59', registeredAt: expect.any(String) }],
        },
      ],
    });
    expect(await ok(ledger.get(`/programmes/${programmeId}`, laundry.key))).toMatchObject({ name: 'Closing Loops' });
  });

  it('declares sizes (the organisation itself or the operator) and shows them only to it, auditors and the operator', async () => {
    await ok(ledger.post(`/organisations/${laundry.id}/size`, { employees: 180, annualTurnoverEur: 20_000_000, balanceSheetTotalEur: 15_000_000, appliesFrom: '2022-01-01' }, laundry.key), 201);
    await ok(ledger.post(`/organisations/${recycler.id}/size`, { employees: 260, annualTurnoverEur: 60_000_000, balanceSheetTotalEur: 40_000_000, appliesFrom: '2023-01-01' }), 201);
    await ok(ledger.post(`/organisations/${recycler.id}/size`, { employees: 240, annualTurnoverEur: 60_000_000, balanceSheetTotalEur: 40_000_000, appliesFrom: '2024-01-01' }, recycler.key), 201);
    expect(await ledger.post(`/organisations/${recycler.id}/size`, { employees: 1, annualTurnoverEur: 1, balanceSheetTotalEur: 1, appliesFrom: '2024-01-01' }, laundry.key)).toMatchObject({
      status: 403,
      body: { code: 'not-own-organisation' },
    });
    expect(await ledger.post(`/organisations/${laundry.id}/size`, { employees: 1, annualTurnoverEur: 1.5, balanceSheetTotalEur: 1, appliesFrom: '2024-01-01' }, laundry.key)).toMatchObject({ status: 400 });
    const sizes = await ok(ledger.get(`/organisations/${recycler.id}/size`, auditor.key));
    expect((sizes['declarations'] as Json[]).map((d) => [d['appliesFrom'], d['smeStatus']])).toEqual([
      ['2023-01-01', 'not-sme'],
      ['2024-01-01', 'sme'],
    ]);
    expect((await ledger.get(`/organisations/${recycler.id}/size`, laundry.key)).status).toBe(403);
  });

  it('adds and removes members with the day it applies from, and counts organisations and SMEs for a period', async () => {
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: laundry.id, valueChainId: chainId, from: '2023-08-15' }, manager.key), 201);
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: recycler.id, valueChainId: chainId, from: '2023-09-01' }, manager.key), 201);
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: maker.id, from: '2023-08-15' }), 201);
    await ok(ledger.post(`/programmes/${programmeId}/members/remove`, { organisationId: maker.id, from: '2024-01-01', reason: 'Left the programme' }, manager.key));
    const twice = await ledger.post(`/programmes/${programmeId}/members`, { organisationId: laundry.id, valueChainId: chainId, from: '2023-09-01' }, manager.key);
    expect(twice).toMatchObject({ status: 409, body: { code: 'already-member' } });

    const period = (await ok(ledger.get(`/programmes/${programmeId}/members?from=2023-08-15&to=2024-08-31`, auditor.key))) as unknown as MembersAnswer;
    expect(period.members.map((m) => [m.name, m.lastMemberDay, m.smeStatus])).toEqual([
      ['Genfiber A/S', '2024-08-31', 'sme'],
      ['Hospitalsvaskeriet', '2024-08-31', 'sme'],
      ['Puder og Poser ApS', '2023-12-31', 'unknown'],
    ]);
    expect(period.counts).toEqual({ organisations: 3, smes: 2, notSmes: 0, unknown: 1 });
    // The answer names the SME status, never the size figures themselves.
    expect(JSON.stringify(period)).not.toContain('annualTurnoverEur');

    const day = (await ok(ledger.get(`/programmes/${programmeId}/members?from=2023-12-31&valueChainId=${chainId}`, laundry.key))) as unknown as MembersAnswer;
    expect(day.members.map((m) => [m.name, m.smeStatus])).toEqual([
      ['Genfiber A/S', 'not-sme'],
      ['Hospitalsvaskeriet', 'sme'],
    ]);
  });

  it('refuses a period that ends before it starts, a day not on the calendar, and an unknown programme or value chain', async () => {
    expect((await ledger.get(`/programmes/${programmeId}/members?from=2024-02-01&to=2024-01-01`)).status).toBe(400);
    expect((await ledger.get(`/programmes/${programmeId}/members?from=2024-02-30`)).status).toBe(400);
    expect(await ledger.get('/programmes/01a24cc6-7bab-77fb-8744-65d2da3ab999/members?from=2024-01-01')).toMatchObject({ status: 404, body: { code: 'unknown-programme' } });
    expect(await ledger.get(`/programmes/${programmeId}/members?from=2024-01-01&valueChainId=01a24cc6-7bab-77fb-8744-65d2da3ab999`)).toMatchObject({ status: 404, body: { code: 'unknown-value-chain' } });
    expect(await ledger.post(`/programmes/${programmeId}/members/remove`, { organisationId: maker.id, from: '2024-06-01' }, manager.key)).toMatchObject({ status: 409, body: { code: 'not-a-member' } });
  });
});
