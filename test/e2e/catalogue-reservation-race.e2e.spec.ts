import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogueStreamIds } from '#domain';
import { LedgerHarness, type LedgerResponse, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

/**
 * A reserved batch is promised once, under any concurrency and number of instances
 * (docs/decisions/046-symbiosis-catalogue.md): the reservation is decided on the batch's listing
 * stream, appended with the expected revision. 50 buyers ask for the same offered batch; the holder
 * accepts all 50 requests at once (on PostgreSQL, half of them through a second instance with read
 * models of its own): exactly one is accepted, the others are refused with 409, and the listing
 * stream holds exactly one acceptance.
 */
const BUYERS = 50;
const OPERATOR_KEY = 'tl_000000000000_e2e-operator-key-with-enough-entropy';
const quiet = { LEDGER_CHECKPOINT_EVERY_EVENTS: '0', LEDGER_CHECKPOINT_EVERY_MS: '0', LEDGER_REQUEST_AUDIT: 'off' };

async function ok<T>(response: Promise<LedgerResponse<T>>, status = 201): Promise<T> {
  const r = await response;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe.each(['sqlite', 'postgres'] as const)('50 concurrent acceptances of requests for the same offered batch (event log: %s)', (eventLog) => {
  let postgres: TestPostgres | undefined;
  const instances: LedgerHarness[] = [];
  let holder: RegisteredOrganisation;
  let requests: string[] = [];
  let batchId = '';

  beforeAll(async () => {
    if (eventLog === 'postgres') {
      postgres = await startTestPostgres();
      const url = await postgres.createDatabase();
      // One signing identity for both (decision 029).
      const keyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      // Two API instances on one event log, each with read models of its own (decision 024).
      for (let i = 0; i < 2; i += 1) {
        instances.push(
          await LedgerHarness.start({ operatorKey: OPERATOR_KEY, env: { LEDGER_STORE: 'postgres', LEDGER_DATABASE_URL: url, LEDGER_READ_MODELS: 'postgres', LEDGER_READ_MODELS_URL: await postgres.createDatabase(), LEDGER_AUDIT_KEY: keyPem, ...quiet } }),
        );
      }
    } else {
      instances.push(await LedgerHarness.start({ env: quiet }));
    }
    const a = instances[0]!;
    holder = await a.registerOrganisation('Vaskeri Vest', ['sorter']);
    batchId = (
      await ok(a.post<{ batchId: string }>('/batches/residuals', { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 750_000, composition: [{ fibre: 'cotton', share: 10_000 }], description: 'offcuts' }, holder.key))
    ).batchId;
    const offerId = (await ok(a.post<{ offerId: string }>('/catalogue/offers', { batchId, title: 'Cotton offcuts', ewcCode: '04 02 22', place: { kommuneCode: '0657' } }, holder.key))).offerId;
    requests = [];
    for (let i = 0; i < BUYERS; i += 1) {
      const buyer = await a.registerOrganisation(`Buyer ${i}`, ['recycler']);
      requests.push((await ok(a.post<{ dealId: string }>(`/catalogue/offers/${offerId}/requests`, {}, buyer.key))).dealId);
    }
    // Every instance knows every request before the race (what a client gets with Ledger-Min-Position).
    const head = await a.store.headPosition();
    for (const instance of instances) await instance.runner.waitForPosition(head, 30_000);
  }, 240_000);
  afterAll(async () => {
    for (const instance of instances.reverse()) await instance.close().catch(() => undefined);
    await postgres?.stop();
  }, 60_000);

  it('accepts exactly one; the other 49 get 409 and nothing more is appended', async () => {
    const attempts = await Promise.all(requests.map((requestId, i) => instances[i % instances.length]!.post<{ code?: string; dealId?: string }>(`/catalogue/requests/${requestId}/accept`, {}, holder.key)));
    const winners = attempts.filter((a) => a.status === 200);
    const losers = attempts.filter((a) => a.status !== 200);
    expect(winners).toHaveLength(1);
    expect(losers.map((l) => l.status)).toEqual(Array(BUYERS - 1).fill(409));
    for (const loser of losers) expect(['batch-reserved', 'concurrency-conflict']).toContain(loser.body.code);
    const listing = await instances[0]!.store.readStream(catalogueStreamIds.batchListing(batchId));
    expect(listing.filter((e) => e.type === 'CatalogueRequestAccepted')).toHaveLength(1);
    // Retried, every loser is refused as reserved: the stream says so, on any instance.
    const retried = await instances[instances.length - 1]!.post<{ code: string }>(`/catalogue/requests/${requests.find((r) => r !== winners[0]!.body.dealId)!}/accept`, {}, holder.key);
    expect([retried.status, retried.body.code]).toEqual([409, 'batch-reserved']);
    const deal = await ok(instances[0]!.get<{ status: string; history: Array<{ kind: string }> }>(`/catalogue/deals/${winners[0]!.body.dealId!}`, holder.key), 200);
    expect(deal.status).toBe('accepted');
  }, 120_000);
});
