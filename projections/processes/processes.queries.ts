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
  /** Inputs the process holds now; non-zero on a rejected process means its reverts are unfinished. */
  heldInputs: number;
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
    heldInputs: row.held_inputs,
    definition: JSON.parse(row.definition) as ProcessStarted,
  };
}

export async function getProcess(db: ReadDb, processId: string): Promise<ProcessView | undefined> {
  const row = await db.withTables<ProcessTables>().selectFrom('processes_process').selectAll().where('process_id', '=', processId).executeTakeFirst();
  return row && toView(row);
}

/**
 * What recovery must see to: processes started but not ended (to finish or reject), and rejected
 * processes that still hold inputs (stopped between ProcessRejected and their reverts). Oldest first.
 */
export async function unfinishedProcesses(db: ReadDb, limit = 1000): Promise<ProcessView[]> {
  const rows = await db
    .withTables<ProcessTables>()
    .selectFrom('processes_process')
    .selectAll()
    .where((eb) => eb.or([eb('status', '=', 'started'), eb.and([eb('status', '=', 'rejected'), eb('held_inputs', '>', 0)])]))
    .orderBy('started_position')
    .limit(limit)
    .execute();
  return rows.map(toView);
}
