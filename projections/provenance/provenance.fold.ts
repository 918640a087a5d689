import {
  addVectors,
  allocateSequentially,
  cohortKey,
  originKeys,
  REPROCESSING_TYPES,
  rescale,
  vectorSum,
  vectorsEqual,
  type Application,
  type DomainEvent,
  type ExternalInput,
  type OriginVector,
  type ProcessStarted,
  type ProcessVoided,
} from '#domain';
import type { ProcessContext } from '../runner/process-gate.js';

/**
 * The origin-vector fold of docs/domain.md, in memory and free of I/O. Both the provenance and the
 * circularity projections run their own instance: the runner applies a whole page to one projection
 * before the next, so one projection cannot read another's in-memory state mid-page, and each stays
 * tied to its own checkpoint. The allocation itself lives in `#domain` (allocation.ts); this class
 * only decides what to allocate and when.
 *
 * It is fed through a ProcessGate: process steps arrive only once their process completes, with the
 * ProcessStarted data as context, and events on a pending process's outputs are held until then.
 */

export interface TrackedBatch {
  readonly batchId: string;
  /** Grams by cohort, sorted, summing to the batch's mass. */
  readonly vector: OriginVector;
  /**
   * True while the mass is still the one an origin event recorded, directly or through corrections of
   * it (as evolveBatch's massFromOrigin): a correction then changes what was collected rather than
   * being a weighing difference.
   */
  readonly massFromOrigin: boolean;
  /** The one cohort of a collected or registered batch; absent for process outputs. */
  readonly originCohort?: string;
  /** An output, or a descendant of an output, of mechanical-/chemical-recycling or manufacturing. */
  readonly reprocessed: boolean;
  readonly application?: Application;
  /**
   * `open` covers available, in transit and consumed by a process that has not completed; `voided`
   * is an output of a voided process (decision 011), whose grams went back to the inputs.
   */
  readonly state: 'open' | 'consumed' | 'closed' | 'voided';
}

export type Outcome =
  | { readonly kind: 'sold-for-reuse' }
  | { readonly kind: 'incinerated'; readonly energyRecovery: boolean }
  | { readonly kind: 'landfilled' }
  | { readonly kind: 'exported'; readonly purpose: 'reuse' | 'recycling' | 'unknown' }
  | { readonly kind: 'placed-on-market' };

export interface LossShare {
  readonly index: number;
  readonly kind: string;
  readonly vector: OriginVector;
}

/** What one event did to the vectors; projections turn these into rows and bucket moves. */
export type ProvenanceEffect =
  | { readonly kind: 'originated'; readonly batch: TrackedBatch }
  | { readonly kind: 'origin-corrected'; readonly batch: TrackedBatch; readonly before: OriginVector }
  | {
      readonly kind: 'reweighed';
      readonly batch: TrackedBatch;
      readonly before: OriginVector;
      /** new − old per cohort. */
      readonly difference: OriginVector;
    }
  /** Bookkeeping only (e.g. a receipt without difference ends massFromOrigin); no grams move. */
  | { readonly kind: 'updated'; readonly batch: TrackedBatch }
  | { readonly kind: 'closed'; readonly batch: TrackedBatch; readonly outcome: Outcome }
  | {
      readonly kind: 'process-completed';
      readonly process: ProcessStarted;
      /** The inputs as they were consumed (state `consumed`). */
      readonly inputs: readonly TrackedBatch[];
      readonly outputs: readonly TrackedBatch[];
      readonly losses: readonly LossShare[];
    }
  /** The reverse of `process-completed`: inputs open again, outputs voided, losses gone. */
  | {
      readonly kind: 'process-voided';
      readonly voided: ProcessVoided;
      readonly inputs: readonly TrackedBatch[];
      readonly outputs: readonly TrackedBatch[];
      readonly losses: readonly LossShare[];
    };

export class ProvenanceInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvenanceInvariantError';
  }
}

export class ProvenanceFold {
  /** Open batches only: closed and consumed ones can never change again, so they leave memory. */
  private readonly batches = new Map<string, TrackedBatch>();
  /** The process whose held events are being released (a release is one synchronous run). */
  private releasing: string | undefined;
  /** Consumed inputs of a voided process, read back from the table for its ProcessVoided. */
  private readonly staged = new Map<string, TrackedBatch>();

  batch(batchId: string): TrackedBatch | undefined {
    return this.batches.get(batchId);
  }

  openBatches(): IterableIterator<TrackedBatch> {
    return this.batches.values();
  }

  restoreBatch(batch: TrackedBatch): void {
    if (batch.state === 'open') this.batches.set(batch.batchId, batch);
    else if (batch.state === 'consumed') this.staged.set(batch.batchId, batch);
  }

  reset(): void {
    this.batches.clear();
    this.staged.clear();
    this.releasing = undefined;
  }

