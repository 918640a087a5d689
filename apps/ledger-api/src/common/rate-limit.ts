import ipaddr from 'ipaddr.js';
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

/** How many buckets at the front of the map one request may look at to drop full ones. */
const FRONT_CHECKS = 2;

/**
 * Token buckets in memory, one per key (decisions 016 and 028). A bucket holds at most `burst`
 * tokens and refills `perMinute` a minute continuously, so a client that keeps to its rate is never
 * refused and one that pauses may burst. A full bucket is the same as no bucket, which is what lets
 * buckets be dropped without changing any answer.
 *
 * The map is kept in order of last use (a touched bucket is moved to the end), so the least recently
 * used is always first. Each request drops at most {@link FRONT_CHECKS} full buckets from the front,
 * and a new key beyond `maxKeys` drops the first one: a constant amount of work per request, however
 * full the map, instead of a scan of it.
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
    const tokens = bucket ? this.tokensOf(bucket, now) : burst;
    const allowed = tokens >= 1;
    const left = allowed && consume ? tokens - 1 : tokens;
    if (consume) {
      this.dropFullFromFront(now, key);
      if (bucket) {
        bucket.tokens = left;
        bucket.at = now;
        // Moved to the end, refused or not: a client that keeps hitting an empty bucket keeps it,
        // instead of letting it drift to the front and be dropped while still empty.
        this.buckets.delete(key);
        this.buckets.set(key, bucket);
      } else {
        this.buckets.set(key, { tokens: left, at: now });
        if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
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

  private tokensOf(bucket: Bucket, now: number): number {
    return Math.min(this.policy.burst, bucket.tokens + (now - bucket.at) * this.perMs);
  }

  /** Drops up to FRONT_CHECKS least recently used buckets that have refilled (never `keep`). */
  private dropFullFromFront(now: number, keep: string): void {
    const front = this.buckets.entries();
    for (let i = 0; i < FRONT_CHECKS; i += 1) {
      const next = front.next();
      if (next.done) return;
      const [key, bucket] = next.value;
      if (key === keep || this.tokensOf(bucket, now) < this.policy.burst) return;
      this.buckets.delete(key);
    }
  }
}

/**
 * The network a client address is charged to: an IPv4 address itself, an IPv6 address's /64
 * (one subscriber or host usually holds a whole /64, so per-address keys would let it rotate
 * through 2^64 of them). An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, a dual-stack socket)
 * counts as its IPv4 address. Anything unparsable is its own key.
 */
export function clientNetwork(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = new ipaddr.IPv6([...(parsed as ipaddr.IPv6).parts.slice(0, 4), 0, 0, 0, 0]);
  return `${prefix.toString()}/64`;
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
