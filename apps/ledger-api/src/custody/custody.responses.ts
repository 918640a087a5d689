import { z } from 'zod';
import { AsOfMember, grams, instant, orgName, position, uuid } from '../common/answers.js';

const Shipment = z.object({
  transferId: uuid(),
  toOrgId: uuid(),
  toOrgName: orgName(),
  massGrams: grams(),
  dispatchedAt: instant(),
  ownershipTransferred: z.boolean(),
  status: z.enum(['in-transit', 'received']),
});

export const CustodyTimelineSchema = z.object({
  batchId: uuid(),
  axis: z.literal('occurredAt'),
  periods: z.array(
    z.object({
      seq: z.number().int(),
      organisationId: uuid(),
      organisationName: orgName(),
      ownerOrgId: uuid(),
      ownerOrgName: orgName(),
      from: z.object({ kind: z.enum(['collected', 'registered', 'produced', 'received']), detail: z.string().nullable(), occurredAt: instant(), recordedAt: instant(), position: position() }),
      to: z
        .object({ endedBy: z.enum(['dispatched', 'consumed', 'closed', 'voided']), detail: z.string().nullable(), occurredAt: instant(), recordedAt: instant(), position: position() })
        .nullable()
        .describe('null while the period is open'),
      shipment: Shipment.nullable(),
    }),
  ),
  currentCustodianOrgId: uuid().nullable(),
  currentCustodianOrgName: orgName(),
  inTransit: Shipment.nullable(),
  asOf: AsOfMember,
});
