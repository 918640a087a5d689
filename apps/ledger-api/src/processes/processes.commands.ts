import { Instant, MAX_PROCESS_ITEMS, RecordProcess, RecordProcessOutput, Uuid, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { AsOf } from '../ledger/as-of-replay.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';

export const RecordProcessBody = RecordProcess.extend({
  processId: Uuid.optional(),
  occurredAt: Instant.optional(),
  // The decider refuses more than MAX_PROCESS_ITEMS (a 422, decision 020); documented here like the domain's lists.
  outputs: z
    .array(RecordProcessOutput.extend({ batchId: Uuid.optional() }))
    .min(1, 'a process produces at least one output batch')
    .meta({ maxItems: MAX_PROCESS_ITEMS }),
}).strict();
export type RecordProcessBody = z.infer<typeof RecordProcessBody>;

export class RecordProcessCommand {
  constructor(
    readonly body: RecordProcessBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export class GetProcessQuery {
  constructor(
    readonly processId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}

export interface RecordProcessResult {
  processId: string;
  status: 'completed';
  outputBatchIds: string[];
  position: number;
  replayed: boolean;
}
