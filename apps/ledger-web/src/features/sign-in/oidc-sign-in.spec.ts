import { beginOidcSignIn, completeOidcSignIn, isOidcRedirect, OidcSignInError, PENDING_SIGN_IN, PENDING_SIGN_IN_MAX_AGE_MS, type OidcWebConfig, type SessionStore } from './oidc-sign-in.js';

/**
 * The browser side of the authorization code flow with PKCE (decision 035), without a browser: the
 * token endpoint is a function standing in for the provider's, which checks the verifier against
 * the challenge as a provider does and signs a real RS256 ID token with Web Crypto.
 */
const CONFIG: OidcWebConfig = {
  issuer: 'https://idp.example.test',
  clientId: 'ledger-web',
  scopes: ['openid', 'profile'],
  authorizationEndpoint: 'https://idp.example.test/authorize?tenant=textiles',
  tokenEndpoint: 'https://idp.example.test/token',
  providerName: 'Example ID',
};
const REDIRECT = 'https://ledger.example.test/';
// The ID token is checked against the real clock (oauth4webapi), so the spec lives in it too.
const NOW = Date.now();

class MemoryStore implements SessionStore {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const base64url = (bytes: ArrayBuffer | Uint8Array): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const json64 = (value: unknown): string => base64url(new TextEncoder().encode(JSON.stringify(value)));

async function s256(verifier: string): Promise<string> {
  return base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
}

async function rsaKey(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['sign', 'verify']);
}

