import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';

import type { SignedCheckpoint } from '../checkpoint-log.port.js';
import type { EventStore, ReadAllOptions, StoredEvent } from '../event-store.port.js';
import type { AuditSigningKey } from './audit-key.js';
import { publicKeyId, signCheckpoint } from './checkpoint-signature.js';
import { GENESIS_HASH, computeEventHash } from './event-hash.js';
import { MerkleFrontier, ledgerLeafHash } from './merkle-tree.js';
import { formatStoreVerification, verifyStore, type RecordedLeaves, type StoreVerifierOptions } from './store-verifier.js';

const metadata = { actorOrgId: 'org-1', commandId: 'c', correlationId: 'c', causationId: 'c' };
const ORIGIN = 'test-ledger';

function newKey(): AuditSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: publicKeyId(publicKey) };
}
const key = newKey();

/** Recomputes every stream's chain in log order, as a forger with the (public) hash algorithm can. */
function rechain(events: readonly StoredEvent[]): StoredEvent[] {
  const heads = new Map<string, { revision: number; hash: string }>();
  return events.map((event) => {
    const head = heads.get(event.streamId);
    const revision = head ? head.revision + 1 : 0;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const base = { ...event, revision, prevHash };
    const hash = computeEventHash(prevHash, base);
    heads.set(event.streamId, { revision, hash });
    return { ...base, hash };
  });
}

/** 24 events over streams a, b, c; position = index * step. */
function validLog(step = 1): StoredEvent[] {
  const streams = ['a', 'b', 'a', 'c', 'b', 'a'];
  return rechain(
    Array.from({ length: 24 }, (_, i) => ({
      streamId: streams[i % streams.length]!,
      revision: 0,
      position: i * step,
      eventId: `e-${i}`,
      type: 'TestEvent',
      schemaVersion: 1,
      data: { n: i, massGrams: 1000 + i },
      metadata,
      recordedAt: '2026-01-01T00:00:00.000Z',
      prevHash: '',
      hash: '',
    })),
  );
}

/** The checkpoints an honest signer made over `log` at the given sizes. */
function checkpointsOver(log: readonly StoredEvent[], sizes: readonly number[], signer: AuditSigningKey = key): SignedCheckpoint[] {
  const frontier = MerkleFrontier.empty();
  const roots = new Map<number, string>([[0, frontier.root().toString('hex')]]);
  for (const event of log) {
    frontier.append(ledgerLeafHash(event));
    roots.set(frontier.size, frontier.root().toString('hex'));
  }
  return sizes.map((treeSize) =>
    signCheckpoint({ origin: ORIGIN, treeSize, rootHash: roots.get(treeSize)!, lastPosition: treeSize === 0 ? -1 : log[treeSize - 1]!.position, signedAt: '2026-01-02T00:00:00.000Z' }, signer),
  );
}

/** The leaves as recorded when the log was written (what the audit-log read model keeps). */
function witnessOf(log: readonly StoredEvent[]): RecordedLeaves {
  const leaves = log.map(ledgerLeafHash);
  return { leaf: (index) => leaves[index] };
}

/** Just the two reads the verifier uses, over an array; it records the pages asked for. */
function memoryStore(events: readonly StoredEvent[], options: { failAfter?: number; head?: number } = {}): Pick<EventStore, 'readAll' | 'headPosition'> & { pages: number[] } {
  const sorted = [...events].sort((a, b) => a.position - b.position);
  const pages: number[] = [];
  return {
    pages,
    async readAll({ after = -1, maxCount }: ReadAllOptions) {
      pages.push(maxCount);
      if (options.failAfter !== undefined && after >= options.failAfter) throw new Error('disk I/O error');
      return sorted.filter((e) => e.position > after).slice(0, maxCount);
    },
    async headPosition() {
      return options.head ?? sorted.at(-1)?.position ?? -1;
    },
  };
}

const SIZES = [0, 8, 16, 24];
const verify = (events: readonly StoredEvent[], checkpoints: readonly SignedCheckpoint[], options: StoreVerifierOptions = {}) =>
  verifyStore(memoryStore(events), { checkpoints, publicKey: key.publicKey, origin: ORIGIN, pageSize: 5, ...options });

