import { ForbiddenError, Uuid } from '#domain';
import { ServiceUnavailableException } from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { Clock } from '../ledger/tokens.js';
import { AuthenticationError } from './authentication.errors.js';
import { OIDC_ALGORITHMS, type OidcConfig } from './oidc.config.js';

/** What a verified token says about its bearer. */
export interface VerifiedToken {
  readonly organisationId: string;
  readonly subject: string | undefined;
}

/** Longest bearer token looked at; identity providers' access tokens are a few KiB at most. */
export const MAX_TOKEN_LENGTH = 8192;
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * A JWT is three base64url parts whose first is a JSON object (so it begins with `eyJ`, the encoding
 * of `{"`). API keys (`tl_…`, or an operator's own key) never look like that, so both kinds of
 * credential share one `Authorization: Bearer` header.
 */
export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

/** The JWKS endpoint could not be reached or answered nonsense: the ledger cannot judge the token. */
class KeySetUnavailable extends Error {}

/**
 * Verifies bearer JWTs with `jose` (decision 015): signature against the configured key or the
 * provider's JWKS, then iss, aud, exp and nbf, with an allow-list of asymmetric algorithms.
 * Every failure is an AuthenticationError with its own code; an unreachable JWKS is a 503, never a 500.
 */
export class OidcTokenVerifier {
  private readonly verifyWith: (token: string, options: JWTVerifyOptions) => Promise<JWTPayload>;

  constructor(
    private readonly config: OidcConfig,
    private readonly clock: Clock,
  ) {
    if (config.publicKey) {
      const key = config.publicKey;
      this.verifyWith = async (token, options) => (await jwtVerify(token, key, options)).payload;
    } else if (config.jwksUrl) {
      const remote = createRemoteJWKSet(config.jwksUrl, { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
      const getKey: JWTVerifyGetKey = async (header, token) => {
        try {
          return await remote(header, token);
        } catch (error) {
          // A token naming a key the set does not hold is the token's fault; anything else is the provider's.
          if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
          throw new KeySetUnavailable(error instanceof Error ? error.message : String(error));
        }
      };
      this.verifyWith = async (token, options) => (await jwtVerify(token, getKey, options)).payload;
    } else {
      throw new Error('OIDC needs a JWKS URL or a public key');
    }
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      // Checked before any key is fetched, so a forged header never costs a JWKS request.
      const { alg } = decodeProtectedHeader(token);
      if (typeof alg !== 'string' || !(OIDC_ALGORITHMS as readonly string[]).includes(alg)) {
        throw new AuthenticationError('token-algorithm-not-allowed', `token algorithm ${JSON.stringify(alg ?? null)} is not accepted; use one of ${OIDC_ALGORITHMS.join(', ')}`);
      }
      payload = await this.verifyWith(token, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: [...OIDC_ALGORITHMS],
        requiredClaims: ['exp'],
        clockTolerance: this.config.clockToleranceSeconds,
        currentDate: this.clock.now(),
      });
    } catch (error) {
      throw refusal(error);
    }
    const organisationId = payload[this.config.organisationClaim];
    if (typeof organisationId !== 'string' || !Uuid.safeParse(organisationId).success) {
      throw new AuthenticationError('token-organisation-missing', `the token's "${this.config.organisationClaim}" claim must name an organisation of this ledger by its id`);
    }
    return { organisationId, subject: payload.sub };
  }

  /** An authentic token for an organisation this ledger does not know grants nothing. */
  static unknownOrganisation(organisationId: string): ForbiddenError {
    return new ForbiddenError('token-organisation-unknown', `the token names organisation ${organisationId}, which is not registered in this ledger`, { organisationId });
  }
}

function refusal(error: unknown): Error {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof KeySetUnavailable) {
    return new ServiceUnavailableException(`the identity provider's key set could not be fetched (${error.message}); try again later`);
  }
  if (error instanceof errors.JWTExpired) return new AuthenticationError('token-expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return new AuthenticationError('token-wrong-audience', 'the token was issued for another audience');
      case 'iss':
        return new AuthenticationError('token-wrong-issuer', 'the token was issued by an issuer this ledger does not trust');
      case 'nbf':
        return new AuthenticationError('token-not-yet-valid', 'the token is not valid yet (nbf)');
      default:
        return new AuthenticationError('token-claims-invalid', `the token's "${error.claim}" claim is ${error.reason === 'missing' ? 'missing' : 'invalid'}`);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthenticationError('token-algorithm-not-allowed', 'the token algorithm is not accepted');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('token-signature-invalid', 'the token signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthenticationError('token-key-unknown', "the token names no key of the identity provider's key set");
  }
  // Anything else (bad base64, bad JSON, a key of the wrong type for the algorithm) is a token the
  // ledger cannot read: refuse it rather than fail.
  return new AuthenticationError('malformed-token', 'the bearer token is not a well-formed, verifiable JWT');
}
