import type { ProcessStarted } from '#domain';
import { sql, type SqlBool } from 'kysely';
import { BaseProjection } from '../runner/base-projection.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { textType, utcInstant } from '../runner/sql-rows.js';
import { DeferredEvents } from './deferred-events.js';

/**
 * The processes that can still change (started, rejected and voiding ones: reverts, late
 * consumptions, restores), loaded at start-up. One predicate, written as literals, for both the
 * partial index and the query: SQLite uses a partial index only for a query whose WHERE contains the
 * index's own terms, and never through bound parameters.
 */
const STILL_CHANGING = sql<SqlBool>`(status in ('started', 'rejected') or void_status = 'started' or voided_outputs > 0 or (status = 'voided' and held_inputs > 0))`;

export type ProcessRow = {
  process_id: string;
  organisation_id: string;
  process_type: string;
  /** `voided` once ProcessVoided is recorded (decision 011). */
  status: 'started' | 'completed' | 'rejected' | 'voided';
  occurred_at: string;
  /** occurred_at in UTC, so a period can be compared as text (the organisation's process list). */
  occurred_utc: string;
  started_at: string;
  started_position: number;
  ended_at: string | null;
  ended_position: number | null;
  rejection_reason: string | null;
  /**
   * Inputs this process holds: BatchConsumed minus BatchConsumptionReverted and BatchRestored. A
   * rejected process that still holds some was stopped between ProcessRejected and its reverts, a
   * voided one between ProcessVoided and its restores; recovery finishes both.
   */
  held_inputs: number;
  /** The ProcessStarted data as JSON: inputs, outputs, external inputs and losses. */
  definition: string;
  /** Void attempts so far, and the state of the latest: started | voided | rejected (null: none). */
  void_attempts: number;
  void_status: string | null;
  void_reason: string | null;
  /** The event the void corrects (the ProcessCompleted) and who asked for it. */
  void_corrected_event_id: string | null;
  void_actor_org_id: string | null;
  void_occurred_at: string | null;
  void_started_at: string | null;
  void_started_position: number | null;
  void_ended_at: string | null;
  void_ended_position: number | null;
  void_rejection_reason: string | null;
  /** Outputs voided and not reverted: a rejected void that still holds some was stopped before its reverts. */
  voided_outputs: number;
};

export type ProcessTables = {
  processes_process: ProcessRow;
};

const VOID_EVENTS = new Set(['ProcessVoidStarted', 'ProcessVoided', 'ProcessVoidRejected', 'BatchVoided', 'BatchVoidReverted', 'BatchRestored']);

/** Nothing will change it again unless it is voided: completed and settled, or voided and restored. */
function settled(row: ProcessRow): boolean {
  if (row.status === 'voided') return row.held_inputs === 0;
  if (row.status !== 'completed') return false;
  return row.void_status === null || (row.void_status === 'rejected' && row.voided_outputs === 0);
}

