import { beforeEach, expect, it } from '@jest/globals';
import { MerkleFrontier, ledgerLeafHash, verifyConsistency, verifyInclusion } from '#event-store';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, dump, project, syntheticFlow } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { AuditLogProjection } from './audit-log.projection.js';
import { auditRoot, auditTreeHead, consistencyProofBetween, inclusionProofAt, leafAtPosition } from './audit-log.queries.js';

/** The root of the first `size` events, computed from the events alone (what `ledger verify` does). */
function expectedRoot(log: EventLog, size: number): string {
  const frontier = MerkleFrontier.empty();
  for (const event of log.events.slice(0, size)) frontier.append(ledgerLeafHash(event));
  return frontier.root().toString('hex');
}

describeOnEachReadDb('audit log projection (Merkle tree over the global log)', (openDb) => {
  let db: ReadDb;

  beforeEach(async () => {
    db = await openDb();
  });

  async function projectInPages(log: EventLog, pages: number[]): Promise<AuditLogProjection> {
    let projection = new AuditLogProjection();
    await projection.migrate(db);
    await projection.load(db);
    let from = 0;
    for (const to of [...pages, log.events.length]) {
      await project(db, projection, log.projected(from, to));
      // A fresh instance per page: the frontier must come back from the stored peaks.
      projection = new AuditLogProjection();
      await projection.load(db);
      from = to;
    }
    return projection;
  }

  it('stores a root for every size that equals the root computed from the events', async () => {
    const log = new EventLog();
    syntheticFlow(log, 157, 3);
    await projectInPages(log, [1, 2, 13, 64, 100]);
    const head = await auditTreeHead(db);
    expect(head).toEqual({ treeSize: log.events.length, lastPosition: log.events.at(-1)!.position });
    for (const size of [1, 2, 3, 7, 8, 64, 65, 100, log.events.length]) {
      expect((await auditRoot(db, size)).toString('hex')).toBe(expectedRoot(log, size));
    }
  });

  it('serves inclusion and consistency proofs that verify against those roots', async () => {
    const log = new EventLog();
    syntheticFlow(log, 90, 5);
    await projectInPages(log, [40]);
    const size = log.events.length;
    const root = Buffer.from(expectedRoot(log, size), 'hex');
    for (const position of [0, 1, 31, 32, 63, size - 1]) {
      const view = await inclusionProofAt(db, position, size);
      expect(view).toBeDefined();
      const ok = verifyInclusion(Buffer.from(view!.leafHash, 'hex'), view!.leafIndex, size, view!.proof.map((h) => Buffer.from(h, 'hex')), root);
      expect(ok).toBe(true);
      // The same path does not prove another event.
      const other = ledgerLeafHash(log.events[(position + 1) % size]!);
      expect(verifyInclusion(other, view!.leafIndex, size, view!.proof.map((h) => Buffer.from(h, 'hex')), root)).toBe(false);
    }
    expect(await inclusionProofAt(db, size - 1, size - 1)).toBeUndefined();
    for (const [from, to] of [
      [1, size],
      [7, 64],
      [32, 33],
      [50, size],
    ] as const) {
      const proof = (await consistencyProofBetween(db, from, to)).map((h) => Buffer.from(h, 'hex'));
      expect(verifyConsistency(from, to, Buffer.from(expectedRoot(log, from), 'hex'), Buffer.from(expectedRoot(log, to), 'hex'), proof)).toBe(true);
    }
  });

  it('indexes every event by position with its hashes, and a rebuild in one page writes the same rows', async () => {
    const log = new EventLog();
    syntheticFlow(log, 120, 9);
    await projectInPages(log, [5, 6, 77]);
    const leaf = await leafAtPosition(db, 17);
    expect(leaf).toEqual(
      expect.objectContaining({ leafIndex: 17, position: 17, streamId: log.events[17]!.streamId, eventHash: log.events[17]!.hash, leafHash: ledgerLeafHash(log.events[17]!).toString('hex') }),
    );
    const paged = [await dump(db, 'audit_log_leaf'), await dump(db, 'audit_log_node')];

    const rebuilt = await openDb();
    const projection = new AuditLogProjection();
    await projection.migrate(rebuilt);
    await projection.load(rebuilt);
    await project(rebuilt, projection, log.projected());
    // Re-applying a page is a no-op (the runner may redeliver after a crash).
    await project(rebuilt, projection, log.projected(100));
    expect([await dump(rebuilt, 'audit_log_leaf'), await dump(rebuilt, 'audit_log_node')]).toEqual(paged);
  });

  it('keeps leaf indices dense when positions have gaps (EventStoreDB commit positions)', async () => {
    const log = new EventLog();
    syntheticFlow(log, 20, 2);
    const sparse = log.projected().map((e, i) => ({ ...e, position: 1_000 + i * 37 }));
    const projection = new AuditLogProjection();
    await projection.migrate(db);
    await projection.load(db);
    await project(db, projection, sparse);
    const n = sparse.length;
    expect(await auditTreeHead(db)).toEqual({ treeSize: n, lastPosition: 1_000 + (n - 1) * 37 });
    expect((await auditRoot(db, n)).toString('hex')).not.toBe(expectedRoot(log, n)); // positions are in the leaves
    expect((await leafAtPosition(db, 1_037))?.leafIndex).toBe(1);
  });
});
