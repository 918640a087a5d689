import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Optional OIDC/JWT bearer tokens (issue 5 §2, docs/security.md "Authentication"). Off unless
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
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('LEDGER_OIDC_JWKS_URL must be an https (or http) URL');
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
  return { issuer, audience, jwksUrl: url, publicKey, organisationClaim: env.LEDGER_OIDC_ORG_CLAIM || 'ledger_org', clockToleranceSeconds };
}
