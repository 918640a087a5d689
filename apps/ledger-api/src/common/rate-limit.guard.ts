import { HttpException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { LedgerConfig } from '../config/ledger.config.js';
import { LEDGER_CONFIG } from '../ledger/tokens.js';
import type { AuthenticatedRequest } from './actor.js';
import { rateLimitHeaders, TokenBuckets, type RateDecision } from './rate-limit.js';

/** The two budgets of this instance (decision 016): per organisation, and per client address. */
@Injectable()
export class RateLimits {
  readonly perKey: TokenBuckets;
  readonly unauthenticated: TokenBuckets;

  constructor(@Inject(LEDGER_CONFIG) config: LedgerConfig) {
    this.perKey = new TokenBuckets('per-key', config.limits.perKey);
    this.unauthenticated = new TokenBuckets('per-address', config.limits.unauthenticated);
  }
}

/** The 429 answer; mapped to a problem like every other HttpException (problem-details.filter.ts). */
export function tooManyRequests(who: string, buckets: TokenBuckets, decision: RateDecision): HttpException {
  return new HttpException(
    `rate limit of ${buckets.policy.perMinute} requests a minute (bursts of ${buckets.policy.burst}) exceeded for ${who}; retry in ${decision.retryAfterSeconds} s`,
    429,
  );
}

/**
 * Charges the authenticated organisation's budget. It runs after ApiKeyGuard (registered after it
 * in AppModule), because only then is the actor known, whatever credential it presented; requests
 * without an actor (health, docs) were charged per address before routing, in rate-limit.hooks.ts.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limits: RateLimits) {}

  canActivate(context: ExecutionContext): boolean {
    const buckets = this.limits.perKey;
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
