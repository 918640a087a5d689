import { z } from 'zod';
import { Application, EwcCode, Grade, Parent } from '../batch/batch.events.js';
import { Composition, Instant, PositiveGrams, Uuid } from '../shared/units.js';

export const PROCESS_TYPES = [
  'sorting',
  'splitting',
  'blending',
  'mechanical-recycling',
  'chemical-recycling',
  'manufacturing',
  'repair',
] as const;
export const ProcessType = z.enum(PROCESS_TYPES);
export type ProcessType = z.infer<typeof ProcessType>;

/** Process types whose outputs count as reprocessed (recycled) material. */
export const REPROCESSING_TYPES: ReadonlySet<ProcessType> = new Set(['mechanical-recycling', 'chemical-recycling', 'manufacturing']);

export const ProcessInput = z.object({
  batchId: Uuid,
  massGrams: PositiveGrams,
  /** The stream revision that was validated; BatchConsumed is appended expecting it. */
  expectedRevision: z.number().int().nonnegative(),
});
export type ProcessInput = z.infer<typeof ProcessInput>;

export const ExternalInput = z.object({
  description: z.string().min(1).max(500),
  massGrams: PositiveGrams,
  composition: Composition,
  originClass: z.enum(['virgin', 'untracked']),
});
export type ExternalInput = z.infer<typeof ExternalInput>;

export const ProcessOutput = z.object({
  batchId: Uuid,
  massGrams: PositiveGrams,
  grade: Grade,
  composition: Composition,
  productType: z.string().min(1).max(200).optional(),
  application: Application.optional(),
  ewcCode: EwcCode.optional(),
  /** Grams of each input batch in this output (by proportional allocation over the inputs). */
  parents: z.array(Parent),
});
export type ProcessOutput = z.infer<typeof ProcessOutput>;

export const LOSS_KINDS = ['moisture-dust', 'process-waste', 'unknown'] as const;
export const ProcessLoss = z.object({
  kind: z.enum(LOSS_KINDS),
  massGrams: PositiveGrams,
});
export type ProcessLoss = z.infer<typeof ProcessLoss>;

/** The intent: the full, validated command. Written first, expecting no stream. */
export const ProcessStarted = z.object({
  processId: Uuid,
  organisationId: Uuid,
  processType: ProcessType,
  inputs: z.array(ProcessInput).min(1),
  externalInputs: z.array(ExternalInput).default([]),
  outputs: z.array(ProcessOutput).min(1),
  losses: z.array(ProcessLoss).default([]),
  occurredAt: Instant,
});
export type ProcessStarted = z.infer<typeof ProcessStarted>;

export const ProcessCompleted = z.object({ processId: Uuid });
export type ProcessCompleted = z.infer<typeof ProcessCompleted>;

export const ProcessRejected = z.object({
  processId: Uuid,
  reason: z.string().min(1),
  /** The input whose consumption failed, when that was the cause. */
  batchId: Uuid.optional(),
});
export type ProcessRejected = z.infer<typeof ProcessRejected>;

export const processEventSchemas = {
  ProcessStarted,
  ProcessCompleted,
  ProcessRejected,
} as const;
