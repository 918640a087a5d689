import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Optional OIDC/JWT bearer tokens (docs/security.md "Authentication"). Off unless
 * LEDGER_OIDC_ISSUER is set; then the audience and exactly one key source are required, so that a
 * half-configured deployment fails at start-up rather than accepting tokens it cannot check.
 */
export interface OidcConfig {
  readonly issuer: string;
  readonly audience: string;
  /** The identity provider's key set, fetched and cached; or `publicKey`. */
  readonly jwksUrl: URL | undefined;
  /** A fixed verification key (PEM, SPKI), for providers without a JWKS endpoint and for tests. */
  readonly publicKey: KeyObject | undefined;
  /** The claim that names the organisation (its id in this ledger). */
  readonly organisationClaim: string;
  /** Leeway for exp and nbf against the ledger's clock. */
  readonly clockToleranceSeconds: number;
  /** A token issued (iat) longer ago than this is refused, whatever its exp says (decision 029). */
  readonly maxTokenAgeSeconds: number;
  /** A token whose exp − iat exceeds this is refused: a provider minting year-long tokens is misconfigured. */
  readonly maxTokenLifetimeSeconds: number;
  /**
   * `issuer|subject` pairs that may act, by token, as an operator or auditor organisation
   * (LEDGER_OIDC_PRIVILEGED_SUBJECTS). Empty by default: one claim of a token never reaches the
   * organisations that administer or see the whole ledger unless the deployment says so (decision 029).
   */
  readonly privilegedSubjects: ReadonlySet<string>;
  /**
   * The web application's sign-in with this provider (authorization code with PKCE, decision 035):
   * set by LEDGER_OIDC_WEB_CLIENT_ID and the two endpoints; undefined: the browser signs in with API keys only.
   */
  readonly web?: OidcWebClient;
}

/** What the browser needs to send a person to the identity provider and exchange the code it brings back. */
export interface OidcWebClient {
  /** A public client (no secret): a browser cannot keep one. */
  readonly clientId: string;
  readonly authorizationEndpoint: URL;
  /** Fetched from the browser, so the CSP's connect-src names its origin (decision 035). */
  readonly tokenEndpoint: URL;
  /** Always includes `openid`: the ID token carries the nonce the browser checks. */
  readonly scopes: readonly string[];
  /** The button's label, "Sign in with …"; the issuer's host unless LEDGER_OIDC_WEB_PROVIDER_NAME says otherwise. */
  readonly providerName: string;
}

/**
 * Asymmetric algorithms only: `none` is never accepted, and no HS* (an HMAC "verified" with a
 * public key is the classic algorithm-confusion forgery).
 */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

export function loadOidcConfig(env: NodeJS.ProcessEnv): OidcConfig | undefined {
  const issuer = env.LEDGER_OIDC_ISSUER || undefined;
  const audience = env.LEDGER_OIDC_AUDIENCE || undefined;
  const jwksUrl = env.LEDGER_OIDC_JWKS_URL || undefined;
  const publicKeyPem = env.LEDGER_OIDC_PUBLIC_KEY || undefined;
  if (!issuer) {
    if (audience || jwksUrl || publicKeyPem) throw new Error('LEDGER_OIDC_AUDIENCE, LEDGER_OIDC_JWKS_URL and LEDGER_OIDC_PUBLIC_KEY need LEDGER_OIDC_ISSUER');
    if (env.LEDGER_OIDC_WEB_CLIENT_ID) throw new Error('LEDGER_OIDC_WEB_CLIENT_ID needs LEDGER_OIDC_ISSUER: the ledger must be able to verify the tokens the browser brings');
    return undefined;
  }
  if (!audience) throw new Error('LEDGER_OIDC_ISSUER needs LEDGER_OIDC_AUDIENCE: a token for another audience must not be accepted');
  if ((jwksUrl === undefined) === (publicKeyPem === undefined)) throw new Error('LEDGER_OIDC_ISSUER needs exactly one of LEDGER_OIDC_JWKS_URL and LEDGER_OIDC_PUBLIC_KEY');
  let url: URL | undefined;
  if (jwksUrl !== undefined) {
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new Error(`LEDGER_OIDC_JWKS_URL is not a URL: "${jwksUrl}"`);
    }
    // The key set decides which tokens are genuine: fetched over plain http, anyone on the path could
    // swap it. Loopback only is exempt (a provider or proxy on the same host; the tests' key sets).
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new Error(`LEDGER_OIDC_JWKS_URL must be an https URL (http only for a loopback address), got "${jwksUrl}"`);
    }
  }
  let publicKey: KeyObject | undefined;
  if (publicKeyPem !== undefined) {
    try {
      // Environment variables often carry PEM newlines escaped as \n.
      publicKey = createPublicKey(publicKeyPem.replace(/\\n/g, '\n'));
    } catch (error) {
      throw new Error(`LEDGER_OIDC_PUBLIC_KEY is not a PEM public key: ${(error as Error).message}`);
    }
  }
  const tolerance = env.LEDGER_OIDC_CLOCK_TOLERANCE_SECONDS ?? '30';
  const clockToleranceSeconds = Number(tolerance);
  if (!Number.isInteger(clockToleranceSeconds) || clockToleranceSeconds < 0 || clockToleranceSeconds > 300) {
    throw new Error(`LEDGER_OIDC_CLOCK_TOLERANCE_SECONDS must be a whole number from 0 to 300, got "${tolerance}"`);
  }
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name] || String(fallback);
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 60 || n > 7 * 86_400) throw new Error(`${name} must be a whole number of seconds from 60 to 604800, got "${raw}"`);
    return n;
  };
  return {
    issuer,
    audience,
    jwksUrl: url,
    publicKey,
    organisationClaim: env.LEDGER_OIDC_ORG_CLAIM || 'ledger_org',
    clockToleranceSeconds,
    maxTokenAgeSeconds: seconds('LEDGER_OIDC_MAX_TOKEN_AGE_SECONDS', 86_400),
    maxTokenLifetimeSeconds: seconds('LEDGER_OIDC_MAX_TOKEN_LIFETIME_SECONDS', 86_400),
    privilegedSubjects: privilegedSubjects(env.LEDGER_OIDC_PRIVILEGED_SUBJECTS),
    web: webClient(env, issuer),
  };
}

