import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  canonicalJson,
  checkpointBody,
  ledgerLeafHash,
  loadOrCreateAuditKey,
  readPublicKey,
  supportsCheckpoints,
  verifyCheckpointSignature,
  verifyConsistency,
  verifyInclusion,
  type CheckpointLog,
  type EventStore,
  type SignedCheckpoint,
} from '#event-store';
import { exportAuditBundle } from '../../apps/ledger-cli/src/audit/export-audit-bundle.js';
import { verifyAuditBundle } from '../../apps/ledger-cli/src/audit/verify-audit-bundle.js';
import { COTTON } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

type Json = Record<string, unknown>;
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

/**
 * The auditor's side over HTTP and through an exported bundle: signed checkpoints, proofs
 * that verify with nothing but the public key, and a bundle that survives no edit.
 */
describe('audit evidence: checkpoints, proofs and bundles', () => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let collected: string[];
  let outputs: string[];
  let processId: string;

  beforeAll(async () => {
    // Checkpoints every 5 events, so the flow crosses several.
    ledger = await LedgerHarness.start({ env: { LEDGER_CHECKPOINT_EVERY_EVENTS: '5', LEDGER_CHECKPOINT_EVERY_MS: '0' } });
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter', 'collector']);
    collected = [];
    for (const massGrams of [120_000, 80_000, 50_000]) {
      const r = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, collectorOrgId: sorter.id }, herning.key);
      expect(r.status).toBe(201);
      collected.push(r.body.batchId);
    }
    const sorted = await ledger.post<{ processId: string; outputBatchIds: string[] }>(
      '/processes',
      {
        processType: 'sorting',
        inputs: collected.map((batchId) => ({ batchId })),
        outputs: [
          { massGrams: 100_000, grade: 'reuse', composition: COTTON },
          { massGrams: 140_000, grade: 'recycling', composition: COTTON },
        ],
        losses: [{ kind: 'moisture-dust', massGrams: 10_000 }],
      },
      sorter.key,
    );
    expect(sorted.status).toBe(201);
    outputs = sorted.body.outputBatchIds;
    processId = sorted.body.processId;
    expect((await ledger.post(`/batches/${outputs[0]}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, sorter.key)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await ledger.close();
  });

  async function signedCheckpoints(): Promise<{ publicKey: string; checkpoints: Array<SignedCheckpoint & { body: string }> }> {
    const r = await ledger.get<{ publicKey: string; keyId: string; checkpoints: Array<SignedCheckpoint & { body: string }> }>('/audit/checkpoints', herning.key);
    expect(r.status).toBe(200);
    return r.body;
  }

  it('publishes checkpoints every N events, each signed by the published key over its body', async () => {
    // Signing by count looks at the tree at most every 100 ms, so once commits stop, fewer than N
    // (here 5) events are left unsigned. Several checkpoints were signed on the way.
    const head = (await ledger.store.headPosition()) + 1;
    let { publicKey, checkpoints } = await signedCheckpoints();
    for (let tries = 0; tries < 50 && head - checkpoints.at(-1)!.treeSize >= 5; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ({ publicKey, checkpoints } = await signedCheckpoints());
    }
    expect(head - checkpoints.at(-1)!.treeSize).toBeLessThan(5);
    const key = readPublicKey(publicKey);
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    for (const checkpoint of checkpoints) {
      expect(verifyCheckpointSignature(checkpoint, key)).toBe(true);
      expect(checkpoint.body).toBe(checkpointBody(checkpoint));
    }
    // Sizes grow, and every later tree extends every earlier one.
    for (let i = 1; i < checkpoints.length; i++) {
      const [a, b] = [checkpoints[i - 1]!, checkpoints[i]!];
      expect(b.treeSize).toBeGreaterThan(a.treeSize);
      const r = await ledger.get<{ proof: string[] }>(`/audit/proofs/consistency?from=${a.treeSize}&to=${b.treeSize}`, herning.key);
      expect(r.status).toBe(200);
      expect(verifyConsistency(a.treeSize, b.treeSize, hex(a.rootHash), hex(b.rootHash), r.body.proof.map(hex))).toBe(true);
      expect(verifyConsistency(a.treeSize, b.treeSize, hex(b.rootHash), hex(a.rootHash), r.body.proof.map(hex))).toBe(false);
    }
    const pk = await ledger.get<{ keyId: string; publicKey: string }>('/audit/public-key', herning.key);
    expect(pk.body.publicKey).toBe(publicKey);
  });

  it('serves a batch history whose every event is proven against a signed checkpoint, as of any position', async () => {
    const r = await ledger.get<{ checkpoint: SignedCheckpoint; publicKey: string; events: Array<Json & { position: number; hash: string; leafIndex: number; inclusionProof: string[] }> }>(
      `/audit/batches/${collected[0]}/history`,
      herning.key,
    );
    expect(r.status).toBe(200);
    expect(r.body.events.map((e) => e.type)).toEqual(['BatchCollected', 'BatchConsumed']);
    expect(verifyCheckpointSignature(r.body.checkpoint, readPublicKey(r.body.publicKey))).toBe(true);
    const root = hex(r.body.checkpoint.rootHash);
    for (const event of r.body.events) {
      expect(verifyInclusion(ledgerLeafHash(event), event.leafIndex, r.body.checkpoint.treeSize, event.inclusionProof.map(hex), root)).toBe(true);
      // The proof is bound to the event's hash: another hash does not verify.
      expect(verifyInclusion(ledgerLeafHash({ position: event.position, hash: 'ab'.repeat(32) }), event.leafIndex, r.body.checkpoint.treeSize, event.inclusionProof.map(hex), root)).toBe(false);
    }
    const before = await ledger.get<{ events: Json[] }>(`/audit/batches/${collected[0]}/history?asOfPosition=${r.body.events[1]!.position - 1}`, herning.key);
    expect(before.body.events.map((e) => e.type)).toEqual(['BatchCollected']);
  });

  it('signs a fresh checkpoint on demand when a proof needs one', async () => {
    const r = await ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 7_000 }, herning.key);
    const history = await ledger.get<{ checkpoint: SignedCheckpoint; events: Array<{ position: number; leafIndex: number }> }>(`/audit/batches/${r.body.batchId}/history`, herning.key);
    expect(history.status).toBe(200);
    expect(history.body.checkpoint.treeSize).toBeGreaterThan(history.body.events[0]!.leafIndex);
    const proof = await ledger.get<{ treeSize: number; checkpoint: SignedCheckpoint | null; proof: string[]; leafHash: string; leafIndex: number }>(
      `/audit/proofs/inclusion?position=${history.body.events[0]!.position}`,
      herning.key,
    );
    expect(proof.status).toBe(200);
    expect(verifyInclusion(hex(proof.body.leafHash), proof.body.leafIndex, proof.body.treeSize, proof.body.proof.map(hex), hex(proof.body.checkpoint!.rootHash))).toBe(true);
  });

  it('answers bad proof requests with problem details', async () => {
    // An event Herning may see (its own collection), asked for in a tree too small to hold it.
    const own = await ledger.get<{ events: Array<{ position: number }> }>(`/audit/batches/${collected[0]}/history`, herning.key);
    const position = own.body.events[0]!.position;
    const cases: Array<[string, number, string]> = [
      ['/audit/proofs/inclusion?position=-1', 400, ''],
      ['/audit/proofs/inclusion?position=999999', 404, 'unknown-position'],
      [`/audit/proofs/inclusion?position=${position}&treeSize=${position}`, 422, 'tree-size-out-of-range'],
      ['/audit/proofs/consistency?from=5&to=3', 422, 'tree-size-out-of-range'],
      ['/audit/proofs/consistency?from=1&to=99999999', 422, 'tree-size-out-of-range'],
      ['/audit/checkpoints?limit=0', 400, ''],
      [`/audit/batches/${collected[0]}/history?asOf=2026-01-01T00:00:00Z&asOfPosition=3`, 400, ''],
    ];
    for (const [url, status, code] of cases) {
      const r = await ledger.get<Json>(url, herning.key);
      expect([url, r.status]).toEqual([url, status]);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(String(r.body.type)).toContain(code);
    }
  });

  describe('an exported bundle', () => {
    let bundleText: string;

    beforeAll(async () => {
      const store = ledger.store as EventStore & CheckpointLog;
      expect(supportsCheckpoints(store)).toBe(true);
      const { key } = loadOrCreateAuditKey(ledger.config.audit.keyFile);
      const bundle = await exportAuditBundle(store, { batchId: outputs[1]!, upstream: true, key, origin: ledger.config.audit.origin, now: new Date() });
      bundleText = canonicalJson(bundle);
    });

    it('verifies with nothing but itself, recomputing lineage, mass balance and provenance', async () => {
      const report = await verifyAuditBundle(bundleText);
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.keyTrust).toBe('bundle');
      expect(report.lineage!.map((a) => a.batchId).sort()).toEqual([...collected].sort());
      expect(report.processes).toEqual([expect.objectContaining({ processId, processType: 'sorting', status: 'completed', inputGrams: 250_000, outputGrams: 240_000, lossGrams: 10_000, balanced: true })]);
      expect(report.provenance).toEqual(expect.objectContaining({ batchId: outputs[1], massGrams: 140_000, postConsumerGrams: 140_000 }));
      // What the ledger's own API says about the same batch.
      const live = await ledger.get<Json>(`/batches/${outputs[1]}/provenance`, herning.key);
      expect(report.provenance).toEqual(expect.objectContaining({ byKommune: live.body.byKommune, recycledContentBasisPoints: live.body.recycledContentBasisPoints }));
    });

    it('checks the key an auditor pins', async () => {
      const published = (await signedCheckpoints()).publicKey;
      expect((await verifyAuditBundle(bundleText, { trustedPublicKeyPem: published })).keyTrust).toBe('pinned');
      const other = loadOrCreateAuditKey(path.join(ledger.dataDir, 'another-key.pem')).key.publicKeyPem;
      const report = await verifyAuditBundle(bundleText, { trustedPublicKeyPem: other });
      expect(report.ok).toBe(false);
      expect(report.failures[0]).toMatch(/public key|checkpoint signature/);
    });

    it('names the event whose data was changed', async () => {
      const bundle = JSON.parse(bundleText) as { events: Array<{ type: string; position: number; data: { massGrams: number } }> };
      const consumed = bundle.events.find((e) => e.type === 'BatchConsumed')!;
      consumed.data.massGrams += 1;
      const report = await verifyAuditBundle(canonicalJson(bundle));
      expect(report.ok).toBe(false);
      expect(report.failures[0]).toContain(`event at position ${consumed.position}`);
      expect(report.failures[0]).toContain('hash does not match');
    });

    it('fails, naming what broke, whatever single byte is changed', async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: bundleText.length - 1 }), fc.integer({ min: 1, max: 94 }), async (at, shift) => {
          const original = bundleText.charCodeAt(at);
          // Another printable ASCII character in the same place.
          const replaced = String.fromCharCode(32 + ((original - 32 + shift) % 95));
          const edited = bundleText.slice(0, at) + replaced + bundleText.slice(at + 1);
          if (edited === bundleText) return;
          const report = await verifyAuditBundle(edited);
          expect(report.ok).toBe(false);
          expect(report.failures[0]).toMatch(/^[a-z ]+: .+/);
        }),
        { numRuns: 150, seed: 4 },
      );
    });

    it('fails when a whole event is dropped from the middle of a stream', async () => {
      const bundle = JSON.parse(bundleText) as { events: Array<{ streamId: string; revision: number }> };
      const at = bundle.events.findIndex((e) => e.revision === 1);
      bundle.events.splice(at, 1);
      const report = await verifyAuditBundle(canonicalJson(bundle));
      expect(report.ok).toBe(false);
      expect(report.failures.join('\n')).toMatch(/hash chains|bundle signature/);
    });
  });

  it('keeps the signing key where configured, unchanged across restarts', async () => {
    const pem = readFileSync(ledger.config.audit.keyFile, 'utf8');
    expect(pem).toContain('PRIVATE KEY');
    expect(loadOrCreateAuditKey(ledger.config.audit.keyFile).created).toBe(false);
  });
});
