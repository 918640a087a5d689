/**
 * The few cryptographic operations an evidence bundle needs, through Web Crypto
 * (`globalThis.crypto.subtle`) only, so that the same code runs in Node 20 (the CLI) and in a
 * browser (the audit page) and the two cannot disagree (decision 031). No node:crypto and no Buffer.
 *
 * Failures are described in our own words, never with the platform's error text: Node and Chromium
 * word the same refusal differently, and the verdict must read the same in both.
 */

/** The part of SubtleCrypto used here, typed structurally so both the DOM and the Node typings fit. */
interface Subtle {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
  importKey(format: 'spki' | 'pkcs8', keyData: Uint8Array, algorithm: { name: 'Ed25519' }, extractable: boolean, usages: string[]): Promise<unknown>;
  importKey(format: 'jwk', keyData: { kty: string; crv: string; x: string }, algorithm: { name: 'Ed25519' }, extractable: boolean, usages: string[]): Promise<unknown>;
  exportKey(format: 'spki', key: unknown): Promise<ArrayBuffer>;
  exportKey(format: 'jwk', key: unknown): Promise<{ x?: string }>;
  verify(algorithm: { name: 'Ed25519' }, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

function subtle(): Subtle {
  const crypto = (globalThis as { crypto?: { subtle?: Subtle } }).crypto;
  if (crypto?.subtle === undefined) throw new Error('Web Crypto is not available here (a browser needs a secure context: https or localhost)');
  return crypto.subtle;
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', data));
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const HEX = /^(?:[0-9a-f]{2})*$/;

/** Lower-case hex only (the bundle's form); anything else is a RangeError, never silently cut short. */
export function fromHex(hex: string): Uint8Array {
  if (!HEX.test(hex)) throw new RangeError(`${JSON.stringify(hex.slice(0, 20))} is not lower-case hex`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Only the canonical base64 text of some bytes: a signature written any other way is not the one that was made. */
export function fromCanonicalBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return toBase64(bytes) === text ? bytes : undefined;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** An Ed25519 public key, ready to verify, with its SubjectPublicKeyInfo DER (what the key id is the hash of). */
export interface Ed25519PublicKey {
  readonly spki: Uint8Array;
  readonly key: unknown;
}

/** SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): this 12-byte header, then the 32 key bytes. */
const SPKI_PREFIX = fromHex('302a300506032b6570032100');
/** PKCS#8 of an Ed25519 private key (RFC 8410), as Node and OpenSSL write it: this header, then the 32-byte seed. */
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');

const startsWith = (bytes: Uint8Array, prefix: Uint8Array): boolean => bytes.length >= prefix.length && equalBytes(bytes.subarray(0, prefix.length), prefix);

export class KeyFormatError extends Error {}

/**
 * Reads an SPKI public key PEM, or a PKCS#8 private key PEM (its public half is derived), as the
 * CLI always accepted. @throws KeyFormatError saying, in platform-independent words, what is wrong.
 */
export async function readEd25519PublicKey(pem: string): Promise<Ed25519PublicKey> {
  const block = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*)-----END \1-----/.exec(pem);
  if (block === null) throw new KeyFormatError('no PEM block (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----) found');
  const label = block[1]!;
  let der: Uint8Array;
  try {
    der = Uint8Array.from(atob(block[2]!.replace(/\s+/g, '')), (char) => char.charCodeAt(0));
  } catch {
    throw new KeyFormatError(`the ${label} block is not valid base64`);
  }
  const api = subtle();
  if (label === 'PUBLIC KEY') {
    if (der.length !== SPKI_PREFIX.length + 32 || !startsWith(der, SPKI_PREFIX)) throw new KeyFormatError('the PUBLIC KEY block is not an Ed25519 SubjectPublicKeyInfo');
    try {
      return { spki: der, key: await api.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']) };
    } catch {
      throw new KeyFormatError('the PUBLIC KEY block is not a usable Ed25519 public key');
    }
  }
  if (label === 'PRIVATE KEY') {
    if (!startsWith(der, PKCS8_PREFIX)) throw new KeyFormatError('the PRIVATE KEY block is not an Ed25519 PKCS#8 key');
    let x: string | undefined;
    try {
      // Web Crypto cannot derive a public key directly; the JWK form of a private key carries it.
      x = (await api.exportKey('jwk', await api.importKey('pkcs8', der, { name: 'Ed25519' }, true, ['sign']))).x;
    } catch {
      x = undefined;
    }
    if (x === undefined) throw new KeyFormatError('the PRIVATE KEY block is not a usable Ed25519 private key');
    const key = await api.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x }, { name: 'Ed25519' }, true, ['verify']);
    return { spki: new Uint8Array(await api.exportKey('spki', key)), key };
  }
  throw new KeyFormatError(`a ${label} block, not a PUBLIC KEY or PRIVATE KEY`);
}

/** False, never an exception, for a signature that does not verify or is malformed. */
export async function verifyEd25519(publicKey: Ed25519PublicKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  if (signature.length !== 64) return false;
  try {
    return await subtle().verify({ name: 'Ed25519' }, publicKey.key, signature, data);
  } catch {
    return false;
  }
}

/** Hex of the first 16 bytes of SHA-256 over the SPKI DER: the ledger's key id (decision 010). */
export async function ed25519KeyId(publicKey: Ed25519PublicKey): Promise<string> {
  return toHex((await sha256(publicKey.spki)).subarray(0, 16));
}
