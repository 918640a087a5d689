import { z } from 'zod';
import { instant, position, uuid } from '../common/answers.js';

export const SiteCommandResultSchema = z.object({ organisationId: uuid(), siteId: uuid(), eventId: uuid(), position: position() });

export const SiteSchema = z.object({
  siteId: uuid(),
  organisationId: uuid(),
  name: z.string(),
  kommuneCode: z.string(),
  kommuneName: z.string().nullable(),
  pNumber: z.string().nullable().describe('Danish P-number (10 digits), public'),
  open: z.boolean(),
  declaredAt: instant(),
  closedAt: instant().nullable(),
  address: z.string().optional().describe('Only for the organisation itself, auditors and the operator'),
  latitude: z.number().nullable().optional().describe('WGS84; only for the organisation itself, auditors and the operator'),
  longitude: z.number().nullable().optional().describe('WGS84; only for the organisation itself, auditors and the operator'),
});

export const SiteListSchema = z.object({
  organisationId: uuid(),
  sites: z.array(SiteSchema),
  legacySites: z
    .array(z.object({ name: z.string(), address: z.string().optional() }))
    .describe('Sites named in the registration, before sites had ids: listed, but no command can name them (decision 039)'),
});
