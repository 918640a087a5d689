import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  MerkleFrontier,
  SqliteEventStore,
  auditKeyFromPem,
  canonicalJson,
  checkpointBody as nodeCheckpointBody,
  computeEventHash,
  inclusionProof,
  ledgerLeafHash as nodeLeafHash,
  leafHash,
  publicKeyId,
  signCheckpoint,
  verifyInclusion as nodeVerifyInclusion,
  type MerkleNode,
  type StoredEvent,
} from '#event-store';
import { appendScenario, generateScenario } from '#scenarios';
import { exportAuditBundle } from '../../../apps/ledger-cli/src/audit/export-audit-bundle.js';
import { verifyAuditBundle } from '../../../apps/ledger-cli/src/audit/verify-audit-bundle.js';
import { TAMPERINGS } from '../../../test/browser/evidence-tamperings.js';
import { checkpointBody, ed25519KeyId, eventHash, ledgerLeafHash, readEd25519PublicKey, verifyCheckpointSignature, verifyEvidenceBundle, verifyInclusion } from './index.js';

const fromHex = (hex: string): Buffer => Buffer.from(hex, 'hex');

/**
 * The one verifier the CLI and the audit page share (decision 031), on a bundle the ledger's own
 * exporter wrote from a generated ledger: collections, transfers, processes of every kind.
 */
