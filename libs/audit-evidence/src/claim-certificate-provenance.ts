/**
 * A batch's origin breakdown recomputed from the events a claim certificate carries, with the
 * domain's own allocation (largest remainder over BigInt grams, docs/domain.md) and nothing else, so
 * that the browser can recompute it too (decision 045). It follows the provenance read model's fold
 * step for step: an origin event starts a vector, a weighing rescales it, a correction of an origin
 * mass replaces it, a process counts only once it completes (its steps, and events on its outputs,
 * wait until then), a void gives the outputs' grams back to the inputs. The verifier's spec checks
 * that it gives the provenance projection's figures to the gram on generated ledgers; in the CLI a
 * disagreement between the two fails the certificate.
 */
import {
  addVectors,
  allocateSequentially,
  cohortKey,
  originKeys,
  parseCohortKey,
  rescale,
  vectorSum,
  type DomainEvent,
  type OriginVector,
  type ProcessStarted,
} from '../../domain/src/index.js';

export interface PositionedEvent {
  readonly position: number;
  readonly event: DomainEvent;
}

export interface RecomputedProvenance {
  readonly batchId: string;
  /** Log position of the last event taken into account. */
  readonly asOfPosition: number;
  readonly massGrams: number;
  readonly cohorts: ReadonlyArray<{ readonly cohort: string; readonly grams: number }>;
  readonly byKommune: ReadonlyArray<{ readonly kommuneCode: string; readonly grams: number }>;
  /** Municipal collection (kommune:*) plus post-consumer business residuals. */
  readonly postConsumerGrams: number;
  readonly preConsumerGrams: number;
  readonly virginGrams: number;
  readonly untrackedGrams: number;
  /** post-consumer + pre-consumer: the waste grams, i.e. the recycled content. */
  readonly recycledGrams: number;
  /** recycled ÷ mass in basis points, rounded down (as the ledger's provenance: never overstated). */
  readonly recycledContentBasisPoints: number;
}

export class ProvenanceRecomputeError extends Error {}

interface Tracked {
  vector: OriginVector;
  massFromOrigin: boolean;
  originCohort?: string;
  state: 'open' | 'consumed' | 'closed' | 'voided';
}

interface Pending {
  readonly started: ProcessStarted;
  readonly held: DomainEvent[];
}

const CLOSING = new Set<DomainEvent['type']>(['BatchSoldForReuse', 'BatchIncinerated', 'BatchLandfilled', 'BatchExported', 'ProductPlacedOnMarket']);

function safe(grams: bigint): number {
  const n = Number(grams);
  if (!Number.isSafeInteger(n)) throw new ProvenanceRecomputeError(`${grams} g is beyond the safe integer range`);
  return n;
}

/**
 * The provenance of `batchId` after every event at or before `upToPosition` (all of them when
 * omitted), events in log order; null when the batch has none there (unknown, or an output of a
 * process that has not completed). @throws ProvenanceRecomputeError when the events break the
 * ledger's invariants (a process consuming a batch that is not open, or not at the mass it holds).
 */
