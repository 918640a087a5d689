import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { readPublicKey, supportsCheckpoints, verifyStore, type CheckpointLog, type EventStore } from '#event-store';
import { CheckpointSigner } from '../../apps/ledger-api/src/audit/checkpoint-signer.js';
import { openEventLog } from '../../apps/ledger-api/src/ledger/event-log.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

// Several API processes behind a load balancer on one PostgreSQL event log (decision 024). Each
// instance here has its own read-model database on the same server, so nothing is shared that the
// decision does not say is shared: the event log, the idempotency records, the signing key.

const newKeyPem = (): string => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const OPERATOR_KEY = 'tl_000000000000_e2e-operator-key-with-enough-entropy';
const collectBody = { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 12_345 };
const quiet = { LEDGER_CHECKPOINT_EVERY_EVENTS: '0', LEDGER_CHECKPOINT_EVERY_MS: '0', LEDGER_REQUEST_AUDIT: 'off' };

function checkpointLog(store: EventStore): CheckpointLog {
  if (!supportsCheckpoints(store)) throw new Error('the store keeps no checkpoints');
  return store;
}

describe('two API instances on one PostgreSQL ledger', () => {
  let postgres: TestPostgres;
  let eventLogUrl: string;
  const keyPem = newKeyPem();
  const started: LedgerHarness[] = [];
  let a: LedgerHarness;
  let b: LedgerHarness;
  let sorter: RegisteredOrganisation;

  const startInstance = async (env: NodeJS.ProcessEnv = {}): Promise<LedgerHarness> => {
    const instance = await LedgerHarness.start({
      operatorKey: OPERATOR_KEY,
      env: { LEDGER_STORE: 'postgres', LEDGER_DATABASE_URL: eventLogUrl, LEDGER_READ_MODELS: 'postgres', LEDGER_READ_MODELS_URL: await postgres.createDatabase(), LEDGER_AUDIT_KEY: keyPem, ...quiet, ...env },
    });
    started.push(instance);
    return instance;
  };
  /** Waits until `instance`'s read models hold everything in the log (what a client would wait for with Ledger-Min-Position). */
  const caughtUp = async (instance: LedgerHarness): Promise<void> => instance.runner.waitForPosition(await instance.store.headPosition(), 10_000);

  beforeAll(async () => {
    postgres = await startTestPostgres();
    eventLogUrl = await postgres.createDatabase();
    a = await startInstance();
    b = await startInstance();
    sorter = await a.registerOrganisation('Sorter', ['sorter', 'collector']);
    await a.authoriseCollector(await a.registerOrganisation('Herning Kommune', ['municipality'], '0657'), sorter.id);
    await caughtUp(b);
  }, 60_000);
  afterAll(async () => {
    for (const instance of started.reverse()) await instance.close().catch(() => undefined);
    await postgres?.stop();
  });

  describe('Idempotency-Key, shared by the instances', () => {
    it('refuses on B the key A used for another body, and replays A\'s answer on B for the same body', async () => {
      const first = await a.post<{ batchId: string }>('/batches/collections', collectBody, sorter.key, { 'idempotency-key': 'shared-1' });
      expect(first.status).toBe(201);
      const head = await a.store.headPosition();

      const reused = await b.post<{ code: string }>('/batches/collections', { ...collectBody, massGrams: 1 }, sorter.key, { 'idempotency-key': 'shared-1' });
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency-key-reused');

      const retry = await b.post<{ batchId: string }>('/batches/collections', collectBody, sorter.key, { 'idempotency-key': 'shared-1' });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(await a.store.headPosition()).toBe(head);
    });

    it('executes a key sent to both instances at once exactly once', async () => {
      for (let round = 0; round < 10; round += 1) {
        const headBefore = await a.store.headPosition();
        const key = `race-${round}`;
        const [onA, onB] = await Promise.all([
          a.post<{ batchId: string }>('/batches/collections', collectBody, sorter.key, { 'idempotency-key': key }),
          b.post<{ batchId: string }>('/batches/collections', collectBody, sorter.key, { 'idempotency-key': key }),
        ]);
        expect([onA.status, onB.status]).toEqual([201, 201]);
        expect(onB.body).toEqual(onA.body);
        // One of them ran the command; the other waited for its answer and replayed it.
        expect([onA.headers['idempotent-replayed'], onB.headers['idempotent-replayed']].filter((h) => h === 'true')).toHaveLength(1);
        // A collection is one event.
        expect(await a.store.headPosition()).toBe(headBefore + 1);
      }
    });
  });

  describe('read-your-writes across instances', () => {
    it('a write on A names its log position, and a read on B asking for it sees the write, every time', async () => {
      let stale = 0;
      for (let i = 0; i < 300; i += 1) {
        const written = await a.post<{ batchId: string }>('/batches/collections', collectBody, sorter.key);
        expect(written.status).toBe(201);
        const position = written.headers['ledger-position'];
        expect(position).toMatch(/^\d+$/);
        const read = await b.request<{ batchId: string }>('GET', `/batches/${written.body.batchId}`, { key: sorter.key, headers: { 'ledger-min-position': String(position) } });
        if (read.status !== 200 || read.body.batchId !== written.body.batchId) stale += 1;
      }
      expect(stale).toBe(0);
    }, 120_000);

    it('names the position of a replayed write too', async () => {
      const first = await a.post('/batches/collections', collectBody, sorter.key, { 'idempotency-key': 'position-1' });
      const retry = await b.post('/batches/collections', collectBody, sorter.key, { 'idempotency-key': 'position-1' });
      expect(retry.headers['ledger-position']).toBe(first.headers['ledger-position']);
    });

    it('answers 400 to a Ledger-Min-Position that is not a position', async () => {
      const read = await b.request<{ code: string }>('GET', '/batches', { key: sorter.key, headers: { 'ledger-min-position': 'soon' } });
      expect(read.status).toBe(400);
      expect(read.body.code).toBe('invalid-min-position');
    });

    it('answers 503 with Retry-After when the read models do not reach the position in time, rather than stale data', async () => {
      const c = await startInstance({ LEDGER_MIN_POSITION_WAIT_MS: '200' });
      await caughtUp(c);
      const beyond = (await c.store.headPosition()) + 1_000;
      const read = await c.request<{ code: string; minPosition: number }>('GET', '/batches', { key: sorter.key, headers: { 'ledger-min-position': String(beyond) } });
      expect(read.status).toBe(503);
      expect(read.headers['retry-after']).toBe('1');
      expect(read.body).toMatchObject({ code: 'read-models-behind', minPosition: beyond });
    });
  });

  describe('one signing identity', () => {
    it('an instance configured with another key refuses to start (decision 029), saying which keys, and signs nothing', async () => {
      await a.post('/batches/collections', collectBody, sorter.key);
      await caughtUp(a);
      await a.app.get(CheckpointSigner).checkpoint();
      const keyId = a.app.get(CheckpointSigner).signingKey.keyId;
      expect((await checkpointLog(a.store).latestCheckpoint())?.keyId).toBe(keyId);

      const errors = jest.spyOn(Logger.prototype, 'error');
      try {
        await expect(startInstance({ LEDGER_AUDIT_KEY: newKeyPem() })).rejects.toThrow(new RegExp(`^refusing to start: .*not the key ${keyId} that signed the latest checkpoint`));
        const logged = errors.mock.calls.map((call) => String(call[0]));
        expect(logged.some((message) => message.includes('refusing to start') && message.includes(keyId))).toBe(true);
        expect((await checkpointLog(a.store).latestCheckpoint())!.keyId).toBe(keyId);
      } finally {
        errors.mockRestore();
      }
      expect(a.app.get(CheckpointSigner).status()).toEqual({ signing: true });
    });
  });
});

