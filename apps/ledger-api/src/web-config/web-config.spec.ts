import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { LedgerHarness } from '../../../../test/fixtures/ledger-harness.js';
import { loadOidcConfig } from '../common/oidc.config.js';
import { webConfigAnswer } from './web-config.answer.js';

/**
 * `GET /web/config` and the settings behind it (decision 035): the web application learns whether
 * it may offer "Sign in with …", and the CSP lets the browser reach the provider's token endpoint
 * only when it may.
 */
const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const OIDC = { LEDGER_OIDC_ISSUER: 'https://idp.example.test/', LEDGER_OIDC_AUDIENCE: 'textile-ledger', LEDGER_OIDC_PUBLIC_KEY: PEM };
const WEB = {
  LEDGER_OIDC_WEB_CLIENT_ID: 'ledger-web',
  LEDGER_OIDC_WEB_AUTHORIZATION_ENDPOINT: 'https://idp.example.test/authorize',
  LEDGER_OIDC_WEB_TOKEN_ENDPOINT: 'https://tokens.idp.example.test:8443/oauth/token',
};

describe('the web sign-in settings', () => {
  it('given no web client, then the answer offers API keys only', () => {
    expect(webConfigAnswer(undefined)).toEqual({ oidc: null });
    expect(webConfigAnswer(loadOidcConfig(OIDC))).toEqual({ oidc: null });
  });

  it('given a web client, then the answer names the issuer, client, scopes, endpoints and provider', () => {
    expect(webConfigAnswer(loadOidcConfig({ ...OIDC, ...WEB }))).toEqual({
      oidc: {
        issuer: 'https://idp.example.test/',
        clientId: 'ledger-web',
        scopes: ['openid'],
        authorizationEndpoint: 'https://idp.example.test/authorize',
        tokenEndpoint: 'https://tokens.idp.example.test:8443/oauth/token',
        providerName: 'idp.example.test',
      },
    });
    const named = loadOidcConfig({ ...OIDC, ...WEB, LEDGER_OIDC_WEB_SCOPES: ' openid  profile offline_access ', LEDGER_OIDC_WEB_PROVIDER_NAME: 'Herning ID' })?.web;
    expect([named?.scopes, named?.providerName]).toEqual([['openid', 'profile', 'offline_access'], 'Herning ID']);
    // A provider on the same host may use plain http, as for the key set.
    expect(loadOidcConfig({ ...OIDC, ...WEB, LEDGER_OIDC_WEB_TOKEN_ENDPOINT: 'http://127.0.0.1:9000/token' })?.web?.tokenEndpoint.href).toBe('http://127.0.0.1:9000/token');
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['a web client without an issuer', WEB, /LEDGER_OIDC_WEB_CLIENT_ID needs LEDGER_OIDC_ISSUER/],
    ['endpoints without a client', { ...OIDC, LEDGER_OIDC_WEB_TOKEN_ENDPOINT: WEB.LEDGER_OIDC_WEB_TOKEN_ENDPOINT }, /need LEDGER_OIDC_WEB_CLIENT_ID/],
    ['a client without its token endpoint', { ...OIDC, ...WEB, LEDGER_OIDC_WEB_TOKEN_ENDPOINT: '' }, /needs LEDGER_OIDC_WEB_AUTHORIZATION_ENDPOINT and LEDGER_OIDC_WEB_TOKEN_ENDPOINT/],
    ['a plain-http endpoint on the network', { ...OIDC, ...WEB, LEDGER_OIDC_WEB_AUTHORIZATION_ENDPOINT: 'http://idp.example.test/authorize' }, /must be an https URL/],
    ['an endpoint that is not a URL', { ...OIDC, ...WEB, LEDGER_OIDC_WEB_TOKEN_ENDPOINT: 'token' }, /not a URL/],
    ['an endpoint with a fragment', { ...OIDC, ...WEB, LEDGER_OIDC_WEB_TOKEN_ENDPOINT: 'https://idp.example.test/token#x' }, /fragment/],
    ['scopes without openid', { ...OIDC, ...WEB, LEDGER_OIDC_WEB_SCOPES: 'profile' }, /must include openid/],
    ['a scope with a quote', { ...OIDC, ...WEB, LEDGER_OIDC_WEB_SCOPES: 'openid "x"' }, /is not a scope/],
  ])('refuses %s at start-up', (_what, env, message) => {
    expect(() => loadOidcConfig(env)).toThrow(message);
  });
});

describe('GET /web/config', () => {
  let plain: LedgerHarness;
  let withWeb: LedgerHarness;

  beforeAll(async () => {
    plain = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process' } });
    withWeb = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process', ...OIDC, ...WEB } });
  }, 60_000);

  afterAll(async () => {
    await plain?.close();
    await withWeb?.close();
  });

  it('given no web client, when anyone asks without credentials, then the answer is null and the page’s CSP reaches this origin only', async () => {
    const answer = await plain.request('GET', '/web/config', { key: null });
    expect([answer.status, answer.body]).toEqual([200, { oidc: null }]);
    expect(String((await plain.request('GET', '/', { key: null })).headers['content-security-policy'])).toContain("connect-src 'self';");
  });

  it('given a web client, when anyone asks without credentials, then it is named, and the CSP adds the token endpoint’s origin and no other', async () => {
    const answer = await withWeb.request('GET', '/web/config', { key: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(webConfigAnswer(withWeb.config.oidc));
    // The page at `/` is what fetches the token endpoint: its policy names that origin. A JSON answer
    // is never a page, and its policy lets nothing load (decision 049).
    const page = await withWeb.request('GET', '/', { key: null });
    expect(String(page.headers['content-type'])).toMatch(/^text\/html/);
    expect(String(page.headers['content-security-policy'])).toContain("connect-src 'self' https://tokens.idp.example.test:8443;");
    expect(answer.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('given a credential, when it is presented, then it is checked like anywhere else', async () => {
    expect((await withWeb.request('GET', '/web/config')).status).toBe(200);
    const wrong = await withWeb.request<{ code: string }>('GET', '/web/config', { key: 'tl_000000000000_not-a-key-anyone-has-0000000' });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'unknown-api-key']);
  });

  it('is in the OpenAPI document with a response schema', async () => {
    const docs = await withWeb.request<{ paths: Record<string, { get?: { responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }> } }> }>('GET', '/docs-json', { key: null });
    const schema = docs.body.paths['/web/config']?.get?.responses?.['200']?.content?.['application/json']?.schema;
    expect(Object.keys(schema?.properties ?? {})).toEqual(['oidc']);
  });
});
