import { z } from 'zod';
import { Application, EwcCode, Grade } from '../batch/batch.events.js';
import { Composition, Instant, PositiveGrams, Uuid } from '../shared/units.js';
import { ExternalInput, ProcessLoss, ProcessType } from './process.events.js';

export const RecordProcessOutput = z.object({
  batchId: Uuid,
  massGrams: PositiveGrams,
  grade: Grade,
  composition: Composition,
  productType: z.string().trim().min(1).max(200).optional(),
  application: Application.optional(),
  ewcCode: EwcCode.optional(),
});

export const RecordProcess = z.object({
  processId: Uuid,
  processType: ProcessType,
  inputs: z.array(z.object({ batchId: Uuid })).min(1, 'a process consumes at least one input batch'),
  externalInputs: z.array(ExternalInput).default([]),
  outputs: z.array(RecordProcessOutput).min(1, 'a process produces at least one output batch'),
  losses: z.array(ProcessLoss).default([]),
  occurredAt: Instant,
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
