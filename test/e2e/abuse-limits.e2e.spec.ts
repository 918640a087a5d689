import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deterministicId } from '#domain';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

interface Problem {
  type: string;
  status: number;
  code: string;
  detail: string;
}

const collection = (kommuneCode: string, massGrams: number) => ({ kommuneCode, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams });

async function inject(ledger: LedgerHarness, url: string, options: { address: string; key?: string; method?: 'GET' | 'POST'; body?: unknown; forwardedFor?: string }) {
  const response = await ledger.app.inject({
    method: options.method ?? 'GET',
    url,
    remoteAddress: options.address,
    headers: { ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}) },
    ...(options.body !== undefined ? { payload: options.body as Record<string, unknown> } : {}),
  });
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Well formed, never issued: what a guesser sends. */
const wrongKey = (n: number) => `tl_0123456789ab_this-key-was-never-issued-by-the-ledger-${n}`;

describe('rate limits (token buckets per organisation and per client network)', () => {
  let ledger: LedgerHarness;
  let a: RegisteredOrganisation;
  let b: RegisteredOrganisation;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({
      env: {
        LEDGER_RATE_LIMIT_PER_MINUTE: '30', // one token every 2 s
        LEDGER_RATE_LIMIT_BURST: '3',
        LEDGER_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '30',
        LEDGER_RATE_LIMIT_UNAUTHENTICATED_BURST: '2',
      },
    });
    a = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    b = await ledger.registerOrganisation('Holstebro Kommune', ['municipality'], '0661');
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('answers 429 with Retry-After and RateLimit fields once an organisation spent its burst, appends nothing, and refills', async () => {
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await ledger.get('/batches', a.key));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(answers[0]!.headers['ratelimit-policy']).toBe('"per-organisation";q=30;w=60');
    expect(answers[2]!.headers.ratelimit).toMatch(/^"per-organisation";r=0;t=\d+$/);

    const head = await ledger.store.headPosition();
    const refused = await ledger.post<Problem>('/batches/collections', collection('0657', 1_000), a.key);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'too-many-requests' });
    expect(refused.body.detail).toContain(a.id);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(refused.headers['ratelimit-policy']).toBe('"per-organisation";q=30;w=60');
    expect(refused.headers.ratelimit).toMatch(/^"per-organisation";r=0;t=[1-6]$/);
    expect(await ledger.store.headPosition()).toBe(head);

    // Another organisation's budget is its own.
    expect((await ledger.get('/batches', b.key)).status).toBe(200);

    await sleep(retryAfter * 1000 + 200);
    const written = await ledger.post('/batches/collections', collection('0657', 1_000), a.key);
    expect(written.status).toBe(201);
    expect((await ledger.get('/batches', a.key)).status).toBe(429);
  });

  it('charges answers without a valid credential to the client network, and refuses requests without credentials before authentication once it is spent', async () => {
    const first = await inject(ledger, '/batches', { address: '10.0.0.1' });
    expect(first.status).toBe(401);
    expect(first.headers['ratelimit-policy']).toBe('"failed-authentication";q=30;w=60');
    expect(first.headers.ratelimit).toMatch(/^"failed-authentication";r=1;t=\d+$/);
    expect((await inject(ledger, '/batches', { address: '10.0.0.1', key: wrongKey(1) })).status).toBe(401);
    const head = await ledger.store.headPosition();
    const refused = await inject(ledger, '/batches/collections', { address: '10.0.0.1', method: 'POST', body: collection('0657', 1_000) });
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, code: 'too-many-failed-authentications' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers.ratelimit).toMatch(/^"failed-authentication";r=0;t=\d+$/);
    expect(await ledger.store.headPosition()).toBe(head);
    // Another network is not limited, and the public routes never are.
    expect((await inject(ledger, '/batches', { address: '10.0.0.2' })).status).toBe(401);
    for (const route of ['/health', '/health/live', '/docs-json']) expect((await inject(ledger, route, { address: '10.0.0.1' })).status).toBe(200);
  });

  it('answers a wrong key from a network that spent its budget with 429, and appends nothing', async () => {
    expect((await inject(ledger, '/batches', { address: '10.0.0.3', key: wrongKey(2) })).status).toBe(401);
    expect((await inject(ledger, '/batches', { address: '10.0.0.3', key: wrongKey(3) })).status).toBe(401);
    const head = await ledger.store.headPosition();
    const refused = await inject(ledger, '/batches/collections', { address: '10.0.0.3', key: wrongKey(4), method: 'POST', body: collection('0657', 1_000) });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, code: 'too-many-failed-authentications' });
    expect(refused.body).toContain('10.0.0.3');
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('serves a valid key from a network whose budget others spent with wrong keys, and charges it to its organisation only', async () => {
    for (let i = 0; i < 5; i += 1) await inject(ledger, '/batches', { address: '10.0.0.4', key: wrongKey(10 + i) });
    expect((await inject(ledger, '/batches', { address: '10.0.0.4', key: wrongKey(20) })).status).toBe(429);
    const served = await inject(ledger, '/batches', { address: '10.0.0.4', key: b.key });
    expect(served.status).toBe(200);
    expect(served.headers['ratelimit-policy']).toBe('"per-organisation";q=30;w=60');
    // And it did not refill the network's budget.
    expect((await inject(ledger, '/batches', { address: '10.0.0.4', key: wrongKey(21) })).status).toBe(429);
  });
});

