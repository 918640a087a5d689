import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifySignature } from '../../apps/ledger-api/src/catalogue/catalogue-webhook.signing.js';
import { LedgerHarness, type LedgerResponse, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

/**
 * Catalogue match webhooks end to end (docs/decisions/046-symbiosis-catalogue.md, "Webhooks"): a
 * local receiver is sent each new match its organisation may see, signed with the secret the
 * registration answered; failing answers are retried with doubling waits, and a receiver that never
 * answers 2xx shows in /health as a degraded component, the ledger itself still ok.
 */
interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
interface Payload {
  deliveryId: string;
  type: string;
  organisationId: string;
  match: { side: string; offer: { offerId: string; holder: { name: string } | null }; want: { wantId: string }; score: { total: number } };
}

async function ok<T>(response: Promise<LedgerResponse<T>>, status = 201): Promise<T> {
  const r = await response;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('catalogue match webhooks', () => {
  let ledger: LedgerHarness;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  /** Per path and delivery id, how many attempts have been answered. */
  const attempts = new Map<string, number>();
  let laundry: RegisteredOrganisation;
  let spinner: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let weaver: RegisteredOrganisation;
  let outsider: RegisteredOrganisation;

  const payloads = (path: string): Payload[] => received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as Payload);
  const residual = async (fibre: string, massGrams: number): Promise<string> =>
    (
      await ok(
        ledger.post<{ batchId: string }>(
          '/batches/residuals',
          { originClass: 'post-consumer-business', ewcCode: '20 01 11', massGrams, composition: [{ fibre, share: 10_000 }], description: `${fibre} residual` },
          laundry.key,
        ),
      )
    ).batchId;
  const offer = async (fibre: string, extra: Record<string, unknown> = {}): Promise<string> =>
    (await ok(ledger.post<{ offerId: string }>('/catalogue/offers', { batchId: await residual(fibre, 1_000_000), title: `${fibre} offcuts`, ewcCode: '20 01 11', place: { kommuneCode: '0657' }, ...extra }, laundry.key))).offerId;
  const want = async (fibre: string, by: RegisteredOrganisation): Promise<string> =>
    (await ok(ledger.post<{ wantId: string }>('/catalogue/wants', { title: `${fibre} wanted`, fibres: [{ fibre, minShare: 5_000 }], minGrams: 100_000, maxGrams: 5_000_000, place: { kommuneCode: '0657' } }, by.key))).wantId;
  const register = async (org: RegisteredOrganisation, path: string): Promise<{ secret: string; registrationId: string }> =>
    ok(ledger.post<{ secret: string; registrationId: string }>(`/organisations/${org.id}/catalogue-webhook`, { url: `${base}${path}` }, org.key));

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const path = request.url ?? '';
        received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        const key = `${path}|${String(request.headers['ledger-delivery'])}`;
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        // /flaky fails each delivery's first two attempts; /down every attempt.
        const status = path === '/down' || (path === '/flaky' && n <= 2) ? 500 : 200;
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    ledger = await LedgerHarness.start({
      env: { LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true', LEDGER_WEBHOOK_POLL_MS: '100', LEDGER_WEBHOOK_RETRY_BASE_MS: '100', LEDGER_WEBHOOK_ATTEMPTS: '5' },
    });
    laundry = await ledger.registerOrganisation('Vaskeri Vest', ['sorter']);
    spinner = await ledger.registerOrganisation('Spinderi Nord', ['manufacturer']);
    recycler = await ledger.registerOrganisation('Genfiber A/S', ['recycler']);
    weaver = await ledger.registerOrganisation('Væveri Syd', ['manufacturer']);
    outsider = await ledger.registerOrganisation('Brand ApS', ['brand']);
  }, 60_000);
  afterAll(async () => {
    await ledger.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('delivers a new match, signed over timestamp and body with the secret answered once, which no read or event holds', async () => {
    const { secret, registrationId } = await register(spinner, '/spinner');
    expect(secret).toMatch(/^whsec_/);
    const wantId = await want('cotton', spinner);
    const offerId = await offer('cotton');

    const delivery = await until('the spinner’s delivery', () => received.find((r) => r.path === '/spinner' && (JSON.parse(r.body) as Payload).match.offer.offerId === offerId));
    const check = verifySignature(secret, delivery.body, String(delivery.headers['ledger-signature']), Math.floor(Date.now() / 1000));
    expect(check.valid).toBe(true);
    const payload = JSON.parse(delivery.body) as Payload;
    expect(payload).toMatchObject({ type: 'catalogue.match', organisationId: spinner.id, match: { side: 'want', want: { wantId }, offer: { offerId, holder: { name: 'Vaskeri Vest' } } } });
    expect(delivery.headers['ledger-delivery']).toBe(payload.deliveryId);
    expect(delivery.headers['ledger-event']).toBe('catalogue.match');
    expect(delivery.headers['content-type']).toBe('application/json');
    // Signed with another secret, or tampered with, it does not verify.
    expect(verifySignature(secret, delivery.body.replace('catalogue.match', 'catalogue.matcH'), String(delivery.headers['ledger-signature']), Math.floor(Date.now() / 1000)).valid).toBe(false);

    // The secret is in the registration's answer only: not in the read, not in the log.
    const read = await ok(ledger.get<Record<string, unknown>>(`/organisations/${spinner.id}/catalogue-webhook`, spinner.key), 200);
    expect(read).toMatchObject({ registrationId, url: `${base}/spinner`, active: true });
    expect(JSON.stringify(read)).not.toContain(secret);
    const events = await ledger.store.readStream(`catalogue-webhook-${spinner.id}`);
    expect(events.map((e) => e.type)).toEqual(['CatalogueWebhookRegistered']);
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(secret.slice('whsec_'.length));
  });

  it('retries a receiver answering 500 twice, then 200: three attempts of one delivery id', async () => {
    await register(recycler, '/flaky');
    await want('wool', recycler);
    const offerId = await offer('wool');
    const first = await until('the recycler’s first attempt', () => payloads('/flaky').find((p) => p.match.offer.offerId === offerId));
    await until('the third attempt', () => ((attempts.get(`/flaky|${first.deliveryId}`) ?? 0) >= 3 ? true : undefined));
    // No fourth attempt once it answered 200.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(attempts.get(`/flaky|${first.deliveryId}`)).toBe(3);
    const sent = received.filter((r) => r.path === '/flaky' && r.headers['ledger-delivery'] === first.deliveryId);
    expect(new Set(sent.map((r) => r.body)).size).toBe(1);
  });

  it('gives up on a receiver that always fails after the attempts, and /health shows it as a degraded component while the ledger stays ok', async () => {
    await register(weaver, '/down');
    await want('linen', weaver);
    const offerId = await offer('linen');
    const first = await until('the weaver’s first attempt', () => payloads('/down').find((p) => p.match.offer.offerId === offerId));
    await until('five attempts', () => ((attempts.get(`/down|${first.deliveryId}`) ?? 0) >= 5 ? true : undefined));
    let health: LedgerResponse<{ status: string; webhooks?: { status: string; failed: number; lastFailure?: { deliveryId: string } } }> | undefined;
    for (let i = 0; i < 100 && health?.body.webhooks?.lastFailure?.deliveryId !== first.deliveryId; i += 1) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      health = await ledger.get('/health', ledger.operatorKey);
    }
    if (!health) throw new Error('no /health answer');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.webhooks).toMatchObject({ status: 'degraded', failed: 1, lastFailure: { organisationId: weaver.id, attempts: 5, error: 'the receiver answered 500' } });
    expect(attempts.get(`/down|${first.deliveryId}`)).toBe(5);
    // Anyone else sees the status only.
    expect((await ledger.request<Record<string, unknown>>('GET', '/health', { key: null })).body).toEqual({ status: 'ok' });
  });

  it('sends nothing to an organisation outside the offer’s audience, though its want fits', async () => {
    await register(outsider, '/outsider');
    await want('silk', outsider);
    const spinnerWant = await want('silk', spinner);
    const offerId = await offer('silk', { visibility: { audience: { kind: 'organisations', organisationIds: [spinner.id] }, disclosure: { name: true, mass: 'exact', location: 'kommune' } } });
    await until('the spinner’s delivery', () => payloads('/spinner').find((p) => p.match.offer.offerId === offerId && p.match.want.wantId === spinnerWant));
    // Its want does fit: an offer everyone sees reaches it.
    const open = await offer('silk');
    await until('the outsider’s delivery of an open offer', () => payloads('/outsider').find((p) => p.match.offer.offerId === open));
    expect(payloads('/outsider').filter((p) => p.match.offer.offerId === offerId)).toEqual([]);
  });

  it('refuses another organisation’s registration and a non-http URL, answers 404 where none is registered, and sends nothing once removed', async () => {
    const foreign = await ledger.post<{ code: string }>(`/organisations/${spinner.id}/catalogue-webhook`, { url: `${base}/x` }, outsider.key);
    expect([foreign.status, foreign.body.code]).toEqual([403, 'not-webhook-owner']);
    const ftp = await ledger.post<{ code: string }>(`/organisations/${laundry.id}/catalogue-webhook`, { url: 'ftp://example.com/hook' }, laundry.key);
    expect([ftp.status, ftp.body.code]).toEqual([422, 'invalid-webhook-url']);
    const none = await ledger.get<{ code: string }>(`/organisations/${laundry.id}/catalogue-webhook`, laundry.key);
    expect([none.status, none.body.code]).toEqual([404, 'unknown-webhook']);
    // A retry under the same Idempotency-Key names the same registration, but the stored answer holds no secret.
    const headers = { 'idempotency-key': 'laundry-webhook-1' };
    const first = await ok(ledger.post<{ registrationId: string; secret?: string }>(`/organisations/${laundry.id}/catalogue-webhook`, { url: `${base}/laundry` }, laundry.key, headers));
    const retry = await ok(ledger.post<{ registrationId: string; secret?: string }>(`/organisations/${laundry.id}/catalogue-webhook`, { url: `${base}/laundry` }, laundry.key, headers));
    expect(first.secret).toMatch(/^whsec_/);
    expect(retry.registrationId).toBe(first.registrationId);
    expect(retry.secret).toBeUndefined();
    const removed = await ok(ledger.post<{ registrationId: string }>(`/organisations/${outsider.id}/catalogue-webhook/remove`, {}, outsider.key), 200);
    expect((await ok(ledger.get<{ active: boolean; registrationId: string }>(`/organisations/${outsider.id}/catalogue-webhook`, outsider.key), 200))).toMatchObject({ active: false, registrationId: removed.registrationId });
    // Removed, it is sent nothing, though its silk want fits an offer everyone sees.
    const offerId = await offer('silk');
    await until('the spinner’s delivery', () => payloads('/spinner').find((p) => p.match.offer.offerId === offerId));
    await new Promise((r) => setTimeout(r, 500));
    expect(payloads('/outsider').filter((p) => p.match.offer.offerId === offerId)).toEqual([]);
  });
});
