import ipaddr from 'ipaddr.js';
import type { RateLimitPolicy } from '../config/ledger.config.js';

/**
 * The documented defaults (docs/security.md, decision 028). Per organisation: 50 requests a second
 * sustained, 600 at once after a pause; far above what one organisation's integration sends (a bulk
 * import of 1000 collections is one request), low enough that one organisation cannot take a whole
 * instance. Failed authentications per client network: 20 at once, then one every 6 seconds.
 */
export const RATE_LIMIT_DEFAULTS = {
  perOrganisation: { perMinute: 3_000, burst: 600 },
  failedAuthentication: { perMinute: 10, burst: 20 },
} as const satisfies Record<string, RateLimitPolicy>;

/** Names of @fastify/proxy-addr for well-known ranges, accepted besides addresses and CIDRs. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function count(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/**
 * One budget from its two settings. A burst left unset is the documented default while the rate is
 * too, and the rate itself once the rate is set (an operator who names only a rate gets a bucket of
 * one minute).
 */
export function rateLimitPolicy(env: NodeJS.ProcessEnv, perMinuteName: string, burstName: string, defaults: RateLimitPolicy): RateLimitPolicy {
  const rateSet = env[perMinuteName] !== undefined && env[perMinuteName] !== '';
  const perMinute = count(env, perMinuteName, defaults.perMinute);
  const burst = count(env, burstName, rateSet ? perMinute : defaults.burst);
  if (perMinute > 0 && burst < 1) throw new Error(`${burstName} must be at least 1 when its limit is on`);
  return { perMinute, burst };
}

/**
 * LEDGER_TRUST_PROXY: the proxies whose `X-Forwarded-For` names the client, as a comma-separated
 * list of addresses, CIDRs or proxy-addr's range names; handed to Fastify's `trustProxy` as is.
 * Unset, empty or `false`: no proxy, the client is the peer of the connection.
 *
 * `true` and hop counts are refused (decision 028): `true` takes the address any client writes into
 * `X-Forwarded-For`, and a hop count cannot tell a proxy from a client that connects directly and
 * sends the header itself (Fastify 5 ignores numeric trustProxy for this reason; we refuse it rather
 * than start with a setting that silently does nothing).
 */
export function trustedProxies(env: NodeJS.ProcessEnv): false | string[] {
  const raw = (env.LEDGER_TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') {
    throw new Error(
      'LEDGER_TRUST_PROXY=true would take the client address from any X-Forwarded-For header a client forges; set it to the addresses or CIDRs of your proxies instead (e.g. 10.0.0.0/8,127.0.0.1)',
    );
  }
  if (/^\d+$/.test(raw)) {
    throw new Error(
      `LEDGER_TRUST_PROXY=${raw} is a hop count, which cannot tell a proxy from a client that connects directly and forges X-Forwarded-For; set it to the addresses or CIDRs of your proxies instead (e.g. 10.0.0.0/8)`,
    );
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const valid = RANGE_NAMES.has(entry) || (entry.includes('/') ? ipaddr.isValidCIDR(entry) : ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry));
    if (!valid) throw new Error(`LEDGER_TRUST_PROXY: "${entry}" is not an IP address, a CIDR, or one of ${[...RANGE_NAMES].join(', ')}`);
  }
  return entries;
}