  /**
   * Folds one event that takes effect now. `process` is set for the events a completion releases: the
   * gate hands over the held steps and output-batch events first and ProcessCompleted last, so the
   * allocation runs at the first of them, before any event on an output needs the output's vector.
   */
  apply(event: DomainEvent, process?: ProcessContext): ProvenanceEffect[] {
    const effects: ProvenanceEffect[] = [];
    if (process && this.releasing !== process.processId) {
      this.releasing = process.processId;
      effects.push(...this.complete(process.started));
    }
    if (event.type === 'ProcessCompleted') {
      this.releasing = undefined;
      return effects;
    }
    effects.push(...this.take(event));
    return effects;
  }

  private take(event: DomainEvent): ProvenanceEffect[] {
    switch (event.type) {
      case 'BatchCollected': {
        const e = event.data;
        return this.originate(e.batchId, cohortKey(originKeys.kommune(e.kommuneCode), e.occurredAt), e.massGrams);
      }
      case 'ResidualBatchRegistered': {
        const e = event.data;
        return this.originate(e.batchId, cohortKey(originKeys.residual(e.originClass, e.organisationId), e.occurredAt), e.massGrams);
      }
      case 'CustodyTransferReceived':
        return this.reweigh(event.data.batchId, event.data.receivedMassGrams);
      case 'BatchMassCorrected': {
        const batch = this.batches.get(event.data.batchId);
        if (!batch) return [];
        return batch.massFromOrigin ? this.correctOrigin(batch, event.data.massGrams) : this.reweigh(batch.batchId, event.data.massGrams);
      }
      case 'BatchSoldForReuse':
        return this.close(event.data.batchId, { kind: 'sold-for-reuse' });
      case 'BatchIncinerated':
        return this.close(event.data.batchId, { kind: 'incinerated', energyRecovery: event.data.energyRecovery });
      case 'BatchLandfilled':
        return this.close(event.data.batchId, { kind: 'landfilled' });
      case 'BatchExported':
        return this.close(event.data.batchId, { kind: 'exported', purpose: event.data.purpose });
      case 'ProductPlacedOnMarket':
        return this.close(event.data.batchId, { kind: 'placed-on-market' });
      case 'ProcessVoided':
        return this.void(event.data);
      default:
        // Consumption and BatchProduced only matter through their completed process; dispatch and
        // cancellation move no grams.
        return [];
    }
  }

  private originate(batchId: string, cohort: string, massGrams: number): ProvenanceEffect[] {
    if (this.batches.has(batchId)) return [];
    const batch: TrackedBatch = {
      batchId,
      vector: new Map([[cohort, BigInt(massGrams)]]),
      massFromOrigin: true,
      originCohort: cohort,
      reprocessed: false,
      state: 'open',
    };
    this.batches.set(batchId, batch);
    return [{ kind: 'originated', batch }];
  }

  private correctOrigin(batch: TrackedBatch, massGrams: number): ProvenanceEffect[] {
    if (batch.originCohort === undefined) {
      throw new ProvenanceInvariantError(`batch ${batch.batchId} has an origin mass but no origin cohort`);
    }
    const next: TrackedBatch = { ...batch, vector: new Map([[batch.originCohort, BigInt(massGrams)]]) };
    this.batches.set(batch.batchId, next);
    return [{ kind: 'origin-corrected', batch: next, before: batch.vector }];
  }

  /**
   * A weighing: a receipt, or a correction of a mass that is not the origin's. The vector is rescaled
   * and the per-cohort change is a weighing difference. Any later correction names this weighing, so
   * it is no longer the origin's mass (as evolveBatch's massFromOrigin).
   */
  private reweigh(batchId: string, massGrams: number): ProvenanceEffect[] {
    const batch = this.batches.get(batchId);
    if (!batch) return [];
    const { vector, difference } = rescale(batch.vector, massGrams);
    const next: TrackedBatch = { ...batch, vector, massFromOrigin: false };
    this.batches.set(batchId, next);
    if (difference.size > 0) return [{ kind: 'reweighed', batch: next, before: batch.vector, difference }];
    return batch.massFromOrigin ? [{ kind: 'updated', batch: next }] : [];
  }

  private close(batchId: string, outcome: Outcome): ProvenanceEffect[] {
    const batch = this.batches.get(batchId);
    if (!batch) return [];
    this.batches.delete(batchId);
    return [{ kind: 'closed', batch: { ...batch, state: 'closed' }, outcome }];
  }

