import { z } from 'zod';
import { EffectiveDate } from '../programme/programme.events.js';
import { Instant, Uuid } from '../shared/units.js';
import { OrganisationSize } from './organisation-size.events.js';

export const DeclareOrganisationSize = OrganisationSize.extend({
  organisationId: Uuid,
  appliesFrom: EffectiveDate,
  occurredAt: Instant,
});
export type DeclareOrganisationSize = z.infer<typeof DeclareOrganisationSize>;
