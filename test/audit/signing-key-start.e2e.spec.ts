/**
 * The checkpoint signing key at start-up (decision 029): a ledger whose log holds checkpoints never
 * replaces a lost key silently, never starts with a key other than the one that signed its latest
 * checkpoint unless a rotation is configured, and never loads a key file others may read.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPublicKey, supportsCheckpoints, verifyStore } from '#event-store';
import { CheckpointSigner } from '../../apps/ledger-api/src/audit/checkpoint-signer.js';
import { LedgerHarness } from '../fixtures/ledger-harness.js';
import { compiledEntry, repositoryRoot } from '../support/crash-harness.server.js';

const newKeyPem = (): string => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('the signing key at start-up', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'signing-key-start-'));
  let dataDir: string;
  let keyFile: string;
  let firstKeyId: string;

  beforeAll(async () => {
    // A ledger with events and a signed checkpoint, stopped cleanly.
    dataDir = path.join(root, 'ledger');
    const ledger = await LedgerHarness.start({ dataDir, env: { LEDGER_PROJECTIONS: 'in-process' } });
    try {
      await ledger.registerOrganisation('Sorter', ['sorter']);
      await ledger.runner.waitForPosition(await ledger.store.headPosition(), 10_000);
      const signed = await ledger.app.get(CheckpointSigner).checkpoint();
      expect(signed).toBeDefined();
      firstKeyId = signed!.keyId;
      keyFile = ledger.config.audit.keyFile;
    } finally {
      await ledger.close({ keepData: true });
    }
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('generates a key (mode 0600) on the first start of a log without checkpoints', () => {
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('refuses to start when the key file is lost, explains how to restore or rotate, and generates nothing', async () => {
    const backup = `${keyFile}.backup`;
    renameSync(keyFile, backup);
    try {
      const start = LedgerHarness.start({ dataDir, env: { LEDGER_PROJECTIONS: 'in-process' } });
      await expect(start).rejects.toThrow(/^refusing to start: the checkpoint signing key file .* does not exist, but the log holds checkpoints signed by key/);
      await expect(start).rejects.toThrow(firstKeyId);
      await expect(start).rejects.toThrow(/Restore the key file from your backup .*LEDGER_AUDIT_KEY_ROTATE_FROM/);
      expect(existsSync(keyFile)).toBe(false);
    } finally {
      renameSync(backup, keyFile);
    }
  }, 60_000);

  it('refuses to start with another key in its place, naming both keys', async () => {
    const backup = `${keyFile}.backup`;
    renameSync(keyFile, backup);
    try {
      writeFileSync(keyFile, newKeyPem(), { mode: 0o600 });
      const start = LedgerHarness.start({ dataDir, env: { LEDGER_PROJECTIONS: 'in-process' } });
      await expect(start).rejects.toThrow(/^refusing to start: this instance's checkpoint key \w+ is not the key \w+ that signed the latest checkpoint/);
      await expect(start).rejects.toThrow(firstKeyId);
    } finally {
      rmSync(keyFile);
      renameSync(backup, keyFile);
    }
  }, 60_000);

  it.each(['640', '644', '604'])('refuses to start with a key file of mode 0%s and says to chmod 600', async (octal) => {
    chmodSync(keyFile, parseInt(octal, 8));
    try {
      await expect(LedgerHarness.start({ dataDir, env: { LEDGER_PROJECTIONS: 'in-process' } })).rejects.toThrow(`run \`chmod 600 ${keyFile}\``);
    } finally {
      chmodSync(keyFile, 0o600);
    }
  }, 60_000);

  it('the server process exits non-zero with the refusal on its output', () => {
    chmodSync(keyFile, 0o640);
    try {
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LEDGER_')));
      const run = spawnSync(process.execPath, [compiledEntry('apps/ledger-api/src/main.js')], {
        cwd: repositoryRoot(),
        env: { ...env, LEDGER_DATA_DIR: dataDir, LEDGER_OPERATOR_KEY: 'tl_000000000000_e2e-operator-key-with-enough-entropy', PORT: '0', HOST: '127.0.0.1' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).not.toBe(0);
      expect(run.status).not.toBeNull();
      expect(`${run.stdout}${run.stderr}`).toContain('refusing to start');
      expect(`${run.stdout}${run.stderr}`).toContain('chmod 600');
    } finally {
      chmodSync(keyFile, 0o600);
    }
  }, 90_000);

  it('starts after a documented rotation to a new key, which then signs; verify accepts old key then new', async () => {
    const oldPublic = path.join(root, 'old-key.pub.pem');
    writeFileSync(oldPublic, readPublicKey(readFileSync(keyFile, 'utf8')).export({ type: 'spki', format: 'pem' }));
    // The old private key is lost: only its public half is at hand, which is all a rotation needs.
    rmSync(keyFile);
    writeFileSync(keyFile, newKeyPem(), { mode: 0o600 });
    const ledger = await LedgerHarness.start({ dataDir, env: { LEDGER_PROJECTIONS: 'in-process', LEDGER_AUDIT_KEY_ROTATE_FROM: oldPublic } });
    try {
      await ledger.registerOrganisation('After the rotation', ['sorter']);
      await ledger.runner.waitForPosition(await ledger.store.headPosition(), 10_000);
      const signed = await ledger.app.get(CheckpointSigner).checkpoint();
      expect(signed?.keyId).toBe(ledger.app.get(CheckpointSigner).signingKey.keyId);
      expect(signed?.keyId).not.toBe(firstKeyId);
      const store = ledger.store;
      if (!supportsCheckpoints(store)) throw new Error('the store keeps no checkpoints');
      const verified = await verifyStore(store, { publicKeys: [readPublicKey(readFileSync(oldPublic, 'utf8')), readPublicKey(readFileSync(keyFile, 'utf8'))], origin: ledger.config.audit.origin });
      expect(verified.problems).toEqual([]);
    } finally {
      await ledger.close({ keepData: true });
    }
    // The rotation done, the new key starts without LEDGER_AUDIT_KEY_ROTATE_FROM.
    const again = await LedgerHarness.start({ dataDir, env: { LEDGER_PROJECTIONS: 'in-process' } });
    await again.close({ keepData: true });
  }, 60_000);
});
