import { ForbiddenError, Uuid, type OrganisationFacts, type Role } from '#domain';
import { ServiceUnavailableException } from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { Clock } from '../ledger/tokens.js';
import { AuthenticationError } from './authentication.errors.js';
import { OIDC_ALGORITHMS, privilegedSubjectKey, type OidcConfig } from './oidc.config.js';

/** What a verified token says about its bearer. */
export interface VerifiedToken {
  readonly organisationId: string;
  readonly subject: string | undefined;
  readonly issuer: string;
}

/** The roles a token can reach only through LEDGER_OIDC_PRIVILEGED_SUBJECTS: they administer, or see, the whole ledger. */
const PRIVILEGED_ROLES: readonly Role[] = ['operator', 'auditor'];

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
 * provider's JWKS, then iss, aud, exp, nbf and iat (age and lifetime, decision 029), with an allow-list of asymmetric algorithms.
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
        requiredClaims: ['exp', 'iat'],
        // Bounds how long a token stolen from a log or a browser stays useful, whatever its exp says.
        maxTokenAge: this.config.maxTokenAgeSeconds,
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
    const lifetime = payload.exp! - payload.iat!;
    if (lifetime > this.config.maxTokenLifetimeSeconds) {
      throw new AuthenticationError(
        'token-lifetime-too-long',
        `the token is valid for ${lifetime} s (exp − iat); this ledger accepts tokens valid for at most ${this.config.maxTokenLifetimeSeconds} s`,
      );
    }
    return { organisationId, subject: payload.sub, issuer: payload.iss! };
  }

  /**
   * An operator or auditor organisation is reached by a token only when LEDGER_OIDC_PRIVILEGED_SUBJECTS
   * names its issuer and subject (decision 029): otherwise anyone the identity provider lets set the
   * organisation claim (a self-service profile field, a misconfigured mapper) would hold the ledger.
   */
  admit(token: VerifiedToken, actor: OrganisationFacts): void {
    const privileged = actor.roles.filter((role) => PRIVILEGED_ROLES.includes(role));
    if (privileged.length === 0) return;
    if (token.subject !== undefined && this.config.privilegedSubjects.has(privilegedSubjectKey(token.issuer, token.subject))) return;
    throw new ForbiddenError(
      'token-privileged-subject-not-allowed',
      `organisation ${actor.organisationId} is ${privileged.join(' and ')}: a token acts for it only when LEDGER_OIDC_PRIVILEGED_SUBJECTS names its issuer and subject`,
      { organisationId: actor.organisationId },
    );
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
  if (error instanceof errors.JWTExpired) {
    if (error.claim === 'iat') return new AuthenticationError('token-too-old', 'the token was issued longer ago than this ledger accepts (iat)');
    return new AuthenticationError('token-expired', 'the token has expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return new AuthenticationError('token-wrong-audience', 'the token was issued for another audience');
      case 'iss':
        return new AuthenticationError('token-wrong-issuer', 'the token was issued by an issuer this ledger does not trust');
      case 'nbf':
        return new AuthenticationError('token-not-yet-valid', 'the token is not valid yet (nbf)');
      case 'iat':
        return error.reason === 'missing'
          ? new AuthenticationError('token-issued-at-missing', 'the token has no "iat" claim: this ledger needs to know when a token was issued')
          : new AuthenticationError('token-claims-invalid', 'the token\'s "iat" claim is invalid (in the future?)');
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
