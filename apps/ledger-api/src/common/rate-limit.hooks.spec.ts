import { afterEach, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadLedgerConfig } from '../config/ledger.config.js';
import { installAbuseLimits } from './rate-limit.hooks.js';
import { RateLimits } from './rate-limit.guard.js';

const VALID = 'tl_000000000000_the-one-valid-key-of-this-spec';

/**
 * A bare Fastify server with the abuse-limit hooks and a stand-in for authentication: 200 for the
 * valid key, a 401 problem for anything else, as ApiKeyGuard answers through the filter.
 */
function server(unauthenticated = { perMinute: 10, burst: 3 }, trustProxy = ''): FastifyInstance {
  const config = loadLedgerConfig({
    LEDGER_DATA_DIR: '/tmp/rate-limit-hooks-spec',
    LEDGER_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: String(unauthenticated.perMinute),
    LEDGER_RATE_LIMIT_UNAUTHENTICATED_BURST: String(unauthenticated.burst),
    LEDGER_TRUST_PROXY: trustProxy,
  });
  const fastify = Fastify({ trustProxy: config.limits.trustProxy });
  installAbuseLimits(fastify, new RateLimits(config), config.limits);
  const protectedRoute = async (request: { headers: { authorization?: string } }, reply: { code: (n: number) => { type: (t: string) => { send: (b: unknown) => unknown } } }) =>
    request.headers.authorization === `Bearer ${VALID}` ? { ok: true } : reply.code(401).type('application/problem+json').send({ status: 401, code: 'unknown-api-key' });
  fastify.get('/batches', protectedRoute);
  fastify.post('/batches', protectedRoute);
  fastify.get('/health', async () => ({ status: 'ok' }));
  return fastify;
}

const from = (remoteAddress: string, key?: string, forwardedFor?: string) => ({
  remoteAddress,
  headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
});

describe('installAbuseLimits: the failed-authentication budget', () => {
  let fastify: FastifyInstance | undefined;
  afterEach(async () => {
    await fastify?.close();
  });

  it('given a network that spent its budget with wrong keys, when a valid key comes from it, then it is served', async () => {
    fastify = server();
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await fastify.inject({ method: 'GET', url: '/batches', ...from('192.0.2.1', `wrong-key-${i}`) })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await fastify.inject({ method: 'GET', url: '/batches', ...from('192.0.2.1', VALID) })).statusCode).toBe(200);
  });

  it('given a spent budget, when a wrong key comes, then the 401 becomes a 429 problem with Retry-After and the RateLimit fields', async () => {
    fastify = server({ perMinute: 10, burst: 1 });
    const first = await fastify.inject({ method: 'GET', url: '/batches', ...from('192.0.2.2', 'wrong') });
    expect(first.statusCode).toBe(401);
    expect(first.headers['ratelimit']).toBe('"failed-authentication";r=0;t=6');
    const refused = await fastify.inject({ method: 'GET', url: '/batches', ...from('192.0.2.2', 'wrong') });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('6');
    expect(refused.json()).toMatchObject({ status: 429, code: 'too-many-failed-authentications', instance: '/batches' });
    expect(Number(refused.headers['content-length'])).toBe(Buffer.byteLength(refused.body));
  });

  it('given a spent budget, when a request without credentials comes, then it is refused before its body is read', async () => {
    fastify = server({ perMinute: 10, burst: 1 });
    let parsed = 0;
    fastify.addHook('preParsing', async (request) => {
      if (request.method === 'POST') parsed += 1;
    });
    await fastify.inject({ method: 'GET', url: '/batches', ...from('192.0.2.3') });
    const refused = await fastify.inject({ method: 'POST', url: '/batches', payload: { a: 1 }, ...from('192.0.2.3') });
    expect(refused.statusCode).toBe(429);
    expect(parsed).toBe(0);
    expect((await fastify.inject({ method: 'GET', url: '/health', ...from('192.0.2.3') })).statusCode).toBe(200);
  });

  it('given IPv6 clients, when they rotate addresses inside one /64, then they share one budget', async () => {
    fastify = server({ perMinute: 10, burst: 2 });
    const statuses = [];
    for (const address of ['2001:db8:5:5::1', '2001:db8:5:5::2', '2001:db8:5:5:abcd::3']) {
      statuses.push((await fastify.inject({ method: 'GET', url: '/batches', ...from(address, 'wrong') })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 429]);
    expect((await fastify.inject({ method: 'GET', url: '/batches', ...from('2001:db8:5:6::1', 'wrong') })).statusCode).toBe(401);
  });

  it('given no trusted proxy, when a client rotates X-Forwarded-For, then it is still charged as its own address', async () => {
    fastify = server({ perMinute: 10, burst: 2 });
    const statuses = [];
    for (let i = 1; i <= 3; i += 1) statuses.push((await fastify.inject({ method: 'GET', url: '/batches', ...from('192.0.2.9', 'wrong', `198.51.100.${i}`) })).statusCode);
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('given a trusted proxy, when clients behind it fail, then each is charged as the address the proxy appended', async () => {
    fastify = server({ perMinute: 10, burst: 1 }, '10.0.0.0/8');
    const behindProxy = (client: string, forged?: string) => from('10.0.0.7', 'wrong', forged ? `${forged}, ${client}` : client);
    expect((await fastify.inject({ method: 'GET', url: '/batches', ...behindProxy('198.51.100.1') })).statusCode).toBe(401);
    expect((await fastify.inject({ method: 'GET', url: '/batches', ...behindProxy('198.51.100.1', '203.0.113.50') })).statusCode).toBe(429);
    expect((await fastify.inject({ method: 'GET', url: '/batches', ...behindProxy('198.51.100.2') })).statusCode).toBe(401);
  });
});
