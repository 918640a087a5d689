import type { DomainEvent } from '../events.js';
import type { Composition } from '../shared/units.js';
import type { Application, Grade } from './batch.events.js';

/** `voided`: an output of a voided process (decision 011); like `closed`, it takes no more commands. */
export type BatchStatus = 'available' | 'in-transit' | 'consumed' | 'closed' | 'voided';

/** Where the batch came from: an origin event, or a process. */
export type BatchOrigin =
  | { kind: 'collected'; kommuneCode: string }
  | { kind: 'residual'; originClass: 'pre-consumer' | 'post-consumer-business' }
  | { kind: 'produced'; processId: string };

export interface PendingTransfer {
  transferId: string;
  fromOrgId: string;
  toOrgId: string;
  massGrams: number;
  ownershipTransferred: boolean;
}

export type BatchOutcome =
  | 'sold-for-reuse'
  | 'incinerated'
  | 'landfilled'
  | 'exported'
  | 'placed-on-market';

export interface BatchState {
  batchId: string;
  origin: BatchOrigin;
  massGrams: number;
  /** `unsorted` until a process grades it. */
  grade: Grade | 'unsorted';
  composition: Composition;
  application?: Application;
  productType?: string;
  custodianOrgId: string;
  ownerOrgId: string;
  status: BatchStatus;
  pendingTransfer?: PendingTransfer;
  consumedByProcessId?: string;
  /** Set while the batch is voided as an output of this process's void attempt. */
  voidedBy?: { readonly processId: string; readonly attempt: number };
  outcome?: BatchOutcome;
  /**
   * The event that last set the mass, which a correction must name. `fromOrigin` tells whether that
   * mass is still the one the origin event recorded (directly or by correcting it).
   */
  massEventId: string;
  massFromOrigin: boolean;
  anomalies: number;
  programmeTags: string[];
  /**
   * The latest business time recorded on the batch's stream: a command on the batch may not lie
   * before it (decision 020). Optional because read models rebuild states from rows without it.
   */
  latestOccurredAt?: string;
}

/** The envelope facts that evolve needs beyond the event data. */
export interface EvolveMeta {
  eventId: string;
}

/** Folds one event into a batch's state. `undefined` means the stream does not exist yet. */
export function evolveBatch(state: BatchState | undefined, event: DomainEvent, meta: EvolveMeta): BatchState | undefined {
  const next = evolveBatchFacts(state, event, meta);
  const occurredAt = 'occurredAt' in event.data ? event.data.occurredAt : undefined;
  if (next === undefined || occurredAt === undefined) return next;
  // The maximum, not the last: streams written before the ordering rule may run backwards.
  const latest = next.latestOccurredAt;
  return latest !== undefined && Date.parse(latest) >= Date.parse(occurredAt) ? next : { ...next, latestOccurredAt: occurredAt };
}

