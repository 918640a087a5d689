/**
 * Authentication (docs/security.md "Authentication"): API keys stored only as hashes and
 * shown once, rotation and revocation as events with revocation effective on the next request,
 * optional OIDC/JWT bearer tokens (a configured public key, and a JWKS served here), a specific
 * 401/403/503 problem for every refused credential, and no endpoint of the OpenAPI document
 * reachable without credentials but /health and the docs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, createHmac, generateKeyPairSync, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, SignJWT, type JWTPayload } from 'jose';
import { deterministicId } from '#domain';
import { loadLedgerConfig } from '../../apps/ledger-api/src/config/ledger.config.js';
import { openEventLog } from '../../apps/ledger-api/src/ledger/event-log.js';
import { OPERATOR_ORGANISATION_ID } from '../../apps/ledger-api/src/organisations/operator-bootstrap.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'textile-ledger';
const OPERATOR_KEY_ID = '000000000000';

interface Problem {
  status: number;
  code: string;
  type: string;
  detail: string;
}
interface IssuedKey {
  organisationId: string;
  apiKeyId: string;
  apiKey?: string;
  revokedKeyId?: string;
}
interface KeyView {
  keyId: string;
  issuedAt: string;
  issuedBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  replacedByKeyId: string | null;
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function signer(privateKey: KeyObject, alg: string, kid?: string) {
  return (claims: JWTPayload, options: { alg?: string; key?: KeyObject } = {}): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? alg, typ: 'JWT', ...(kid ? { kid } : {}) }).sign(options.key ?? privateKey);
}

/** A tiny JWKS endpoint, as an identity provider serves it; `answer` decides each response. */
async function jwksServer(answer: () => { status: number; body: string }): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_request, response) => {
    hits += 1;
    const { status, body } = answer();
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, hits: () => hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function expectProblem(response: Promise<{ status: number; body: unknown; headers: Record<string, unknown> }>, status: number, code: string): Promise<void> {
  const { status: actual, body, headers } = await response;
  expect({ status: actual, code: (body as Problem).code }).toEqual({ status, code });
  expect(String(headers['content-type'])).toContain('application/problem+json');
}

describe('authentication: API keys and a JWT verified with a configured public key', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sign = signer(rsa.privateKey, 'RS256');
  let ledger: LedgerHarness;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let sorterKeyId: string;

  const claims = (overrides: JWTPayload = {}): JWTPayload => ({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'alice@sorter.example',
    ledger_org: sorter.id,
    iat: nowSeconds(),
    exp: nowSeconds() + 600,
    ...overrides,
  });
  const bearer = (token: string) => ({ key: null, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    ledger = await LedgerHarness.start({
      env: {
        LEDGER_PROJECTIONS: 'in-process',
        LEDGER_OIDC_ISSUER: ISSUER,
        LEDGER_OIDC_AUDIENCE: AUDIENCE,
        LEDGER_OIDC_PUBLIC_KEY: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    });
    sorter = await ledger.registerOrganisation('Sorter', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Recycler', ['recycler']);
    sorterKeyId = /^tl_([0-9a-f]{12})_/.exec(sorter.key)![1]!;
  });
  afterAll(async () => {
    await ledger.close();
  });

  describe('API keys', () => {
    it('are random with 256 bits of secret, shown once, and stored nowhere in clear', async () => {
      expect(sorter.key).toMatch(/^tl_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      expect(recycler.key).not.toBe(sorter.key);
      const issued = await ledger.post<IssuedKey>(`/organisations/${sorter.id}/api-keys`, { reason: 'a second integration' });
      expect(issued.status).toBe(201);
      const secondKey = issued.body.apiKey!;
      expect((await ledger.get(`/organisations/${sorter.id}`, secondKey)).status).toBe(200);

      // Nowhere again: not in the organisation, not in its key list, not in the log, not in the read models.
      const listed = await ledger.get<KeyView[]>(`/organisations/${sorter.id}/api-keys`);
      const shown = JSON.stringify([listed.body, (await ledger.get(`/organisations/${sorter.id}`)).body, (await ledger.get('/organisations')).body]);
      const events = await ledger.store.readAll({ maxCount: 10_000 });
      const logged = JSON.stringify(events);
      for (const key of [sorter.key, recycler.key, secondKey]) {
        expect(shown).not.toContain(key);
        expect(logged).not.toContain(key);
        expect(logged).not.toContain(key.slice(16));
      }
      expect(shown).not.toMatch(/keyHash|key_hash|[0-9a-f]{64}/);
      // Only the SHA-256 of each key is in the log.
      const hashes = events.filter((e) => e.type === 'ApiKeyIssued').map((e) => (e.data as { keyHash: string }).keyHash);
      expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
      for (const file of readdirSync(ledger.dataDir).filter((f) => f.endsWith('.sqlite') || f.endsWith('-wal'))) {
        expect(readFileSync(path.join(ledger.dataDir, file)).includes(secondKey.slice(16))).toBe(false);
      }
    });

    it('a retry with the same Idempotency-Key appends nothing and never hands a key out twice', async () => {
      const headers = { 'idempotency-key': 'issue-once' };
      const first = await ledger.post<IssuedKey>(`/organisations/${recycler.id}/api-keys`, { reason: 'ci pipeline' }, undefined, headers);
      const head = await ledger.store.headPosition();
      const retry = await ledger.post<IssuedKey>(`/organisations/${recycler.id}/api-keys`, { reason: 'ci pipeline' }, undefined, headers);
      expect(first.body.apiKey).toBeDefined();
      expect(retry.body.apiKey).toBeUndefined();
      expect(retry.body.apiKeyId).toBe(first.body.apiKeyId);
      expect(await ledger.store.headPosition()).toBe(head);
    });

    it('rotation: the new key works at once and the replaced key fails at once, both recorded as events', async () => {
      const org = await ledger.registerOrganisation('Rotating Recycler', ['recycler']);
      const oldKeyId = /^tl_([0-9a-f]{12})_/.exec(org.key)![1]!;
      expect((await ledger.get('/organisations', org.key)).status).toBe(200);
      const rotated = await ledger.post<IssuedKey>(`/organisations/${org.id}/api-keys`, { reason: 'yearly rotation', replacesKeyId: oldKeyId });
      expect(rotated.status).toBe(201);
      expect(rotated.body.revokedKeyId).toBe(oldKeyId);
      expect((await ledger.get('/organisations', rotated.body.apiKey!)).status).toBe(200);
      await expectProblem(ledger.get('/organisations', org.key), 401, 'api-key-revoked');

      const stream = await ledger.store.readStream(`organisation-${org.id}`);
      expect(stream.slice(-2).map((e) => [e.type, e.metadata.commandId === stream.at(-1)!.metadata.commandId])).toEqual([
        ['ApiKeyIssued', true],
        ['ApiKeyRevoked', true],
      ]);
      expect(stream.at(-1)!.data).toMatchObject({ keyId: oldKeyId, revokedBy: expect.any(String), reason: 'yearly rotation', replacedByKeyId: rotated.body.apiKeyId });
      const keys = await ledger.get<KeyView[]>(`/organisations/${org.id}/api-keys`, rotated.body.apiKey!);
      expect(keys.body.map((k) => [k.keyId, k.revokedAt !== null, k.replacedByKeyId])).toEqual([
        [oldKeyId, true, rotated.body.apiKeyId],
        [rotated.body.apiKeyId, false, null],
      ]);
    });

    it('revocation fails the key on the very next request; an organisation may revoke its own key', async () => {
      const org = await ledger.registerOrganisation('Leaky Sorter', ['sorter']);
      const spare = (await ledger.post<IssuedKey>(`/organisations/${org.id}/api-keys`, { reason: 'spare' })).body;
      expect((await ledger.get('/organisations', spare.apiKey!)).status).toBe(200);
      const revoked = await ledger.post(`/organisations/${org.id}/api-keys/${spare.apiKeyId}/revoke`, { reason: 'pasted into a chat' }, org.key);
      expect(revoked.status).toBe(200);
      await expectProblem(ledger.get('/organisations', spare.apiKey!), 401, 'api-key-revoked');
      expect((await ledger.get('/organisations', org.key)).status).toBe(200);
      const event = (await ledger.store.readStream(`organisation-${org.id}`)).at(-1)!;
      expect(event).toMatchObject({ type: 'ApiKeyRevoked', data: { keyId: spare.apiKeyId, revokedBy: org.id, reason: 'pasted into a chat' } });
    });

    it('refuses key management that is not allowed, each with its own problem', async () => {
      // Only the operator issues keys, and nobody revokes another organisation's key.
      await expectProblem(ledger.post(`/organisations/${sorter.id}/api-keys`, { reason: 'self-service' }, sorter.key), 403, 'operator-only');
      await expectProblem(ledger.post(`/organisations/${sorter.id}/api-keys/${sorterKeyId}/revoke`, { reason: 'sabotage' }, recycler.key), 403, 'not-key-owner');
      await expectProblem(ledger.get(`/organisations/${sorter.id}/api-keys`, recycler.key), 403, 'not-own-organisation');
      await expectProblem(ledger.post(`/organisations/${sorter.id}/api-keys/ffffffffffff/revoke`, { reason: 'typo' }), 404, 'unknown-api-key');
      await expectProblem(ledger.post(`/organisations/${randomUUID()}/api-keys`, { reason: 'nobody' }), 404, 'unknown-organisation');
      await expectProblem(ledger.get(`/organisations/${randomUUID()}/api-keys`), 404, 'unknown-organisation');
      await expectProblem(ledger.post(`/organisations/${sorter.id}/api-keys`, {}), 400, 'invalid-body');

      const org = await ledger.registerOrganisation('Twice Revoked', ['sorter']);
      const spare = (await ledger.post<IssuedKey>(`/organisations/${org.id}/api-keys`, { reason: 'spare' })).body;
      expect((await ledger.post(`/organisations/${org.id}/api-keys/${spare.apiKeyId}/revoke`, { reason: 'done' })).status).toBe(200);
      await expectProblem(ledger.post(`/organisations/${org.id}/api-keys/${spare.apiKeyId}/revoke`, { reason: 'again' }), 409, 'api-key-already-revoked');
    });

    it("never revokes the operator's last key, but rotates it", async () => {
      const operatorId = (await ledger.get<Array<{ organisationId: string; roles: string[] }>>('/organisations')).body.find((o) => o.roles.includes('operator'))!.organisationId;
      await expectProblem(ledger.post(`/organisations/${operatorId}/api-keys/${OPERATOR_KEY_ID}/revoke`, { reason: 'oops' }), 409, 'last-operator-key');
      expect((await ledger.get('/organisations')).status).toBe(200);
    });
  });

  describe('bearer JWTs', () => {
    it('a valid token acts as the organisation its claim names', async () => {
      const token = await sign(claims());
      const response = await ledger.request<KeyView[]>('GET', `/organisations/${sorter.id}/api-keys`, bearer(token));
      expect(response.status).toBe(200);
      // …and as no other: the recycler's keys are not the sorter's to list.
      await expectProblem(ledger.request('GET', `/organisations/${recycler.id}/api-keys`, bearer(token)), 403, 'not-own-organisation');
    });

    it('refuses expired, not-yet-valid, wrong-audience, wrong-issuer and exp-less tokens with 401', async () => {
      await expectProblem(ledger.request('GET', '/organisations', bearer(await sign(claims({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })))), 401, 'token-expired');
      await expectProblem(ledger.request('GET', '/organisations', bearer(await sign(claims({ nbf: nowSeconds() + 3600 })))), 401, 'token-not-yet-valid');
      await expectProblem(ledger.request('GET', '/organisations', bearer(await sign(claims({ aud: 'another-service' })))), 401, 'token-wrong-audience');
      await expectProblem(ledger.request('GET', '/organisations', bearer(await sign(claims({ iss: 'https://evil.example/' })))), 401, 'token-wrong-issuer');
      const { exp: _exp, ...withoutExp } = claims();
      await expectProblem(ledger.request('GET', '/organisations', bearer(await sign(withoutExp))), 401, 'token-claims-invalid');
    });

    it('refuses alg "none", an HMAC keyed with the public key, another key and a tampered token', async () => {
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.`;
      await expectProblem(ledger.request('GET', '/organisations', bearer(unsigned)), 401, 'token-algorithm-not-allowed');

      const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const confusedInput = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims())}`;
      const confused = `${confusedInput}.${createHmac('sha256', pem).update(confusedInput).digest('base64url')}`;
      await expectProblem(ledger.request('GET', '/organisations', bearer(confused)), 401, 'token-algorithm-not-allowed');

      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await expectProblem(ledger.request('GET', '/organisations', bearer(await sign(claims(), { key: stranger.privateKey }))), 401, 'token-signature-invalid');

      const [header, , signature] = (await sign(claims())).split('.');
      const tampered = `${header}.${base64url(claims({ ledger_org: recycler.id }))}.${signature}`;
      await expectProblem(ledger.request('GET', '/organisations', bearer(tampered)), 401, 'token-signature-invalid');
    });

    it('refuses malformed tokens and a token without an organisation with 401, an unknown organisation with 403', async () => {
      // Correctly signed, but the claims are not JSON: read only after the signature verified.
      const signedGarbage = `${base64url({ alg: 'RS256' })}.${Buffer.from('not json').toString('base64url')}`;
      const garbage = `${signedGarbage}.${cryptoSign('sha256', Buffer.from(signedGarbage), rsa.privateKey).toString('base64url')}`;
      await expectProblem(ledger.request('GET', '/organisations', bearer(garbage)), 401, 'malformed-token');
      await expectProblem(ledger.request('GET', '/organisations', bearer('eyJub3QganNvbg.e30.c2ln')), 401, 'malformed-token');
      await expectProblem(ledger.request('GET', '/organisations', bearer(await sign(claims({ ledger_org: undefined })))), 401, 'token-organisation-missing');
      await expectProblem(ledger.request('GET', '/organisations', bearer(await sign(claims({ ledger_org: 'Sorter A/S' })))), 401, 'token-organisation-missing');
      await expectProblem(ledger.request('GET', '/organisations', bearer(await sign(claims({ ledger_org: randomUUID() })))), 403, 'token-organisation-unknown');
    });
  });

  describe('headers', () => {
    it.each<[string, string, Record<string, string>]>([
      ['no header', 'missing-credentials', {}],
      ['another scheme', 'malformed-credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['an empty bearer', 'malformed-credentials', { authorization: 'Bearer ' }],
      ['two tokens', 'malformed-credentials', { authorization: 'Bearer abcdefghijklmnopq rstuvwxyz0123456' }],
      ['a short key', 'malformed-credentials', { authorization: 'Bearer tl_short' }],
      ['a key with odd characters', 'malformed-credentials', { authorization: 'Bearer tl_000000000000_not/a;valid*key' }],
      ['an oversized header', 'malformed-credentials', { authorization: `Bearer ${'a'.repeat(20_000)}` }],
      ['an unknown key', 'unknown-api-key', { authorization: 'Bearer tl_000000000000_this-key-was-never-issued-anywhere' }],
    ])('%s: 401 %s', async (_what, code, headers) => {
      await expectProblem(ledger.request('GET', '/organisations', { key: null, headers }), 401, code);
    });

    it('the scheme is case-insensitive (RFC 6750)', async () => {
      expect((await ledger.request('GET', '/organisations', { key: null, headers: { authorization: `bearer ${sorter.key}` } })).status).toBe(200);
    });
  });

  it('every endpoint of the OpenAPI document but /health answers 401 without credentials', async () => {
    const docs = await ledger.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json', { key: null });
    expect(docs.status).toBe(200);
    const operations = Object.entries(docs.body.paths).flatMap(([route, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((method) => ({ method: method.toUpperCase() as 'GET' | 'POST', route })),
    );
    // The walk must not pass by walking nothing: the key routes of this spec are in it, among many.
    expect(operations.length).toBeGreaterThanOrEqual(20);
    expect(operations).toEqual(expect.arrayContaining([{ method: 'POST', route: '/organisations/{organisationId}/api-keys/{keyId}/revoke' }]));
    // The JSON-LD context an exported EPCIS document names must resolve for anyone who reads the document (decision 047).
    const publicRoutes = new Set(['/health', '/health/live', '/health/ready', '/web/config', '/epcis/context/v1.jsonld']);
    const open: string[] = [];
    for (const { method, route } of operations) {
      const url = route.replace(/\{[^}]+\}/g, (param) => (/kommune/i.test(param) ? '0657' : /year/i.test(param) ? '2025' : randomUUID()));
      const anonymous = await ledger.request<Problem>(method, url, { key: null, ...(method === 'POST' ? { body: {} } : {}) });
      if (publicRoutes.has(route)) {
        expect(anonymous.status).toBe(200);
        continue;
      }
      if (anonymous.status !== 401 || anonymous.body.code !== 'missing-credentials') open.push(`${method} ${route} → ${anonymous.status}`);
    }
    expect(open).toEqual([]);
    expect((await ledger.request('GET', '/docs', { key: null })).status).toBeLessThan(400);
  });
});

describe('authentication: a JWT verified against a JWKS endpoint', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sign = signer(ec.privateKey, 'ES256', 'key-2026');
  let jwks: Awaited<ReturnType<typeof jwksServer>>;
  let ledger: LedgerHarness;
  let sorter: RegisteredOrganisation;

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(ec.publicKey)), kid: 'key-2026', alg: 'ES256', use: 'sig' };
    jwks = await jwksServer(() => ({ status: 200, body: JSON.stringify({ keys: [jwk] }) }));
    ledger = await LedgerHarness.start({
      env: { LEDGER_PROJECTIONS: 'in-process', LEDGER_OIDC_ISSUER: ISSUER, LEDGER_OIDC_AUDIENCE: AUDIENCE, LEDGER_OIDC_JWKS_URL: jwks.url, LEDGER_OIDC_ORG_CLAIM: 'https://ledger/org' },
    });
    sorter = await ledger.registerOrganisation('Sorter', ['sorter']);
  });
  afterAll(async () => {
    await ledger.close();
    await jwks.close();
  });

  const claims = (overrides: JWTPayload = {}): JWTPayload => ({ iss: ISSUER, aud: AUDIENCE, 'https://ledger/org': sorter.id, iat: nowSeconds(), exp: nowSeconds() + 600, ...overrides });
  const asBearer = async (token: string) => ledger.request('GET', '/organisations', { key: null, headers: { authorization: `Bearer ${token}` } });

  it('accepts a token signed with a key of the set, under the configured claim, and caches the set', async () => {
    expect((await asBearer(await sign(claims()))).status).toBe(200);
    expect((await asBearer(await sign(claims()))).status).toBe(200);
    expect(jwks.hits()).toBe(1);
    await expectProblem(asBearer(await sign({ ...claims(), 'https://ledger/org': undefined, ledger_org: sorter.id })), 401, 'token-organisation-missing');
  });

  it('refuses a key id the set does not hold, expired and wrong-audience tokens, and alg "none"', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expectProblem(asBearer(await signer(other.privateKey, 'ES256', 'not-in-the-set')(claims())), 401, 'token-key-unknown');
    await expectProblem(asBearer(await sign(claims({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }))), 401, 'token-expired');
    await expectProblem(asBearer(await sign(claims({ aud: ['someone-else'] }))), 401, 'token-wrong-audience');
    await expectProblem(asBearer(`${base64url({ alg: 'none', kid: 'key-2026' })}.${base64url(claims())}.`), 401, 'token-algorithm-not-allowed');
  });
});

