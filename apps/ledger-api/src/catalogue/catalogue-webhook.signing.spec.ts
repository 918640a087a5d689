import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { deliveryId, isNonPublicAddress, retrySchedule, signatureHeader, verifySignature, webhookSecret } from './catalogue-webhook.signing.js';
import { assertReachableTarget } from './catalogue-webhook.service.js';
import { guardedLookup } from './catalogue-webhook.deliverer.js';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const REGISTRATION = '01a24cc6-7bab-77fb-8744-65d2da3ab9aa';
const BODY = '{"deliveryId":"d","type":"catalogue.match"}';
const T = 1_765_000_000;

describe('catalogue webhook signatures', () => {
  it('given a registration, when its secret is derived twice or for another registration, then the same and a different secret', () => {
    const secret = webhookSecret(KEY, REGISTRATION);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(webhookSecret(KEY, REGISTRATION)).toBe(secret);
    expect(webhookSecret(KEY, '01a24cc6-7bab-77fb-8744-65d2da3ab9ab')).not.toBe(secret);
    expect(webhookSecret(Buffer.from('another key of at least thirty-two chars'), REGISTRATION)).not.toBe(secret);
  });

  it('given a body, when signed, then the header is t=<unix>,v1=HMAC-SHA256(secret, "<t>.<body>") in hex, as a receiver recomputes it', () => {
    const secret = webhookSecret(KEY, REGISTRATION);
    const expected = createHmac('sha256', secret).update(`${T}.${BODY}`).digest('hex');
    expect(signatureHeader(secret, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('given a signed body, when verified, then valid; a changed body, another secret, an old timestamp or a malformed header are refused', () => {
    const secret = webhookSecret(KEY, REGISTRATION);
    const header = signatureHeader(secret, BODY, T);
    expect(verifySignature(secret, BODY, header, T + 10)).toEqual({ valid: true, timestamp: T });
    expect(verifySignature(secret, `${BODY} `, header, T)).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifySignature(webhookSecret(KEY, 'other'), BODY, header, T)).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifySignature(secret, BODY, header, T + 301)).toEqual({ valid: false, reason: 'too-old' });
    expect(verifySignature(secret, BODY, `t=${T + 1},${header.split(',')[1]}`, T)).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifySignature(secret, BODY, 'v1=abc', T)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('given one match, when its delivery id is computed on any instance or attempt, then the same id; another pair or registration, another id', () => {
    const id = deliveryId(REGISTRATION, 'offer-1', 'want-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(deliveryId(REGISTRATION, 'offer-1', 'want-1')).toBe(id);
    expect(deliveryId(REGISTRATION, 'offer-1', 'want-2')).not.toBe(id);
    expect(deliveryId('01a24cc6-7bab-77fb-8744-65d2da3ab9ab', 'offer-1', 'want-1')).not.toBe(id);
  });
});

describe('the retry schedule', () => {
  it('given 5 attempts from 4 s, then 4 waits doubling: 4, 8, 16, 32 s (about a minute in all)', () => {
    expect(retrySchedule(5, 4_000)).toEqual([4_000, 8_000, 16_000, 32_000]);
  });
  it('given one attempt, then no retry; given a cap, then no wait beyond it', () => {
    expect(retrySchedule(1, 4_000)).toEqual([]);
    expect(retrySchedule(6, 1_000, 5_000)).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});

describe('which targets a webhook may reach', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', 'not-an-ip'])(
    'refuses %s',
    (address) => expect(isNonPublicAddress(address)).toBe(true),
  );
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1'])('allows %s', (address) => expect(isNonPublicAddress(address)).toBe(false));

  it('given a loopback literal, or a name resolving to a private address, when registered without the flag, then refused; with the flag, allowed', async () => {
    await expect(assertReachableTarget(new URL('http://127.0.0.1:8080/hook'), false)).rejects.toMatchObject({ code: 'webhook-target-not-allowed' });
    await expect(assertReachableTarget(new URL('http://[::1]/hook'), false)).rejects.toMatchObject({ code: 'webhook-target-not-allowed' });
    const resolvesPrivate = async (): Promise<string[]> => ['93.184.216.34', '10.0.0.5'];
    await expect(assertReachableTarget(new URL('https://erp.example.dk/hook'), false, resolvesPrivate)).rejects.toMatchObject({ code: 'webhook-target-not-allowed' });
    const failing = async (): Promise<string[]> => {
      throw new Error('ENOTFOUND');
    };
    await expect(assertReachableTarget(new URL('https://nowhere.invalid/hook'), false, failing)).rejects.toMatchObject({ code: 'webhook-host-unresolvable' });
    await expect(assertReachableTarget(new URL('https://erp.example.dk/hook'), false, async () => ['93.184.216.34'])).resolves.toBeUndefined();
    await expect(assertReachableTarget(new URL('http://127.0.0.1:8080/hook'), true)).resolves.toBeUndefined();
  });
});

describe('the lookup each delivery connects through', () => {
  const resolve = (allowPrivate: boolean, host: string): Promise<{ error: Error | null; address: unknown }> =>
    new Promise((done) => guardedLookup(allowPrivate)(host, {}, (error, address) => done({ error, address })));

  it('given a name that resolves to loopback, when connecting without the flag, then refused before any connection; with it, resolved', async () => {
    expect((await resolve(false, 'localhost')).error?.message).toMatch(/loopback, private or link-local/);
    const allowed = await resolve(true, 'localhost');
    expect(allowed.error).toBeNull();
    expect(String(allowed.address)).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
