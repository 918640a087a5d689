import { z } from 'zod';
import { Application, EwcCode, Grade } from '../batch/batch.events.js';
import { MAX_PROCESS_ITEMS, MAX_PROCESS_MASS_GRAMS } from '../shared/bounds.js';
import { BatchMassGrams, Composition, Instant, PositiveGrams, Uuid } from '../shared/units.js';
import { SiteId } from '../organisation/organisation.events.js';
import { ExternalInput, ProcessLoss, ProcessType } from './process.events.js';

export const RecordProcessOutput = z.object({
  batchId: Uuid,
  massGrams: BatchMassGrams,
  grade: Grade,
  composition: Composition,
  productType: z.string().trim().min(1).max(200).optional(),
  application: Application.optional(),
  ewcCode: EwcCode.optional(),
});

/** Documented like a batch: each external input is a delivered lot (decision 020). */
const RecordExternalInput = ExternalInput.extend({ massGrams: BatchMassGrams });
const RecordProcessLoss = ProcessLoss.extend({
  massGrams: PositiveGrams.meta({ minimum: 1, maximum: MAX_PROCESS_MASS_GRAMS, example: 2_000, description: 'integer grams lost in the process' }),
});
/** Documents the list bound the deciders enforce (a 422, decision 020); validation stays the deciders'. */
const listOf = <T extends z.ZodType>(item: T) => z.array(item).meta({ maxItems: MAX_PROCESS_ITEMS });

export const RecordProcess = z.object({
  processId: Uuid,
  processType: ProcessType,
  inputs: listOf(z.object({ batchId: Uuid })).min(1, 'a process consumes at least one input batch'),
  externalInputs: listOf(RecordExternalInput).default([]),
  outputs: listOf(RecordProcessOutput).min(1, 'a process produces at least one output batch'),
  losses: listOf(RecordProcessLoss).default([]),
  occurredAt: Instant,
  siteId: SiteId.optional(),
});
export type RecordProcess = z.infer<typeof RecordProcess>;

/** Voids a completed process (decision 011): its outputs are voided and its inputs restored. */
export const VoidProcess = z.object({
  processId: Uuid,
  reason: z.string().trim().min(1).max(1000),
  /** The ProcessCompleted event being corrected; the ledger names it when left out. */
  correctedEventId: z.string().min(1).optional(),
  occurredAt: Instant,
});
export type VoidProcess = z.infer<typeof VoidProcess>;
