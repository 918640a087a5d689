import { castEvent, evolveBatch, evolveProcess, streamIds, type BatchState, type DomainEvent, type ProcessState } from '#domain';
import { NO_STREAM_REVISION, type EventStore, type StoredEvent } from '#event-store';

export interface LoadedStream<S> {
  readonly state: S | undefined;
  /** Revision of the last event, or -1 when the stream does not exist. */
  readonly revision: number;
  readonly events: readonly StoredEvent[];
}

export function toDomainEvent(stored: StoredEvent): DomainEvent {
  return castEvent(stored.type, stored.schemaVersion, stored.data);
}

export function foldBatchStream(events: readonly StoredEvent[]): BatchState | undefined {
  let state: BatchState | undefined;
  for (const stored of events) state = evolveBatch(state, toDomainEvent(stored), { eventId: stored.eventId });
  return state;
}

export function foldProcessStream(events: readonly StoredEvent[]): ProcessState | undefined {
  let state: ProcessState | undefined;
  for (const stored of events) state = evolveProcess(state, toDomainEvent(stored), { commandId: stored.metadata.commandId });
  return state;
}

function lastRevision(events: readonly StoredEvent[]): number {
  return events.length === 0 ? NO_STREAM_REVISION : events[events.length - 1]!.revision;
}

export async function loadBatch(store: EventStore, batchId: string): Promise<LoadedStream<BatchState>> {
  const events = await store.readStream(streamIds.batch(batchId));
  return { state: foldBatchStream(events), revision: lastRevision(events), events };
}

export async function loadProcess(store: EventStore, processId: string): Promise<LoadedStream<ProcessState>> {
  const events = await store.readStream(streamIds.process(processId));
  return { state: foldProcessStream(events), revision: lastRevision(events), events };
}
