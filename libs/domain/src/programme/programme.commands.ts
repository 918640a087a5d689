import { z } from 'zod';
import { Instant, Uuid } from '../shared/units.js';
import { EffectiveDate, MembershipReason, ProgrammeId, ProgrammeName, ProgrammeTag, ValueChainId } from './programme.events.js';

export const RegisterProgramme = z.object({
  programmeId: ProgrammeId,
  name: ProgrammeName,
  tag: ProgrammeTag.optional(),
  managerOrganisationId: Uuid.optional(),
  occurredAt: Instant,
});
export type RegisterProgramme = z.infer<typeof RegisterProgramme>;

export const RegisterValueChain = z.object({
  programmeId: ProgrammeId,
  valueChainId: ValueChainId,
  name: ProgrammeName,
  occurredAt: Instant,
});
export type RegisterValueChain = z.infer<typeof RegisterValueChain>;

export const AddProgrammeMember = z.object({
  programmeId: ProgrammeId,
  valueChainId: ValueChainId.optional(),
  organisationId: Uuid,
  from: EffectiveDate,
  occurredAt: Instant,
});
export type AddProgrammeMember = z.infer<typeof AddProgrammeMember>;

export const RemoveProgrammeMember = z.object({
  programmeId: ProgrammeId,
  valueChainId: ValueChainId.optional(),
  organisationId: Uuid,
  from: EffectiveDate,
  reason: MembershipReason.optional(),
  occurredAt: Instant,
});
export type RemoveProgrammeMember = z.infer<typeof RemoveProgrammeMember>;
