import { ROLES } from '#domain';
import { z } from 'zod';

const uuid = z.string().describe('UUID');

/** The web application's pages, by the fragment it addresses them with (apps/ledger-web/src/shared/router.ts). */
export const WEB_PAGES = ['home', 'batches', 'organisation', 'municipality', 'audit', 'operator'] as const;
export type WebPage = (typeof WEB_PAGES)[number];

export const MeAnswerSchema = z.object({
  organisationId: uuid.describe('Whose rights the request has: the impersonated organisation under impersonation'),
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  kommuneCode: z.string().nullable().describe('A municipality’s kommune; null for everyone else'),
  kommuneName: z.string().nullable(),
  operator: z.boolean(),
  auditor: z.boolean(),
  /** Everything (auditors, the operator) or what the organisation is party to. */
  readScope: z.enum(['all', 'organisation']),
  authentication: z.discriminatedUnion('method', [
    z.object({ method: z.literal('api-key'), keyId: z.string().describe('The key’s public id, never its secret') }),
    z.object({ method: z.literal('oidc'), subject: z.string().nullable().describe('The token’s `sub`') }),
  ]),
  impersonation: z
    .object({ operatorOrgId: uuid, operatorOrgName: z.string().nullable(), reason: z.string() })
    .nullable()
    .describe('Set when the operator acts as this organisation (Ledger-Impersonate)'),
  pages: z
    .array(z.object({ page: z.enum(WEB_PAGES), href: z.string().describe('The web application’s fragment address') }))
    .describe('The web application’s pages this principal may use, in navigation order'),
});
export type MeAnswer = z.infer<typeof MeAnswerSchema>;

export const ME_EXAMPLE: MeAnswer = {
  organisationId: '01938f7c-5a2e-7c41-9d2a-3f6b8e1c4a10',
  name: 'Herning Kommune',
  roles: ['municipality'],
  kommuneCode: '0657',
  kommuneName: 'Herning',
  operator: false,
  auditor: false,
  readScope: 'organisation',
  authentication: { method: 'api-key', keyId: '3f9a1c2b7d4e' },
  impersonation: null,
  pages: [
    { page: 'home', href: '#/' },
    { page: 'batches', href: '#/batches' },
    { page: 'organisation', href: '#/organisations/01938f7c-5a2e-7c41-9d2a-3f6b8e1c4a10' },
    { page: 'municipality', href: '#/municipality/0657' },
    { page: 'audit', href: '#/audit' },
  ],
};
