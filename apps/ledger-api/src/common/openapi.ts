import { ApiBody } from '@nestjs/swagger';
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
