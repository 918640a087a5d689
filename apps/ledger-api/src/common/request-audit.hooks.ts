import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { EventStore } from '#event-store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CredentialRequest } from './api-key.guard.js';
import type { AuthenticatedRequest } from './actor.js';
import type { RequestAuditLog } from './request-audit.log.js';
import { CredentialRedactor } from './credential-redaction.js';
import { toProblem } from './problem-details.filter.js';
import { CLIENT_TOKEN, malformedClientId, requestHeader as header } from './request-header.js';

/** What one request appended, collected by the store wrapper below while the request runs. */
interface AppendTally {
  position: number | null;
  events: number;
}

const appends = new AsyncLocalStorage<AppendTally>();

/** A request that reached its handler, with what it appended. */
interface TalliedRequest extends FastifyRequest {
  appendTally: AppendTally | null;
}
const WRAPPED = Symbol('request-audit-wrapped');

/** Probes and the API documentation's assets: not organisations reading or writing the ledger. */
const UNAUDITED = (route: string | undefined): boolean => route === '/health' || (route !== undefined && route.startsWith('/docs'));

/**
 * A client's X-Request-Id when it is a short token, so it can quote it to an auditor; else a UUID.
 * A malformed one is then refused (installClientIdChecks), answered under the UUID.
 */
export function requestIdFor(raw: { headers: IncomingHttpHeaders }): string {
  const given = raw.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_TOKEN.test(given) ? given : randomUUID();
}

/**
 * Refuses, before the body is read, a request whose X-Correlation-Id or X-Request-Id is not a short
 * token (decision 027): the correlation id goes into every event the request appends, the request id
 * into the request audit log, both for ever. A 400 problem; nothing is appended.
 */
export function installClientIdChecks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const refusal = malformedClientId(request);
    if (refusal) void reply.code(400).type('application/problem+json').send(toProblem(refusal, request.url));
    else done();
  });
}

/**
 * Reports, to the request on whose behalf it runs, the position of every append. The store is the
 * one instance every command appends through; background work (recovery, checkpoints) runs outside
 * any request and is not counted.
 */
export function countAppendsPerRequest(store: EventStore): void {
  const marked = store as EventStore & { [WRAPPED]?: true };
  if (marked[WRAPPED]) return;
  const append = store.append.bind(store);
  marked.append = async (streamId, events, expected) => {
    const result = await append(streamId, events, expected);
    const tally = appends.getStore();
    if (tally) {
      tally.position = Math.max(tally.position ?? -1, result.position);
      tally.events += events.length;
    }
    return result;
  };
  marked[WRAPPED] = true;
}

/**
 * Records every request but probes and docs, once answered (decision 016). It reads only the
 * request line, the route, the authenticated actor and the status: never a header value or a body,
 * and every credential shape in what it keeps is redacted (decision 027).
 */
export function installRequestAudit(fastify: FastifyInstance, log: RequestAuditLog, redactor: CredentialRedactor = new CredentialRedactor()): void {
  // A field every request is created with, rather than a map from requests to tallies, so that an
  // answer that never reaches a handler (a refusal, an anonymous probe) costs no tally (decision 048).
  fastify.decorateRequest('appendTally', null);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // Entered right before the route handler (Nest's guards, pipes and controller), after the body
  // was read: the parser's callbacks run in the socket's async context, not the request's.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const tally: AppendTally = { position: null, events: 0 };
    (request as TalliedRequest).appendTally = tally;
    appends.run(tally, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (log.enabled && !UNAUDITED(route)) {
      const actor = (request as AuthenticatedRequest).actor;
      const credential = (request as CredentialRequest).credential;
      const rawKey = request.method === 'POST' ? header(request, 'idempotency-key') : undefined;
      const idempotencyKey = rawKey === undefined ? null : redactor.text(rawKey.slice(0, 200));
      const tally = (request as TalliedRequest).appendTally;
      log.record({
        time: new Date().toISOString(),
        requestId: request.id,
        organisationId: actor?.organisationId ?? null,
        // What the guard recorded of the credential: a key's id, or `oidc` for a bearer token. Never the secret.
        keyId: credential === undefined ? null : credential.kind === 'api-key' ? credential.keyId : 'oidc',
        impersonatedBy: (request as AuthenticatedRequest).impersonation?.operatorOrgId ?? null,
        impersonationReason: (request as AuthenticatedRequest).impersonation?.reason ?? null,
        ip: request.ip,
        method: request.method,
        route: route ?? null,
        params: route ? redactor.params(request.params) : {},
        query: redactor.query(request.query),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        idempotencyKey,
        commandId: (request as AuthenticatedRequest).commandId ?? null,
        position: tally?.position ?? null,
        appendedEvents: tally?.events ?? 0,
      });
    }
    done();
  });
}
