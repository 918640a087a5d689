/**
 * The text of a checkpoint and its Ed25519 signature (decision 010). The body follows the C2SP
 * tlog-checkpoint layout, so generic transparency-log tooling can read the first three lines:
 *
 *   <origin>\n
 *   <tree size, decimal>\n
 *   <root hash, base64>\n
 *   last-position <position of leaf treeSize-1, -1 if empty>\n
 *   signed-at <ISO-8601 UTC>\n
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

import type { CheckpointStatement, SignedCheckpoint } from '../checkpoint-log.port.js';
import type { AuditSigningKey } from './audit-key.js';

const HEX_64 = /^[0-9a-f]{64}$/;

/** The exact text signed. @throws RangeError when a field cannot be written unambiguously. */
export function checkpointBody(statement: CheckpointStatement): string {
  const { origin, treeSize, rootHash, lastPosition, signedAt } = statement;
  // A newline in a field would let one body be read as another (a forged extension line).
  if (typeof origin !== 'string' || origin === '' || /[\r\n]/.test(origin)) throw new RangeError('checkpoint origin must be one non-empty line');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new RangeError(`checkpoint tree size ${String(treeSize)} is not a non-negative integer`);
  if (!Number.isSafeInteger(lastPosition) || lastPosition < -1) throw new RangeError(`checkpoint last position ${String(lastPosition)} is not an integer >= -1`);
  if (typeof rootHash !== 'string' || !HEX_64.test(rootHash)) throw new RangeError('checkpoint root hash must be 64 lower-case hex digits');
  if (typeof signedAt !== 'string' || signedAt === '' || /[\r\n]/.test(signedAt)) throw new RangeError('checkpoint signedAt must be one non-empty line');
  return `${origin}\n${treeSize}\n${Buffer.from(rootHash, 'hex').toString('base64')}\nlast-position ${lastPosition}\nsigned-at ${signedAt}\n`;
}

/** Hex of the first 16 bytes of SHA-256 over the SPKI DER of the public key. */
export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 16).toString('hex');
}

export function signCheckpoint(statement: CheckpointStatement, key: AuditSigningKey): SignedCheckpoint {
  const body = checkpointBody(statement);
  const { origin, treeSize, rootHash, lastPosition, signedAt } = statement;
  // Only the statement's own fields: whatever else the caller's object carries is not signed.
  return { origin, treeSize, rootHash, lastPosition, signedAt, keyId: key.keyId, signature: sign(null, Buffer.from(body, 'utf8'), key.privateKey).toString('base64') };
}

/** False, never an exception, for anything that does not verify: a wrong key id, a malformed field, a bad signature. */
export function verifyCheckpointSignature(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  try {
    if (publicKey.asymmetricKeyType !== 'ed25519') return false;
    if (checkpoint.keyId !== publicKeyId(publicKey)) return false;
    const signature = Buffer.from(checkpoint.signature, 'base64');
    // Buffer.from(…, 'base64') skips characters it does not know: insist on the canonical text.
    if (signature.length !== 64 || signature.toString('base64') !== checkpoint.signature) return false;
    return verify(null, Buffer.from(checkpointBody(checkpoint), 'utf8'), publicKey, signature);
  } catch {
    return false;
  }
}