describe('verifyStore', () => {
  const log = validLog();
  const checkpoints = checkpointsOver(log, SIZES);

  it('passes a sound log with sound checkpoints, reading it page by page', async () => {
    const store = memoryStore(log);
    const result = await verifyStore(store, { checkpoints, publicKey: key.publicKey, origin: ORIGIN, pageSize: 5 });
    expect(result).toEqual({ ok: true, events: 24, streams: 3, headPosition: 23, checkpoints: { checked: 4, latestTreeSize: 24 }, problems: [], problemCount: 0 });
    expect(Math.max(...store.pages)).toBe(5);
    expect(formatStoreVerification(result)).toMatch(/^OK: 24 events in 3 streams/);
  });

  it('names a changed event exactly, and once: the later events of its stream still link to its stored hash', async () => {
    const tampered = log.map((e) => (e.position === 10 ? { ...e, data: { n: 10, massGrams: 9999 } } : e));
    const result = await verify(tampered, checkpoints);
    expect(result.ok).toBe(false);
    expect(result.firstProblem).toMatchObject({ kind: 'hash', position: 10, streamId: log[10]!.streamId, revision: log[10]!.revision, eventId: 'e-10' });
    // The leaf commits to the stored hash, which the forger left alone: the roots still match.
    expect(result.problems).toHaveLength(1);
  });

  it('given an event rewritten with its own hash recomputed after the last signed checkpoint, then it names the next event of that stream, whose prevHash no longer links', async () => {
    const signedUpTo16 = checkpointsOver(log, [0, 8, 16]);
    const victim = log[18]!;
    const next = log.find((e) => e.streamId === victim.streamId && e.position > victim.position)!;
    const rewritten = { ...victim, data: { n: 18, massGrams: 9999 } };
    const tampered = log.map((e) => (e.position === victim.position ? { ...rewritten, hash: computeEventHash(victim.prevHash, rewritten) } : e));

    const result = await verify(tampered, signedUpTo16);

    // No Merkle root covers positions 16 and on, and the victim's own hash is sound: only the link from the next event gives it away.
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'prev-hash', position: next.position, streamId: victim.streamId, revision: next.revision, eventId: next.eventId })]);
  });

  it('names the position of a deleted event, and its stream and revision through the chain', async () => {
    const victim = log[9]!;
    const result = await verify(log.filter((e) => e !== victim), checkpoints);
    expect(result.firstProblem).toMatchObject({ kind: 'position-gap', position: 9 });
    expect(result.problems).toContainEqual(expect.objectContaining({ kind: 'revision', streamId: victim.streamId, reason: expect.stringContaining(`expected revision ${victim.revision}`) }));
    expect(result.problems).toContainEqual({ kind: 'checkpoint-beyond-log', checkpointTreeSize: 24, reason: expect.stringContaining('events were deleted from within it') });
  });

  describe('a forger who recomputed the stream chain', () => {
    // Event 10 gets new content; every later event of its stream is re-hashed to match.
    const forged = rechain(log.map((e) => (e.position === 10 ? { ...e, data: { n: 10, massGrams: 1 } } : e)));

    it('passes every chain check, but not the signed root: the report bounds the event between the checkpoints', async () => {
      const result = await verify(forged, checkpoints);
      expect(result.problems.map((p) => p.kind)).toEqual(['merkle-divergence', 'checkpoint-root']);
      expect(result.firstProblem).toMatchObject({ kind: 'merkle-divergence', range: { fromPosition: 8, toPosition: 15 }, checkpointTreeSize: 16 });
      expect(result.firstProblem?.reason).toMatch(/between position 8 and 15 \(after signed checkpoint 8, which matches\)/);
    });

    it('is named exactly with the recorded leaves as a witness', async () => {
      const result = await verify(forged, checkpoints, { recordedLeaves: witnessOf(log) });
      expect(result.firstProblem).toMatchObject({ kind: 'merkle-divergence', position: 10, streamId: log[10]!.streamId, revision: log[10]!.revision, eventId: 'e-10', checkpointTreeSize: 16 });
    });

    it('is only bounded when the witness does not reproduce the signed root (it was rewritten too)', async () => {
      const result = await verify(forged, checkpoints, { recordedLeaves: witnessOf(forged) });
      expect(result.firstProblem).toMatchObject({ kind: 'merkle-divergence', range: { fromPosition: 8, toPosition: 15 } });
      expect(result.firstProblem?.position).toBeUndefined();
      expect(result.firstProblem?.reason).toMatch(/recorded leaves do not reproduce the signed root/);
    });

    it('is bounded from the start of the log when no earlier checkpoint matches', async () => {
      const result = await verify(forged, checkpointsOver(log, [16, 24]));
      expect(result.firstProblem).toMatchObject({ kind: 'merkle-divergence', range: { fromPosition: 0, toPosition: 15 } });
    });
  });

  it('finds two swapped events of different streams, which every chain still accepts, through the Merkle log', async () => {
    // Positions 12 (stream a) and 13 (stream b) trade places: both streams still read in order.
    const swapped = log.map((e) => (e.position === 12 ? { ...e, position: 13 } : e.position === 13 ? { ...e, position: 12 } : e));
    expect((await verify(swapped, checkpoints)).firstProblem).toMatchObject({ kind: 'merkle-divergence', range: { fromPosition: 8, toPosition: 15 } });
    expect((await verify(swapped, checkpoints, { recordedLeaves: witnessOf(log) })).firstProblem).toMatchObject({ kind: 'merkle-divergence', position: 12, eventId: 'e-13' });
  });

  it('names the first missing event when the tail was truncated', async () => {
    const result = await verify(log.slice(0, 20), checkpoints);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'checkpoint-beyond-log', position: 20, checkpointTreeSize: 24, range: { fromPosition: 20, toPosition: 23 } })]);
  });

  it('names a checkpoint whose root was edited, and does not blame the events', async () => {
    const edited = checkpoints.map((c) => (c.treeSize === 16 ? { ...c, rootHash: checkpoints[3]!.rootHash } : c));
    const result = await verify(log, edited);
    expect(result.firstProblem).toMatchObject({ kind: 'checkpoint-signature', checkpointTreeSize: 16 });
    expect(result.problems.map((p) => [p.kind, p.checkpointTreeSize])).toEqual([
      ['checkpoint-signature', 16],
      ['checkpoint-root', 16],
    ]);
  });

  it('names a checkpoint signed by another key, even one that tells the truth', async () => {
    const other = newKey();
    const replaced = checkpoints.map((c) => (c.treeSize === 8 ? checkpointsOver(log, [8], other)[0]! : c));
    const result = await verify(log, replaced);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'checkpoint-signature', checkpointTreeSize: 8, reason: expect.stringContaining(other.keyId) })]);
  });

  it('refuses checkpoints out of order, of another log, or unchecked for want of a key', async () => {
    const reordered = [checkpoints[0]!, checkpoints[2]!, checkpoints[1]!, checkpoints[3]!];
    expect((await verify(log, reordered)).problems).toEqual([expect.objectContaining({ kind: 'checkpoint-order', checkpointTreeSize: 8 })]);
    expect((await verify(log, checkpoints, { origin: 'another-ledger' })).problems.map((p) => p.kind)).toEqual(Array(4).fill('checkpoint-origin'));
    const keyless = await verifyStore(memoryStore(log), { checkpoints });
    expect(keyless.problems).toEqual([expect.objectContaining({ kind: 'no-public-key' })]);
    expect((await verifyStore(memoryStore(log), { checkpoints: [] })).ok).toBe(true);
  });

  it('finds an event id used twice, even in chains that check out', async () => {
    const duplicated = rechain(log.map((e) => (e.position === 17 ? { ...e, eventId: 'e-4' } : e)));
    const result = await verify(duplicated, []);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'duplicate-event-id', position: 17, eventId: 'e-4', reason: expect.stringContaining('position 4') })]);
  });

  it('keeps an early duplicate id in the list even when later problems have filled it', async () => {
    const tampered = rechain(log.map((e) => (e.position === 5 ? { ...e, eventId: 'e-1' } : e))).map((e) => (e.position >= 10 ? { ...e, data: {} } : e));
    const result = await verify(tampered, [], { maxProblems: 3 });
    expect(result.problems.map((p) => [p.kind, p.position])).toEqual([
      ['duplicate-event-id', 5],
      ['hash', 10],
      ['hash', 11],
    ]);
    expect(result.problemCount).toBe(15);
  });

  it('accepts gaps in positions only when told the store has them, and then still checks order', async () => {
    const sparse = validLog(10);
    const sparseCheckpoints = checkpointsOver(sparse, SIZES);
    expect((await verify(sparse, sparseCheckpoints)).firstProblem).toMatchObject({ kind: 'position-gap', position: 1 });
    expect((await verify(sparse, sparseCheckpoints, { gapFreePositions: false })).ok).toBe(true);
    const result = await verify(sparse.filter((e) => e.position !== 90), sparseCheckpoints, { gapFreePositions: false });
    expect(result.firstProblem).toMatchObject({ kind: 'revision', position: 150 });
  });

  it('reports a log it cannot read as a problem, not a crash', async () => {
    const result = await verifyStore(memoryStore(log, { failAfter: 9 }), { checkpoints, publicKey: key.publicKey, pageSize: 5 });
    expect(result.firstProblem).toMatchObject({ kind: 'unreadable', position: 10, reason: expect.stringContaining('disk I/O error') });
    // What could not be read is not called missing.
    expect(result.problems.map((p) => p.kind)).toEqual(['unreadable']);
  });

  it('checks the log as of the head it found, leaving later appends out', async () => {
    const result = await verifyStore(memoryStore(log, { head: 15 }), { checkpoints: checkpoints.slice(0, 3), publicKey: key.publicKey, pageSize: 5 });
    expect(result).toMatchObject({ ok: true, events: 16, headPosition: 15 });
  });

  it('lists the first problems, counts them all, and reports them as text', async () => {
    const tampered = log.map((e) => (e.position >= 4 ? { ...e, data: {} } : e));
    const result = await verify(tampered, [], { maxProblems: 3 });
    expect(result.problemCount).toBe(20);
    expect(result.problems.map((p) => p.position)).toEqual([4, 5, 6]);
    const text = formatStoreVerification(result);
    expect(text).toMatch(/^FAILED: 24 events/);
    expect(text).toContain("first problem: [position 4, stream b, revision 1, event e-4] stream b revision 1: hash does not match the event's content (hash)");
    expect(text).toContain('20 problems (the first 3 listed)');
  });
});
