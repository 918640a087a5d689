import { z } from 'zod';

/** The registration as anyone allowed to read it sees it: never the secret. */
export const CatalogueWebhookSchema = z.object({
  organisationId: z.uuid(),
  registrationId: z.uuid(),
  url: z.string(),
  registeredAt: z.string(),
  active: z.boolean(),
});
export type CatalogueWebhookAnswer = z.infer<typeof CatalogueWebhookSchema>;

export const RegisterCatalogueWebhookResultSchema = z.object({
  organisationId: z.uuid(),
  registrationId: z.uuid(),
  url: z.string(),
  /** The signing secret, in this answer only: a retry under the same Idempotency-Key is answered without it (the ledger stores no answer's secret). */
  secret: z.string().optional(),
  position: z.number().int(),
});
export type RegisterCatalogueWebhookResult = z.infer<typeof RegisterCatalogueWebhookResultSchema>;

export const RemoveCatalogueWebhookResultSchema = z.object({ organisationId: z.uuid(), registrationId: z.uuid(), position: z.number().int() });
export type RemoveCatalogueWebhookResult = z.infer<typeof RemoveCatalogueWebhookResultSchema>;

/**
 * What the receiver is POSTed, signed in the Ledger-Signature header: the match as the receiving
 * organisation may see it, the same as the event stream's `match` event.
 */
export const CatalogueWebhookPayloadSchema = z.object({
  deliveryId: z.string(),
  type: z.literal('catalogue.match'),
  organisationId: z.uuid(),
  createdAt: z.string(),
  match: z.record(z.string(), z.unknown()),
});
export type CatalogueWebhookPayload = z.infer<typeof CatalogueWebhookPayloadSchema>;
