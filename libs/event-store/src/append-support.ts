import { NO_STREAM_REVISION, type EventMetadata, type EventToAppend, type ExpectedRevision } from './event-store.port.js';
import { computeEventHash } from './integrity/event-hash.js';

/** Whether a stream whose last revision is `current` (-1: no stream) satisfies `expected`. */
export function matchesExpected(expected: ExpectedRevision, current: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no-stream':
      return current === NO_STREAM_REVISION;
    case 'stream-exists':
      return current !== NO_STREAM_REVISION;
    default:
      return current === expected;
  }
}

/** One event of an append as every adapter stores it: serialised, numbered and chained. */
export interface ChainedEvent {
  readonly revision: number;
  readonly event: EventToAppend;
  readonly dataJson: string;
  readonly metadataJson: string;
  /** data and metadata as a reader gets them back (after the JSON round trip). */
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * Serialises and hash-chains the events of one append, continuing a stream whose last revision is
 * `current` and whose last hash is `prevHash`. Every adapter hashes what a reader will get back after
 * the JSON round trip, not the caller's object (which may hold Dates, undefined fields, class
 * instances...), so verifyStreamChain holds on stored events whatever the store.
 */
export function chainEvents(streamId: string, current: number, prevHash: string, events: readonly EventToAppend[], recordedAt: string): ChainedEvent[] {
  let previous = prevHash;
  return events.map((event, i) => {
    const revision = current + 1 + i;
    const dataJson = JSON.stringify(event.data ?? null);
    const metadataJson = JSON.stringify(event.metadata);
    const data = JSON.parse(dataJson) as unknown;
    const metadata = JSON.parse(metadataJson) as EventMetadata;
    const hash = computeEventHash(previous, { streamId, revision, eventId: event.eventId, type: event.type, schemaVersion: event.schemaVersion, data, metadata, recordedAt });
    const chained = { revision, event, dataJson, metadataJson, data, metadata, prevHash: previous, hash };
    previous = hash;
    return chained;
  });
}
