import { z } from 'zod';
import type { AsOf } from './as-of-replay.js';

/**
 * The two as-of query parameters every query endpoint accepts, named as batch history names them:
 * `asOf`, a recorded time (ISO-8601 with an offset), or `asOfPosition`, a global log position
 * (inclusive). Add them to an endpoint's own query schema with `.extend(AS_OF_FIELDS)` and
 * `.superRefine(oneAsOfAxis)`, or use AsOfParams where the endpoint has no other parameter.
 */
export const AS_OF_FIELDS = {
  asOf: z.iso.datetime({ offset: true, message: 'an ISO-8601 instant with an offset, e.g. 2026-03-10T12:00:00+01:00 or …Z' }).optional(),
  // Digits only: a coerced number would take "", "1e3" or " 7 " for a position.
  asOfPosition: z
    .string()
    .regex(/^\d{1,15}$/, 'a log position: a whole number ≥ 0')
    .transform(Number)
    .optional(),
};

/** Refuses both axes at once (400): an answer is taken on one axis, and says which. */
export function oneAsOfAxis(params: { asOf?: string | undefined; asOfPosition?: number | undefined }, ctx: z.RefinementCtx): void {
  if (params.asOf !== undefined && params.asOfPosition !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['asOfPosition'], message: 'give either asOf (a recorded time) or asOfPosition (a log position), not both' });
  }
}

export const AsOfParams = z.object(AS_OF_FIELDS).strict().superRefine(oneAsOfAxis);
/** Named apart from the schema: swc's decorator metadata would otherwise name the schema as the parameter's type. */
export type AsOfQuery = z.infer<typeof AsOfParams>;

/** The parsed parameters as the moment to answer at, or undefined for a live answer. */
export function asOfFrom(params: { asOf?: string | undefined; asOfPosition?: number | undefined }): AsOf | undefined {
  if (params.asOfPosition !== undefined) return { position: params.asOfPosition };
  if (params.asOf !== undefined) return { recordedAt: params.asOf };
  return undefined;
}
