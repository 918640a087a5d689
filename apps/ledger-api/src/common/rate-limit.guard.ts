import { HttpException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { LedgerConfig } from '../config/ledger.config.js';
import { LEDGER_CONFIG } from '../ledger/tokens.js';
import type { AuthenticatedRequest } from './actor.js';
import { rateLimitHeaders, TokenBuckets, type RateDecision } from './rate-limit.js';

/**
 * The two budgets of this instance (decisions 016 and 028): per authenticated organisation, and per
 * client network for answers that found no valid credential.
 */
@Injectable()
export class RateLimits {
  readonly perOrganisation: TokenBuckets;
  readonly failedAuthentication: TokenBuckets;

  constructor(@Inject(LEDGER_CONFIG) config: LedgerConfig) {
    this.perOrganisation = new TokenBuckets('per-organisation', config.limits.perKey);
    this.failedAuthentication = new TokenBuckets('failed-authentication', config.limits.unauthenticated);
  }
}

/** The 429 answer; mapped to a problem like every other HttpException (problem-details.filter.ts). */
export function tooManyRequests(who: string, buckets: TokenBuckets, decision: RateDecision, code = 'too-many-requests'): HttpException {
  return new HttpException(
    {
      message: `${who}: limit of ${buckets.policy.perMinute} a minute (bursts of ${buckets.policy.burst}) exceeded; retry in ${decision.retryAfterSeconds} s`,
      code,
    },
    429,
  );
}

/** The 429 of a client network that spent its budget of failed authentications. */
export function tooManyFailedAuthentications(network: string, buckets: TokenBuckets, decision: RateDecision): HttpException {
  return tooManyRequests(`requests without a valid credential from ${network}`, buckets, decision, 'too-many-failed-authentications');
}

/**
 * Charges the authenticated organisation's budget. It runs after ApiKeyGuard (registered after it
 * in AppModule), because only then is the actor known, whatever credential it presented; requests
 * without a valid credential are charged to their client network instead (rate-limit.hooks.ts).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limits: RateLimits) {}

  canActivate(context: ExecutionContext): boolean {
    const buckets = this.limits.perOrganisation;
    if (!buckets.enabled) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    if (!request.actor) return true;
    const decision = buckets.take(`organisation:${request.actor.organisationId}`);
    void http.getResponse<FastifyReply>().headers(rateLimitHeaders(buckets, decision));
    if (!decision.allowed) throw tooManyRequests(`organisation ${request.actor.organisationId}`, buckets, decision);
    return true;
  }
}