function evolveBatchFacts(state: BatchState | undefined, event: DomainEvent, meta: EvolveMeta): BatchState | undefined {
  switch (event.type) {
    case 'BatchCollected': {
      const e = event.data;
      return {
        batchId: e.batchId,
        origin: { kind: 'collected', kommuneCode: e.kommuneCode },
        massGrams: e.massGrams,
        grade: 'unsorted',
        composition: [{ fibre: 'unknown', share: 10_000 }],
        custodianOrgId: e.collectorOrgId,
        ownerOrgId: e.collectorOrgId,
        status: 'available',
        massEventId: meta.eventId,
        massFromOrigin: true,
        anomalies: 0,
        programmeTags: [...e.programmeTags],
      };
    }
    case 'ResidualBatchRegistered': {
      const e = event.data;
      return {
        batchId: e.batchId,
        origin: { kind: 'residual', originClass: e.originClass },
        massGrams: e.massGrams,
        grade: 'unsorted',
        composition: e.composition,
        custodianOrgId: e.organisationId,
        ownerOrgId: e.organisationId,
        status: 'available',
        massEventId: meta.eventId,
        massFromOrigin: true,
        anomalies: 0,
        programmeTags: [...e.programmeTags],
      };
    }
    case 'BatchProduced': {
      const e = event.data;
      return {
        batchId: e.batchId,
        origin: { kind: 'produced', processId: e.processId },
        massGrams: e.massGrams,
        grade: e.grade,
        composition: e.composition,
        ...(e.application !== undefined ? { application: e.application } : {}),
        ...(e.productType !== undefined ? { productType: e.productType } : {}),
        custodianOrgId: e.organisationId,
        ownerOrgId: e.organisationId,
        status: 'available',
        massEventId: meta.eventId,
        massFromOrigin: false,
        anomalies: 0,
        programmeTags: [],
      };
    }
    default:
      break;
  }
  if (!state) return state;
  switch (event.type) {
    case 'CustodyTransferDispatched': {
      const e = event.data;
      return {
        ...state,
        status: 'in-transit',
        pendingTransfer: {
          transferId: e.transferId,
          fromOrgId: e.fromOrgId,
          toOrgId: e.toOrgId,
          massGrams: e.massGrams,
          ownershipTransferred: e.ownershipTransferred,
        },
      };
    }
    case 'CustodyTransferReceived': {
      const transfer = state.pendingTransfer;
      if (!transfer) return state;
      const { pendingTransfer: _done, ...rest } = state;
      return {
        ...rest,
        status: 'available',
        custodianOrgId: transfer.toOrgId,
        ownerOrgId: transfer.ownershipTransferred ? transfer.toOrgId : state.ownerOrgId,
        massGrams: event.data.receivedMassGrams,
        massEventId: meta.eventId,
        // A receipt re-weighs the batch: later corrections name it and are weighing differences.
        massFromOrigin: false,
        anomalies: state.anomalies + (event.data.anomaly ? 1 : 0),
      };
    }
    case 'CustodyTransferCancelled': {
      const { pendingTransfer: _cancelled, ...rest } = state;
      return { ...rest, status: 'available' };
    }
    case 'BatchConsumed':
      return { ...state, status: 'consumed', consumedByProcessId: event.data.processId };
    case 'BatchConsumptionReverted':
    case 'BatchRestored':
      return releaseConsumption(state, event.data.processId);
    case 'BatchVoided':
      return voidOutput(state, event.data.processId, event.data.attempt);
    case 'BatchVoidReverted': {
      const by = state.voidedBy;
      if (state.status !== 'voided' || by?.processId !== event.data.processId || by.attempt !== event.data.attempt) return state;
      const { voidedBy: _reverted, ...rest } = state;
      return { ...rest, status: 'available' };
    }
    case 'BatchSoldForReuse':
      return { ...state, status: 'closed', outcome: 'sold-for-reuse' };
    case 'BatchIncinerated':
      return { ...state, status: 'closed', outcome: 'incinerated' };
    case 'BatchLandfilled':
      return { ...state, status: 'closed', outcome: 'landfilled' };
    case 'BatchExported':
      return { ...state, status: 'closed', outcome: 'exported' };
    case 'ProductPlacedOnMarket':
      return { ...state, status: 'closed', outcome: 'placed-on-market' };
    case 'BatchMassCorrected':
      return {
        ...state,
        massGrams: event.data.massGrams,
        massEventId: meta.eventId,
        // Correcting the mass an origin event recorded changes what was collected (massFromOrigin
        // stays true); any other correction is a weighing difference of already-tracked material.
      };
    default:
      return state;
  }
}

/**
 * An input back in its custodian's stock: a rejected process reverts its consumption, a voided one
 * restores it. Only the process that consumed the batch can release it.
 */
export function releaseConsumption(state: BatchState, processId: string): BatchState {
  if (state.status !== 'consumed' || state.consumedByProcessId !== processId) return state;
  const { consumedByProcessId: _released, ...rest } = state;
  return { ...rest, status: 'available' };
}

/** An output of a process being voided: it takes no more commands (read models use it at ProcessVoided). */
export function voidOutput(state: BatchState, processId: string, attempt: number): BatchState {
  return { ...state, status: 'voided', voidedBy: { processId, attempt } };
}

/** Folds a whole stream. */
export function foldBatch(events: ReadonlyArray<{ event: DomainEvent; meta: EvolveMeta }>): BatchState | undefined {
  let state: BatchState | undefined;
  for (const { event, meta } of events) state = evolveBatch(state, event, meta);
  return state;
}