describe('authentication: failure modes of the infrastructure', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let jwks: Awaited<ReturnType<typeof jwksServer>>;
  let ledger: LedgerHarness;

  beforeAll(async () => {
    jwks = await jwksServer(() => ({ status: 503, body: '{"error":"down for maintenance"}' }));
    ledger = await LedgerHarness.start({
      env: {
        LEDGER_PROJECTIONS: 'in-process',
        // Commands answer without waiting for the read models, as they may lag them.
        LEDGER_READ_YOUR_WRITES: 'false',
        LEDGER_OIDC_ISSUER: ISSUER,
        LEDGER_OIDC_AUDIENCE: AUDIENCE,
        LEDGER_OIDC_JWKS_URL: jwks.url,
      },
    });
  });
  afterAll(async () => {
    await ledger.close();
    await jwks.close();
  });

  it('an unreachable key set is a 503 problem, not a 500', async () => {
    const token = await signer(ec.privateKey, 'ES256', 'k')({ iss: ISSUER, aud: AUDIENCE, ledger_org: randomUUID(), iat: nowSeconds(), exp: nowSeconds() + 600 });
    const response = await ledger.request<Problem>('GET', '/organisations', { key: null, headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(503);
    expect(String(response.headers['content-type'])).toContain('application/problem+json');
    expect(response.body.detail).toMatch(/key set/);
    expect(jwks.hits()).toBeGreaterThanOrEqual(1);
  });

  it('a revoked key fails on the next request even before the read models have the revocation', async () => {
    const org = await ledger.post<{ organisationId: string; apiKey: string }>('/organisations', { name: 'Fast Revoker', roles: ['sorter'] });
    await ledger.runner.waitForPosition(await ledger.store.headPosition(), 10_000);
    const spare = (await ledger.post<IssuedKey>(`/organisations/${org.body.organisationId}/api-keys`, { reason: 'spare' })).body;
    // Works at once, read model or not; and is now trusted (cached) by this instance.
    expect((await ledger.get('/organisations', spare.apiKey!)).status).toBe(200);
    await ledger.runner.waitForPosition(await ledger.store.headPosition(), 10_000);
    expect((await ledger.get('/organisations', spare.apiKey!)).status).toBe(200);
    const revoked = await ledger.post(`/organisations/${org.body.organisationId}/api-keys/${spare.apiKeyId}/revoke`, { reason: 'leaked' });
    expect(revoked.status).toBe(200);
    await expectProblem(ledger.get('/organisations', spare.apiKey!), 401, 'api-key-revoked');
    await ledger.runner.waitForPosition(await ledger.store.headPosition(), 10_000);
    await expectProblem(ledger.get('/organisations', spare.apiKey!), 401, 'api-key-revoked');
  });
});

describe('credentials that cannot be guessed or borrowed (decision 029)', () => {
  const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

  describe('a chosen operator key', () => {
    it.each([
      ['16 characters', 'Abcdefgh12345678', /about 95 bits/],
      ['a long key of one repeated character', 'x'.repeat(40), /distinct characters/],
    ])('of %s is refused at start, with what to do instead', async (_what, operatorKey, reason) => {
      const start = LedgerHarness.start({ operatorKey, env: { LEDGER_PROJECTIONS: 'in-process' } });
      await expect(start).rejects.toThrow(/^refusing to start: LEDGER_OPERATOR_KEY/);
      await expect(start).rejects.toThrow(reason);
      await expect(start).rejects.toThrow(/openssl rand/);
    });

    it('is recorded by scrypt with its salt and cost; its SHA-256 is nowhere in the log or the read models; it authenticates, on later starts too', async () => {
      const ledger = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process' } });
      let dataDir = ledger.dataDir;
      try {
        expect((await ledger.registerOrganisation('Sorter', ['sorter'])).id).toBeDefined();
        const events = await ledger.store.readAll({ maxCount: 10_000 });
        const operatorKeyEvent = events.find((e) => e.type === 'ApiKeyIssued' && (e.data as { organisationId: string }).organisationId === OPERATOR_ORGANISATION_ID)!;
        expect(operatorKeyEvent.data).toMatchObject({ keyDerivation: { algorithm: 'scrypt', salt: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), cost: 2 ** 15, blockSize: 8, parallelization: 1 } });
        const logged = JSON.stringify(events);
        expect(logged).not.toContain(sha256(ledger.operatorKey));
        expect(logged).not.toContain(ledger.operatorKey);
        for (const file of readdirSync(ledger.dataDir).filter((f) => f.includes('.sqlite'))) {
          const bytes = readFileSync(path.join(ledger.dataDir, file));
          expect(bytes.includes(sha256(ledger.operatorKey))).toBe(false);
          expect(bytes.includes(ledger.operatorKey)).toBe(false);
        }
        // Generated keys keep their SHA-256: 256 random bits need no slow hash.
        const sorterKeyEvent = events.filter((e) => e.type === 'ApiKeyIssued').at(-1)!;
        expect(sorterKeyEvent.data).not.toHaveProperty('keyDerivation');
      } finally {
        dataDir = ledger.dataDir;
        await ledger.close({ keepData: true });
      }
      const again = await LedgerHarness.start({ dataDir, env: { LEDGER_PROJECTIONS: 'in-process' } });
      try {
        expect((await again.get('/organisations')).status).toBe(200);
        await expectProblem(again.get('/organisations', 'tl_000000000000_e2e-operator-key-with-enough-entropY'), 401, 'unknown-api-key');
      } finally {
        await again.close();
      }
    }, 60_000);

    it('recorded by its bare SHA-256 before decision 029, still authenticates after the upgrade', async () => {
      const operatorKey = 'tl_000000000000_an-operator-key-chosen-before-the-upgrade';
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-e2e-'));
      const store = await openEventLog(loadLedgerConfig({ LEDGER_DATA_DIR: dataDir }).eventLog);
      try {
        const at = new Date().toISOString();
        const commandId = deterministicId('command/bootstrap-operator');
        const metadata = { actorOrgId: OPERATOR_ORGANISATION_ID, commandId, correlationId: commandId, causationId: commandId };
        await store.append(
          `organisation-${OPERATOR_ORGANISATION_ID}`,
          [
            { eventId: randomUUID(), type: 'OrganisationRegistered', schemaVersion: 1, data: { organisationId: OPERATOR_ORGANISATION_ID, name: 'Ledger operator', roles: ['operator'], sites: [], occurredAt: at }, metadata },
            { eventId: randomUUID(), type: 'ApiKeyIssued', schemaVersion: 1, data: { organisationId: OPERATOR_ORGANISATION_ID, keyId: '000000000000', keyHash: sha256(operatorKey), occurredAt: at }, metadata },
          ],
          'no-stream',
        );
      } finally {
        await store.close();
      }
      const ledger = await LedgerHarness.start({ dataDir, operatorKey, env: { LEDGER_PROJECTIONS: 'in-process' } });
      try {
        const organisations = await ledger.get<{ organisationId: string }[]>('/organisations');
        expect(organisations.status).toBe(200);
        expect(organisations.body.map((o) => o.organisationId)).toEqual([OPERATOR_ORGANISATION_ID]);
      } finally {
        await ledger.close();
      }
    }, 60_000);
  });

  describe('OIDC', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sign = signer(ec.privateKey, 'ES256');
    const OPS = 'ops@ledger.example';
    let ledger: LedgerHarness;
    let auditor: RegisteredOrganisation;
    let sorter: RegisteredOrganisation;
    const claims = (overrides: JWTPayload = {}): JWTPayload => ({ iss: ISSUER, aud: AUDIENCE, sub: 'alice@sorter.example', ledger_org: sorter.id, iat: nowSeconds(), exp: nowSeconds() + 600, ...overrides });
    const asBearer = async (token: string) => ledger.request('GET', '/organisations', { key: null, headers: { authorization: `Bearer ${token}` } });

    beforeAll(async () => {
      ledger = await LedgerHarness.start({
        env: {
          LEDGER_PROJECTIONS: 'in-process',
          LEDGER_OIDC_ISSUER: ISSUER,
          LEDGER_OIDC_AUDIENCE: AUDIENCE,
          LEDGER_OIDC_PUBLIC_KEY: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          LEDGER_OIDC_PRIVILEGED_SUBJECTS: `${ISSUER}|${OPS}`,
        },
      });
      sorter = await ledger.registerOrganisation('Sorter', ['sorter']);
      auditor = await ledger.registerOrganisation('Auditor', ['auditor']);
    });
    afterAll(async () => {
      await ledger.close();
    });

    it("refuses a token naming the operator's organisation (the same id in every deployment) unless the allow-list names its issuer and subject", async () => {
      await expectProblem(asBearer(await sign(claims({ ledger_org: OPERATOR_ORGANISATION_ID }))), 403, 'token-privileged-subject-not-allowed');
      await expectProblem(asBearer(await sign(claims({ ledger_org: OPERATOR_ORGANISATION_ID, iss: 'https://evil.example/', sub: OPS }))), 401, 'token-wrong-issuer');
      const allowed = await ledger.request('POST', '/organisations', {
        key: null,
        headers: { authorization: `Bearer ${await sign(claims({ ledger_org: OPERATOR_ORGANISATION_ID, sub: OPS }))}` },
        body: { name: 'Registered by token', roles: ['brand'] },
      });
      expect(allowed.status).toBe(201);
    });

    it('refuses a token naming an auditor organisation unless the allow-list names it, and lets one act for a sorter', async () => {
      await expectProblem(asBearer(await sign(claims({ ledger_org: auditor.id }))), 403, 'token-privileged-subject-not-allowed');
      expect((await asBearer(await sign(claims({ ledger_org: auditor.id, sub: OPS })))).status).toBe(200);
      expect((await asBearer(await sign(claims()))).status).toBe(200);
    });

    it('refuses a token without iat, one issued more than 24 hours ago and one valid for 50 years, each with its own 401', async () => {
      await expectProblem(asBearer(await sign(claims({ iat: undefined }))), 401, 'token-issued-at-missing');
      await expectProblem(asBearer(await sign(claims({ iat: nowSeconds() - 25 * 3600, exp: nowSeconds() + 600 }))), 401, 'token-too-old');
      await expectProblem(asBearer(await sign(claims({ exp: nowSeconds() + 50 * 365 * 86_400 }))), 401, 'token-lifetime-too-long');
    });

    it('refuses to start with a key set fetched over plain http from another host', async () => {
      const start = LedgerHarness.start({ env: { LEDGER_OIDC_ISSUER: ISSUER, LEDGER_OIDC_AUDIENCE: AUDIENCE, LEDGER_OIDC_JWKS_URL: 'http://idp.example.test/.well-known/jwks.json' } });
      await expect(start).rejects.toThrow(/LEDGER_OIDC_JWKS_URL must be an https URL/);
    });
  });
});
