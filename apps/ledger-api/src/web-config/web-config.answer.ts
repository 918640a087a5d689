import { z } from 'zod';
import type { OidcConfig } from '../common/oidc.config.js';

/**
 * What the web application needs before anyone signs in (decision 035): whether it may offer
 * "Sign in with …" and where to send the person. Nothing here is a secret: the client is public
 * (PKCE, no client secret), and the same values are in the provider's discovery document.
 */
/** Named apart from its type: swc's decorator metadata would otherwise hand Swagger the schema as the handler's type. */
export const WebConfigAnswerSchema = z.object({
  oidc: z
    .object({
      issuer: z.string().describe('the issuer the ID token and the access token must name (LEDGER_OIDC_ISSUER)'),
      clientId: z.string().describe('the public client the web application is registered as (LEDGER_OIDC_WEB_CLIENT_ID)'),
      scopes: z.array(z.string()).describe('scopes to ask for; always includes openid'),
      authorizationEndpoint: z.string().describe('where the browser is sent to sign in'),
      tokenEndpoint: z.string().describe('where the browser exchanges the code, with its PKCE verifier'),
      providerName: z.string().describe('shown as "Sign in with …"'),
    })
    .nullable()
    .describe('null: OIDC sign-in in the browser is not configured; sign in with an API key'),
});
export type WebConfigAnswer = z.infer<typeof WebConfigAnswerSchema>;

/** The JSON Schema of the answer, for the OpenAPI document. */
export function webConfigAnswerSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(WebConfigAnswerSchema, { io: 'output' }) as Record<string, unknown>;
  return schema;
}

export function webConfigAnswer(oidc: OidcConfig | undefined): WebConfigAnswer {
  const web = oidc?.web;
  if (!oidc || !web) return { oidc: null };
  return {
    oidc: {
      issuer: oidc.issuer,
      clientId: web.clientId,
      scopes: [...web.scopes],
      authorizationEndpoint: web.authorizationEndpoint.href,
      tokenEndpoint: web.tokenEndpoint.href,
      providerName: web.providerName,
    },
  };
}