describe('rate limits with no settings: on by default, with the documented values', () => {
  let ledger: LedgerHarness;
  let municipality: RegisteredOrganisation;

  beforeAll(async () => {
    // The harness gives every suite budgets it never reaches; these are unset, so the defaults apply.
    ledger = await LedgerHarness.start({ env: { LEDGER_RATE_LIMIT_PER_MINUTE: undefined, LEDGER_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: undefined } });
    municipality = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('answers 20 wrong keys from one address with 401, then 429, and still serves a valid key from that address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) statuses.push((await inject(ledger, '/batches', { address: '198.51.100.1', key: wrongKey(i) })).status);
    expect(statuses).toEqual([...Array<number>(20).fill(401), ...Array<number>(5).fill(429)]);
    const refused = await inject(ledger, '/batches', { address: '198.51.100.1', key: wrongKey(99) });
    expect(refused.headers['ratelimit-policy']).toBe('"failed-authentication";q=10;w=60');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(6);

    const served = await inject(ledger, '/batches', { address: '198.51.100.1', key: municipality.key });
    expect(served.status).toBe(200);
    expect(served.headers['ratelimit-policy']).toBe('"per-organisation";q=3000;w=60');
    expect(served.headers.ratelimit).toMatch(/^"per-organisation";r=59\d;t=\d+$/);
  });

  it('charges an IPv6 client per /64: rotating the address inside it gains nothing', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 22; i += 1) statuses.push((await inject(ledger, '/batches', { address: `2001:db8:7:7::${i.toString(16)}`, key: wrongKey(i) })).status);
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429, 429]);
    expect((await inject(ledger, '/batches', { address: '2001:db8:7:8::1', key: wrongKey(0) })).status).toBe(401);
  });

  it('refuses an organisation past its burst of 600 with a 429 problem', async () => {
    const statuses: number[] = [];
    // 50 a second refill while this runs, so the refusal comes after the burst plus the refill.
    while (statuses.length < 5_000 && statuses.at(-1) !== 429) statuses.push((await ledger.get('/organisations', municipality.key)).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(600);
    expect(new Set(statuses)).toEqual(new Set([200, 429]));
  });
});