describe('key rotation on one PostgreSQL ledger', () => {
  it('an instance given the new key and the key it replaces takes over signing; the old key then refuses, and verify accepts the chain in rotation order only', async () => {
    const postgres = await startTestPostgres();
    const instances: LedgerHarness[] = [];
    try {
      const eventLogUrl = await postgres.createDatabase();
      const oldKey = newKeyPem();
      const newKey = newKeyPem();
      const start = async (env: NodeJS.ProcessEnv): Promise<LedgerHarness> => {
        const instance = await LedgerHarness.start({
          operatorKey: OPERATOR_KEY,
          env: { LEDGER_STORE: 'postgres', LEDGER_DATABASE_URL: eventLogUrl, LEDGER_READ_MODELS: 'postgres', LEDGER_READ_MODELS_URL: await postgres.createDatabase(), ...quiet, ...env },
        });
        instances.push(instance);
        return instance;
      };
      const old = await start({ LEDGER_AUDIT_KEY: oldKey });
      await old.registerOrganisation('Before the rotation', ['sorter']);
      const before = await old.app.get(CheckpointSigner).checkpoint();
      expect(before).toBeDefined();

      const rotated = await start({ LEDGER_AUDIT_KEY: newKey, LEDGER_AUDIT_KEY_ROTATE_FROM: oldKey });
      await rotated.registerOrganisation('After the rotation', ['sorter']);
      await rotated.runner.waitForPosition(await rotated.store.headPosition(), 10_000);
      const after = await rotated.app.get(CheckpointSigner).checkpoint();
      expect(after?.keyId).toBe(rotated.app.get(CheckpointSigner).signingKey.keyId);
      expect(after?.keyId).not.toBe(before!.keyId);

      await old.registerOrganisation('Signed by the old key?', ['sorter']);
      await old.runner.waitForPosition(await old.store.headPosition(), 10_000);
      expect(await old.app.get(CheckpointSigner).checkpoint()).toBeUndefined();
      expect(old.app.get(CheckpointSigner).status().signing).toBe(false);

      const store = await openEventLog({ kind: 'postgres', connectionString: eventLogUrl });
      try {
        const inOrder = await verifyStore(store, { publicKeys: [readPublicKey(oldKey), readPublicKey(newKey)], origin: old.config.audit.origin });
        expect(inOrder.problems).toEqual([]);
        expect(inOrder.ok).toBe(true);
        const newOnly = await verifyStore(store, { publicKeys: [readPublicKey(newKey)], origin: old.config.audit.origin });
        expect(newOnly.ok).toBe(false);
        const backwards = await verifyStore(store, { publicKeys: [readPublicKey(newKey), readPublicKey(oldKey)], origin: old.config.audit.origin });
        expect(backwards.ok).toBe(false);
        expect(backwards.firstProblem?.reason).toContain('retired key');
      } finally {
        await store.close();
      }
    } finally {
      for (const instance of instances.reverse()) await instance.close().catch(() => undefined);
      await postgres.stop();
    }
  }, 120_000);
});

