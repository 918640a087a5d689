import { describe, expect, it } from '@jest/globals';
import { clientNetwork, rateLimitHeaders, TokenBuckets } from './rate-limit.js';

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBuckets', () => {
  it('allows a burst, then one request per refill interval', () => {
    const time = clock();
    const buckets = new TokenBuckets('per-organisation', { perMinute: 60, burst: 3 }, time.now);
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
    const buckets = new TokenBuckets('per-organisation', { perMinute: 60, burst: 2 }, time.now);
    buckets.take('a');
    time.advance(3_600_000);
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 1 });
    expect(buckets.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets('per-organisation', { perMinute: 60, burst: 1 }, clock().now);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('peeks without taking', () => {
    const buckets = new TokenBuckets('failed-authentication', { perMinute: 60, burst: 1 }, clock().now);
    expect(buckets.peek('a').allowed).toBe(true);
    expect(buckets.peek('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.peek('a')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
  });

  it('bounds its memory: refilled buckets leave from the front, and beyond the bound the least recently used goes', () => {
    const time = clock();
    const buckets = new TokenBuckets('failed-authentication', { perMinute: 60, burst: 2 }, time.now, 3);
    buckets.take('a');
    buckets.take('a');
    time.advance(2_000); // a is full again, and the least recently used
    buckets.take('b'); // a leaves from the front
    expect(buckets.size).toBe(1);
    buckets.take('c');
    buckets.take('d');
    buckets.take('e'); // 4 > 3, none full: b, the least recently used, goes
    expect(buckets.size).toBe(3);
    expect(buckets.take('c')).toMatchObject({ remaining: 0 });
    expect(buckets.take('b')).toMatchObject({ remaining: 1 });
  });

  it("keeps a refused client's bucket at the back, so new clients do not push it out while it is empty", () => {
    const time = clock();
    const buckets = new TokenBuckets('failed-authentication', { perMinute: 1, burst: 1 }, time.now, 2);
    buckets.take('attacker');
    buckets.take('x');
    expect(buckets.take('attacker').allowed).toBe(false); // refused, and now the most recently used
    buckets.take('y'); // 3 > 2: x goes, not the attacker
    expect(buckets.take('attacker').allowed).toBe(false);
  });

  describe('work per request on a full table', () => {
    /**
     * Counts the entries any Map iterator hands out while `run` runs: the table's work, independent
     * of the machine's speed (no clock).
     */
    function entriesVisited(run: () => void): number {
      let visited = 0;
      const proto = Map.prototype as unknown as Record<string | symbol, (...args: unknown[]) => Iterator<unknown>>;
      const names: Array<string | symbol> = ['entries', 'keys', 'values', Symbol.iterator];
      const originals = names.map((name) => proto[name]!);
      names.forEach((name, i) => {
        proto[name] = function (this: Map<unknown, unknown>, ...args: unknown[]) {
          const iterator = originals[i]!.apply(this, args);
          const next = iterator.next.bind(iterator);
          iterator.next = () => {
            const step = next();
            if (!step.done) visited += 1;
            return step;
          };
          return iterator;
        };
      });
      try {
        run();
      } finally {
        names.forEach((name, i) => (proto[name] = originals[i]!));
      }
      return visited;
    }

    /** A table of `size` clients that each spent a token (none full), then `requests` new clients. */
    function newClientsOnAFullTable(size: number, requests: number): number {
      const buckets = new TokenBuckets('failed-authentication', { perMinute: 10, burst: 20 }, clock().now, size);
      for (let i = 0; i < size; i += 1) buckets.take(`old-${i}`);
      expect(buckets.size).toBe(size);
      const visited = entriesVisited(() => {
        for (let i = 0; i < requests; i += 1) buckets.take(`new-${i}`);
      });
      expect(buckets.size).toBe(size);
      return visited / requests;
    }

    it('looks at a constant number of buckets per new client, however large the table', () => {
      const small = newClientsOnAFullTable(100, 1_000);
      const large = newClientsOnAFullTable(20_000, 1_000);
      expect(large).toBeLessThanOrEqual(3);
      expect(large).toBeLessThanOrEqual(small);
    });
  });

  it('is off with a rate of 0', () => {
    expect(new TokenBuckets('per-organisation', { perMinute: 0, burst: 0 }).enabled).toBe(false);
  });

  it('formats the fields of draft-ietf-httpapi-ratelimit-headers', () => {
    const buckets = new TokenBuckets('per-organisation', { perMinute: 120, burst: 2 }, clock().now);
    buckets.take('a');
    buckets.take('a');
    expect(rateLimitHeaders(buckets, buckets.take('a'))).toEqual({
      'ratelimit-policy': '"per-organisation";q=120;w=60',
      ratelimit: '"per-organisation";r=0;t=1',
      'retry-after': '1',
    });
  });
});

describe('clientNetwork', () => {
  it('keys an IPv4 address by itself', () => {
    expect(clientNetwork('192.0.2.7')).toBe('192.0.2.7');
    expect(clientNetwork('192.0.2.8')).not.toBe(clientNetwork('192.0.2.7'));
  });

  it('keys an IPv6 address by its /64, so rotating the interface identifier does not give a new budget', () => {
    expect(clientNetwork('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8:1:2:ffff:eeee:dddd:cccc')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0db8:0001:0002:0000:0000:0000:0042')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80::/64');
    expect(clientNetwork('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
  });

  it('keys an IPv4-mapped IPv6 address (a dual-stack socket) as its IPv4 address', () => {
    expect(clientNetwork('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });
});