describe('client addresses behind a proxy (LEDGER_TRUST_PROXY)', () => {
  let ledger: LedgerHarness;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_TRUST_PROXY: '10.0.0.0/8', LEDGER_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: undefined, LEDGER_REQUEST_AUDIT_FLUSH_MS: '50' } });
  });
  afterAll(async () => {
    await ledger.close();
  });

  const auditedAddresses = async (): Promise<string[]> => {
    const page = await ledger.get<{ entries: Array<{ ip: string; route: string | null }> }>('/audit/requests?limit=1000');
    expect(page.status).toBe(200);
    return page.body.entries.filter((e) => e.route === '/batches').map((e) => e.ip);
  };

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy: rotating it escapes no limit, and the audit log records the real address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i += 1) {
      statuses.push((await inject(ledger, '/batches', { address: '203.0.113.9', key: wrongKey(i), forwardedFor: `192.0.2.${i + 1}` })).status);
    }
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429, 429]);
    const addresses = await auditedAddresses();
    expect(addresses.filter((ip) => ip === '203.0.113.9')).toHaveLength(22);
    expect(addresses.filter((ip) => ip.startsWith('192.0.2.'))).toEqual([]);
  });

  it('takes the client address a trusted proxy appended, not what the client wrote before it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i += 1) {
      // The client forges its own X-Forwarded-For; the proxy (10.1.1.1) appends the address it saw.
      statuses.push((await inject(ledger, '/batches', { address: '10.1.1.1', key: wrongKey(i), forwardedFor: `192.0.2.${i + 1}, 198.51.100.77` })).status);
    }
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429]);
    // Another client behind the same proxy has a budget of its own.
    expect((await inject(ledger, '/batches', { address: '10.1.1.1', key: wrongKey(0), forwardedFor: '198.51.100.78' })).status).toBe(401);
    const addresses = await auditedAddresses();
    expect(addresses.filter((ip) => ip === '198.51.100.77')).toHaveLength(21);
    expect(addresses).toContain('198.51.100.78');
    expect(addresses.filter((ip) => ip.startsWith('192.0.2.') || ip === '10.1.1.1')).toEqual([]);
  });
});

describe('request size limits', () => {
  let ledger: LedgerHarness;
  let municipality: RegisteredOrganisation;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_BODY_LIMIT_BYTES: '200000', LEDGER_MAX_URL_LENGTH: '256', LEDGER_MAX_HEADER_BYTES: '4096' } });
    municipality = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('answers 413 for a body over LEDGER_BODY_LIMIT_BYTES and appends nothing', async () => {
    const head = await ledger.store.headPosition();
    const body = { ...collection('0657', 1_000), note: 'x'.repeat(210_000) };
    const response = await ledger.post<Problem>('/batches/collections', body, municipality.key);
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 413, title: 'Content Too Large' });
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('answers 400 for a bulk import of more than 1000 items and appends nothing', async () => {
    const head = await ledger.store.headPosition();
    const items = Array.from({ length: 1001 }, () => collection('0657', 1_000));
    expect(JSON.stringify({ collections: items }).length).toBeLessThan(200_000);
    const response = await ledger.post<Problem>('/batches/collections/bulk', { collections: items }, municipality.key);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, code: 'invalid-body' });
    expect(response.body.detail).toContain('at most 1000');
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('answers 414 for a request target over LEDGER_MAX_URL_LENGTH and appends nothing', async () => {
    const head = await ledger.store.headPosition();
    const long = `?x=${'a'.repeat(300)}`;
    const read = await ledger.get<Problem>(`/batches${long}`, municipality.key);
    expect(read.status).toBe(414);
    expect(read.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(read.body).toMatchObject({ status: 414 });
    const write = await ledger.post<Problem>(`/batches/collections${long}`, collection('0657', 1_000), municipality.key);
    expect(write.status).toBe(414);
    expect(await ledger.store.headPosition()).toBe(head);
    // Just under the limit is served.
    expect((await ledger.get(`/batches?limit=1&x=${'a'.repeat(200)}`, municipality.key)).status).not.toBe(414);
  });

  it('answers 431 for headers over LEDGER_MAX_HEADER_BYTES (Node parser), as a problem, and keeps serving', async () => {
    await ledger.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ledger.app.getHttpServer().address() as AddressInfo;
    const send = (headers: Record<string, string>) =>
      new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
        const request = http.request({ host: '127.0.0.1', port, path: '/batches', method: 'GET', headers }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
        });
        request.on('error', reject);
        request.end();
      });
    const head = await ledger.store.headPosition();
    const tooLarge = await send({ authorization: `Bearer ${municipality.key}`, 'x-padding': 'p'.repeat(5_000) });
    expect(tooLarge.status).toBe(431);
    expect(tooLarge.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ status: 431 });
    expect(await ledger.store.headPosition()).toBe(head);
    const fine = await send({ authorization: `Bearer ${municipality.key}`, 'x-padding': 'p'.repeat(1_000) });
    expect(fine.status).toBe(200);
  });
});

