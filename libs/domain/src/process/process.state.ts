import type { DomainEvent } from '../events.js';
import type { ProcessStarted, ProcessVoidStarted } from './process.events.js';

export type ProcessStatus = 'started' | 'completed' | 'rejected';

export type ProcessVoidStatus = 'started' | 'voided' | 'rejected';

/** One attempt to void a completed process (decision 011). */
export interface ProcessVoidAttempt {
  readonly attempt: number;
  readonly started: ProcessVoidStarted;
  readonly commandId: string;
  readonly status: ProcessVoidStatus;
  readonly rejectionReason?: string;
}

export interface ProcessState {
  readonly processId: string;
  /** A voided process stays `completed`: it did complete, and the void is recorded in `voids`. */
  readonly status: ProcessStatus;
  readonly started: ProcessStarted;
  readonly commandId: string;
  readonly rejectionReason?: string;
  /** Void attempts, oldest first. Only the last can be unfinished, and at most one is `voided`. */
  readonly voids: readonly ProcessVoidAttempt[];
}

export function evolveProcess(state: ProcessState | undefined, event: DomainEvent, meta: { commandId: string }): ProcessState | undefined {
  switch (event.type) {
    case 'ProcessStarted':
      return { processId: event.data.processId, status: 'started', started: event.data, commandId: meta.commandId, voids: [] };
    case 'ProcessCompleted':
      return state && { ...state, status: 'completed' };
    case 'ProcessRejected':
      return state && { ...state, status: 'rejected', rejectionReason: event.data.reason };
    case 'ProcessVoidStarted':
      return state && { ...state, voids: [...state.voids, { attempt: event.data.attempt, started: event.data, commandId: meta.commandId, status: 'started' }] };
    case 'ProcessVoided':
      return state && endVoid(state, event.data.attempt, { status: 'voided' });
    case 'ProcessVoidRejected':
      return state && endVoid(state, event.data.attempt, { status: 'rejected', rejectionReason: event.data.reason });
    default:
      return state;
  }
}

function endVoid(state: ProcessState, attempt: number, end: { status: ProcessVoidStatus; rejectionReason?: string }): ProcessState {
  return { ...state, voids: state.voids.map((v) => (v.attempt === attempt && v.status === 'started' ? { ...v, ...end } : v)) };
}

/** The latest void attempt, if any. */
export function lastVoid(state: ProcessState | undefined): ProcessVoidAttempt | undefined {
  return state?.voids[state.voids.length - 1];
}

export function isVoided(state: ProcessState | undefined): boolean {
  return state?.voids.some((v) => v.status === 'voided') ?? false;
}
