import { z } from 'zod';
import { position, uuid } from '../common/answers.js';

export const VoidProcessResultSchema = z.object({
  processId: uuid(),
  status: z.literal('voided'),
  correctedEventId: uuid(),
  voidedBatchIds: z.array(uuid()),
  restoredBatchIds: z.array(uuid()),
  position: position(),
  replayed: z.boolean(),
});
