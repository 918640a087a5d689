import type { ProcessStarted } from '#domain';
import { BaseProjection } from '../runner/base-projection.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { textType } from '../runner/sql-rows.js';

export type ProcessRow = {
  process_id: string;
  organisation_id: string;
  process_type: string;
  status: 'started' | 'completed' | 'rejected';
  occurred_at: string;
  started_at: string;
  started_position: number;
  ended_at: string | null;
  ended_position: number | null;
  rejection_reason: string | null;
  /**
   * Inputs this process holds: BatchConsumed minus BatchConsumptionReverted. A rejected process that
   * still holds some was stopped between ProcessRejected and its reverts; recovery finishes those.
   */
  held_inputs: number;
  /** The ProcessStarted data as JSON: inputs, outputs, external inputs and losses. */
  definition: string;
};

export type ProcessTables = {
  processes_process: ProcessRow;
};

/** One row per process: what it was asked to do and whether it ended. Recovery reads the unfinished. */
export class ProcessesProjection extends BaseProjection {
  readonly name = 'processes';
  readonly tables = ['processes_process'] as const;
  private readonly rows = new Map<string, ProcessRow>();
  private readonly dirty = new Set<string>();

  async migrate(db: ReadDb): Promise<void> {
    const typed = db.withTables<ProcessTables>();
    await typed.schema
      .createTable('processes_process')
      .ifNotExists()
      .addColumn('process_id', textType(db), (c) => c.primaryKey())
      .addColumn('organisation_id', textType(db), (c) => c.notNull())
      .addColumn('process_type', textType(db), (c) => c.notNull())
      .addColumn('status', textType(db), (c) => c.notNull())
      .addColumn('occurred_at', textType(db), (c) => c.notNull())
      .addColumn('started_at', textType(db), (c) => c.notNull())
      .addColumn('started_position', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', textType(db))
      .addColumn('ended_position', 'bigint')
      .addColumn('rejection_reason', textType(db))
      .addColumn('held_inputs', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('definition', textType(db), (c) => c.notNull())
      .execute();
    await typed.schema.createIndex('processes_process_status').ifNotExists().on('processes_process').columns(['status', 'started_position']).execute();
  }

  protected async loadState(db: ReadDb): Promise<void> {
    // Completed processes never change again; started and rejected ones can (a rejected one still
    // receives its reverts, or a late consumption), so they stay in memory. Rejections are rare.
    const open = await db.withTables<ProcessTables>().selectFrom('processes_process').selectAll().where('status', '!=', 'completed').execute();
    for (const row of open) this.rows.set(row.process_id, row);
  }

  protected fold(projected: ProjectedEvent): void {
    const { event } = projected;
    if (event.type === 'ProcessStarted') {
      const d: ProcessStarted = event.data;
      this.rows.set(d.processId, {
        process_id: d.processId,
        organisation_id: d.organisationId,
        process_type: d.processType,
        status: 'started',
        occurred_at: d.occurredAt,
        started_at: projected.recordedAt,
        started_position: projected.position,
        ended_at: null,
        ended_position: null,
        rejection_reason: null,
        held_inputs: 0,
        definition: JSON.stringify(d),
      });
      this.dirty.add(d.processId);
    } else if (event.type === 'ProcessCompleted' || event.type === 'ProcessRejected') {
      const row = this.rows.get(event.data.processId);
      if (!row) return;
      row.status = event.type === 'ProcessCompleted' ? 'completed' : 'rejected';
      row.ended_at = projected.recordedAt;
      row.ended_position = projected.position;
      row.rejection_reason = event.type === 'ProcessRejected' ? event.data.reason : null;
      this.dirty.add(row.process_id);
    } else if (event.type === 'BatchConsumed' || event.type === 'BatchConsumptionReverted') {
      const row = this.rows.get(event.data.processId);
      if (!row) return;
      row.held_inputs += event.type === 'BatchConsumed' ? 1 : -1;
      this.dirty.add(row.process_id);
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    if (this.dirty.size === 0) return;
    const rows = [...this.dirty].map((id) => this.rows.get(id)!);
    const typed = tx.withTables<ProcessTables>();
    for (let i = 0; i < rows.length; i += 200) {
      await typed
        .insertInto('processes_process')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) =>
          oc.column('process_id').doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            ended_at: eb.ref('excluded.ended_at'),
            ended_position: eb.ref('excluded.ended_position'),
            rejection_reason: eb.ref('excluded.rejection_reason'),
            held_inputs: eb.ref('excluded.held_inputs'),
          })),
        )
        .execute();
    }
    for (const row of rows) if (row.status === 'completed') this.rows.delete(row.process_id);
    this.dirty.clear();
  }

  protected clearState(): void {
    this.rows.clear();
    this.dirty.clear();
  }
}
