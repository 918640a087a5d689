import { z } from 'zod';
import { Application, EwcCode, Grade, Parent } from '../batch/batch.events.js';
import { SiteId } from '../organisation/organisation.events.js';
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
  /** The organisation's site where the process ran; its outputs are held there. */
  siteId: SiteId.optional(),
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

// ---- 4.5 corrections: voiding a completed process (decision 011) ----

const VoidAttempt = z.number().int().nonnegative();
const VoidReason = z.string().min(1).max(1000);

export const VoidedOutput = z.object({
  batchId: Uuid,
  massGrams: PositiveGrams,
  /** The output's BatchProduced event: the output must still carry the mass it recorded. */
  producedEventId: z.string().min(1),
  /** The revision at which the output was validated. */
  expectedRevision: z.number().int().nonnegative(),
});
export type VoidedOutput = z.infer<typeof VoidedOutput>;

export const RestoredInput = z.object({
  batchId: Uuid,
  massGrams: PositiveGrams,
  /** The input's BatchConsumed event, which the restore undoes. */
  consumedEventId: z.string().min(1),
});
export type RestoredInput = z.infer<typeof RestoredInput>;

/**
 * The intent of a void, on the process stream right after what was read (ProcessCompleted, or the
 * end of an earlier, rejected attempt), so only one void of a process runs at a time.
 */
export const ProcessVoidStarted = z.object({
  processId: Uuid,
  /** 0 for the first void of the process, one more after each rejected attempt. */
  attempt: VoidAttempt,
  /** The ProcessCompleted event the void corrects. */
  correctedEventId: z.string().min(1),
  reason: VoidReason,
  /** The organisation that ran the process (and voids it). */
  organisationId: Uuid,
  outputs: z.array(VoidedOutput).min(1),
  inputs: z.array(RestoredInput).min(1),
  occurredAt: Instant,
});
export type ProcessVoidStarted = z.infer<typeof ProcessVoidStarted>;

const MassOf = z.object({ batchId: Uuid, massGrams: PositiveGrams });

/**
 * The void is decided: every output is voided, and the inputs are restored after it (decision 011).
 * Carries what read models need to un-count the process without its ProcessStarted at hand.
 */
export const ProcessVoided = z.object({
  processId: Uuid,
  attempt: VoidAttempt,
  correctedEventId: z.string().min(1),
  reason: VoidReason,
  organisationId: Uuid,
  processType: ProcessType,
  /** Business time of the voided process; read models un-count it at that time. */
  processOccurredAt: Instant,
  inputs: z.array(MassOf).min(1),
  outputs: z.array(MassOf).min(1),
  externalInputs: z.array(ExternalInput),
  losses: z.array(ProcessLoss),
  occurredAt: Instant,
});
export type ProcessVoided = z.infer<typeof ProcessVoided>;

/** A void that could not be carried out (an output was used meanwhile); the process stays counted. */
export const ProcessVoidRejected = z.object({
  processId: Uuid,
  attempt: VoidAttempt,
  reason: z.string().min(1),
  /** The output that could no longer be voided, when that was the cause. */
  batchId: Uuid.optional(),
});
export type ProcessVoidRejected = z.infer<typeof ProcessVoidRejected>;

export const processEventSchemas = {
  ProcessStarted,
  ProcessCompleted,
  ProcessRejected,
  ProcessVoidStarted,
  ProcessVoided,
  ProcessVoidRejected,
} as const;
