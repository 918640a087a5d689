/**
 * The audit bundle (decision 014): everything an auditor needs to check a batch's history with no
 * access to the operator's systems — the events, an inclusion proof for each, the signed checkpoint
 * the proofs lead to, and the public key. One canonical-JSON document, so that every byte matters:
 * the verifier refuses a file that is not exactly the canonical form of what it parsed.
 *
 * Platform-neutral (decision 031): the CLI writes and checks bundles with it, the audit page checks
 * them in the browser.
 */
import { z } from 'zod';
import type { SignedCheckpoint } from '../../event-store/src/checkpoint-log.port.js';
import type { StoredEvent } from '../../event-store/src/event-store.port.js';
import { canonicalJson } from '../../event-store/src/integrity/canonical-json.js';

export const AUDIT_BUNDLE_FORMAT = 'textile-ledger/audit-bundle@1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const BundleEventSchema = z
  .object({
    streamId: z.string().min(1),
    revision: count,
    position: count,
    eventId: z.string().min(1),
    type: z.string().min(1),
    schemaVersion: z.number().int().min(1),
    data: z.unknown(),
    metadata: z
      .object({
        actorOrgId: z.string(),
        commandId: z.string(),
        correlationId: z.string(),
        causationId: z.string(),
        impersonatedBy: z.string().optional(),
        impersonationReason: z.string().optional(),
      })
      .strict(),
    recordedAt: z.string(),
    prevHash: hex64,
    hash: hex64,
    /** Index of the event's leaf in the checkpoint's tree. */
    leafIndex: count,
    /** RFC 9162 audit path, hex, from the leaf's sibling upwards. */
    inclusionProof: z.array(hex64),
  })
  .strict();

export const BundleCheckpointSchema = z
  .object({
    origin: z.string().min(1),
    treeSize: count,
    rootHash: hex64,
    lastPosition: z.number().int().min(-1),
    signedAt: z.string(),
    keyId: z.string().regex(/^[0-9a-f]+$/),
    signature: z.string().min(1),
  })
  .strict();

export const AuditBundleSchema = z
  .object({
    format: z.literal(AUDIT_BUNDLE_FORMAT),
    exportedAt: z.string(),
    subject: z.object({ batchId: z.string().min(1), upstream: z.boolean() }).strict(),
    /** SPKI PEM of the Ed25519 key that signed the checkpoint and the bundle. */
    publicKey: z.string().min(1),
    checkpoint: BundleCheckpointSchema,
    /** Whole streams (revision 0 onwards, up to the checkpoint), in log position order. */
    events: z.array(BundleEventSchema),
    /** Ed25519 (base64) over the canonical JSON of every other field of the bundle. */
    bundleSignature: z.string().min(1),
  })
  .strict();

export type AuditBundle = z.infer<typeof AuditBundleSchema>;
export type BundleEvent = z.infer<typeof BundleEventSchema>;
export type UnsignedAuditBundle = Omit<AuditBundle, 'bundleSignature'>;

/** The exact bytes the bundle signature covers. */
export function bundleSigningText(bundle: UnsignedAuditBundle): string {
  const { format, exportedAt, subject, publicKey, checkpoint, events } = bundle;
  return canonicalJson({ format, exportedAt, subject, publicKey, checkpoint, events });
}

export function toStoredEvent(event: BundleEvent): StoredEvent {
  const { leafIndex: _leaf, inclusionProof: _proof, ...stored } = event;
  return stored;
}

export function toBundleCheckpoint(checkpoint: SignedCheckpoint): AuditBundle['checkpoint'] {
  const { origin, treeSize, rootHash, lastPosition, signedAt, keyId, signature } = checkpoint;
  return { origin, treeSize, rootHash, lastPosition, signedAt, keyId, signature };
}
