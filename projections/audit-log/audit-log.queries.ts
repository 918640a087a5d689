import { consistencyProof, inclusionProof, rootAt, type MerkleNodeSource } from '#event-store';
import type { ReadDb } from '../runner/projection.js';
import { storedNode, type AuditLogTables } from './audit-log.projection.js';

/** How much of the log the tree covers. */
export interface AuditTreeHead {
  readonly treeSize: number;
  /** Position of leaf treeSize − 1, or −1 for an empty tree. */
  readonly lastPosition: number;
}

export interface AuditLeaf {
  readonly leafIndex: number;
  readonly position: number;
  readonly streamId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly recordedAt: string;
  readonly eventHash: string;
  readonly leafHash: string;
}

export interface InclusionProofView {
  readonly leafIndex: number;
  readonly position: number;
  readonly leafHash: string;
  readonly treeSize: number;
  /** RFC 9162 audit path, hex, from the leaf's sibling upwards. */
  readonly proof: string[];
}

/**
 * The stored tree as a proof source. Only completed subtrees are asked for (the RFC's recursion never
 * needs an incomplete one), and those never change once written, so reads need no snapshot.
 */
export function auditNodeSource(db: ReadDb): MerkleNodeSource {
  // Proofs for the events of one answer share most of their upper nodes; look each up once.
  const seen = new Map<string, Promise<Buffer>>();
  return {
    node: (level, index) => {
      const key = `${level}/${index}`;
      let hash = seen.get(key);
      if (hash === undefined) {
        hash = storedNode(db, level, index);
        seen.set(key, hash);
      }
      return hash;
    },
  };
}

export async function auditTreeHead(db: ReadDb): Promise<AuditTreeHead> {
  const last = await db.withTables<AuditLogTables>().selectFrom('audit_log_leaf').select(['leaf_index', 'position']).orderBy('leaf_index', 'desc').limit(1).executeTakeFirst();
  return last === undefined ? { treeSize: 0, lastPosition: -1 } : { treeSize: Number(last.leaf_index) + 1, lastPosition: Number(last.position) };
}

export async function auditRoot(db: ReadDb, treeSize: number): Promise<Buffer> {
  return rootAt(auditNodeSource(db), treeSize);
}

function toLeaf(row: AuditLogTables['audit_log_leaf']): AuditLeaf {
  return {
    leafIndex: Number(row.leaf_index),
    position: Number(row.position),
    streamId: row.stream_id,
    revision: Number(row.revision),
    eventId: row.event_id,
    recordedAt: row.recorded_at,
    eventHash: row.event_hash,
    leafHash: row.leaf_hash,
  };
}

export async function leafAtIndex(db: ReadDb, leafIndex: number): Promise<AuditLeaf | undefined> {
  const row = await db.withTables<AuditLogTables>().selectFrom('audit_log_leaf').selectAll().where('leaf_index', '=', leafIndex).executeTakeFirst();
  return row === undefined ? undefined : toLeaf(row);
}

export async function leafAtPosition(db: ReadDb, position: number): Promise<AuditLeaf | undefined> {
  const row = await db.withTables<AuditLogTables>().selectFrom('audit_log_leaf').selectAll().where('position', '=', position).executeTakeFirst();
  return row === undefined ? undefined : toLeaf(row);
}

export async function leavesAtPositions(db: ReadDb, positions: readonly number[]): Promise<Map<number, AuditLeaf>> {
  const found = new Map<number, AuditLeaf>();
  for (let start = 0; start < positions.length; start += 500) {
    const slice = positions.slice(start, start + 500);
    const rows = await db.withTables<AuditLogTables>().selectFrom('audit_log_leaf').selectAll().where('position', 'in', slice).execute();
    for (const row of rows) found.set(Number(row.position), toLeaf(row));
  }
  return found;
}

/** The leaf of the event at `position`, with its audit path in the tree of `treeSize` leaves. */
export async function inclusionProofAt(db: ReadDb, position: number, treeSize: number, source: MerkleNodeSource = auditNodeSource(db)): Promise<InclusionProofView | undefined> {
  const leaf = await leafAtPosition(db, position);
  if (leaf === undefined || leaf.leafIndex >= treeSize) return undefined;
  return { leafIndex: leaf.leafIndex, position, leafHash: leaf.leafHash, treeSize, proof: await proofOf(source, leaf, treeSize) };
}

/** The audit path (hex) of a known leaf. */
export async function proofOf(source: MerkleNodeSource, leaf: AuditLeaf, treeSize: number): Promise<string[]> {
  const proof = await inclusionProof(source, leaf.leafIndex, treeSize);
  return proof.map((h) => h.toString('hex'));
}

/** RFC 9162 consistency proof (hex) that the tree of `fromSize` leaves is a prefix of the one of `toSize`. */
export async function consistencyProofBetween(db: ReadDb, fromSize: number, toSize: number): Promise<string[]> {
  const proof = await consistencyProof(auditNodeSource(db), fromSize, toSize);
  return proof.map((h) => h.toString('hex'));
}
