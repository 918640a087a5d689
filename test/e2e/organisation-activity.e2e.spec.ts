import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

/**
 * An organisation's processes and shipments for a period (GET /organisations/:id/processes and
 * /shipments): what the organisation page lists beside its mass balance.
 */
type Json = Record<string, unknown>;
const COTTON = [{ fibre: 'cotton', share: 10_000 }];

describe('an organisation’s processes and shipments', () => {
  let ledger: LedgerHarness;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  const ids: Record<string, string> = {};

  async function ok(response: Promise<{ status: number; body: Json }>, status = 200): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    const herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler']);
    const collect = async (occurredAt: string) =>
      String((await ok(ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 500_000, collectorOrgId: sorter.id, occurredAt }, herning.key), 201)).batchId);
    ids.march = await collect('2026-03-10T09:00:00+01:00');
    ids.june = await collect('2026-06-02T09:00:00+02:00');
    const sort = async (input: string, occurredAt: string) =>
      ok(
        ledger.post(
          '/processes',
          {
            processType: 'sorting',
            inputs: [{ batchId: input }],
            outputs: [
              { massGrams: 300_000, grade: 'recycling', composition: COTTON },
              { massGrams: 190_000, grade: 'residual', composition: COTTON },
            ],
            losses: [{ kind: 'moisture-dust', massGrams: 10_000 }],
            occurredAt,
          },
          sorter.key,
        ),
        201,
      );
    const marchSorting = await sort(ids.march, '2026-03-12T10:00:00+01:00');
    ids.marchSorting = String(marchSorting.processId);
    ids.marchRecycling = (marchSorting.outputBatchIds as string[])[0]!;
    const juneSorting = await sort(ids.june, '2026-06-03T10:00:00+02:00');
    ids.juneSorting = String(juneSorting.processId);
    // Dispatched on the last evening of March in Copenhagen, which is still March in UTC too.
    await ok(ledger.post(`/batches/${ids.marchRecycling}/dispatch`, { toOrgId: recycler.id, occurredAt: '2026-03-31T21:30:00+02:00' }, sorter.key));
    await ok(ledger.post(`/batches/${ids.marchRecycling}/receive`, { receivedMassGrams: 300_000, occurredAt: '2026-04-01T08:00:00+02:00' }, recycler.key));
    ids.juneRecycling = (juneSorting.outputBatchIds as string[])[0]!;
    await ok(ledger.post(`/batches/${ids.juneRecycling}/dispatch`, { toOrgId: recycler.id, occurredAt: '2026-06-04T08:00:00+02:00' }, sorter.key));
  }, 60_000);

  afterAll(async () => ledger?.close(), 60_000);

  it('given two sortings, when the sorter lists its processes for a period, then it gets those in the period with their grams', async () => {
    const all = await ok(ledger.get(`/organisations/${sorter.id}/processes`, sorter.key));
    expect((all.processes as Json[]).map((p) => p.processId)).toEqual([ids.marchSorting, ids.juneSorting]);
    expect((all.processes as Json[])[0]).toMatchObject({ processType: 'sorting', status: 'completed', inputs: { batches: 1, massGrams: 500_000 }, outputs: { batches: 2, massGrams: 490_000 }, lossesGrams: 10_000 });

    const spring = await ok(ledger.get(`/organisations/${sorter.id}/processes?from=${encodeURIComponent('2026-03-01T00:00:00+01:00')}&to=${encodeURIComponent('2026-04-01T00:00:00+02:00')}`, sorter.key));
    expect(spring.period).toEqual({ axis: 'occurredAt', from: '2026-02-28T23:00:00.000Z', to: '2026-03-31T22:00:00.000Z' });
    expect((spring.processes as Json[]).map((p) => p.processId)).toEqual([ids.marchSorting]);
    expect(spring.nextAfter).toBeNull();
  });

  it('given more processes than a page, when the list is paged, then the pages follow on without a gap or a repeat', async () => {
    const first = await ok(ledger.get(`/organisations/${sorter.id}/processes?limit=1`, sorter.key));
    expect((first.processes as Json[]).map((p) => p.processId)).toEqual([ids.marchSorting]);
    const second = await ok(ledger.get(`/organisations/${sorter.id}/processes?limit=1&after=${String(first.nextAfter)}`, sorter.key));
    expect((second.processes as Json[]).map((p) => p.processId)).toEqual([ids.juneSorting]);
    expect(second.nextAfter).toBeNull();
  });

  it('given a received and an in-transit shipment, when each side lists its shipments, then the sender sees them outgoing and the consignee incoming, named', async () => {
    const sent = await ok(ledger.get(`/organisations/${sorter.id}/shipments`, sorter.key));
    expect(sent.shipments).toEqual([
      expect.objectContaining({ batchId: ids.marchRecycling, direction: 'outgoing', counterpartOrgId: recycler.id, counterpartOrgName: 'Fibre Loop ApS', massGrams: 300_000, dispatchedAt: '2026-03-31T19:30:00.000Z', receivedAt: '2026-04-01T06:00:00.000Z', status: 'received' }),
      expect.objectContaining({ batchId: ids.juneRecycling, direction: 'outgoing', counterpartOrgId: recycler.id, status: 'in-transit', receivedAt: null }),
    ]);
    const received = await ok(ledger.get(`/organisations/${recycler.id}/shipments`, recycler.key));
    // The consignee sees a shipment once it has arrived: the one in transit is still the sender's.
    expect(received.shipments).toEqual([
      expect.objectContaining({ batchId: ids.marchRecycling, direction: 'incoming', counterpartOrgId: sorter.id, counterpartOrgName: 'Herning Tekstilsortering', massGrams: 300_000, status: 'received' }),
    ]);
    const march = await ok(ledger.get(`/organisations/${sorter.id}/shipments?from=${encodeURIComponent('2026-03-01T00:00:00+01:00')}&to=${encodeURIComponent('2026-04-01T00:00:00+02:00')}`, sorter.key));
    expect((march.shipments as Json[]).map((s) => s.batchId)).toEqual([ids.marchRecycling]);
  });

  it('given a bad period or cursor, when the list is asked for, then it is a 400 problem', async () => {
    const reversed = await ledger.get(`/organisations/${sorter.id}/processes?from=${encodeURIComponent('2026-05-01T00:00:00Z')}&to=${encodeURIComponent('2026-04-01T00:00:00Z')}`, sorter.key);
    expect(reversed.status).toBe(400);
    const forged = await ledger.get(`/organisations/${sorter.id}/shipments?after=bm90LWEtY3Vyc29y`, sorter.key);
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ code: 'invalid-cursor' });
    expect(String(forged.headers['content-type'])).toContain('application/problem+json');
    const unknown = await ledger.get(`/organisations/00000000-0000-4000-8000-000000000000/processes`);
    expect(unknown.status).toBe(404);
  });
});