describe('the shared evidence-bundle verifier', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = auditKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'the test key');
  let store: SqliteEventStore;
  let events: StoredEvent[];
  let bundleText: string;

  beforeAll(async () => {
    store = await SqliteEventStore.open({ filename: ':memory:', synchronous: 'NORMAL' });
    await appendScenario(store, generateScenario({ seed: 7, batches: 30 }));
    events = await store.readAll({ maxCount: 100_000 });
    // The subject: the batch with the most ancestors, so the bundle spans several processes.
    const produced = events.filter((e) => e.type === 'BatchProduced').map((e) => (e.data as { batchId: string }).batchId);
    const bundles = await Promise.all(produced.slice(-5).map((batchId) => exportAuditBundle(store, { batchId, upstream: true, key, origin: 'test.ledger/log', now: new Date('2026-12-01T00:00:00Z') })));
    bundleText = canonicalJson(bundles.sort((a, b) => b.events.length - a.events.length)[0]);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
  });

  it('given an untampered bundle, when it is verified, then every check passes and the report counts what was checked', async () => {
    const bundle = JSON.parse(bundleText) as { events: Array<{ streamId: string }> };
    const report = await verifyEvidenceBundle(bundleText);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['checkpoint signature', 'order', 'hash chains', 'inclusion proofs', 'bundle signature', 'mass balance', 'subject']);
    expect(report).toMatchObject({ events: bundle.events.length, streams: new Set(bundle.events.map((e) => e.streamId)).size, proofs: bundle.events.length, checkpoints: 1, keyTrust: 'bundle' });
    expect(report.lineage!.length).toBeGreaterThan(0);
    // Without the CLI's provenance projection it says why provenance is missing, rather than failing.
    expect(report.provenanceNote).toMatch(/^not recomputed here/);
  });

  it('given the CLI, when it verifies the same bundle, then it reports the same checks and adds the recomputed provenance', async () => {
    const shared = await verifyEvidenceBundle(bundleText);
    const cli = await verifyAuditBundle(bundleText);
    expect(cli.checks).toEqual(shared.checks);
    expect(cli.ok).toBe(true);
    expect(cli.provenance).not.toBeNull();
  });

  it.each(TAMPERINGS.map((t) => [t.name, t] as const))('given a bundle with %s, when it is verified, then it fails and names the first thing that broke, as the CLI does', async (_name, tampering) => {
    const text = tampering.apply(bundleText);
    const report = await verifyEvidenceBundle(text);
    expect(report.ok).toBe(false);
    expect(report.failures[0]).toMatch(new RegExp(`^${tampering.firstFailure}: `));
    const cli = await verifyAuditBundle(text);
    expect([cli.ok, cli.failures[0]]).toEqual([false, report.failures[0]]);
  });

  it('given a pinned key, when the bundle names another, then the public key check fails first', async () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const report = await verifyEvidenceBundle(bundleText, { trustedPublicKeyPem: other });
    expect(report.keyTrust).toBe('pinned');
    expect(report.failures[0]).toBe('public key: the bundle names a different key from the trusted one');
    expect((await verifyEvidenceBundle(bundleText, { trustedPublicKeyPem: key.publicKeyPem })).ok).toBe(true);
  });

  it('given text that is not JSON, when it is verified, then the failure is worded without the JavaScript engine’s message', async () => {
    expect((await verifyEvidenceBundle('{"format":')).failures).toEqual(['format: the bundle is not valid JSON']);
  });

  describe('recomputes exactly what the ledger computes with node:crypto', () => {
    it('given the log’s events, when their hashes and leaves are recomputed, then they equal the ledger’s', async () => {
      for (const event of events.slice(0, 300)) {
        expect(await eventHash(event)).toBe(computeEventHash(event.prevHash, event));
        expect(Buffer.from(await ledgerLeafHash(event))).toEqual(nodeLeafHash(event));
      }
    });

    it('given any tree and leaf, when an inclusion proof is checked, then the verdict is the ledger’s, for true and tampered proofs', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), async (size, leafPick, flip) => {
          const frontier = MerkleFrontier.empty();
          const nodes = new Map<string, Buffer>();
          for (let i = 0; i < size; i += 1) for (const node of frontier.append(leafHash(Buffer.from([i, i >> 8])))) nodes.set(`${node.level}/${node.index}`, (node as MerkleNode).hash);
          const source = { node: (level: number, index: number) => nodes.get(`${level}/${index}`)! };
          const index = leafPick % size;
          const leaf = nodes.get(`0/${index}`)!;
          const proof = await inclusionProof(source, index, size);
          const root = frontier.root();
          expect(await verifyInclusion(leaf, index, size, proof, root)).toBe(true);
          const bent = proof.length > 0 ? proof.map((p, i) => (i === flip % proof.length ? Buffer.from(p.map((b, j) => (j === 0 ? b ^ 1 : b))) : p)) : proof;
          for (const [l, i, s, p] of [[leaf, index, size, bent], [leaf, (index + 1) % (size + 1), size, proof], [leaf, index, size + 1, proof], [leaf, index, size, proof.slice(1)]] as const) {
            expect(await verifyInclusion(l, i, s, p, root)).toBe(nodeVerifyInclusion(l, i, s, p, root));
          }
        }),
        { numRuns: 60, seed: 31 },
      );
    });

    it('given a checkpoint the ledger signed, when it is checked with Web Crypto, then body, key id and signature agree with node:crypto', async () => {
      const checkpoint = signCheckpoint({ origin: 'test.ledger/log', treeSize: 12, rootHash: 'ab'.repeat(32), lastPosition: 11, signedAt: '2026-12-01T00:00:00.000Z' }, key);
      expect(checkpointBody(checkpoint)).toBe(nodeCheckpointBody(checkpoint));
      const fromPublic = await readEd25519PublicKey(key.publicKeyPem);
      const fromPrivate = await readEd25519PublicKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      expect(await ed25519KeyId(fromPublic)).toBe(publicKeyId(key.publicKey));
      expect(await ed25519KeyId(fromPrivate)).toBe(publicKeyId(key.publicKey));
      expect(await verifyCheckpointSignature(checkpoint, fromPublic)).toBe(true);
      expect(await verifyCheckpointSignature({ ...checkpoint, treeSize: 13 }, fromPublic)).toBe(false);
      expect(await verifyCheckpointSignature({ ...checkpoint, rootHash: fromHex('cd'.repeat(32)).toString('hex') }, fromPublic)).toBe(false);
    });
  });
});
