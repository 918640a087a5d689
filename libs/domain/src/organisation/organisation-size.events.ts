import { z } from 'zod';
import { EffectiveDate } from '../programme/programme.events.js';
import { Instant, Uuid } from '../shared/units.js';

/** Whole euros, up to 10^15 (far beyond any firm): exact in integer arithmetic, and bounded so a stored event cannot carry an absurd amount. */
export const Euros = z.number().int('amounts are whole euros').nonnegative().max(1_000_000_000_000_000);

/** An organisation's size as the EU SME definition reads it (Commission Recommendation 2003/361/EC). */
export const OrganisationSize = z.object({
  /** Staff headcount in annual work units. */
  employees: z.number().int().nonnegative().max(10_000_000),
  annualTurnoverEur: Euros,
  balanceSheetTotalEur: Euros,
});
export type OrganisationSize = z.infer<typeof OrganisationSize>;

/**
 * On the organisation's own stream. It holds from `appliesFrom` until a declaration with a later
 * `appliesFrom`; a second declaration for the same day replaces the first (a correction).
 */
export const OrganisationSizeDeclared = OrganisationSize.extend({
  organisationId: Uuid,
  appliesFrom: EffectiveDate,
  /** The organisation itself, or the operator acting for it. */
  declaredBy: Uuid,
  occurredAt: Instant,
});
export type OrganisationSizeDeclared = z.infer<typeof OrganisationSizeDeclared>;

export const organisationSizeEventSchemas = { OrganisationSizeDeclared } as const;
