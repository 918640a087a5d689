import { Instant, RecordProcess, RecordProcessOutput, Uuid, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { AsOf } from '../ledger/as-of-replay.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';

export const RecordProcessBody = RecordProcess.extend({
  processId: Uuid.optional(),
  occurredAt: Instant.optional(),
  outputs: z.array(RecordProcessOutput.extend({ batchId: Uuid.optional() })).min(1, 'a process produces at least one output batch'),
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
