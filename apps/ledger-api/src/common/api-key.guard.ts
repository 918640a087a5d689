import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { LedgerConfig } from '../config/ledger.config.js';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { CLOCK, LEDGER_CONFIG, type Clock } from '../ledger/tokens.js';
import { ApiKeyResolver } from '../organisations/api-key.resolver.js';
import { PUBLIC_ROUTE, type AuthenticatedRequest } from './actor.js';
import { AuthenticationError } from './authentication.errors.js';
import { looksLikeJwt, MAX_TOKEN_LENGTH, OidcTokenVerifier } from './oidc-token.verifier.js';

/** Which credential authenticated the request: for per-key rate limits and the request audit log. Never the secret. */
export type Credential = { readonly kind: 'api-key'; readonly keyId: string } | { readonly kind: 'oidc'; readonly subject: string | undefined };
export type CredentialRequest = AuthenticatedRequest & { credential?: Credential };

const BEARER = /^Bearer +(\S+)$/i;
/** What an API key may consist of: the generated `tl_<id>_<secret>`, or an operator's own LEDGER_OPERATOR_KEY. */
const API_KEY = /^[A-Za-z0-9_\-.]{16,200}$/;

/**
 * `Authorization: Bearer <API key | JWT>` → the acting organisation. Everything but health and docs
 * needs it. Each refusal is a problem with its own code (docs/security.md, "Authentication").
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly oidc: OidcTokenVerifier | undefined;

  constructor(
    private readonly reflector: Reflector,
    private readonly directory: OrganisationDirectory,
    private readonly apiKeys: ApiKeyResolver,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.oidc = config.oidc && new OidcTokenVerifier(config.oidc, clock);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CredentialRequest>();
    const header = request.headers.authorization;
    // A public route (health) answers anyone, and tells the operator more when it authenticates
    // (decision 027); a credential it presents is checked like anywhere else.
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]) && !header) return true;
    if (!header) throw new AuthenticationError('missing-credentials', 'missing credentials: send Authorization: Bearer <API key or token>');
    const token = header.length <= MAX_TOKEN_LENGTH + 16 ? BEARER.exec(header)?.[1] : undefined;
    if (!token) throw new AuthenticationError('malformed-credentials', 'malformed Authorization header: expected "Bearer <API key or token>"');

    if (looksLikeJwt(token)) {
      if (!this.oidc) throw new AuthenticationError('oidc-not-enabled', 'this ledger accepts API keys only: bearer tokens (JWT) are not enabled');
      const verified = await this.oidc.verify(token);
      const actor = await this.directory.get(verified.organisationId);
      if (!actor) throw OidcTokenVerifier.unknownOrganisation(verified.organisationId);
      this.oidc.admit(verified, actor);
      request.actor = actor;
      request.credential = { kind: 'oidc', subject: verified.subject };
      return true;
    }

    if (!API_KEY.test(token)) throw new AuthenticationError('malformed-credentials', 'malformed API key: 16 to 200 letters, digits, "_", "-" or "."');
    const key = await this.apiKeys.resolve(token);
    const actor = await this.directory.get(key.organisationId);
    // A key whose organisation the read model does not hold yet is treated as not (yet) valid.
    if (!actor) throw new AuthenticationError('unknown-api-key', 'unknown API key');
    request.actor = actor;
    request.credential = { kind: 'api-key', keyId: key.keyId };
    return true;
  }
}
