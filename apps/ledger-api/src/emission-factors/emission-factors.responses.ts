import { z } from 'zod';
import { instant, position, uuid } from '../common/answers.js';

export const EmissionFactorSetCommandResultSchema = z.object({ factorSetId: z.string(), eventId: uuid(), position: position() });

export const EmissionFactorSchema = z.object({
  route: z.string(),
  kgCo2eAvoidedPerKg: z.string().nullable().describe('kg CO2e avoided per kg as an exact decimal string; null when the source gives none (unknown, never zero)'),
  baseline: z.string(),
  source: z.string(),
  note: z.string(),
});

export const EmissionFactorSetSchema = z.object({
  factorSetId: z.string(),
  validFrom: z.string().describe('YYYY-MM-DD: in force from this day until a set with a later valid from'),
  publishedBy: uuid(),
  publishedAt: instant(),
  position: position(),
  factors: z.array(EmissionFactorSchema),
});

export const EmissionFactorSetListSchema = z.object({
  sets: z.array(EmissionFactorSetSchema),
  inForceToday: z.string().nullable().describe('The id of the set in force today (Europe/Copenhagen), or null before the first'),
});
