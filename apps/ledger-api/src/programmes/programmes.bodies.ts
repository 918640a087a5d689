import { AddProgrammeMember, DeclareOrganisationSize, EffectiveDate, Instant, ProgrammeId, RegisterProgramme, RegisterValueChain, RemoveProgrammeMember, ValueChainId } from '#domain';
import { z } from 'zod';

/** HTTP bodies: the programme (or organisation) comes from the path; ids and business time may be left to the ledger. */
export const RegisterProgrammeBody = RegisterProgramme.omit({ programmeId: true, occurredAt: true }).extend({ programmeId: ProgrammeId.optional(), occurredAt: Instant.optional() }).strict();
export type RegisterProgrammeBody = z.infer<typeof RegisterProgrammeBody>;

export const RegisterValueChainBody = RegisterValueChain.omit({ programmeId: true, valueChainId: true, occurredAt: true })
  .extend({ valueChainId: ValueChainId.optional(), occurredAt: Instant.optional() })
  .strict();
export type RegisterValueChainBody = z.infer<typeof RegisterValueChainBody>;

export const AddProgrammeMemberBody = AddProgrammeMember.omit({ programmeId: true, occurredAt: true }).extend({ occurredAt: Instant.optional() }).strict();
export type AddProgrammeMemberBody = z.infer<typeof AddProgrammeMemberBody>;

export const RemoveProgrammeMemberBody = RemoveProgrammeMember.omit({ programmeId: true, occurredAt: true }).extend({ occurredAt: Instant.optional() }).strict();
export type RemoveProgrammeMemberBody = z.infer<typeof RemoveProgrammeMemberBody>;

export const DeclareOrganisationSizeBody = DeclareOrganisationSize.omit({ organisationId: true, occurredAt: true }).extend({ occurredAt: Instant.optional() }).strict();
export type DeclareOrganisationSizeBody = z.infer<typeof DeclareOrganisationSizeBody>;

/** A period of whole days, both included; `to` left out means the one day `from`. */
export const MembersParams = z
  .object({ from: EffectiveDate, to: EffectiveDate.optional(), valueChainId: ValueChainId.optional() })
  .strict()
  .refine((p) => p.to === undefined || p.to >= p.from, { message: 'to lies before from', path: ['to'] });
export type MembersParams = z.infer<typeof MembersParams>;
