import { z } from 'zod';
import { instant, position, uuid } from '../common/answers.js';

export const ProgrammeCommandResultSchema = z.object({ programmeId: uuid(), valueChainId: uuid().optional(), eventId: z.string(), position: position() });
export const SizeCommandResultSchema = z.object({ organisationId: uuid(), eventId: z.string(), position: position() });

const SmeStatusSchema = z.enum(['sme', 'not-sme', 'unknown']).describe('By the EU definition; unknown without a declared size (never assumed an SME)');

export const ProgrammeSchema = z.object({
  programmeId: uuid(),
  name: z.string(),
  tag: z.string().nullable().describe('The slug material is tagged with at origin'),
  managerOrganisationId: uuid().nullable(),
  registeredAt: instant(),
  valueChains: z.array(z.object({ valueChainId: uuid(), name: z.string(), registeredAt: instant() })),
});
export const ProgrammeListSchema = z.object({ programmes: z.array(ProgrammeSchema) });

export const MembersReportSchema = z.object({
  programmeId: uuid(),
  valueChainId: uuid().nullable(),
  from: z.string().describe('First day, YYYY-MM-DD'),
  to: z.string().describe('Last day, YYYY-MM-DD (included)'),
  members: z.array(
    z.object({
      organisationId: uuid(),
      name: z.string().nullable(),
      memberships: z.array(z.object({ valueChainId: uuid().nullable(), from: z.string(), until: z.string().nullable().describe('First day no longer a member') })),
      lastMemberDay: z.string().describe('The last day in the period it was a member: its SME status is read on that day'),
      sizeAppliesFrom: z.string().nullable().describe('The day the size in force on lastMemberDay applies from'),
      smeStatus: SmeStatusSchema,
    }),
  ),
  counts: z.object({ organisations: z.number().int(), smes: z.number().int(), notSmes: z.number().int(), unknown: z.number().int() }),
});

export const OrganisationSizesSchema = z.object({
  organisationId: uuid(),
  declarations: z.array(
    z.object({
      employees: z.number().int(),
      annualTurnoverEur: z.number().int(),
      balanceSheetTotalEur: z.number().int(),
      appliesFrom: z.string(),
      declaredBy: uuid(),
      declaredAt: instant(),
      smeStatus: SmeStatusSchema,
    }),
  ),
});
