import { NO_STREAM_REVISION, type EventMetadata, type EventToAppend, type ExpectedRevision } from './event-store.port.js';
import { canonicalJson } from './integrity/canonical-json.js';
import { GENESIS_HASH, computeEventHash, computeEventHashOfJson, type HashedEventFields } from './integrity/event-hash.js';
import type { SignedCheckpoint } from './checkpoint-log.port.js';

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
  /** data and metadata as a reader gets them back (parsed from the JSON on each read of the field). */
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * What a store writes as prevHash and hash when its hash chain is switched off for a benchmark
 * (`hashChain: false`). Such a store never verifies: every recomputed hash differs from it.
 */
export const UNHASHED = GENESIS_HASH;

/**
 * Serialises and hash-chains the events of one append, continuing a stream whose last revision is
 * `current` and whose last hash is `prevHash`. The hash covers the event as a reader gets it back
 * after the JSON round trip, not as the caller holds it (Dates, undefined fields, class
 * instances...), so verifyStreamChain holds on stored events whatever the store; see hashAsStored.
 *
 * `hashing: false` (benchmarks only) skips exactly what the chain costs, and writes both hashes as
 * UNHASHED.
 */
export function chainEvents(streamId: string, current: number, prevHash: string, events: readonly EventToAppend[], recordedAt: string, hashing = true): ChainedEvent[] {
  let previous = prevHash;
  return events.map((event, i) => {
    const revision = current + 1 + i;
    const envelope = { streamId, revision, eventId: event.eventId, type: event.type, schemaVersion: event.schemaVersion, recordedAt };
    const { dataJson, metadataJson, hash } = hashing ? serialiseAndHash(previous, envelope, event) : { ...serialise(event), hash: UNHASHED };
    const chained: ChainedEvent = {
      revision,
      event,
      dataJson,
      metadataJson,
      // Only the EventStoreDB adapter needs the parsed values; the SQL adapters store the JSON.
      get data(): unknown {
        return JSON.parse(dataJson) as unknown;
      },
      get metadata(): EventMetadata {
        return JSON.parse(metadataJson) as EventMetadata;
      },
      prevHash: hashing ? previous : UNHASHED,
      hash,
    };
    previous = hash;
    return chained;
  });
}

function serialise(event: EventToAppend): { dataJson: string; metadataJson: string } {
  return { dataJson: JSON.stringify(event.data ?? null), metadataJson: JSON.stringify(event.metadata) };
}

/**
 * The event serialised once, as canonical JSON, which is both what is stored and what is hashed: the
 * hash then covers the event exactly as a reader gets it back (canonicalJson(JSON.parse(text)) is
 * text again). Canonical JSON follows JSON.stringify's rules (toJSON, undefined members dropped,
 * undefined array items as null, boxed primitives); values where the two would differ make it throw
 * (NaN and ±Infinity, which JSON.stringify writes as null; a bigint given a toJSON), and those events
 * are stored as JSON.stringify writes them and hashed as they parse back. Not covered: a toJSON
 * method that answers differently depending on the property name JSON.stringify passes it.
 */
function serialiseAndHash(prevHash: string, envelope: Omit<HashedEventFields, 'data' | 'metadata'>, event: EventToAppend): { dataJson: string; metadataJson: string; hash: string } {
  let dataJson: string;
  let metadataJson: string;
  try {
    dataJson = canonicalJson(event.data ?? null);
    metadataJson = canonicalJson(event.metadata);
  } catch {
    ({ dataJson, metadataJson } = serialise(event));
    return {
      dataJson,
      metadataJson,
      hash: computeEventHash(prevHash, { ...envelope, data: JSON.parse(dataJson) as unknown, metadata: JSON.parse(metadataJson) as EventMetadata }),
    };
  }
  return { dataJson, metadataJson, hash: computeEventHashOfJson(prevHash, envelope, dataJson, metadataJson) };
}

/** A stored row back as the port's object, with exactly the port's fields (no driver extras). */
export function toSignedCheckpoint(fields: SignedCheckpoint): SignedCheckpoint {
  return {
    origin: fields.origin,
    treeSize: fields.treeSize,
    rootHash: fields.rootHash,
    lastPosition: fields.lastPosition,
    signedAt: fields.signedAt,
    keyId: fields.keyId,
    signature: fields.signature,
  };
}

/** Validates listCheckpoints' options; answers the effective range. */
export function checkpointPage(options: { readonly fromTreeSize?: number; readonly limit?: number } = {}): { fromTreeSize: number; limit: number | undefined } {
  const fromTreeSize = options.fromTreeSize ?? 0;
  if (!Number.isSafeInteger(fromTreeSize) || fromTreeSize < 0) {
    throw new RangeError(`fromTreeSize must be a non-negative integer, got ${String(fromTreeSize)}`);
  }
  const limit = options.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit <= 0)) {
    throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
  }
  return { fromTreeSize, limit };
}

/**
 * Binary search over an ordered log of checkpoints that can only be read by position: the first
 * entry whose tree size is at least `treeSize`. `probe(r)` answers the first entry at position r or
 * after it (so a log whose head was truncated away still searches right); `last` is the last entry.
 * About log2(entries) probes.
 */
export async function firstCheckpointAtLeast<T extends { readonly revision: number; readonly treeSize: number }>(
  treeSize: number,
  last: T | undefined,
  probe: (revision: number) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (last === undefined || last.treeSize < treeSize) return undefined;
  let found = last;
  let low = 0;
  let high = last.revision;
  // Invariant: the answer is the entry found at or after some revision in [low, high], and `found`
  // is the entry at or after `high`.
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const entry = await probe(middle);
    if (entry !== undefined && entry.treeSize >= treeSize) {
      found = entry;
      high = middle;
    } else {
      low = Math.max(middle, entry?.revision ?? middle) + 1;
    }
  }
  return found;
}
