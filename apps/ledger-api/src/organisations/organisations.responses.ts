import { ROLES } from '#domain';
import { z } from 'zod';
import { AsOfMember, instant, orgName, position, uuid } from '../common/answers.js';

const OrganisationFields = {
  organisationId: uuid(),
  name: z.string(),
  cvr: z.string().nullable(),
  roles: z.array(z.enum(ROLES)),
  kommuneCode: z.string().nullable(),
  sites: z.array(z.object({ name: z.string(), address: z.string() }).catchall(z.unknown())),
  registeredAt: instant(),
  recordedAt: instant(),
  position: position(),
};
export const OrganisationSchema = z.object({ ...OrganisationFields, asOf: AsOfMember });
export const OrganisationListSchema = z.array(z.object(OrganisationFields));

export const RegisterOrganisationResultSchema = z.object({
  organisationId: uuid(),
  name: z.string(),
  roles: z.array(z.string()),
  apiKey: z.string().optional().describe('Shown once; absent when a retry is answered'),
  apiKeyId: z.string(),
  position: position(),
});

export const IssueApiKeyResultSchema = z.object({
  organisationId: uuid(),
  apiKeyId: z.string(),
  apiKey: z.string().optional().describe('Shown once; absent when a retry is answered'),
  revokedKeyId: z.string().optional(),
  position: position(),
});
export const RevokeApiKeyResultSchema = z.object({ organisationId: uuid(), keyId: z.string(), position: position() });
export const ApiKeyListSchema = z.array(
  z.object({
    keyId: z.string(),
    issuedAt: instant(),
    issuedBy: z.string().nullable(),
    issueReason: z.string().nullable(),
    revokedAt: instant().nullable(),
    revokedBy: z.string().nullable(),
    revokeReason: z.string().nullable(),
    replacedByKeyId: z.string().nullable(),
  }),
);

export const CollectorAuthorisationResultSchema = z.object({
  organisationId: uuid().describe('The municipality'),
  kommuneCode: z.string(),
  collectorOrgId: uuid(),
  eventId: uuid(),
  position: position(),
});
export const CollectorAuthorisationListSchema = z.array(
  z.object({
    kommuneCode: z.string(),
    collectorOrgId: uuid(),
    collectorOrgName: orgName(),
    active: z.boolean(),
    authorisedAt: instant(),
    authorisedBy: z.string(),
    authoriseReason: z.string().nullable(),
    revokedAt: instant().nullable(),
    revokedBy: z.string().nullable(),
    revokeReason: z.string().nullable(),
  }),
);
