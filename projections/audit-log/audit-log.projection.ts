import { MerkleFrontier, ledgerLeafHash } from '#event-store';
import { sql } from 'kysely';
import { BaseProjection } from '../runner/base-projection.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { insertIgnoreRows, positionKeyType, textType, withoutRowid, type SqlRow, type TableDef } from '../runner/sql-rows.js';

export type AuditLogLeafRow = {
  /** 0-based index of the event in the global log: leaf `leaf_index` of the Merkle tree. */
  leaf_index: number;
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  recorded_at: string;
  /** The event's chain hash (hex), as stored. */
  event_hash: string;
  /** RFC 9162 leaf hash (hex) of ledgerLeafData(position, event hash). */
  leaf_hash: string;
};

export type AuditLogNodeRow = {
  /** ≥ 1: level 0 is the leaf table. */
  level: number;
  node_index: number;
  /** Hex hash of the perfect subtree over leaves [node_index·2^level, (node_index+1)·2^level). */
  hash: string;
};

export type AuditLogTables = {
  audit_log_leaf: AuditLogLeafRow;
  audit_log_node: AuditLogNodeRow;
};

export const AUDIT_LOG_LEAF_TABLE: TableDef = {
  name: 'audit_log_leaf',
  columns: ['leaf_index', 'position', 'stream_id', 'revision', 'event_id', 'recorded_at', 'event_hash', 'leaf_hash'],
  primaryKey: ['leaf_index'],
};

export const AUDIT_LOG_NODE_TABLE: TableDef = {
  name: 'audit_log_node',
  columns: ['level', 'node_index', 'hash'],
  primaryKey: ['level', 'node_index'],
};

/**
 * The Merkle tree over the global log (RFC 9162 hashing), stored as every completed perfect subtree:
 * a leaf per event, and each interior node once both its halves exist. Nodes never change once
 * written, so the tables are append-only, and any root, inclusion proof or consistency proof up to
 * the current size is a handful of key lookups (O(log² n)), which is what the audit endpoints and the
 * checkpoint signer need. The leaf table doubles as the log's index of position ↔ leaf ↔ recordedAt.
 *
 * Only a frontier of O(log n) hashes is kept in memory; it is rebuilt at start-up from the stored
 * peaks. The tree is a derived index: `ledger verify` recomputes it from the events alone and checks
 * it against the signed checkpoints, so a damaged table cannot make a bad log look good.
 */
export class AuditLogProjection extends BaseProjection {
  readonly name = 'audit_log';
  readonly tables = [AUDIT_LOG_LEAF_TABLE.name, AUDIT_LOG_NODE_TABLE.name] as const;
  private frontier = MerkleFrontier.empty();
  private leaves: SqlRow[] = [];
  private nodes: SqlRow[] = [];

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<AuditLogTables>().schema;
    await schema
      .createTable(AUDIT_LOG_LEAF_TABLE.name)
      .ifNotExists()
      .addColumn('leaf_index', positionKeyType(db), (c) => c.primaryKey())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('stream_id', textType(db), (c) => c.notNull())
      .addColumn('revision', 'bigint', (c) => c.notNull())
      .addColumn('event_id', textType(db), (c) => c.notNull())
      .addColumn('recorded_at', textType(db), (c) => c.notNull())
      .addColumn('event_hash', textType(db), (c) => c.notNull())
      .addColumn('leaf_hash', textType(db), (c) => c.notNull())
      .execute();
    // Proofs are asked for by log position (what an event carries), not by leaf index.
    await schema.createIndex('audit_log_leaf_position').ifNotExists().unique().on(AUDIT_LOG_LEAF_TABLE.name).column('position').execute();
    await withoutRowid(
      db,
      schema
        .createTable(AUDIT_LOG_NODE_TABLE.name)
        .ifNotExists()
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('node_index', 'bigint', (c) => c.notNull())
        .addColumn('hash', textType(db), (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_log_node_pk', ['level', 'node_index']),
    ).execute();
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const tables = db.withTables<AuditLogTables>();
    const last = await tables
      .selectFrom('audit_log_leaf')
      .select(sql<number | string | null>`max(leaf_index)`.as('last'))
      .executeTakeFirst();
    const size = last?.last === null || last?.last === undefined ? 0 : Number(last.last) + 1;
    const peaks: Buffer[] = [];
    let start = 0;
    for (let level = 52; level >= 0; level--) {
      const width = 2 ** level;
      if (start + width > size) continue;
      peaks.push(await storedNode(db, level, start / width));
      start += width;
    }
    this.frontier = MerkleFrontier.fromPeaks(size, peaks);
  }

  protected clearState(): void {
    this.frontier = MerkleFrontier.empty();
    this.leaves = [];
    this.nodes = [];
  }

  protected fold(projected: ProjectedEvent): void {
    const leafIndex = this.frontier.size;
    const completed = this.frontier.append(ledgerLeafHash(projected));
    for (const node of completed) {
      if (node.level === 0) {
        this.leaves.push({
          leaf_index: leafIndex,
          position: projected.position,
          stream_id: projected.streamId,
          revision: projected.revision,
          event_id: projected.eventId,
          recorded_at: projected.recordedAt,
          event_hash: projected.hash,
          leaf_hash: node.hash.toString('hex'),
        });
      } else {
        this.nodes.push({ level: node.level, node_index: node.index, hash: node.hash.toString('hex') });
      }
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    if (this.leaves.length > 0) {
      const rows = this.leaves;
      this.leaves = [];
      await insertIgnoreRows(tx, AUDIT_LOG_LEAF_TABLE, rows);
    }
    if (this.nodes.length > 0) {
      const rows = this.nodes;
      this.nodes = [];
      await insertIgnoreRows(tx, AUDIT_LOG_NODE_TABLE, rows);
    }
  }
}

/** A stored perfect-subtree hash: a leaf at level 0, an interior node above. */
export async function storedNode(db: ReadDb, level: number, index: number): Promise<Buffer> {
  const tables = db.withTables<AuditLogTables>();
  const row =
    level === 0
      ? await tables.selectFrom('audit_log_leaf').select('leaf_hash as hash').where('leaf_index', '=', index).executeTakeFirst()
      : await tables.selectFrom('audit_log_node').select('hash').where('level', '=', level).where('node_index', '=', index).executeTakeFirst();
  if (row === undefined) throw new Error(`audit log: no stored node at level ${level}, index ${index}`);
  return Buffer.from(row.hash, 'hex');
}
