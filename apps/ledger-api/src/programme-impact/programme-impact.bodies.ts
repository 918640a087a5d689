import { CalendarDate, EmissionFactorSetId, ValueChainId } from '#domain';
import { z } from 'zod';
import { AS_OF_FIELDS, oneAsOfAxis } from '../ledger/as-of.params.js';

/** A period a funder reports on is at most a few years; longer ones read every row of the ledger for nothing. */
const MAX_PERIOD_DAYS = 3_660;

export const ProgrammeImpactParams = z
  .object({
    from: CalendarDate,
    to: CalendarDate,
    valueChainId: ValueChainId.optional(),
    factorSet: EmissionFactorSetId.optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict()
  .extend(AS_OF_FIELDS)
  .superRefine(oneAsOfAxis)
  .refine((p) => p.to >= p.from, { message: 'to lies before from', path: ['to'] })
  .refine((p) => Date.parse(`${p.to}T00:00:00Z`) - Date.parse(`${p.from}T00:00:00Z`) <= MAX_PERIOD_DAYS * 86_400_000, {
    message: `a period is at most ${MAX_PERIOD_DAYS} days`,
    path: ['to'],
  });
/** Named apart from the schema: swc's decorator metadata would otherwise name the schema as the parameter's type. */
export type ProgrammeImpactQueryParams = z.infer<typeof ProgrammeImpactParams>;