  /** Pools the inputs' vectors and the external inputs, then hands the pool out in fixed order. */
  private complete(process: ProcessStarted): ProvenanceEffect[] {
    const processId = process.processId;
    const inputs: TrackedBatch[] = [];
    for (const input of process.inputs) {
      const batch = this.batches.get(input.batchId);
      // Either would mean grams counted twice or from nowhere; the write side forbids both, so a
      // read model that met one must stop rather than publish a wrong recycled-content figure.
      if (!batch) {
        throw new ProvenanceInvariantError(`process ${processId} consumes ${input.batchId}, which is not an open batch`);
      }
      inputs.push(batch);
    }
    const shares = allocate(process, inputs);
    const reprocessed = REPROCESSING_TYPES.has(process.processType) || inputs.some((b) => b.reprocessed);
    const outputs = process.outputs.map(
      (output, i): TrackedBatch => ({
        batchId: output.batchId,
        vector: shares[i] ?? new Map(),
        massFromOrigin: false,
        reprocessed,
        ...(output.application !== undefined ? { application: output.application } : {}),
        state: 'open',
      }),
    );
    const losses = process.losses.map(
      (loss, i): LossShare => ({ index: i, kind: loss.kind, vector: shares[process.outputs.length + i] ?? new Map() }),
    );

    const consumed = inputs.map((b): TrackedBatch => ({ ...b, state: 'consumed' }));
    for (const b of inputs) this.batches.delete(b.batchId);
    for (const b of outputs) this.batches.set(b.batchId, b);
    return [{ kind: 'process-completed', process, inputs: consumed, outputs, losses }];
  }

  /**
   * Undoes a completed process (decision 011): the inputs, read back as they were consumed, are open
   * again; the outputs, which the write side let nobody touch or re-weigh, are voided. The allocation
   * is run again from the inputs, and must give back exactly the outputs' vectors; the losses' shares
   * are what it gives them.
   */
  private void(voided: ProcessVoided): ProvenanceEffect[] {
    const processId = voided.processId;
    const inputs: TrackedBatch[] = voided.inputs.map(({ batchId }) => {
      const batch = this.staged.get(batchId);
      this.staged.delete(batchId);
      if (!batch) throw new ProvenanceInvariantError(`void of process ${processId} restores ${batchId}, which is not a batch it consumed`);
      return batch;
    });
    const outputs: TrackedBatch[] = voided.outputs.map(({ batchId }) => {
      const batch = this.batches.get(batchId);
      if (!batch) throw new ProvenanceInvariantError(`void of process ${processId} voids ${batchId}, which is not an open batch`);
      return batch;
    });
    const shares = allocate({ ...voided, occurredAt: voided.processOccurredAt }, inputs);
    outputs.forEach((output, i) => {
      if (!vectorsEqual(output.vector, shares[i] ?? new Map())) {
        throw new ProvenanceInvariantError(`void of process ${processId}: output ${output.batchId} no longer holds the grams the process gave it`);
      }
    });
    const losses = voided.losses.map((loss, i): LossShare => ({ index: i, kind: loss.kind, vector: shares[voided.outputs.length + i] ?? new Map() }));
    const restored = inputs.map((b): TrackedBatch => ({ ...b, state: 'open' }));
    const gone = outputs.map((b): TrackedBatch => ({ ...b, state: 'voided' }));
    for (const b of outputs) this.batches.delete(b.batchId);
    for (const b of restored) this.batches.set(b.batchId, b);
    return [{ kind: 'process-voided', voided, inputs: restored, outputs: gone, losses }];
  }
}

interface Allocated {
  readonly processId: string;
  readonly inputs: ReadonlyArray<{ readonly batchId: string; readonly massGrams: number }>;
  readonly externalInputs: readonly ExternalInput[];
  readonly outputs: ReadonlyArray<{ readonly massGrams: number }>;
  readonly losses: ReadonlyArray<{ readonly massGrams: number }>;
  readonly occurredAt: string;
}

/** The shares of a process's outputs then losses, from its inputs' vectors and its external inputs. */
function allocate(process: Allocated, inputs: readonly TrackedBatch[]): OriginVector[] {
  const processId = process.processId;
  const vectors: OriginVector[] = [];
  process.inputs.forEach((input, i) => {
    const batch = inputs[i]!;
    if (vectorSum(batch.vector) !== BigInt(input.massGrams)) {
      throw new ProvenanceInvariantError(`process ${processId} consumes ${input.massGrams} g of ${input.batchId}, which holds ${vectorSum(batch.vector)} g`);
    }
    vectors.push(batch.vector);
  });
  for (const external of process.externalInputs) {
    const cohort = cohortKey(originKeys.external(external.originClass, processId), process.occurredAt);
    vectors.push(new Map([[cohort, BigInt(external.massGrams)]]));
  }
  const pool = addVectors(...vectors);
  const items = [...process.outputs.map((o) => o.massGrams), ...process.losses.map((l) => l.massGrams)];
  const itemGrams = items.reduce((sum, g) => sum + BigInt(g), 0n);
  if (vectorSum(pool) !== itemGrams) {
    throw new ProvenanceInvariantError(`process ${processId} does not balance: ${vectorSum(pool)} g in, ${itemGrams} g out`);
  }
  return allocateSequentially(pool, items);
}