/** RFC 6749 §3.3: a scope token is printable ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function webClient(env: NodeJS.ProcessEnv, issuer: string): OidcWebClient | undefined {
  const clientId = env.LEDGER_OIDC_WEB_CLIENT_ID || undefined;
  const authorization = env.LEDGER_OIDC_WEB_AUTHORIZATION_ENDPOINT || undefined;
  const token = env.LEDGER_OIDC_WEB_TOKEN_ENDPOINT || undefined;
  if (!clientId) {
    if (authorization || token) throw new Error('LEDGER_OIDC_WEB_AUTHORIZATION_ENDPOINT and LEDGER_OIDC_WEB_TOKEN_ENDPOINT need LEDGER_OIDC_WEB_CLIENT_ID');
    return undefined;
  }
  if (!authorization || !token) throw new Error('LEDGER_OIDC_WEB_CLIENT_ID needs LEDGER_OIDC_WEB_AUTHORIZATION_ENDPOINT and LEDGER_OIDC_WEB_TOKEN_ENDPOINT');
  const scopes = (env.LEDGER_OIDC_WEB_SCOPES || 'openid').split(/\s+/).filter((scope) => scope !== '');
  const invalid = scopes.find((scope) => !SCOPE_TOKEN.test(scope));
  if (invalid !== undefined) throw new Error(`LEDGER_OIDC_WEB_SCOPES: "${invalid}" is not a scope`);
  if (!scopes.includes('openid')) throw new Error('LEDGER_OIDC_WEB_SCOPES must include openid: the browser checks its nonce in the ID token');
  return {
    clientId,
    authorizationEndpoint: endpoint('LEDGER_OIDC_WEB_AUTHORIZATION_ENDPOINT', authorization),
    tokenEndpoint: endpoint('LEDGER_OIDC_WEB_TOKEN_ENDPOINT', token),
    scopes,
    providerName: env.LEDGER_OIDC_WEB_PROVIDER_NAME || hostOf(issuer),
  };
}

/**
 * The code and the access token cross these endpoints: https, as for the key set, with the same
 * loopback exemption (a provider on the same host; the browser tests' provider).
 */
function endpoint(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new Error(`${name} must be an https URL (http only for a loopback address), got "${value}"`);
  }
  if (url.hash !== '') throw new Error(`${name} must not have a fragment, got "${value}"`);
  return url;
}

function hostOf(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}

/**
 * `issuer|subject` pairs, comma-separated; each must name both, so that no entry matches every
 * subject. Split at the first bar: issuers are URLs without one, subjects may hold one (`auth0|42`).
 */
function privilegedSubjects(raw: string | undefined): ReadonlySet<string> {
  const entries = (raw ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const bar = entry.indexOf('|');
    if (bar <= 0 || bar === entry.length - 1) throw new Error(`LEDGER_OIDC_PRIVILEGED_SUBJECTS: "${entry}" is not issuer|subject`);
  }
  return new Set(entries);
}

/** The key a token's issuer and subject are looked up by in `privilegedSubjects`. */
export function privilegedSubjectKey(issuer: string, subject: string): string {
  return `${issuer}|${subject}`;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
