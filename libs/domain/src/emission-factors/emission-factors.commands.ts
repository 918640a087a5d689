import { z } from 'zod';
import { Instant } from '../shared/units.js';
import { deterministicId } from '../shared/ledger-ids.js';
import { CalendarDate, EmissionFactorSetId, EmissionFactors } from './emission-factors.events.js';

/** The operator publishes a set of emission factors (docs/decisions/042-emission-factors-as-data.md). */
export const PublishEmissionFactorSet = z.object({
  factorSetId: EmissionFactorSetId,
  validFrom: CalendarDate,
  factors: EmissionFactors,
  occurredAt: Instant,
});
export type PublishEmissionFactorSet = z.infer<typeof PublishEmissionFactorSet>;

/**
 * The command id under which the ledger publishes a seed set at start-up: derived from the set id,
 * so a retried or concurrent start replays the publication instead of repeating it, and a checker
 * of the log can tell the ledger's own commands from its clients'.
 */
export function seedEmissionFactorSetCommandId(factorSetId: string): string {
  return deterministicId(`command/seed-emission-factor-set/${factorSetId}`);
}