async function idToken(key: CryptoKey, claims: Record<string, unknown>): Promise<string> {
  const input = `${json64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${json64(claims)}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, new TextEncoder().encode(input));
  return `${input}.${base64url(signature)}`;
}

interface TokenEndpoint {
  readonly fetch: typeof fetch;
  readonly calls: URLSearchParams[];
}

/** A token endpoint that answers only the code it issued, with the verifier of the challenge it saw. */
async function tokenEndpoint(authorization: URL, code: string, overrides: { nonce?: string } = {}): Promise<TokenEndpoint> {
  const { privateKey } = await rsaKey();
  const calls: URLSearchParams[] = [];
  const issuedAt = Math.floor(NOW / 1000);
  const endpoint = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    expect(String(input)).toBe(CONFIG.tokenEndpoint);
    const body = new URLSearchParams(String(init?.body));
    calls.push(body);
    const valid =
      body.get('grant_type') === 'authorization_code' &&
      body.get('code') === code &&
      body.get('client_id') === CONFIG.clientId &&
      body.get('redirect_uri') === authorization.searchParams.get('redirect_uri') &&
      (await s256(body.get('code_verifier') ?? '')) === authorization.searchParams.get('code_challenge');
    if (!valid) return new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400, headers: { 'content-type': 'application/json' } });
    const id = await idToken(privateKey, {
      iss: CONFIG.issuer,
      aud: CONFIG.clientId,
      sub: 'alice',
      iat: issuedAt,
      exp: issuedAt + 300,
      nonce: overrides.nonce ?? authorization.searchParams.get('nonce'),
    });
    return new Response(JSON.stringify({ access_token: 'eyJ.access.token', token_type: 'Bearer', expires_in: 300, id_token: id }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: endpoint as typeof fetch, calls };
}

function returnTo(parameters: Record<string, string>): URL {
  const url = new URL(REDIRECT);
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url;
}

async function refusal(promise: Promise<unknown>): Promise<OidcSignInError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OidcSignInError) return error;
    throw error;
  }
  throw new Error('expected the sign-in to be refused');
}

describe('OIDC sign-in in the browser: authorization code with PKCE', () => {
  it('given a provider, when a sign-in starts, then the address carries the S256 challenge of the kept verifier, a state and a nonce', async () => {
    const storage = new MemoryStore();
    const url = await beginOidcSignIn(CONFIG, storage, REDIRECT, NOW);
    const pending = JSON.parse(storage.getItem(PENDING_SIGN_IN) ?? 'null') as { state: string; nonce: string; codeVerifier: string; redirectUri: string };

    expect(`${url.origin}${url.pathname}`).toBe('https://idp.example.test/authorize');
    expect(url.searchParams.get('tenant')).toBe('textiles');
    expect(Object.fromEntries([...url.searchParams].filter(([name]) => ['client_id', 'redirect_uri', 'response_type', 'scope', 'code_challenge_method'].includes(name)))).toEqual({
      client_id: 'ledger-web',
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid profile',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('code_challenge')).toBe(await s256(pending.codeVerifier));
    expect(url.searchParams.get('state')).toBe(pending.state);
    expect(url.searchParams.get('nonce')).toBe(pending.nonce);
    // RFC 7636: 43 to 128 unreserved characters; the verifier itself never leaves the tab.
    expect(pending.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(url.href).not.toContain(pending.codeVerifier);

    const again = await beginOidcSignIn(CONFIG, new MemoryStore(), REDIRECT, NOW);
    expect(again.searchParams.get('state')).not.toBe(pending.state);
    expect(again.searchParams.get('nonce')).not.toBe(pending.nonce);
    expect(again.searchParams.get('code_challenge')).not.toBe(url.searchParams.get('code_challenge'));
  });

  it('given the provider sends the browser back with the kept state, when the code is exchanged, then the access token and its end are returned and nothing is left pending', async () => {
    const storage = new MemoryStore();
    const authorization = await beginOidcSignIn(CONFIG, storage, REDIRECT, NOW);
    const provider = await tokenEndpoint(authorization, 'code-1');

    const token = await completeOidcSignIn(CONFIG, storage, returnTo({ code: 'code-1', state: authorization.searchParams.get('state')! }), { now: NOW + 5_000, fetch: provider.fetch });

    expect(token).toEqual({ accessToken: 'eyJ.access.token', expiresAt: NOW + 5_000 + 300_000 });
    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]!.has('client_secret')).toBe(false);
    expect(storage.items.size).toBe(0);
  });

  it('given a return whose state is not the kept one, when it is completed, then it is refused before any exchange, and the kept round trip is gone', async () => {
    const storage = new MemoryStore();
    const authorization = await beginOidcSignIn(CONFIG, storage, REDIRECT, NOW);
    const provider = await tokenEndpoint(authorization, 'code-1');

    const error = await refusal(completeOidcSignIn(CONFIG, storage, returnTo({ code: 'code-1', state: 'forged-state' }), { now: NOW, fetch: provider.fetch }));

    expect(error.failure).toBe('state-mismatch');
    expect(provider.calls).toHaveLength(0);
    expect(storage.getItem(PENDING_SIGN_IN)).toBeNull();
    // The genuine return cannot be completed afterwards either: one use only.
    expect((await refusal(completeOidcSignIn(CONFIG, storage, returnTo({ code: 'code-1', state: authorization.searchParams.get('state')! }), { now: NOW, fetch: provider.fetch }))).failure).toBe(
      'not-started',
    );
  });

  it('given an ID token with another nonce, when the code is exchanged, then the sign-in fails', async () => {
    const storage = new MemoryStore();
    const authorization = await beginOidcSignIn(CONFIG, storage, REDIRECT, NOW);
    const provider = await tokenEndpoint(authorization, 'code-1', { nonce: 'replayed-nonce' });

    const error = await refusal(completeOidcSignIn(CONFIG, storage, returnTo({ code: 'code-1', state: authorization.searchParams.get('state')! }), { now: NOW, fetch: provider.fetch }));

    expect(error.failure).toBe('exchange-failed');
    expect(error.message).toMatch(/nonce/);
  });

  it('given a verifier the provider did not see the challenge of, when the code is exchanged, then the provider’s refusal fails the sign-in', async () => {
    const storage = new MemoryStore();
    const authorization = await beginOidcSignIn(CONFIG, storage, REDIRECT, NOW);
    // Another round trip's challenge: the kept verifier does not match it.
    const other = await beginOidcSignIn(CONFIG, new MemoryStore(), REDIRECT, NOW);
    const provider = await tokenEndpoint(other, 'code-1');

    const error = await refusal(completeOidcSignIn(CONFIG, storage, returnTo({ code: 'code-1', state: authorization.searchParams.get('state')! }), { now: NOW, fetch: provider.fetch }));

    expect(error.failure).toBe('exchange-failed');
    expect(error.message).toMatch(/invalid_grant|server responded/);
  });

  it('given the provider refused, or no sign-in was started, or it was started too long ago, then each is its own failure', async () => {
    const storage = new MemoryStore();
    const authorization = await beginOidcSignIn(CONFIG, storage, REDIRECT, NOW);
    const state = authorization.searchParams.get('state')!;
    const refused = await refusal(completeOidcSignIn(CONFIG, storage, returnTo({ error: 'access_denied', error_description: 'the user cancelled', state }), { now: NOW }));
    expect([refused.failure, refused.message]).toEqual(['provider-refused', 'the user cancelled']);

    expect((await refusal(completeOidcSignIn(CONFIG, new MemoryStore(), returnTo({ code: 'c', state }), { now: NOW }))).failure).toBe('not-started');

    const late = new MemoryStore();
    const slow = await beginOidcSignIn(CONFIG, late, REDIRECT, NOW);
    const tooLate = await refusal(completeOidcSignIn(CONFIG, late, returnTo({ code: 'c', state: slow.searchParams.get('state')! }), { now: NOW + PENDING_SIGN_IN_MAX_AGE_MS + 1 }));
    expect(tooLate.failure).toBe('too-late');
  });

  it('recognises a return from the provider by its state with a code or an error', () => {
    expect(isOidcRedirect(returnTo({ code: 'c', state: 's' }))).toBe(true);
    expect(isOidcRedirect(returnTo({ error: 'access_denied', state: 's' }))).toBe(true);
    expect(isOidcRedirect(returnTo({ code: 'c' }))).toBe(false);
    expect(isOidcRedirect(new URL('https://ledger.example.test/#/batches'))).toBe(false);
  });
});
