import { DomainError, type DomainErrorKind } from '#domain';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '#event-store';
import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { ReadModelsBehindError } from '../ledger/ledger-position.js';
import { HeavyQueryRefusedError } from './cost-budget.js';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code?: string;
  errors?: Array<{ path: string; message: string }>;
  [extension: string]: unknown;
}

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  malformed: 400,
  invalid: 422,
  unauthorised: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const PROBLEM_TYPE_BASE = 'https://textile-ledger.org/problems/';

/**
 * Codes of the HTTP-level refusals (Nest's and Fastify's own errors, the abuse limits): one problem
 * type per status, so a client can tell "too large" from "wrong media type" without parsing text.
 */
const CODE_BY_HTTP_STATUS: Record<number, string> = {
  400: 'malformed-request',
  404: 'not-found',
  405: 'method-not-allowed',
  408: 'request-timeout',
  413: 'body-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  431: 'headers-too-large',
};

/** Maps every error to RFC 9457 problem details: the one place where domain errors meet HTTP. */
export function toProblem(error: unknown, instance?: string): ProblemDetails {
  const base = (status: number, code: string, detail: string): ProblemDetails => ({
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: TITLE_BY_STATUS[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
  });
  if (error instanceof DomainError) {
    // Details are extension members; the standard members always win over a detail of the same name.
    return { ...error.details, ...base(STATUS_BY_KIND[error.kind], error.code, error.message) };
  }
  if (error instanceof ZodError) {
    const errors = error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
    return { ...base(400, 'invalid-body', errors.map((e) => `${e.path}: ${e.message}`).join('; ')), errors };
  }
  if (error instanceof WrongExpectedRevisionError) {
    return base(409, 'concurrency-conflict', `${error.streamId} changed while the command was decided; retry it`);
  }
  if (error instanceof ReadModelsBehindError) {
    return { ...base(503, 'read-models-behind', error.message), minPosition: error.minPosition, readModelsPosition: error.readModelsPosition };
  }
  if (error instanceof HeavyQueryRefusedError) {
    return { ...error.details, ...base(429, error.code, error.message), retryAfterSeconds: error.retryAfterSeconds };
  }
  if (error instanceof DuplicateEventIdError) {
    return base(409, 'duplicate-event', error.message);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response ? String((response as { message: unknown }).message) : error.message;
    // An HttpException may name its own code when one status covers several refusals (415 for an
    // encoding and for a charset, say).
    const ownCode = typeof response === 'object' && response !== null && 'code' in response && typeof response.code === 'string' ? response.code : undefined;
    return base(status, ownCode ?? CODE_BY_HTTP_STATUS[status] ?? `http-${status}`, message);
  }
  // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a 4xx statusCode.
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = Number((error as { statusCode: unknown }).statusCode);
    if (status >= 400 && status < 500) {
      return base(status, CODE_BY_HTTP_STATUS[status] ?? 'malformed-request', (error as { message?: string }).message ?? 'malformed request');
    }
  }
  return base(500, 'internal-error', 'an unexpected error occurred; it has been logged');
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(error, request.url);
    if (problem.status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    // The refusals a client should simply retry say when.
    if (error instanceof HeavyQueryRefusedError) void reply.header('retry-after', String(error.retryAfterSeconds));
    if (error instanceof ReadModelsBehindError) void reply.header('retry-after', '1');
    void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }
}
