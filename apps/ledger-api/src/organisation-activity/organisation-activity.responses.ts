import { z } from 'zod';
import { grams, instant, orgName, uuid } from '../common/answers.js';

const Period = <A extends string>(axis: A) => z.object({ axis: z.literal(axis), from: z.string().nullable(), to: z.string().nullable() }).describe('Half-open [from, to), normalised to UTC; null = unbounded');
const NextAfter = z.string().nullable().describe('Pass as `after` for the next page; null on the last');

export const ProcessListSchema = z.object({
  period: Period('occurredAt'),
  processes: z.array(
    z.object({
      processId: uuid(),
      processType: z.string(),
      status: z.enum(['started', 'completed', 'rejected', 'voided']),
      occurredAt: z.string().describe('Business time as recorded'),
      inputs: z.object({ batches: z.number().int(), massGrams: grams() }),
      externalInputs: z.object({ count: z.number().int(), massGrams: grams() }),
      outputs: z.object({ batches: z.number().int(), massGrams: grams() }),
      lossesGrams: grams(),
    }),
  ),
  nextAfter: NextAfter,
});

export const ShipmentListSchema = z.object({
  period: Period('dispatchedAt'),
  shipments: z.array(
    z.object({
      transferId: uuid(),
      batchId: uuid(),
      direction: z.enum(['outgoing', 'incoming']),
      counterpartOrgId: uuid().describe('The consignee of an outgoing shipment, the sender of an incoming one'),
      counterpartOrgName: orgName(),
      massGrams: grams().describe('The dispatch weight'),
      dispatchedAt: instant(),
      receivedAt: instant().nullable(),
      status: z.enum(['in-transit', 'received']),
      ownershipTransferred: z.boolean(),
    }),
  ),
  nextAfter: NextAfter,
});

export const PROCESS_LIST_EXAMPLE = {
  period: { axis: 'occurredAt', from: '2025-12-31T23:00:00.000Z', to: '2026-12-31T23:00:00.000Z' },
  processes: [
    {
      processId: '5b0c7d52-1f0e-4d3a-9a57-0f3c1e2d4b61',
      processType: 'sorting',
      status: 'completed',
      occurredAt: '2026-03-12T10:00:00+01:00',
      inputs: { batches: 3, massGrams: 1_000_000 },
      externalInputs: { count: 0, massGrams: 0 },
      outputs: { batches: 3, massGrams: 980_000 },
      lossesGrams: 20_000,
    },
  ],
  nextAfter: null,
};

export const SHIPMENT_LIST_EXAMPLE = {
  period: { axis: 'dispatchedAt', from: null, to: null },
  shipments: [
    {
      transferId: '9d1e6a4f-3c2b-4e8a-8f17-2a6b5c4d3e21',
      batchId: '0f8e2d6c-7b5a-4c3d-9e1f-6a5b4c3d2e10',
      direction: 'outgoing',
      counterpartOrgId: '3a9c1b7e-5d2f-4e6a-8b0c-1d2e3f4a5b6c',
      counterpartOrgName: 'Midtjysk Fiberværk',
      massGrams: 500_000,
      dispatchedAt: '2026-03-31T19:30:00.000Z',
      receivedAt: '2026-04-01T06:00:00.000Z',
      status: 'received',
      ownershipTransferred: true,
    },
  ],
  nextAfter: null,
};
