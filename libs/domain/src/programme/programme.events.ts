import { z } from 'zod';
import { Instant, Uuid } from '../shared/units.js';

/**
 * Programmes, their value chains and their members over time (docs/decisions/041-programmes-and-sme-status.md).
 * Membership runs on calendar days (Europe/Copenhagen, as a programme reports): a member from day
 * `from` up to, not including, the day of its removal.
 */
export const EffectiveDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date')
  .meta({ example: '2023-08-15', description: 'a calendar day, YYYY-MM-DD (Europe/Copenhagen)' });
export type EffectiveDate = z.infer<typeof EffectiveDate>;

export const ProgrammeId = Uuid;
export const ValueChainId = Uuid;
export const ProgrammeName = z.string().trim().min(1).max(200);
/** The slug material is tagged with at origin (`programmeTags`), so a programme's figures can include it. */
export const ProgrammeTag = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a programme tag is a lower-case slug');
export const MembershipReason = z.string().trim().min(1).max(500);

export const ProgrammeRegistered = z.object({
  programmeId: ProgrammeId,
  name: ProgrammeName,
  tag: ProgrammeTag.optional(),
  /** The organisation that manages the programme: it may register value chains and add and remove members. */
  managerOrganisationId: Uuid.optional(),
  registeredBy: Uuid,
  occurredAt: Instant,
});
export type ProgrammeRegistered = z.infer<typeof ProgrammeRegistered>;

export const ValueChainRegistered = z.object({
  programmeId: ProgrammeId,
  valueChainId: ValueChainId,
  name: ProgrammeName,
  registeredBy: Uuid,
  occurredAt: Instant,
});
export type ValueChainRegistered = z.infer<typeof ValueChainRegistered>;

/** Without `valueChainId` the organisation is a member of the programme itself; with it, of that value chain (and so of the programme). */
export const ProgrammeMemberAdded = z.object({
  programmeId: ProgrammeId,
  valueChainId: ValueChainId.optional(),
  organisationId: Uuid,
  /** The first day it is a member. */
  from: EffectiveDate,
  addedBy: Uuid,
  occurredAt: Instant,
});
export type ProgrammeMemberAdded = z.infer<typeof ProgrammeMemberAdded>;

export const ProgrammeMemberRemoved = z.object({
  programmeId: ProgrammeId,
  valueChainId: ValueChainId.optional(),
  organisationId: Uuid,
  /** The first day it is no longer a member. */
  from: EffectiveDate,
  removedBy: Uuid,
  reason: MembershipReason.optional(),
  occurredAt: Instant,
});
export type ProgrammeMemberRemoved = z.infer<typeof ProgrammeMemberRemoved>;

export const programmeEventSchemas = {
  ProgrammeRegistered,
  ValueChainRegistered,
  ProgrammeMemberAdded,
  ProgrammeMemberRemoved,
} as const;