interface AuditEntry {
  time: string;
  requestId: string;
  organisationId: string | null;
  keyId: string | null;
  method: string;
  route: string | null;
  params: Record<string, string>;
  query: Record<string, unknown>;
  status: number;
  durationMs: number;
  idempotencyKey: string | null;
  commandId: string | null;
  position: number | null;
  appendedEvents: number;
}

describe('request audit log', () => {
  let ledger: LedgerHarness;
  let municipality: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  let batchId: string;
  let auditorKeyId: string;

  const auditFiles = () => {
    const dir = path.join(ledger.dataDir, 'request-audit');
    return readdirSync(dir).map((name) => path.join(dir, name));
  };

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_REQUEST_AUDIT_FLUSH_MS: '50' } });
    municipality = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    auditor = await ledger.registerOrganisation('Revisor', ['auditor']);
    auditorKeyId = /^tl_([0-9a-f]{12})_/.exec(auditor.key)![1]!;
    const written = await ledger.post<{ batchId: string }>('/batches/collections', collection('0657', 2_500), municipality.key, { 'idempotency-key': 'weighbridge-7' });
    expect(written.status).toBe(201);
    batchId = written.body.batchId;
    expect((await ledger.request('GET', `/batches/${batchId}/lineage?direction=upstream&token=hunter2`, { key: municipality.key })).status).toBeLessThan(500);
    expect((await ledger.get(`/batches/${batchId}`, municipality.key)).status).toBe(200);
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('records a write with who, what, when, the command id and the position it appended', async () => {
    const page = await ledger.get<{ entries: AuditEntry[]; truncated: boolean }>(`/audit/requests?organisationId=${municipality.id}`, auditor.key);
    expect(page.status).toBe(200);
    const write = page.body.entries.find((e) => e.method === 'POST');
    const head = await ledger.store.headPosition();
    const [event] = await ledger.store.readAll({ after: head - 1, maxCount: 1 });
    expect(write).toMatchObject({
      organisationId: municipality.id,
      keyId: /^tl_([0-9a-f]{12})_/.exec(municipality.key)![1],
      route: '/batches/collections',
      params: {},
      status: 201,
      idempotencyKey: 'weighbridge-7',
      commandId: deterministicId(`idempotency/${municipality.id}/weighbridge-7`),
      position: head,
      appendedEvents: 1,
    });
    expect(event?.metadata.commandId).toBe(write!.commandId);
    expect(write!.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(write!.time)).not.toBeNaN();
    expect(write!.requestId).toMatch(/\S/);
  });

  it('records a read with its route pattern and path parameters and no position', async () => {
    const page = await ledger.get<{ entries: AuditEntry[] }>(`/audit/requests?organisationId=${municipality.id}`, auditor.key);
    const read = page.body.entries.find((e) => e.route === '/batches/:batchId');
    expect(read).toMatchObject({ method: 'GET', params: { batchId }, status: 200, position: null, appendedEvents: 0, idempotencyKey: null, commandId: null });
    const lineage = page.body.entries.find((e) => e.route === '/batches/:batchId/lineage');
    expect(lineage?.query).toEqual({ direction: 'upstream', token: '[redacted]' });
    // Only this organisation's requests, oldest first.
    expect(page.body.entries.every((e) => e.organisationId === municipality.id)).toBe(true);
    const times = page.body.entries.map((e) => e.time);
    expect([...times].sort()).toEqual(times);
  });

  it('never writes a key, an Authorization header or a response body to the log files', async () => {
    await ledger.get('/audit/requests', auditor.key); // flushes everything recorded so far
    const text = auditFiles()
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(text).toContain(municipality.id);
    expect(text).toContain(auditorKeyId);
    for (const key of [municipality.key, auditor.key, ledger.operatorKey]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(`Bearer ${key}`);
      expect(text).not.toContain(key.slice(16)); // the secret part alone
    }
    expect(text).not.toMatch(/authorization/i);
    expect(text).not.toContain('apiKey');
    expect(text).not.toContain('hunter2');
    expect(auditFiles().map((f) => path.basename(f))).toEqual([`requests-${new Date().toISOString().slice(0, 10)}.ndjson`]);
  });

  it('serves GET /audit/requests to auditors and the operator only', async () => {
    expect((await ledger.get('/audit/requests', auditor.key)).status).toBe(200);
    expect((await ledger.get('/audit/requests?limit=2')).status).toBe(200);
    const operatorPage = await ledger.get<{ entries: AuditEntry[]; truncated: boolean }>('/audit/requests?limit=2');
    expect(operatorPage.body.entries).toHaveLength(2);
    expect(operatorPage.body.truncated).toBe(true);
    const denied = await ledger.get<Problem>('/audit/requests', municipality.key);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('not-auditor');
    expect((await ledger.request('GET', '/audit/requests', { key: null })).status).toBe(401);
    expect((await ledger.get<Problem>('/audit/requests?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', auditor.key)).status).toBe(400);
  });

  it('selects entries by time', async () => {
    const future = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const later = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
    const page = await ledger.get<{ entries: AuditEntry[] }>(`/audit/requests?from=${future}&to=${later}`, auditor.key);
    expect(page.status).toBe(200);
    expect(page.body.entries).toEqual([]);
  });
});

