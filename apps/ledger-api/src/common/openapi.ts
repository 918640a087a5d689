import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

/** Documents a zod-validated body in OpenAPI from the same schema that validates it. */
export function ZodApiBody(schema: z.ZodType, description?: string): MethodDecorator {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return ApiBody({ schema: jsonSchema, ...(description ? { description } : {}) });
}
