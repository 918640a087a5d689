import { describe, expect, it } from '@jest/globals';
import { rateLimitHeaders, TokenBuckets } from './rate-limit.js';

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBuckets', () => {
  it('allows a burst, then one request per refill interval', () => {
    const time = clock();
    const buckets = new TokenBuckets('per-key', { perMinute: 60, burst: 3 }, time.now);
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    const refused = buckets.take('a');
    expect(refused).toEqual({ allowed: false, remaining: 0, resetSeconds: 3, retryAfterSeconds: 1 });
    time.advance(999);
    expect(buckets.take('a').allowed).toBe(false);
    time.advance(1);
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('never holds more than the burst, however long the pause', () => {
    const time = clock();
    const buckets = new TokenBuckets('per-key', { perMinute: 60, burst: 2 }, time.now);
    buckets.take('a');
    time.advance(3_600_000);
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 1 });
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets('per-key', { perMinute: 60, burst: 1 }, clock().now);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('peeks without taking', () => {
    const buckets = new TokenBuckets('per-address', { perMinute: 60, burst: 1 }, clock().now);
    expect(buckets.peek('a').allowed).toBe(true);
    expect(buckets.peek('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.peek('a')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
  });

  it('bounds its memory: full buckets first, then the least recently used, go', () => {
    const time = clock();
    const buckets = new TokenBuckets('per-address', { perMinute: 60, burst: 2 }, time.now, 3);
    buckets.take('a');
    buckets.take('a');
    time.advance(2_000); // a is full again
    buckets.take('b');
    buckets.take('c');
    buckets.take('d'); // 4 > 3: a (full) is dropped
    expect(buckets.size).toBe(3);
    buckets.take('e'); // nothing full: b, the least recently used, is dropped
    expect(buckets.size).toBe(3);
    expect(buckets.take('c')).toMatchObject({ remaining: 0 });
    expect(buckets.take('b')).toMatchObject({ remaining: 1 });
  });

  it('is off with a rate of 0', () => {
    expect(new TokenBuckets('per-key', { perMinute: 0, burst: 0 }).enabled).toBe(false);
  });

  it('formats the fields of draft-ietf-httpapi-ratelimit-headers', () => {
    const buckets = new TokenBuckets('per-key', { perMinute: 120, burst: 2 }, clock().now);
    buckets.take('a');
    buckets.take('a');
    expect(rateLimitHeaders(buckets, buckets.take('a'))).toEqual({
      'ratelimit-policy': '"per-key";q=120;w=60',
      ratelimit: '"per-key";r=0;t=1',
      'retry-after': '1',
    });
  });
});
