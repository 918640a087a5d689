import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestLimitsConfig } from '../config/ledger.config.js';
import { toProblem } from './problem-details.filter.js';
import { clientNetwork, rateLimitHeaders } from './rate-limit.js';
import { tooManyFailedAuthentications, type RateLimits } from './rate-limit.guard.js';

/**
 * The routes marked @Public() (health probes, the API docs): they never answer 401, so they never
 * charge the failed-authentication budget, and an exhausted network is still served them.
 */
function isPublicRoute(route: string | undefined): boolean {
  return route !== undefined && (route === '/health' || route.startsWith('/health/') || route === '/docs' || route.startsWith('/docs/') || route === '/docs-json');
}

function refuse(request: FastifyRequest, reply: FastifyReply, error: HttpException, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(error.getStatus()).headers(headers).type('application/problem+json').send(toProblem(error, request.url));
}

/**
 * The limits that must act at the edge of the HTTP server (decisions 016 and 028): the length of
 * the request target (414), before routing and body parsing; and the per-network budget of answers
 * that found no valid credential (429). The per-organisation budget needs the authenticated actor,
 * so it is a guard (rate-limit.guard.ts); the body limit is Fastify's own (413).
 *
 * The failed-authentication budget is charged by every 401, whatever its cause (no credentials,
 * malformed, unknown, revoked, expired). Once a network has spent it, a 401 is answered as a 429
 * instead, and a request without any credentials is refused before routing and body parsing. A
 * request whose credential is valid is never refused by this budget: it is authenticated as usual
 * and charged to its organisation, whatever others sent from the same network.
 */
export function installAbuseLimits(fastify: FastifyInstance, limits: RateLimits, config: RequestLimitsConfig): void {
  const failures = limits.failedAuthentication;
  // Callback hooks, not async ones: they run on every request, and an async hook costs a promise and
  // a microtask turn each time (decision 048).
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url.length > config.maxUrlLength) {
      refuse(request, reply, new HttpException(`the request target is ${request.url.length} characters long; at most ${config.maxUrlLength} are accepted`, 414));
      return;
    }
    if (!failures.enabled || request.headers.authorization !== undefined || isPublicRoute(request.routeOptions.url)) {
      done();
      return;
    }
    // No credentials at all cannot turn out valid: refused before the body is read.
    const network = clientNetwork(request.ip);
    const state = failures.peek(`network:${network}`);
    if (!state.allowed) {
      refuse(request, reply, tooManyFailedAuthentications(network, failures, state), rateLimitHeaders(failures, state));
      return;
    }
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!failures.enabled || reply.statusCode !== 401) {
      done(null, payload);
      return;
    }
    const network = clientNetwork(request.ip);
    const decision = failures.take(`network:${network}`);
    void reply.headers(rateLimitHeaders(failures, decision));
    if (decision.allowed) {
      done(null, payload);
      return;
    }
    void reply.code(429).type('application/problem+json');
    done(null, JSON.stringify(toProblem(tooManyFailedAuthentications(network, failures, decision), request.url)));
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
