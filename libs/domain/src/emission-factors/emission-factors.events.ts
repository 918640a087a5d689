import { z } from 'zod';
import { Instant, Uuid } from '../shared/units.js';

/**
 * Emission factors as data with a history (docs/decisions/042-emission-factors-as-data.md): a set is
 * published once, on a stream of its own, and never changed; a new version is a new set id.
 */
export const EmissionFactorSetId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a factor set id is a slug: lower-case letters and digits separated by single hyphens')
  .min(2)
  .max(64)
  .meta({ example: 'herning-2022' });

/** A calendar date, YYYY-MM-DD, that exists. */
export const CalendarDate = z.iso.date().meta({ example: '2022-01-01' });

/** What the textile went to instead of the baseline; the routes the impact report can credit. */
export const EMISSION_ROUTES = ['recycling', 'reuse', 'repair', 'remanufacturing'] as const;
export const EmissionRoute = z.enum(EMISSION_ROUTES);
export type EmissionRoute = z.infer<typeof EmissionRoute>;

/**
 * kg CO2e avoided per kg, as an exact decimal string (never a float in an event); `null` when the
 * source gives none: unknown, which is not zero.
 */
export const KgCo2ePerKg = z
  .string()
  .regex(/^-?(?:0|[1-9]\d{0,5})(?:\.\d{1,6})?$/, 'kg CO2e per kg is a decimal string such as "20.4" (at most 6 digits before and after the point)')
  .meta({ example: '20.4' });

export const EmissionFactor = z.object({
  route: EmissionRoute,
  kgCo2eAvoidedPerKg: KgCo2ePerKg.nullable(),
  /** What the route is compared with, e.g. incineration. */
  baseline: z.string().trim().min(1).max(100),
  source: z.string().trim().min(1).max(1000),
  note: z.string().max(1000).default(''),
});
export type EmissionFactor = z.infer<typeof EmissionFactor>;

export const EmissionFactors = z
  .array(EmissionFactor)
  .min(1)
  .max(EMISSION_ROUTES.length)
  .refine((factors) => new Set(factors.map((f) => f.route)).size === factors.length, 'a set names each route once');

export const EmissionFactorSetPublished = z.object({
  factorSetId: EmissionFactorSetId,
  validFrom: CalendarDate,
  factors: EmissionFactors,
  publishedBy: Uuid,
  occurredAt: Instant,
});
export type EmissionFactorSetPublished = z.infer<typeof EmissionFactorSetPublished>;

export const emissionFactorEventSchemas = { EmissionFactorSetPublished } as const;

export const emissionFactorSetStreamId = (factorSetId: string): string => `emission-factor-set-${factorSetId}`;
