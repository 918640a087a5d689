import { z } from 'zod';

const PROBLEMS = ['store-unreachable', 'projections-failing', 'projections-stopped', 'projections-lagging', 'signing-refused'] as const;

/** Anyone sees the status alone; an authenticated operator or auditor sees the whole report (decision 027). */
export const HealthSchema = z.union([
  z.object({
    status: z.enum(['ok', 'degraded']),
    problems: z.array(z.enum(PROBLEMS)),
    store: z.object({ store: z.string(), ok: z.boolean(), headPosition: z.number().int(), detail: z.string().optional() }),
    projections: z.object({ position: z.number().int(), lag: z.number().int(), running: z.boolean(), rebuilding: z.boolean(), failure: z.record(z.string(), z.unknown()).optional() }),
    signing: z.object({ signing: z.boolean(), refusal: z.string().optional() }).optional(),
    webhooks: z
      .object({
        status: z.enum(['ok', 'degraded']),
        delivered: z.number().int(),
        failed: z.number().int(),
        retrying: z.number().int(),
        failingOrganisations: z.number().int(),
        lastFailure: z.object({ organisationId: z.string(), deliveryId: z.string(), host: z.string(), attempts: z.number().int(), error: z.string(), at: z.string() }).optional(),
      })
      .optional(),
  }),
  z.object({ status: z.enum(['ok', 'degraded']) }),
]);
export const LivenessSchema = z.union([z.object({ status: z.literal('ok'), uptimeSeconds: z.number(), eventLoopDelayMs: z.number() }), z.object({ status: z.literal('ok') })]);
export const ReadinessSchema = z.union([
  z.object({ status: z.enum(['ready', 'not-ready']), problems: z.array(z.enum(PROBLEMS)), lag: z.number().int() }),
  z.object({ status: z.enum(['ready', 'not-ready']) }),
]);