/** One row per process: what it was asked to do and whether it ended. Recovery reads the unfinished. */
export class ProcessesProjection extends BaseProjection {
  readonly name = 'processes';
  /** 2: voids (decision 011); 3: occurred_utc, for an organisation's processes by period. */
  readonly version = 3;
  readonly tables = ['processes_process'] as const;
  private readonly rows = new Map<string, ProcessRow>();
  private readonly dirty = new Set<string>();
  private readonly deferred = new DeferredEvents();

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
      .addColumn('occurred_utc', textType(db), (c) => c.notNull())
      .addColumn('started_at', textType(db), (c) => c.notNull())
      .addColumn('started_position', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', textType(db))
      .addColumn('ended_position', 'bigint')
      .addColumn('rejection_reason', textType(db))
      .addColumn('held_inputs', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('definition', textType(db), (c) => c.notNull())
      .addColumn('void_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('void_status', textType(db))
      .addColumn('void_reason', textType(db))
      .addColumn('void_corrected_event_id', textType(db))
      .addColumn('void_actor_org_id', textType(db))
      .addColumn('void_occurred_at', textType(db))
      .addColumn('void_started_at', textType(db))
      .addColumn('void_started_position', 'bigint')
      .addColumn('void_ended_at', textType(db))
      .addColumn('void_ended_position', 'bigint')
      .addColumn('void_rejection_reason', textType(db))
      .addColumn('voided_outputs', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await typed.schema.createIndex('processes_process_organisation').ifNotExists().on('processes_process').columns(['organisation_id', 'occurred_utc', 'process_id']).execute();
    await typed.schema.createIndex('processes_process_status').ifNotExists().on('processes_process').columns(['status', 'started_position']).execute();
    await typed.schema.createIndex('processes_process_changing').ifNotExists().on('processes_process').columns(['process_id']).where(STILL_CHANGING).execute();
  }

  protected async loadState(db: ReadDb): Promise<void> {
    // Settled processes never change again unless voided (read back then, see DeferredEvents);
    // started, rejected and voiding ones can (reverts, late consumptions, restores). They are rare.
    const open = await db
      .withTables<ProcessTables>()
      .selectFrom('processes_process')
      .selectAll()
      .where(STILL_CHANGING)
      .execute();
    for (const row of open) this.rows.set(row.process_id, normalise(row));
  }

  protected fold(projected: ProjectedEvent): void {
    if (this.deferred.defer(projected, (e) => VOID_EVENTS.has(e.event.type) && !this.rows.has(processIdOf(e)))) return;
    const { event } = projected;
    switch (event.type) {
      case 'ProcessStarted': {
        const d: ProcessStarted = event.data;
        this.rows.set(d.processId, {
          process_id: d.processId,
          organisation_id: d.organisationId,
          process_type: d.processType,
          status: 'started',
          occurred_at: d.occurredAt,
          occurred_utc: utcInstant(d.occurredAt),
          started_at: projected.recordedAt,
          started_position: projected.position,
          ended_at: null,
          ended_position: null,
          rejection_reason: null,
          held_inputs: 0,
          definition: JSON.stringify(d),
          void_attempts: 0,
          void_status: null,
          void_reason: null,
          void_corrected_event_id: null,
          void_actor_org_id: null,
          void_occurred_at: null,
          void_started_at: null,
          void_started_position: null,
          void_ended_at: null,
          void_ended_position: null,
          void_rejection_reason: null,
          voided_outputs: 0,
        });
        this.dirty.add(d.processId);
        return;
      }
      case 'ProcessCompleted':
      case 'ProcessRejected': {
        const row = this.rows.get(event.data.processId);
        if (!row) return;
        row.status = event.type === 'ProcessCompleted' ? 'completed' : 'rejected';
        row.ended_at = projected.recordedAt;
        row.ended_position = projected.position;
        row.rejection_reason = event.type === 'ProcessRejected' ? event.data.reason : null;
        this.dirty.add(row.process_id);
        return;
      }
      case 'BatchConsumed':
      case 'BatchConsumptionReverted':
      case 'BatchRestored':
        this.change(event.data.processId, (row) => {
          row.held_inputs += event.type === 'BatchConsumed' ? 1 : -1;
        });
        return;
      case 'ProcessVoidStarted': {
        const d = event.data;
        this.change(d.processId, (row) => {
          row.void_attempts = d.attempt + 1;
          row.void_status = 'started';
          row.void_reason = d.reason;
          row.void_corrected_event_id = d.correctedEventId;
          row.void_actor_org_id = projected.actorOrgId;
          row.void_occurred_at = d.occurredAt;
          row.void_started_at = projected.recordedAt;
          row.void_started_position = projected.position;
          row.void_ended_at = null;
          row.void_ended_position = null;
          row.void_rejection_reason = null;
        });
        return;
      }
      case 'ProcessVoided':
      case 'ProcessVoidRejected':
        this.change(event.data.processId, (row) => {
          if (row.void_attempts !== event.data.attempt + 1) return;
          row.void_status = event.type === 'ProcessVoided' ? 'voided' : 'rejected';
          row.void_ended_at = projected.recordedAt;
          row.void_ended_position = projected.position;
          if (event.type === 'ProcessVoided') row.status = 'voided';
          else row.void_rejection_reason = event.data.reason;
        });
        return;
      case 'BatchVoided':
      case 'BatchVoidReverted':
        this.change(event.data.processId, (row) => {
          row.voided_outputs += event.type === 'BatchVoided' ? 1 : -1;
        });
        return;
      default:
        return;
    }
  }

  private change(processId: string, apply: (row: ProcessRow) => void): void {
    const row = this.rows.get(processId);
    if (!row) return;
    apply(row);
    this.dirty.add(processId);
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.deferred.drain(tx, {
      write: (t) => this.writeRows(t),
      load: (event, t) => this.loadRow(processIdOf(event), t),
      fold: (event) => this.fold(event),
    });
    await this.writeRows(tx);
  }

  private async loadRow(processId: string, tx: ReadTx): Promise<void> {
    const row = await tx.withTables<ProcessTables>().selectFrom('processes_process').selectAll().where('process_id', '=', processId).executeTakeFirst();
    if (row) this.rows.set(processId, normalise(row));
  }

  private async writeRows(tx: ReadTx): Promise<void> {
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
            void_attempts: eb.ref('excluded.void_attempts'),
            void_status: eb.ref('excluded.void_status'),
            void_reason: eb.ref('excluded.void_reason'),
            void_corrected_event_id: eb.ref('excluded.void_corrected_event_id'),
            void_actor_org_id: eb.ref('excluded.void_actor_org_id'),
            void_occurred_at: eb.ref('excluded.void_occurred_at'),
            void_started_at: eb.ref('excluded.void_started_at'),
            void_started_position: eb.ref('excluded.void_started_position'),
            void_ended_at: eb.ref('excluded.void_ended_at'),
            void_ended_position: eb.ref('excluded.void_ended_position'),
            void_rejection_reason: eb.ref('excluded.void_rejection_reason'),
            voided_outputs: eb.ref('excluded.voided_outputs'),
          })),
        )
        .execute();
    }
    for (const row of rows) if (settled(row)) this.rows.delete(row.process_id);
    this.dirty.clear();
  }

  protected clearState(): void {
    this.rows.clear();
    this.dirty.clear();
    this.deferred.clear();
  }
}

function processIdOf(projected: ProjectedEvent): string {
  return (projected.event.data as { processId: string }).processId;
}

/** Counters and positions come back as strings or bigints from some drivers; the fold adds to them. */
function normalise(row: ProcessRow): ProcessRow {
  return {
    ...row,
    started_position: Number(row.started_position),
    ended_position: row.ended_position === null ? null : Number(row.ended_position),
    held_inputs: Number(row.held_inputs),
    void_attempts: Number(row.void_attempts),
    void_started_position: row.void_started_position === null ? null : Number(row.void_started_position),
    void_ended_position: row.void_ended_position === null ? null : Number(row.void_ended_position),
    voided_outputs: Number(row.voided_outputs),
  };
}
