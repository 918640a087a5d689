import { ProcessStarted } from '#domain';
import { z } from 'zod';
import { AsOfMember, instant, orgName, position, uuid } from '../common/answers.js';

export const ProcessViewSchema = z.object({
  processId: uuid(),
  organisationId: uuid(),
  organisationName: orgName(),
  processType: z.string(),
  status: z.enum(['started', 'completed', 'rejected', 'voided']),
  occurredAt: instant(),
  startedAt: instant(),
  endedAt: instant().nullable(),
  rejectionReason: z.string().nullable(),
  heldInputs: z.number().int(),
  definition: ProcessStarted.describe('The ProcessStarted event as recorded'),
  void: z
    .object({
      attempts: z.number().int(),
      status: z.enum(['started', 'voided', 'rejected']),
      reason: z.string(),
      correctedEventId: uuid(),
      actorOrgId: uuid(),
      actorOrgName: orgName(),
      occurredAt: instant(),
      startedAt: instant(),
      endedAt: instant().nullable(),
      rejectionReason: z.string().nullable(),
      voidedOutputs: z.number().int(),
    })
    .nullable(),
  asOf: AsOfMember,
});

export const RecordProcessResultSchema = z.object({ processId: uuid(), status: z.literal('completed'), outputBatchIds: z.array(uuid()), position: position(), replayed: z.boolean() });
