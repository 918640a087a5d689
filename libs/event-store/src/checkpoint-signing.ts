import { CheckpointOrderError, type CheckpointLog, type SignedCheckpoint } from './checkpoint-log.port.js';
import type { AuditSigningKey } from './integrity/audit-key.js';
import { signCheckpoint } from './integrity/checkpoint-signature.js';
import { consistencyProof, rootAt, verifyConsistency, type MerkleNodeSource } from './integrity/merkle-tree.js';

export interface NextCheckpointRequest {
  readonly log: CheckpointLog;
  /** The tree the signer believes in (a read model, or one built from the events in memory). */
  readonly tree: MerkleNodeSource;
  readonly treeSize: number;
  /** Position of leaf treeSize − 1. */
  readonly lastPosition: number;
  readonly key: AuditSigningKey;
  readonly origin: string;
  readonly now: Date;
  /** Keys this signer succeeds (a rotation, decision 024): their checkpoints may be followed by its own. */
  readonly predecessorKeyIds?: readonly string[];
}

export type NextCheckpoint =
  | { readonly kind: 'signed' | 'existing'; readonly checkpoint: SignedCheckpoint }
  | { readonly kind: 'refused'; readonly reason: string; readonly latest: SignedCheckpoint };

/**
 * Signs and stores a checkpoint of `treeSize` leaves, unless the latest one already covers as much.
 *
 * Before signing, it proves (RFC 9162 consistency) that the new tree extends the last signed one. A
 * signer must never put its name to a history that contradicts what it signed before: that is
 * exactly what an altered log looks like, and refusing is what makes the alteration visible.
 */
export async function signNextCheckpoint(request: NextCheckpointRequest): Promise<NextCheckpoint | undefined> {
  const { log, tree, treeSize, lastPosition, key, origin, now } = request;
  const latest = await log.latestCheckpoint();
  const keyRefusal = signingKeyRefusal(latest, key.keyId, request.predecessorKeyIds ?? []);
  if (latest && keyRefusal !== undefined) return { kind: 'refused', latest, reason: keyRefusal };
  if (latest && latest.treeSize >= treeSize) return { kind: 'existing', checkpoint: latest };
  if (treeSize === 0) return undefined;
  const root = await rootAt(tree, treeSize);
  if (latest && latest.treeSize > 0) {
    const proof = await consistencyProof(tree, latest.treeSize, treeSize);
    if (!verifyConsistency(latest.treeSize, treeSize, Buffer.from(latest.rootHash, 'hex'), root, proof)) {
      return {
        kind: 'refused',
        latest,
        reason: `the log of ${treeSize} events does not extend signed checkpoint ${latest.treeSize} (root ${latest.rootHash.slice(0, 12)}…): run \`npm run ledger -- verify\``,
      };
    }
  }
  const signed = signCheckpoint({ origin, treeSize, rootHash: root.toString('hex'), lastPosition, signedAt: now.toISOString() }, key);
  try {
    if (await log.appendCheckpoint(signed)) return { kind: 'signed', checkpoint: signed };
  } catch (error) {
    // Another signer (a second instance on shared PostgreSQL, or the CLI) got further first.
    if (!(error instanceof CheckpointOrderError)) throw error;
  }
  const stored = await log.checkpointCovering(treeSize);
  if (!stored) throw new Error(`checkpoint of ${treeSize} events was neither stored nor found`);
  return { kind: 'existing', checkpoint: stored };
}

/**
 * Why `keyId` may not sign the next checkpoint of a log whose latest checkpoint is `latest`, if it
 * may not. One ledger has one signing identity (decision 024): a second key signing into the same
 * log would make every verification fail. The signer of the latest checkpoint continues; another key
 * only takes over from a key it was configured to succeed.
 */
export function signingKeyRefusal(latest: SignedCheckpoint | undefined, keyId: string, predecessorKeyIds: readonly string[]): string | undefined {
  if (!latest || latest.keyId === keyId || predecessorKeyIds.includes(latest.keyId)) return undefined;
  return (
    `this instance's checkpoint key ${keyId} is not the key ${latest.keyId} that signed the latest checkpoint (tree size ${latest.treeSize}): ` +
    'give every instance the same key (LEDGER_AUDIT_KEY or a shared LEDGER_AUDIT_KEY_FILE), or rotate to this key with LEDGER_AUDIT_KEY_ROTATE_FROM naming the current one'
  );
}
