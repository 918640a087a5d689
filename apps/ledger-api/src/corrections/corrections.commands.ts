import { CorrectMass, Instant, VoidProcess, type OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { CommandMetadata } from '../ledger/command-metadata.js';

export const CorrectMassBody = CorrectMass.omit({ batchId: true }).extend({ occurredAt: Instant.optional() }).strict();
export type CorrectMassBody = z.infer<typeof CorrectMassBody>;

export class CorrectMassCommand {
  constructor(
    readonly batchId: string,
    readonly body: CorrectMassBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

/** `POST /processes/:processId/void`: a reason, and optionally the ProcessCompleted event it corrects. */
export const VoidProcessBody = VoidProcess.omit({ processId: true }).extend({ occurredAt: Instant.optional() }).strict();
export type VoidProcessBody = z.infer<typeof VoidProcessBody>;

export class VoidProcessCommand {
  constructor(
    readonly processId: string,
    readonly body: VoidProcessBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export interface VoidProcessResult {
  processId: string;
  status: 'voided';
  /** The ProcessCompleted event the void corrects. */
  correctedEventId: string;
  /** The process's outputs, now voided. */
  voidedBatchIds: string[];
  /** Its inputs, available again with their original provenance. */
  restoredBatchIds: string[];
  /** Log position of the void's last event (read models include it when the answer comes). */
  position: number;
  /** True when this answers a retry of a command that had already voided the process. */
  replayed: boolean;
}