describe('request audit log across a shutdown', () => {
  it('flushes what is buffered when the ledger shuts down', async () => {
    // A flush interval far longer than the test: only the shutdown flush can write the entry.
    const ledger = await LedgerHarness.start({ env: { LEDGER_REQUEST_AUDIT_FLUSH_MS: '3600000' } });
    const municipality = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    expect((await ledger.get('/batches', municipality.key)).status).toBe(200);
    const file = path.join(ledger.dataDir, 'request-audit', `requests-${new Date().toISOString().slice(0, 10)}.ndjson`);
    expect(existsSync(file)).toBe(false);
    await ledger.close({ keepData: true });
    const entries = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEntry);
    expect(entries.some((e) => e.organisationId === municipality.id && e.route === '/batches' && e.status === 200)).toBe(true);
    expect(entries.some((e) => e.route === '/organisations' && e.method === 'POST' && e.status === 201)).toBe(true);
    rmSync(ledger.dataDir, { recursive: true, force: true });
  });

  it('writes nothing with LEDGER_REQUEST_AUDIT=off', async () => {
    const ledger = await LedgerHarness.start({ env: { LEDGER_REQUEST_AUDIT: 'off' } });
    expect((await ledger.get('/batches')).status).toBe(200);
    await ledger.close({ keepData: true });
    expect(existsSync(path.join(ledger.dataDir, 'request-audit'))).toBe(false);
    rmSync(ledger.dataDir, { recursive: true, force: true });
  });
});
