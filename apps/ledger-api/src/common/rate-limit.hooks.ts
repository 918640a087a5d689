import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestLimitsConfig } from '../config/ledger.config.js';
import { toProblem } from './problem-details.filter.js';
import { rateLimitHeaders } from './rate-limit.js';
import { tooManyRequests, type RateLimits } from './rate-limit.guard.js';

/** Liveness probes of load balancers: never limited (it serves no organisation's data). */
const UNLIMITED_ROUTES = new Set(['/health']);

function refuse(request: FastifyRequest, reply: FastifyReply, error: HttpException, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(error.getStatus()).headers(headers).type('application/problem+json').send(toProblem(error, request.url));
}

/**
 * The limits that must act before routing, authentication and body parsing (decision 016): the
 * length of the request target (414), and the per-address budget of requests that carry no
 * credentials or whose credentials fail (429). The per-organisation budget needs the authenticated
 * actor, so it is a guard (rate-limit.guard.ts); the body limit is Fastify's own (413).
 */
export function installAbuseLimits(fastify: FastifyInstance, limits: RateLimits, config: RequestLimitsConfig): void {
  const byAddress = limits.unauthenticated;
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.url.length > config.maxUrlLength) {
      return refuse(request, reply, new HttpException(`the request target is ${request.url.length} characters long; at most ${config.maxUrlLength} are accepted`, 414));
    }
    if (!byAddress.enabled || UNLIMITED_ROUTES.has(request.routeOptions.url ?? '')) return;
    const key = `address:${request.ip}`;
    // An address that spent its budget on anonymous or failed requests is refused before
    // authentication, also with credentials: otherwise any made-up key would bypass the budget.
    const state = request.headers.authorization === undefined ? byAddress.take(key) : byAddress.peek(key);
    if (!state.allowed) return refuse(request, reply, tooManyRequests(`client address ${request.ip}`, byAddress, state), rateLimitHeaders(byAddress, state));
    if (request.headers.authorization === undefined) void reply.headers(rateLimitHeaders(byAddress, state));
  });
  fastify.addHook('onResponse', async (request, reply) => {
    // Requests without credentials were charged before routing; these are credentials that failed.
    if (byAddress.enabled && reply.statusCode === 401 && request.headers.authorization !== undefined) byAddress.take(`address:${request.ip}`);
  });
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request, answered as problem details:
 * headers over `maxHeaderBytes` (Node's maxHeaderSize) are 431, a timeout 408, anything else 400.
 */
export function problemClientErrorHandler(config: RequestLimitsConfig): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, detail] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, `the request line and headers exceed ${config.maxHeaderBytes} bytes`]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'the request was not received in time']
          : [400, 'malformed HTTP request'];
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(toProblem(new HttpException(detail, status)));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}
