import type { DomainEvent } from '../events.js';
import type { ProcessStarted } from './process.events.js';

export type ProcessStatus = 'started' | 'completed' | 'rejected';

export interface ProcessState {
  readonly processId: string;
  readonly status: ProcessStatus;
  readonly started: ProcessStarted;
  readonly commandId: string;
  readonly rejectionReason?: string;
}

export function evolveProcess(state: ProcessState | undefined, event: DomainEvent, meta: { commandId: string }): ProcessState | undefined {
  switch (event.type) {
    case 'ProcessStarted':
      return { processId: event.data.processId, status: 'started', started: event.data, commandId: meta.commandId };
    case 'ProcessCompleted':
      return state && { ...state, status: 'completed' };
    case 'ProcessRejected':
      return state && { ...state, status: 'rejected', rejectionReason: event.data.reason };
    default:
      return state;
  }
}
