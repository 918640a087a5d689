import { Instant, WEBHOOK_URL_MAX_LENGTH } from '#domain';
import { z } from 'zod';

/** The endpoint's URL; the ledger generates the secret (shown once in the answer). */
export const RegisterCatalogueWebhookBody = z.object({ url: z.string().min(1).max(WEBHOOK_URL_MAX_LENGTH), occurredAt: Instant.optional() }).strict();
export type RegisterCatalogueWebhookBody = z.infer<typeof RegisterCatalogueWebhookBody>;
export const RemoveCatalogueWebhookBody = z.object({ occurredAt: Instant.optional() }).strict();
export type RemoveCatalogueWebhookBody = z.infer<typeof RemoveCatalogueWebhookBody>;
