import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

/**
 * The pure parts of catalogue webhooks (docs/decisions/046-symbiosis-catalogue.md, "Webhooks"):
 * the secret, the signature, the delivery id, the retry schedule and which addresses are refused.
 */

export const SIGNATURE_HEADER = 'Ledger-Signature';
export const DELIVERY_HEADER = 'Ledger-Delivery';
export const EVENT_HEADER = 'Ledger-Event';

/**
 * A registration's secret: HMAC-SHA256 of its id under the ledger's webhook key. Derived, never
 * stored: the event log and the read models hold the registration id only, and whoever reads
 * them (an auditor, an audit bundle) learns nothing that signs. Every instance with the same key
 * derives the same secret; a new registration is a new id, so a new secret.
 */
export function webhookSecret(ledgerKey: Buffer, registrationId: string): string {
  return `whsec_${createHmac('sha256', ledgerKey).update(`catalogue-webhook|${registrationId}`).digest('base64url')}`;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs: the timestamp is signed too, so an old delivery can't be replayed later. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${signature(secret, body, unixSeconds)}`;
}

function signature(secret: string, body: string, unixSeconds: number): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
}

export type SignatureCheck = { readonly valid: true; readonly timestamp: number } | { readonly valid: false; readonly reason: 'malformed' | 'mismatch' | 'too-old' };

/**
 * What a receiver does (and the README shows): recompute over the raw body, compare in constant
 * time, and refuse a timestamp further than `toleranceSeconds` from its own clock.
 */
export function verifySignature(secret: string, body: string, header: string, nowUnixSeconds: number, toleranceSeconds = 300): SignatureCheck {
  const parts = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key && value) parts.set(key, [...(parts.get(key) ?? []), value]);
  }
  const t = Number(parts.get('t')?.[0]);
  const candidates = parts.get('v1') ?? [];
  if (!Number.isInteger(t) || candidates.length === 0) return { valid: false, reason: 'malformed' };
  const expected = Buffer.from(signature(secret, body, t), 'hex');
  const matches = candidates.some((c) => /^[0-9a-f]{64}$/.test(c) && timingSafeEqual(Buffer.from(c, 'hex'), expected));
  if (!matches) return { valid: false, reason: 'mismatch' };
  if (Math.abs(nowUnixSeconds - t) > toleranceSeconds) return { valid: false, reason: 'too-old' };
  return { valid: true, timestamp: t };
}

/**
 * The same for every attempt and on every instance, so a receiver that is sent a match twice (a
 * retry whose answer was lost, or two instances) recognises it: the dedupe key.
 */
export function deliveryId(registrationId: string, offerId: string, wantId: string): string {
  const hex = createHash('sha256').update(`${registrationId}|${offerId}|${wantId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Milliseconds to wait before each retry: `baseMs`, doubling, each at most `maxMs`; `attempts - 1`
 * waits in all. With the defaults (5 attempts, 4 s) that is 4, 8, 16 and 32 s: given up after about
 * a minute.
 */
export function retrySchedule(attempts: number, baseMs: number, maxMs = 10 * 60_000): number[] {
  return Array.from({ length: Math.max(0, attempts - 1) }, (_, i) => Math.min(maxMs, baseMs * 2 ** i));
}

/** Loopback, private, link-local, carrier-grade NAT, multicast, unspecified and documentation ranges. */
const NOT_PUBLIC = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['2001:db8::', 32],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
})();

/** Whether an address is one a webhook may not reach unless the operator allows private targets (server-side request forgery). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NOT_PUBLIC.check(address, 'ipv4');
  if (family === 6) {
    // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) reaches the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return NOT_PUBLIC.check(mapped[1]!, 'ipv4');
    return NOT_PUBLIC.check(address, 'ipv6');
  }
  return true;
}

/** The host as a URL names it, without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
