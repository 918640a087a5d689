import { BaseProjection } from '../runner/base-projection.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { insertIgnoreRows, positionKeyType, textType, type SqlRow, type TableDef } from '../runner/sql-rows.js';

export type BatchHistoryRow = {
  position: number;
  batch_id: string;
  revision: number;
  event_id: string;
  type: string;
  /** The event data as JSON, exactly as the store returned it (same key order). */
  data: string;
  /** The event's own business time, verbatim, when it has one. */
  occurred_at: string | null;
  recorded_at: string;
  actor_org_id: string;
  hash: string;
};

export type BatchHistoryTables = {
  batch_history_event: BatchHistoryRow;
};

export const BATCH_HISTORY_TABLE: TableDef = {
  name: 'batch_history_event',
  columns: ['position', 'batch_id', 'revision', 'event_id', 'type', 'data', 'occurred_at', 'recorded_at', 'actor_org_id', 'hash'],
  primaryKey: ['position'],
};

/**
 * Every event of every batch stream, verbatim, for the auditor's replay "as of" a position or a
 * recorded time (docs/domain.md). This is the stream as recorded, including process steps whose
 * process has not completed (or was rejected, with its BatchConsumptionReverted): the counting read
 * models apply the completion rule; a history shows what was written, and when.
 *
 * Rows are keyed by log position and never change, so the table is append-only (insert, ignore
 * duplicates) and the projection keeps no state between pages.
 */
export class BatchHistoryProjection extends BaseProjection {
  readonly name = 'batch_history';
  readonly tables = [BATCH_HISTORY_TABLE.name] as const;
  private pending: SqlRow[] = [];

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<BatchHistoryTables>().schema;
    await schema
      .createTable(BATCH_HISTORY_TABLE.name)
      .ifNotExists()
      .addColumn('position', positionKeyType(db), (c) => c.primaryKey())
      .addColumn('batch_id', textType(db), (c) => c.notNull())
      .addColumn('revision', 'bigint', (c) => c.notNull())
      .addColumn('event_id', textType(db), (c) => c.notNull())
      .addColumn('type', textType(db), (c) => c.notNull())
      .addColumn('data', textType(db), (c) => c.notNull())
      .addColumn('occurred_at', textType(db))
      .addColumn('recorded_at', textType(db), (c) => c.notNull())
      .addColumn('actor_org_id', textType(db), (c) => c.notNull())
      .addColumn('hash', textType(db), (c) => c.notNull())
      .execute();
    // One batch's events in order, which is also the order of revisions and of recordedAt.
    await schema.createIndex('batch_history_event_batch').ifNotExists().on(BATCH_HISTORY_TABLE.name).columns(['batch_id', 'position']).execute();
  }

  protected async loadState(): Promise<void> {
    // Append-only: nothing to warm.
  }

  protected clearState(): void {
    this.pending = [];
  }

  protected fold(projected: ProjectedEvent): void {
    const { streamId } = projected;
    if (!streamId.startsWith('batch-')) return;
    const data = projected.event.data as { occurredAt?: unknown };
    this.pending.push({
      position: projected.position,
      batch_id: streamId.slice('batch-'.length),
      revision: projected.revision,
      event_id: projected.eventId,
      type: projected.event.type,
      data: JSON.stringify(data),
      occurred_at: typeof data.occurredAt === 'string' ? data.occurredAt : null,
      recorded_at: projected.recordedAt,
      actor_org_id: projected.actorOrgId,
      hash: projected.hash,
    });
  }

  async flush(tx: ReadTx): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await insertIgnoreRows(tx, BATCH_HISTORY_TABLE, rows);
  }
}