describe('a graceful stop', () => {
  it.each(['sqlite', 'postgres'] as const)('signs a checkpoint that covers every event, so verify after a clean stop covers the head (event log: %s)', async (kind) => {
    const postgres = kind === 'postgres' ? await startTestPostgres() : undefined;
    try {
      const keyPem = newKeyPem();
      const url = await postgres?.createDatabase();
      const env: NodeJS.ProcessEnv = { ...quiet, LEDGER_AUDIT_KEY: keyPem, ...(url ? { LEDGER_STORE: 'postgres', LEDGER_DATABASE_URL: url, LEDGER_READ_MODELS: 'postgres' } : {}) };
      const ledger = await LedgerHarness.start({ env });
      const sorter = await ledger.registerOrganisation('Sorter', ['sorter', 'collector']);
      await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), sorter.id);
      for (let i = 0; i < 5; i += 1) expect((await ledger.post('/batches/collections', collectBody, sorter.key)).status).toBe(201);
      await ledger.close({ keepData: true });

      const store = await openEventLog(ledger.config.eventLog);
      try {
        const result = await verifyStore(store, { publicKey: readPublicKey(keyPem), origin: ledger.config.audit.origin });
        expect(result.ok).toBe(true);
        expect(result.checkpoints.latestTreeSize).toBe(result.events);
      } finally {
        await store.close();
      }
    } finally {
      await postgres?.stop();
    }
  }, 60_000);
});
