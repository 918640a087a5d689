import { DomainError } from '#domain';

/**
 * Why a request's credentials were refused, each its own problem `code` (docs/security.md,
 * "Authentication"). All are 401: the client must present other credentials. Authentic credentials
 * that name no organisation of this ledger are a 403 (ForbiddenError `token-organisation-unknown`).
 */
export type AuthenticationFailure =
  | 'missing-credentials'
  | 'malformed-credentials'
  | 'unknown-api-key'
  | 'api-key-revoked'
  | 'oidc-not-enabled'
  | 'malformed-token'
  | 'token-expired'
  | 'token-not-yet-valid'
  | 'token-wrong-audience'
  | 'token-wrong-issuer'
  | 'token-algorithm-not-allowed'
  | 'token-signature-invalid'
  | 'token-key-unknown'
  | 'token-claims-invalid'
  | 'token-issued-at-missing'
  | 'token-too-old'
  | 'token-lifetime-too-long'
  | 'token-organisation-missing';

export class AuthenticationError extends DomainError {
  readonly kind = 'unauthorised';
  constructor(
    readonly code: AuthenticationFailure,
    message: string,
  ) {
    super(message);
  }
}