export function recomputeProvenance(batchId: string, events: readonly PositionedEvent[], upToPosition = Number.MAX_SAFE_INTEGER): RecomputedProvenance | null {
  const batches = new Map<string, Tracked>();
  const pending = new Map<string, Pending>();
  const outputOf = new Map<string, string>();
  let asOf = -1;

  const take = (event: DomainEvent): void => {
    switch (event.type) {
      case 'BatchCollected':
        return originate(event.data.batchId, cohortKey(originKeys.kommune(event.data.kommuneCode), event.data.occurredAt), event.data.massGrams);
      case 'ResidualBatchRegistered':
        return originate(event.data.batchId, cohortKey(originKeys.residual(event.data.originClass, event.data.organisationId), event.data.occurredAt), event.data.massGrams);
      case 'CustodyTransferReceived':
        return reweigh(event.data.batchId, event.data.receivedMassGrams);
      case 'BatchMassCorrected': {
        const batch = open(event.data.batchId);
        if (batch === undefined) return;
        if (batch.massFromOrigin && batch.originCohort !== undefined) batch.vector = new Map([[batch.originCohort, BigInt(event.data.massGrams)]]);
        else reweigh(event.data.batchId, event.data.massGrams);
        return;
      }
      case 'ProcessVoided': {
        const voided = event.data;
        for (const input of voided.inputs) {
          const batch = batches.get(input.batchId);
          if (batch?.state !== 'consumed') throw new ProvenanceRecomputeError(`void of process ${voided.processId} restores ${input.batchId}, which is not a batch it consumed`);
          batch.state = 'open';
        }
        for (const output of voided.outputs) {
          const batch = batches.get(output.batchId);
          if (batch !== undefined) batch.state = 'voided';
        }
        return;
      }
      default:
        if (CLOSING.has(event.type)) {
          const batch = open((event.data as { batchId: string }).batchId);
          if (batch !== undefined) batch.state = 'closed';
        }
    }
  };
  const open = (id: string): Tracked | undefined => {
    const batch = batches.get(id);
    return batch?.state === 'open' ? batch : undefined;
  };
  const originate = (id: string, cohort: string, massGrams: number): void => {
    if (batches.has(id)) return;
    batches.set(id, { vector: new Map([[cohort, BigInt(massGrams)]]), massFromOrigin: true, originCohort: cohort, state: 'open' });
  };
  const reweigh = (id: string, massGrams: number): void => {
    const batch = open(id);
    if (batch === undefined) return;
    batch.vector = rescale(batch.vector, massGrams).vector;
    batch.massFromOrigin = false;
  };
  const complete = (process: ProcessStarted): void => {
    const vectors: OriginVector[] = process.inputs.map((input) => {
      const batch = open(input.batchId);
      if (batch === undefined) throw new ProvenanceRecomputeError(`process ${process.processId} consumes ${input.batchId}, which is not an open batch`);
      if (vectorSum(batch.vector) !== BigInt(input.massGrams)) {
        throw new ProvenanceRecomputeError(`process ${process.processId} consumes ${input.massGrams} g of ${input.batchId}, which holds ${vectorSum(batch.vector)} g`);
      }
      return batch.vector;
    });
    for (const external of process.externalInputs) vectors.push(new Map([[cohortKey(originKeys.external(external.originClass, process.processId), process.occurredAt), BigInt(external.massGrams)]]));
    const items = [...process.outputs.map((o) => o.massGrams), ...process.losses.map((l) => l.massGrams)];
    const pool = addVectors(...vectors);
    if (vectorSum(pool) !== items.reduce((sum, g) => sum + BigInt(g), 0n)) throw new ProvenanceRecomputeError(`process ${process.processId} does not balance`);
    const shares = allocateSequentially(pool, items);
    for (const input of process.inputs) batches.get(input.batchId)!.state = 'consumed';
    process.outputs.forEach((output, i) => batches.set(output.batchId, { vector: shares[i] ?? new Map(), massFromOrigin: false, state: 'open' }));
  };
  const forget = (processId: string, process: Pending): void => {
    pending.delete(processId);
    for (const output of process.started.outputs) outputOf.delete(output.batchId);
  };

  for (const { position, event } of events) {
    if (position > upToPosition) break;
    asOf = position;
    switch (event.type) {
      case 'ProcessStarted':
        if (pending.has(event.data.processId)) break;
        pending.set(event.data.processId, { started: event.data, held: [] });
        for (const output of event.data.outputs) outputOf.set(output.batchId, event.data.processId);
        break;
      case 'ProcessCompleted': {
        const process = pending.get(event.data.processId);
        if (process === undefined) break;
        forget(event.data.processId, process);
        complete(process.started);
        for (const held of process.held) take(held);
        break;
      }
      case 'ProcessRejected': {
        const process = pending.get(event.data.processId);
        if (process !== undefined) forget(event.data.processId, process);
        break;
      }
      case 'BatchConsumed':
      case 'BatchConsumptionReverted':
        // Consumption counts only through the completed process, which lists its inputs.
        break;
      default: {
        const subject = (event.data as { batchId?: unknown }).batchId;
        const processId = typeof subject === 'string' ? outputOf.get(subject) : undefined;
        if (processId !== undefined) pending.get(processId)!.held.push(event);
        else take(event);
      }
    }
  }

  const batch = batches.get(batchId);
  if (batch === undefined) return null;
  return figures(batchId, asOf, batch.vector);
}

function figures(batchId: string, asOfPosition: number, vector: OriginVector): RecomputedProvenance {
  const kommuner = new Map<string, bigint>();
  let post = 0n;
  let pre = 0n;
  let virgin = 0n;
  let untracked = 0n;
  let mass = 0n;
  const cohorts: Array<{ cohort: string; grams: number }> = [];
  for (const [cohort, grams] of vector) {
    const { originKey } = parseCohortKey(cohort);
    cohorts.push({ cohort, grams: safe(grams) });
    mass += grams;
    const cls = originKey.slice(0, originKey.indexOf(':'));
    if (cls === 'kommune') {
      const code = originKey.slice('kommune:'.length);
      kommuner.set(code, (kommuner.get(code) ?? 0n) + grams);
      post += grams;
    } else if (cls === 'post-consumer-business') post += grams;
    else if (cls === 'pre-consumer') pre += grams;
    else if (cls === 'virgin') virgin += grams;
    else if (cls === 'untracked') untracked += grams;
  }
  return {
    batchId,
    asOfPosition,
    massGrams: safe(mass),
    cohorts,
    byKommune: [...kommuner].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([kommuneCode, grams]) => ({ kommuneCode, grams: safe(grams) })),
    postConsumerGrams: safe(post),
    preConsumerGrams: safe(pre),
    virginGrams: safe(virgin),
    untrackedGrams: safe(untracked),
    recycledGrams: safe(post + pre),
    recycledContentBasisPoints: mass === 0n ? 0 : Number(((post + pre) * 10_000n) / mass),
  };
}
