import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from '@jest/globals';
import { transformFileSync } from '@swc/core';

import { loadOrCreateAuditKey, readPublicKey } from './audit-key.js';
import { publicKeyId } from './checkpoint-signature.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'audit-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateAuditKey', () => {
  it('generates an Ed25519 PKCS#8 key on first use, in missing parent directories, readable by the owner only', () => {
    const file = path.join(dir, 'first', 'nested', 'audit-key.pem');
    const { key, created } = loadOrCreateAuditKey(file);
    expect(created).toBe(true);
    const pem = readFileSync(file, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(key.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(key.keyId).toBe(publicKeyId(createPublicKey(pem)));
    expect(key.publicKeyPem).toBe(createPublicKey(pem).export({ type: 'spki', format: 'pem' }));
    // Nothing but the key is left behind (no temp file).
    expect(readdirSync(path.dirname(file))).toEqual(['audit-key.pem']);
  });

  it('loads the same key on later uses and leaves the file alone', () => {
    const file = path.join(dir, 'again.pem');
    const first = loadOrCreateAuditKey(file);
    const before = readFileSync(file, 'utf8');
    const second = loadOrCreateAuditKey(file);
    expect(second.created).toBe(false);
    expect(second.key.keyId).toBe(first.key.keyId);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('never replaces an existing file, even one that is not a usable key', () => {
    const notAKey = path.join(dir, 'not-a-key.pem');
    writeFileSync(notAKey, 'hello', { mode: 0o600 });
    expect(() => loadOrCreateAuditKey(notAKey)).toThrow();
    expect(readFileSync(notAKey, 'utf8')).toBe('hello');

    const rsa = path.join(dir, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(() => loadOrCreateAuditKey(rsa)).toThrow(/not an Ed25519 private key/);
  });

  it.each(['640', '604', '660', '644', '620'])('refuses a key file of mode 0%s, which the group or others may read or write, and names the fix', (octal) => {
    const mode = parseInt(octal, 8);
    const file = path.join(dir, `open-${mode.toString(8)}.pem`);
    writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    chmodSync(file, mode);
    expect(() => loadOrCreateAuditKey(file)).toThrow(`(mode 0${mode.toString(8)}): run \`chmod 600 ${file}\``);
    chmodSync(file, 0o600);
    expect(loadOrCreateAuditKey(file).created).toBe(false);
    chmodSync(file, 0o400);
    expect(loadOrCreateAuditKey(file).created).toBe(false);
  });

  it('with create: false, refuses a missing file instead of generating one', () => {
    const file = path.join(dir, 'lost', 'audit-key.pem');
    expect(() => loadOrCreateAuditKey(file, { create: false })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(existsSync(file)).toBe(false);
  });

  it('gives every process starting at once the same key: exactly one creates it', async () => {
    // Real parallelism needs threads, and threads need plain JavaScript: compile the two modules.
    const compiled = mkdtempSync(path.join(dir, 'compiled-'));
    writeFileSync(path.join(compiled, 'package.json'), '{"type":"module"}');
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const name of ['audit-key', 'checkpoint-signature']) {
      const { code } = transformFileSync(path.join(here, `${name}.ts`), { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } });
      writeFileSync(path.join(compiled, `${name}.js`), code);
    }
    const workers = 6;
    const files = Array.from({ length: 8 }, (_, i) => path.join(dir, 'race', `key-${i}.pem`));
    // Every worker waits on one shared flag, so they all reach the empty directory together.
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const source = `
      import { workerData, parentPort } from 'node:worker_threads';
      const { loadOrCreateAuditKey } = await import(workerData.module);
      Atomics.wait(workerData.gate, 0, 0);
      parentPort.postMessage(workerData.files.map((file) => { const { key, created } = loadOrCreateAuditKey(file); return { keyId: key.keyId, created }; }));
    `;
    const results = Array.from({ length: workers }, () => {
      const worker = new Worker(source, { eval: true, workerData: { module: path.join(compiled, 'audit-key.js'), files, gate } });
      return new Promise<Array<{ keyId: string; created: boolean }>>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }).finally(() => void worker.terminate());
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    const answers = await Promise.all(results);
    files.forEach((file, i) => {
      const forFile = answers.map((perWorker) => perWorker[i]!);
      expect(new Set(forFile.map((a) => a.keyId)).size).toBe(1);
      expect(forFile.filter((a) => a.created)).toHaveLength(1);
      expect(publicKeyId(readPublicKey(readFileSync(file, 'utf8')))).toBe(forFile[0]!.keyId);
    });
    expect(readdirSync(path.join(dir, 'race')).sort()).toEqual(files.map((f) => path.basename(f)).sort());
  });
});

describe('readPublicKey', () => {
  it('reads an SPKI public key, or derives it from a PKCS#8 private key', () => {
    const { key } = loadOrCreateAuditKey(path.join(dir, 'public.pem'));
    expect(publicKeyId(readPublicKey(key.publicKeyPem))).toBe(key.keyId);
    expect(publicKeyId(readPublicKey(readFileSync(path.join(dir, 'public.pem'), 'utf8')))).toBe(key.keyId);
    expect(readPublicKey(readFileSync(path.join(dir, 'public.pem'), 'utf8')).type).toBe('public');
  });

  it('refuses keys of other algorithms and text that is no key', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => readPublicKey(publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow(/not an Ed25519 key/);
    expect(() => readPublicKey('hello')).toThrow();
    expect(existsSync(path.join(dir, 'hello'))).toBe(false);
  });
});
