import { hash } from 'node:crypto';

import type { EventMetadata, StoredEvent } from '../event-store.port.js';
import { canonicalJson } from './canonical-json.js';

/** prevHash of the first event of every stream. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields covered by an event's hash. Position is left out on purpose: it is not known to every adapter before commit. */
export interface HashedEventFields {
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly recordedAt: string;
}

/**
 * SHA-256 (lower-case hex) over the canonical JSON of the event fields together with `prevHash`.
 *
 * Every adapter must hash the event exactly as it will be read back (i.e. after its JSON round
 * trip), otherwise verifyStreamChain fails on stored events.
 */
export function computeEventHash(prevHash: string, event: HashedEventFields): string {
  return computeEventHashOfJson(prevHash, event, canonicalJson(event.data), canonicalJson(event.metadata));
}

/**
 * computeEventHash for a caller that already holds the canonical JSON of data and metadata (the
 * append path stores exactly that text, so it serialises each event once, not twice).
 */
export function computeEventHashOfJson(
  prevHash: string,
  event: Omit<HashedEventFields, 'data' | 'metadata'>,
  canonicalData: string,
  canonicalMetadata: string,
): string {
  // The envelope's keys are fixed, so they are written here in RFC 8785 order rather than sorted on
  // every append; only data and metadata go through the general serialiser. Explicit fields also
  // keep extra properties of `event` (position, hash, ...) out of the hash. The spec checks this
  // against canonicalJson of the whole envelope.
  const payload =
    `{"data":${canonicalData}` +
    `,"eventId":${canonicalJson(event.eventId)}` +
    `,"metadata":${canonicalMetadata}` +
    `,"prevHash":${canonicalJson(prevHash)}` +
    `,"recordedAt":${canonicalJson(event.recordedAt)}` +
    `,"revision":${canonicalJson(event.revision)}` +
    `,"schemaVersion":${canonicalJson(event.schemaVersion)}` +
    `,"streamId":${canonicalJson(event.streamId)}` +
    `,"type":${canonicalJson(event.type)}}`;
  // One-shot crypto.hash: no Hash object per event on the append path.
  return hash('sha256', payload, 'hex');
}

export type ChainVerification =
  | { readonly ok: true }
  | { readonly ok: false; readonly firstBadRevision: number; readonly reason: string };

/**
 * Checks the hash chain of consecutive events of one stream, in revision order.
 *
 * A slice that does not start at revision 0 is accepted: its first prevHash cannot be checked
 * against anything, but every hash and every later link is. Pass the whole stream to verify it
 * completely.
 */
export function verifyStreamChain(events: readonly StoredEvent[]): ChainVerification {
  const first = events[0];
  if (first === undefined) {
    return { ok: true };
  }
  let previous: StoredEvent | undefined;
  for (const event of events) {
    const bad = (reason: string): ChainVerification => ({ ok: false, firstBadRevision: event.revision, reason });
    if (event.streamId !== first.streamId) {
      return bad(`event ${event.eventId} belongs to stream ${event.streamId}, not ${first.streamId}`);
    }
    if (previous === undefined) {
      if (event.revision === 0 && event.prevHash !== GENESIS_HASH) {
        return bad('first event of the stream does not start from the genesis hash');
      }
    } else {
      if (event.revision !== previous.revision + 1) {
        return bad(`revision ${event.revision} follows ${previous.revision}`);
      }
      if (event.prevHash !== previous.hash) {
        return bad(`prevHash does not match the hash of revision ${previous.revision}`);
      }
    }
    if (computeEventHash(event.prevHash, event) !== event.hash) {
      return bad('hash does not match the event content');
    }
    previous = event;
  }
  return { ok: true };
}
