import { z } from 'zod';
import { Instant, Uuid } from '../shared/units.js';
import { Role, Site, isValidCvr } from './organisation.events.js';

export const RegisterOrganisation = z.object({
  organisationId: Uuid,
  name: z.string().trim().min(1).max(200),
  cvr: z.string().refine(isValidCvr, 'CVR must be 8 digits with a valid mod-11 check').optional(),
  roles: z.array(Role).min(1, 'an organisation needs at least one role'),
  kommuneCode: z.string().regex(/^\d{4}$/, 'kommune codes have four digits, e.g. 0657').optional(),
  sites: z.array(Site).max(100).default([]),
  occurredAt: Instant,
  /** SHA-256 of the API key handed to the organisation; the key itself is never stored. */
  apiKeyHash: z.string().regex(/^[0-9a-f]{64}$/),
  apiKeyId: z.string().min(1).max(64),
});
export type RegisterOrganisation = z.infer<typeof RegisterOrganisation>;
