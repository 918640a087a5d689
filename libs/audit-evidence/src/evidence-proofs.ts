/**
 * The ledger's integrity proofs, recomputed with Web Crypto: each event's chain hash, the RFC 9162
 * Merkle leaf and node hashes, inclusion proofs, and the signed checkpoint (decision 010). They
 * mirror libs/event-store/src/integrity (which uses node:crypto on the append path); the spec
 * checks the two against each other, so a bundle means the same to the ledger and to an auditor.
 */
import { canonicalJson } from '../../event-store/src/integrity/canonical-json.js';
import type { EventMetadata } from '../../event-store/src/event-store.port.js';
import { equalBytes, fromHex, sha256, toBase64, toHex, utf8, verifyEd25519, ed25519KeyId, fromCanonicalBase64, type Ed25519PublicKey } from './web-crypto.js';

/** prevHash of the first event of every stream. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an event's hash covers (position is left out: not every store knows it before commit). */
export interface HashedEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly recordedAt: string;
  readonly prevHash: string;
}

/** SHA-256 (lower-case hex) over the canonical JSON of the hashed fields, prevHash included. */
export async function eventHash(event: HashedEvent): Promise<string> {
  const { streamId, revision, eventId, type, schemaVersion, data, metadata, recordedAt, prevHash } = event;
  return toHex(await sha256(utf8(canonicalJson({ data, eventId, metadata, prevHash, recordedAt, revision, schemaVersion, streamId, type }))));
}

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** RFC 9162 leaf hash of a ledger leaf: the position as 8 bytes big-endian, then the 32 bytes of the event's hash. */
export async function ledgerLeafHash(event: { readonly position: number; readonly hash: string }): Promise<Uint8Array> {
  if (!Number.isSafeInteger(event.position) || event.position < 0) throw new RangeError(`position ${event.position} is not a non-negative safe integer`);
  const hash = fromHex(event.hash);
  if (hash.length !== 32) throw new RangeError('an event hash is 32 bytes');
  const input = new Uint8Array(1 + 8 + 32);
  input[0] = LEAF_PREFIX;
  new DataView(input.buffer).setBigUint64(1, BigInt(event.position));
  input.set(hash, 9);
  return sha256(input);
}

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

const isSize = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** RFC 9162 §2.1.3.2: is `leaf` leaf number `leafIndex` of the tree of `treeSize` leaves whose root is `root`? */
export async function verifyInclusion(leaf: Uint8Array, leafIndex: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): Promise<boolean> {
  if (!isSize(leafIndex) || !isSize(treeSize) || leafIndex >= treeSize) return false;
  if (leaf.length !== 32 || root.length !== 32 || !proof.every((p) => p.length === 32)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

export interface CheckpointFields {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly lastPosition: number;
  readonly signedAt: string;
  readonly keyId: string;
  readonly signature: string;
}

/** The exact text a checkpoint's signature covers (C2SP tlog-checkpoint layout, decision 010); undefined when a field cannot be written unambiguously. */
export function checkpointBody(checkpoint: CheckpointFields): string | undefined {
  const { origin, treeSize, rootHash, lastPosition, signedAt } = checkpoint;
  if (origin === '' || /[\r\n]/.test(origin) || signedAt === '' || /[\r\n]/.test(signedAt)) return undefined;
  if (!isSize(treeSize) || !Number.isSafeInteger(lastPosition) || lastPosition < -1 || !/^[0-9a-f]{64}$/.test(rootHash)) return undefined;
  return `${origin}\n${treeSize}\n${toBase64(fromHex(rootHash))}\nlast-position ${lastPosition}\nsigned-at ${signedAt}\n`;
}

/** False for anything that does not verify: another key's id, a malformed field, a non-canonical or wrong signature. */
export async function verifyCheckpointSignature(checkpoint: CheckpointFields, publicKey: Ed25519PublicKey): Promise<boolean> {
  if (checkpoint.keyId !== (await ed25519KeyId(publicKey))) return false;
  const body = checkpointBody(checkpoint);
  const signature = fromCanonicalBase64(checkpoint.signature);
  if (body === undefined || signature === undefined) return false;
  return verifyEd25519(publicKey, signature, utf8(body));
}
