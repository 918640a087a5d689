import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * Documents a zod-validated body in OpenAPI from the same schema that validates it. An `example` is
 * parsed by that schema when the controller is loaded, so a documented example that the ledger
 * would refuse as malformed stops the service from starting (decision 020); the e2e suite checks the
 * domain bounds of every example too.
 */
export function ZodApiBody(schema: z.ZodType, options: string | { description?: string; example?: unknown } = {}): MethodDecorator {
  const { description, example } = typeof options === 'string' ? { description: options, example: undefined } : options;
  if (example !== undefined) {
    const parsed = schema.safeParse(example);
    if (!parsed.success) throw new Error(`the OpenAPI example is not a valid body: ${z.prettifyError(parsed.error)}`);
  }
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return ApiBody({ schema: { ...jsonSchema, ...(example !== undefined ? { example } : {}) }, ...(description ? { description } : {}) });
}

/** RFC 9457 problem details as every refusal of the ledger answers them (ProblemDetailsFilter). */
export const ProblemDetailsSchema = z
  .object({
    type: z.string().describe('A URI naming the problem type: https://textile-ledger.org/problems/<code>'),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string().optional().describe('The request path'),
    code: z.string().describe('The machine-readable refusal, the last segment of `type`'),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('Each invalid member of a malformed request'),
  })
  .catchall(z.unknown());

/** The statuses a route may refuse with, and what each means in this ledger. */
const PROBLEMS = {
  400: 'Malformed request: a parameter, query or body the route cannot read (`invalid-body`, `invalid-query`, …)',
  401: 'No valid credential (`missing-credentials`, `unknown-api-key`, `revoked-api-key`, …)',
  403: 'The permission matrix refuses this organisation (docs/security.md)',
  404: 'Not found, or not visible to this organisation (a batch one may not see answers like one that does not exist)',
  409: 'Conflict: the stream changed while the command was decided, or the state forbids it (`concurrency-conflict`, …)',
  413: 'The body is larger than the ledger accepts',
  415: 'The body is not JSON, or not in an encoding the ledger reads',
  422: 'The command is well-formed but the domain refuses it (`mass-not-positive`, `lineage-too-large`, …)',
  429: 'Rate limit or query cost budget spent (`too-many-requests`, `query-cost-budget-exhausted`); Retry-After says when to retry',
  503: 'The read models are behind the position the request asked for (`read-models-behind`); Retry-After: 1',
} as const;
export type ProblemStatus = keyof typeof PROBLEMS;

const problemJsonSchema = (): Record<string, unknown> => jsonSchemaOf(ProblemDetailsSchema, 'output');

/** Documents the problem+json refusals of a route (RFC 9457), each with the problem schema. */
export function ApiProblems(...statuses: ProblemStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: PROBLEMS[status], content: { 'application/problem+json': { schema: problemJsonSchema() } } }),
    ),
  );
}

/**
 * Documents a route's successful answer from a zod schema of it, as ZodApiBody does for bodies: an
 * `example` is parsed by that schema when the controller is loaded, so a documented example that
 * does not have the answer's shape stops the service from starting, and the e2e suite validates each
 * example against the published schema too (decision 034).
 */
export function ZodApiResponse(
  schema: z.ZodType,
  options: { status?: number; description: string; example?: unknown; alsoAs?: Record<string, { schema: Record<string, unknown>; example?: unknown }> },
): MethodDecorator {
  const { status = 200, description, example, alsoAs = {} } = options;
  if (example !== undefined) {
    const parsed = schema.safeParse(example);
    if (!parsed.success) throw new Error(`the OpenAPI response example is not a valid answer: ${z.prettifyError(parsed.error)}`);
  }
  const json = { schema: jsonSchemaOf(schema, 'output'), ...(example !== undefined ? { example } : {}) };
  return ApiResponse({ status, description, content: { 'application/json': json, ...alsoAs } });
}

/** A zod schema as an inline OpenAPI 3.1 schema (JSON Schema 2020-12 without its dialect member). */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
  return withoutSafeIntegerBounds(json) as Record<string, unknown>;
}

/**
 * zod bounds every `.int()` by JavaScript's safe-integer range; that is no bound of the ledger's,
 * and the document shows only real ones (decision 020), so those two are left out of answers.
 */
function withoutSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if ((key === 'minimum' && inner === Number.MIN_SAFE_INTEGER) || (key === 'maximum' && inner === Number.MAX_SAFE_INTEGER)) continue;
    out[key] = withoutSafeIntegerBounds(inner);
  }
  return out;
}
