import type { RateLimitPolicy } from '../config/ledger.config.js';

export interface RateDecision {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Seconds until the bucket is full again (the draft's `t`). */
  readonly resetSeconds: number;
  /** Seconds until the next request would be allowed (0 when allowed). */
  readonly retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets in memory, one per key (decision 016). A bucket holds at most `burst` tokens and
 * refills `perMinute` a minute continuously, so a client that keeps to its rate is never refused and
 * one that pauses may burst. A full bucket is the same as no bucket, which is what lets the map be
 * pruned without changing any answer.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    /** Names the policy in the RateLimit and RateLimit-Policy fields. */
    readonly name: string,
    readonly policy: RateLimitPolicy,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    this.perMs = policy.perMinute / 60_000;
  }

  get enabled(): boolean {
    return this.policy.perMinute > 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token if there is one. */
  take(key: string): RateDecision {
    return this.decide(key, true);
  }

  /** What `take` would answer, without taking anything. */
  peek(key: string): RateDecision {
    return this.decide(key, false);
  }

  private decide(key: string, consume: boolean): RateDecision {
    const now = this.now();
    const burst = this.policy.burst;
    const bucket = this.buckets.get(key);
    const tokens = bucket ? Math.min(burst, bucket.tokens + (now - bucket.at) * this.perMs) : burst;
    const allowed = tokens >= 1;
    const left = allowed && consume ? tokens - 1 : tokens;
    if (consume && allowed) {
      if (bucket) {
        bucket.tokens = left;
        bucket.at = now;
        // Re-inserted at the end, so the map's order is least recently used first.
        this.buckets.delete(key);
        this.buckets.set(key, bucket);
      } else {
        this.buckets.set(key, { tokens: left, at: now });
        if (this.buckets.size > this.maxKeys) this.prune(now);
      }
    }
    const secondsFor = (missing: number): number => (missing <= 0 ? 0 : Math.ceil(missing / this.perMs / 1000));
    return {
      allowed,
      remaining: Math.floor(left),
      resetSeconds: secondsFor(burst - left),
      retryAfterSeconds: allowed ? 0 : Math.max(1, secondsFor(1 - tokens)),
    };
  }

  /** Drops full buckets; if that is not enough (many distinct clients), the least recently used. */
  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.policy.burst) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * The fields of draft-ietf-httpapi-ratelimit-headers-10: `RateLimit-Policy` names the quota `q`
 * per window `w` seconds; `RateLimit` the remaining quota `r` and the seconds `t` until it is whole.
 */
export function rateLimitHeaders(buckets: TokenBuckets, decision: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-policy': `"${buckets.name}";q=${buckets.policy.perMinute};w=60`,
    ratelimit: `"${buckets.name}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
  if (!decision.allowed) headers['retry-after'] = String(decision.retryAfterSeconds);
  return headers;
}
