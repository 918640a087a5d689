import type { EventStore } from './event-store.port.js';

/**
 * Signed checkpoints are evidence about the log, so they are kept by the event store itself, next to
 * the events, and not in the read models (which are rebuilt and may be thrown away).
 *
 * The store keeps what it is given. It does not check the signature or the root against the log:
 * that is the verifier's job, and a store that "repaired" a checkpoint would destroy the evidence.
 */
export interface CheckpointStatement {
  readonly origin: string;        // names the log
  readonly treeSize: number;      // the checkpoint covers the first treeSize events of the global log
  readonly rootHash: string;      // lower-case hex RFC 9162 root
  readonly lastPosition: number;  // position of the last covered event, -1 for an empty tree
  readonly signedAt: string;      // ISO-8601 UTC
}

export interface SignedCheckpoint extends CheckpointStatement {
  readonly keyId: string;         // hex
  readonly signature: string;     // base64 Ed25519 signature over checkpointBody(statement)
}

export interface CheckpointLog {
  /**
   * Stores a checkpoint. Returns false (and stores nothing) when one with the same treeSize exists
   * already; throws CheckpointOrderError when treeSize is below the latest stored one.
   *
   * Concurrent calls are serialised by the store: of two calls with the same treeSize exactly one
   * answers true. The checkpoint is stored verbatim (every field as given), so it can be copied from
   * one store to another.
   *
   * @throws RangeError when a field is malformed (see assertCheckpointShape); nothing is stored.
   */
  appendCheckpoint(checkpoint: SignedCheckpoint): Promise<boolean>;
  /**
   * Ascending treeSize. `fromTreeSize` is inclusive (default 0); `limit` caps the page (default: no
   * cap). Page on with `fromTreeSize: last.treeSize + 1`.
   */
  listCheckpoints(options?: { readonly fromTreeSize?: number; readonly limit?: number }): Promise<SignedCheckpoint[]>;
  latestCheckpoint(): Promise<SignedCheckpoint | undefined>;
  /** The OLDEST checkpoint whose treeSize is at least `treeSize` (the smallest signed tree that contains leaf treeSize-1). */
  checkpointCovering(treeSize: number): Promise<SignedCheckpoint | undefined>;
}

export class CheckpointOrderError extends Error {
  constructor(
    readonly treeSize: number,
    readonly latestTreeSize: number,
  ) {
    super(`checkpoint of tree size ${treeSize} comes after one of tree size ${latestTreeSize}: checkpoints are stored in ascending tree size`);
    this.name = 'CheckpointOrderError';
  }
}

export function supportsCheckpoints(store: EventStore): store is EventStore & CheckpointLog {
  const candidate = store as Partial<CheckpointLog>;
  return (
    typeof candidate.appendCheckpoint === 'function' &&
    typeof candidate.listCheckpoints === 'function' &&
    typeof candidate.latestCheckpoint === 'function' &&
    typeof candidate.checkpointCovering === 'function'
  );
}

const HEX_64 = /^[0-9a-f]{64}$/;
const HEX = /^(?:[0-9a-f]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/**
 * Refuses a checkpoint no signer could have produced, before anything is written: a row that could
 * never verify would only hide the real problem (a signer bug) until an auditor trips over it.
 * Positions start at 0 and strictly increase, so the last of treeSize events sits at treeSize-1 or
 * later (later on EventStoreDB, whose positions are byte offsets).
 *
 * @throws RangeError naming the first bad field.
 */
export function assertCheckpointShape(checkpoint: SignedCheckpoint): void {
  const bad = (field: string, why: string): never => {
    throw new RangeError(`checkpoint ${field}: ${why}`);
  };
  const { origin, treeSize, rootHash, lastPosition, signedAt, keyId, signature } = checkpoint;
  if (typeof origin !== 'string' || origin.length === 0) bad('origin', 'must be a non-empty string');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) bad('treeSize', `must be a non-negative integer, got ${String(treeSize)}`);
  if (!Number.isSafeInteger(lastPosition) || lastPosition < -1) bad('lastPosition', `must be an integer >= -1, got ${String(lastPosition)}`);
  if ((treeSize === 0) !== (lastPosition === -1)) bad('lastPosition', 'is -1 exactly when the tree is empty');
  if (lastPosition < treeSize - 1) bad('lastPosition', `${lastPosition} cannot be the position of event ${treeSize - 1}`);
  if (typeof rootHash !== 'string' || !HEX_64.test(rootHash)) bad('rootHash', 'must be 64 lower-case hex digits (SHA-256)');
  if (typeof signedAt !== 'string' || !ISO_UTC.test(signedAt) || Number.isNaN(Date.parse(signedAt))) bad('signedAt', 'must be an ISO-8601 UTC timestamp');
  if (typeof keyId !== 'string' || !HEX.test(keyId)) bad('keyId', 'must be lower-case hex');
  if (typeof signature !== 'string' || signature.length === 0 || !BASE64.test(signature)) bad('signature', 'must be base64');
}
