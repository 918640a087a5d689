import type { ProcessStarted } from '#domain';
import type { ReadDb } from '../runner/projection.js';
import type { ProcessRow, ProcessTables } from './processes.projection.js';

export interface ProcessView {
  processId: string;
  organisationId: string;
  processType: string;
  status: ProcessRow['status'];
  occurredAt: string;
  startedAt: string;
  endedAt: string | null;
  rejectionReason: string | null;
  definition: ProcessStarted;
}

function toView(row: ProcessRow): ProcessView {
  return {
    processId: row.process_id,
    organisationId: row.organisation_id,
    processType: row.process_type,
    status: row.status,
    occurredAt: row.occurred_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    rejectionReason: row.rejection_reason,
    definition: JSON.parse(row.definition) as ProcessStarted,
  };
}

export async function getProcess(db: ReadDb, processId: string): Promise<ProcessView | undefined> {
  const row = await db.withTables<ProcessTables>().selectFrom('processes_process').selectAll().where('process_id', '=', processId).executeTakeFirst();
  return row && toView(row);
}

/** Processes started but not ended, oldest first: what recovery must finish or reject. */
export async function unfinishedProcesses(db: ReadDb, limit = 1000): Promise<ProcessView[]> {
  const rows = await db
    .withTables<ProcessTables>()
    .selectFrom('processes_process')
    .selectAll()
    .where('status', '=', 'started')
    .orderBy('started_position')
    .limit(limit)
    .execute();
  return rows.map(toView);
}
