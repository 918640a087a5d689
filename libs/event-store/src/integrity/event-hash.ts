import { createHash } from 'node:crypto';

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
  // Explicit field list: extra properties on `event` (position, hash, ...) must never leak into the hash.
  const payload = canonicalJson({
    streamId: event.streamId,
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
    prevHash,
  });
  return createHash('sha256').update(payload, 'utf8').digest('hex');
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
