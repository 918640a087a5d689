import { HttpException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** A request header's value; the first when a client repeated it. */
export function requestHeader(request: Pick<FastifyRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * What a client-chosen id the ledger stores must look like (decision 027): a short token of
 * letters, digits and `.`, `_`, `:`, `-`. A UUID (36), a W3C traceparent (55), an AWS trace id or
 * nginx's `$request_id` fit; markup, formulas (`=HYPERLINK(`), spaces and kilobytes do not. The
 * correlation id is copied into the metadata of every event a command appends, for ever, and the
 * request id into every request-audit entry.
 */
export const CLIENT_TOKEN = /^[A-Za-z0-9._:-]{1,64}$/;
export const MAX_CLIENT_TOKEN_LENGTH = 64;

/** The client-chosen ids the ledger stores, with the problem code of a malformed one. */
const CLIENT_ID_HEADERS = [
  { header: 'x-correlation-id', code: 'invalid-correlation-id', name: 'X-Correlation-Id' },
  { header: 'x-request-id', code: 'invalid-request-id', name: 'X-Request-Id' },
] as const;

/**
 * A 400 naming the malformed id header, or undefined when every such header is absent or a short
 * token. Refused rather than replaced: a client that sends an id means to find it again, and a
 * silently substituted one breaks its trace without telling it.
 */
export function malformedClientId(request: Pick<FastifyRequest, 'headers'>): HttpException | undefined {
  for (const { header, code, name } of CLIENT_ID_HEADERS) {
    const raw = request.headers[header];
    if (raw === undefined) continue;
    // A repeated header is ambiguous: which one would the client look for?
    const value = Array.isArray(raw) ? undefined : raw;
    if (value === undefined || !CLIENT_TOKEN.test(value)) {
      return new HttpException(
        { code, message: `${name} must be one short token: 1 to ${MAX_CLIENT_TOKEN_LENGTH} letters, digits, ".", "_", ":" or "-" (a UUID or a traceparent fits)` },
        400,
      );
    }
  }
  return undefined;
}

/** The client's correlation id, refused with a 400 when it is not a short token. */
export function correlationIdOf(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const refusal = malformedClientId(request);
  if (refusal) throw refusal;
  return requestHeader(request, 'x-correlation-id');
}
