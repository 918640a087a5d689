import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';

import type { CheckpointStatement, SignedCheckpoint } from '../checkpoint-log.port.js';
import type { AuditSigningKey } from './audit-key.js';
import { checkpointBody, publicKeyId, signCheckpoint, verifyCheckpointSignature } from './checkpoint-signature.js';

function newKey(): AuditSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: publicKeyId(publicKey) };
}

const statement: CheckpointStatement = {
  origin: 'textile-ledger/herning',
  treeSize: 8,
  rootHash: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  lastPosition: 7,
  signedAt: '2026-03-01T12:00:00.000Z',
};

describe('checkpointBody', () => {
  it('is the C2SP tlog-checkpoint text: origin, size, base64 root, then the extension lines, each newline-terminated', () => {
    expect(checkpointBody(statement)).toBe(
      'textile-ledger/herning\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\nlast-position 7\nsigned-at 2026-03-01T12:00:00.000Z\n',
    );
    expect(checkpointBody({ ...statement, treeSize: 0, lastPosition: -1 })).toMatch(/\n0\n.*\nlast-position -1\n/);
  });

  it('refuses fields that would make the text ambiguous', () => {
    expect(() => checkpointBody({ ...statement, origin: 'a\nlast-position 99' })).toThrow(/origin/);
    expect(() => checkpointBody({ ...statement, origin: 'a\rb' })).toThrow(/origin/);
    expect(() => checkpointBody({ ...statement, origin: '' })).toThrow(/origin/);
    expect(() => checkpointBody({ ...statement, signedAt: '2026\nx' })).toThrow(/signedAt/);
    expect(() => checkpointBody({ ...statement, rootHash: statement.rootHash.toUpperCase() })).toThrow(/root/);
    expect(() => checkpointBody({ ...statement, treeSize: 1.5 })).toThrow(/tree size/);
    expect(() => checkpointBody({ ...statement, lastPosition: -2 })).toThrow(/last position/);
  });
});

describe('publicKeyId', () => {
  it('is the hex of the first 16 bytes of SHA-256 over the SPKI DER, whatever form the key came in', () => {
    const key = newKey();
    const der = key.publicKey.export({ type: 'spki', format: 'der' });
    expect(publicKeyId(key.publicKey)).toBe(createHash('sha256').update(der).digest('hex').slice(0, 32));
    expect(publicKeyId(createPublicKey(key.publicKeyPem))).toBe(key.keyId);
    expect(publicKeyId(createPublicKey(createPrivateKey(key.privateKey.export({ type: 'pkcs8', format: 'pem' }))))).toBe(key.keyId);
    expect(publicKeyId(newKey().publicKey)).not.toBe(key.keyId);
  });
});

describe('signing and verifying checkpoints', () => {
  const key = newKey();
  const signed = signCheckpoint(statement, key);

  it('signs the body with plain Ed25519, so any Ed25519 verifier given the body text can check it', () => {
    expect(signed).toEqual({ ...statement, keyId: key.keyId, signature: expect.any(String) });
    expect(verify(null, Buffer.from(checkpointBody(statement)), key.publicKey, Buffer.from(signed.signature, 'base64'))).toBe(true);
    expect(verifyCheckpointSignature(signed, key.publicKey)).toBe(true);
  });

  it('copies only the statement fields into the signed checkpoint', () => {
    const extra = { ...statement, comment: 'not signed' } as CheckpointStatement;
    expect(Object.keys(signCheckpoint(extra, key)).sort()).toEqual(['keyId', 'lastPosition', 'origin', 'rootHash', 'signature', 'signedAt', 'treeSize']);
  });

  it.each<[string, (c: SignedCheckpoint) => SignedCheckpoint]>([
    ['another origin', (c) => ({ ...c, origin: 'textile-ledger/ikast' })],
    ['another tree size', (c) => ({ ...c, treeSize: 9 })],
    ['another root', (c) => ({ ...c, rootHash: `${'0'.repeat(63)}1` })],
    ['another last position', (c) => ({ ...c, lastPosition: 8 })],
    ['another signing time', (c) => ({ ...c, signedAt: '2026-03-01T12:00:01.000Z' })],
    ['a flipped signature bit', (c) => ({ ...c, signature: flipFirstBit(c.signature) })],
    ['a truncated signature', (c) => ({ ...c, signature: c.signature.slice(0, 40) })],
    ['a non-canonical signature text', (c) => ({ ...c, signature: `${c.signature.slice(0, 10)}!${c.signature.slice(10)}` })],
    ['another key id', (c) => ({ ...c, keyId: newKey().keyId })],
    ['a malformed field', (c) => ({ ...c, origin: 'x\ny' })],
  ])('refuses %s', (_name, tamper) => {
    expect(verifyCheckpointSignature(tamper(signed), key.publicKey)).toBe(false);
  });

  it('refuses a checkpoint signed by another key, even when it names that key', () => {
    const other = newKey();
    expect(verifyCheckpointSignature(signCheckpoint(statement, other), key.publicKey)).toBe(false);
    // The key id is only a hint: a signature by the other key under our id still fails.
    expect(verifyCheckpointSignature({ ...signCheckpoint(statement, other), keyId: key.keyId }, key.publicKey)).toBe(false);
    const { publicKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(verifyCheckpointSignature(signed, rsa)).toBe(false);
  });
});

function flipFirstBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0]! ^= 0x01;
  return bytes.toString('base64');
}
