import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * A small but real OpenID provider for the browser tests (decision 035), on a loopback address:
 * discovery, a key set, `/authorize` that checks the client, the registered redirect address and
 * an S256 challenge and then sends the browser straight back with a code (the person is already
 * signed in at the provider), and `/token` that checks the code's verifier against its challenge
 * and answers an RS256 access token for the ledger and an ID token with the nonce.
 *
 * Plain http on 127.0.0.1: the ledger accepts a key set and web endpoints over http for a loopback
 * address only (decisions 029 and 035), as it does for the e2e tests' key sets.
 */
export interface OidcIdentity {
  readonly subject: string;
  /** The ledger's organisation claim (`ledger_org`). */
  readonly organisationId: string;
}

interface IssuedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string | undefined;
  readonly scope: string;
  readonly identity: OidcIdentity;
  readonly accessTokenLifetimeSeconds: number;
}

export interface OidcProvider {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** The web application's public client: its id and the one address codes may be sent to. */
  registerClient(clientId: string, redirectUri: string): void;
  /** Who is signed in at the provider, and how long the next access token lives. */
  signInAs(identity: OidcIdentity, accessTokenLifetimeSeconds?: number): void;
  /** The next redirect carries this state instead of the one the browser sent (a crossed or forged return). */
  tamperNextState(state: string): void;
  /** Every access token issued, in order. */
  readonly accessTokens: string[];
  /** Every request to `/token`, with its outcome. */
  readonly tokenRequests: { readonly status: number; readonly error?: string }[];
  /** Every request to `/authorize` that was refused, and why. */
  readonly refusedAuthorizations: string[];
  close(): Promise<void>;
}

export async function startOidcProvider(options: { audience: string }): Promise<OidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, IssuedCode>();
  const clients = new Map<string, string>();
  let identity: OidcIdentity | undefined;
  let lifetime = 300;
  let tamperedState: string | undefined;
  const accessTokens: string[] = [];
  const tokenRequests: { status: number; error?: string }[] = [];
  const refusedAuthorizations: string[] = [];
  let issuer = '';

  const json = (response: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    response.end(JSON.stringify(body));
  };
  /** CORS for the token endpoint: the web application's origin only, as a provider configures it for a SPA client. */
  const cors = (request: http.IncomingMessage): http.OutgoingHttpHeaders => {
    const origin = request.headers.origin;
    const allowed = [...clients.values()].some((redirect) => new URL(redirect).origin === origin);
    return allowed && origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
  };

  const authorize = (url: URL, response: http.ServerResponse): void => {
    const q = url.searchParams;
    const refuse = (reason: string): void => {
      refusedAuthorizations.push(reason);
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end(reason);
    };
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    // Before the redirect address is trusted, nothing is sent to it (RFC 6749 §4.1.2.1).
    if (!clients.has(clientId)) return refuse(`unknown client_id "${clientId}"`);
    if (clients.get(clientId) !== redirectUri) return refuse(`redirect_uri "${redirectUri}" is not registered for ${clientId}`);
    if (q.get('response_type') !== 'code') return refuse('response_type must be code');
    if (q.get('code_challenge_method') !== 'S256') return refuse('code_challenge_method must be S256');
    const challenge = q.get('code_challenge') ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return refuse('code_challenge must be an S256 challenge');
    if (!(q.get('scope') ?? '').split(' ').includes('openid')) return refuse('scope must include openid');
    if (!identity) return refuse('nobody is signed in at the provider');
    const code = randomBytes(24).toString('base64url');
    codes.set(code, { clientId, redirectUri, challenge, nonce: q.get('nonce') ?? undefined, scope: q.get('scope') ?? '', identity, accessTokenLifetimeSeconds: lifetime });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', tamperedState ?? q.get('state') ?? '');
    // RFC 9207: the issuer names itself in the answer, so a mixed-up client can tell.
    back.searchParams.set('iss', issuer);
    tamperedState = undefined;
    response.writeHead(302, { location: back.href, 'cache-control': 'no-store' });
    response.end();
  };

  const token = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const fail = (error: string, description: string): void => {
      tokenRequests.push({ status: 400, error });
      json(response, 400, { error, error_description: description }, cors(request));
    };
    if (body.get('grant_type') !== 'authorization_code') return fail('unsupported_grant_type', 'only authorization_code');
    if (body.has('client_secret') || request.headers.authorization) return fail('invalid_client', 'a public client sends no secret');
    const code = body.get('code') ?? '';
    const issued = codes.get(code);
    // A code is good for one exchange only.
    codes.delete(code);
    if (!issued) return fail('invalid_grant', 'unknown or used code');
    if (body.get('client_id') !== issued.clientId) return fail('invalid_client', 'the code was issued to another client');
    if (body.get('redirect_uri') !== issued.redirectUri) return fail('invalid_grant', 'redirect_uri differs from the authorization request');
    const verifier = body.get('code_verifier') ?? '';
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
      return fail('invalid_grant', 'code_verifier does not match the code_challenge');
    }
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({ ledger_org: issued.identity.organisationId, scope: issued.scope, client_id: issued.clientId })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(options.audience)
      .setSubject(issued.identity.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + issued.accessTokenLifetimeSeconds)
      .sign(privateKey);
    const idToken = await new SignJWT({ ...(issued.nonce !== undefined ? { nonce: issued.nonce } : {}) })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid! })
      .setIssuer(issuer)
      .setAudience(issued.clientId)
      .setSubject(issued.identity.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    accessTokens.push(accessToken);
    tokenRequests.push({ status: 200 });
    json(response, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: issued.accessTokenLifetimeSeconds, id_token: idToken, scope: issued.scope }, cors(request));
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /.well-known/openid-configuration') {
      return json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        id_token_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['public'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (route === 'GET /jwks') return json(response, 200, { keys: [jwk] });
    if (route === 'GET /authorize') return authorize(url, response);
    if (route === 'OPTIONS /token') {
      response.writeHead(204, { ...cors(request), 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, accept', 'access-control-max-age': '60' });
      return response.end();
    }
    if (route === 'POST /token') {
      token(request, response).catch((error: unknown) => json(response, 500, { error: 'server_error', error_description: String(error) }));
      return;
    }
    json(response, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    authorizationEndpoint: `${issuer}/authorize`,
    tokenEndpoint: `${issuer}/token`,
    registerClient: (clientId, redirectUri) => void clients.set(clientId, redirectUri),
    signInAs: (who, accessTokenLifetimeSeconds = 300) => {
      identity = who;
      lifetime = accessTokenLifetimeSeconds;
    },
    tamperNextState: (state) => {
      tamperedState = state;
    },
    accessTokens,
    tokenRequests,
    refusedAuthorizations,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
