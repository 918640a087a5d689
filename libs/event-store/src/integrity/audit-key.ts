/**
 * The operator's Ed25519 checkpoint-signing key (decision 010). The private key lives in one PKCS#8
 * PEM file whose location is configured; it is generated there on first use.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

import { publicKeyId } from './checkpoint-signature.js';

export interface AuditSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
  readonly keyId: string;
}

function fromPrivateKey(privateKey: KeyObject, source: string): AuditSigningKey {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${source} is not an Ed25519 private key (found ${privateKey.asymmetricKeyType ?? privateKey.type})`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: publicKeyId(publicKey) };
}

/**
 * Reads the key file, refusing one that the group or others may read or write (decision 029): a
 * signing key anyone on the host could copy signs checkpoints nobody can trust, and ssh refuses
 * such a private key for the same reason. The mode is taken from the open file, not the path, so
 * the file checked is the file read.
 */
function readKeyFile(file: string): AuditSigningKey {
  const fd = openSync(file, 'r');
  let pem: string;
  try {
    const mode = fstatSync(fd).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new Error(`the checkpoint signing key ${file} is readable or writable by its group or others (mode 0${mode.toString(8)}): run \`chmod 600 ${file}\` and start again`);
    }
    pem = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  return fromPrivateKey(createPrivateKey(pem), file);
}

function isErrno(error: unknown, code: string): boolean {
  // Not `instanceof Error`: errors thrown by node:fs may come from another realm (a vm context, Jest).
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}

/**
 * Loads the Ed25519 private key (PKCS#8 PEM) at `file` (refused when its mode lets the group or
 * others in), or generates one there (mode 0600, parent dirs created, written atomically via a temp
 * file + link, never overwriting an existing file) on first use. With `create: false` a missing file
 * is an error (ENOENT): the ledger passes that once its log holds checkpoints, since a new key could
 * not continue them (decision 029).
 */
export function loadOrCreateAuditKey(file: string, options: { readonly create?: boolean } = {}): { readonly key: AuditSigningKey; readonly created: boolean } {
  try {
    return { key: readKeyFile(file), created: false };
  } catch (error) {
    if (!isErrno(error, 'ENOENT') || options.create === false) throw error;
  }
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx' + 0600: the key is never readable by others, not even for a moment (umask only removes bits).
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, pem);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link(2), not rename(2): both publish the complete file atomically, but link fails when the
    // target exists, so two processes starting together cannot replace each other's key.
    linkSync(temp, file);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    return { key: readKeyFile(file), created: false };
  } finally {
    unlinkSync(temp);
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return { key: fromPrivateKey(privateKey, file), created: true };
}

/** The signing key given as PEM text (LEDGER_AUDIT_KEY): every instance of one ledger is given the same one (decision 024). */
export function auditKeyFromPem(pem: string, source: string): AuditSigningKey {
  try {
    return fromPrivateKey(createPrivateKey(pem), source);
  } catch (error) {
    throw new Error(`${source} holds no usable Ed25519 private key (PKCS#8 PEM): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Accepts an SPKI public key PEM or a PKCS#8 private key PEM (derives the public key). */
export function readPublicKey(pem: string): KeyObject {
  // createPublicKey derives the public half when handed a private key.
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (found ${key.asymmetricKeyType ?? 'unknown'})`);
  return key;
}
