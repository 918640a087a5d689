import type { ProcessStarted } from '#domain';
import type { ReadDb } from '../runner/projection.js';
import type { ProcessRow, ProcessTables } from './processes.projection.js';

/** The latest attempt to void the process (decision 011). */
export interface ProcessVoidView {
  /** How many attempts there were; earlier ones were rejected. */
  attempts: number;
  status: 'started' | 'voided' | 'rejected';
  reason: string;
  /** The ProcessCompleted event the void corrects. */
  correctedEventId: string;
  /** The organisation that asked for the void. */
  actorOrgId: string;
  /** Business time of the void. */
  occurredAt: string;
  startedAt: string;
  endedAt: string | null;
  rejectionReason: string | null;
  /** Outputs voided and not reverted. */
  voidedOutputs: number;
}

export interface ProcessView {
  processId: string;
  organisationId: string;
  processType: string;
  status: ProcessRow['status'];
  occurredAt: string;
  startedAt: string;
  endedAt: string | null;
  rejectionReason: string | null;
  /** Inputs the process holds now; non-zero on a rejected or voided process means its reverts or restores are unfinished. */
  heldInputs: number;
  definition: ProcessStarted;
  /** null when nobody tried to void it. */
  void: ProcessVoidView | null;
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
    heldInputs: Number(row.held_inputs),
    definition: JSON.parse(row.definition) as ProcessStarted,
    void:
      row.void_status === null
        ? null
        : {
            attempts: Number(row.void_attempts),
            status: row.void_status as ProcessVoidView['status'],
            reason: row.void_reason ?? '',
            correctedEventId: row.void_corrected_event_id ?? '',
            actorOrgId: row.void_actor_org_id ?? '',
            occurredAt: row.void_occurred_at ?? '',
            startedAt: row.void_started_at ?? '',
            endedAt: row.void_ended_at,
            rejectionReason: row.void_rejection_reason,
            voidedOutputs: Number(row.voided_outputs),
          },
  };
}

export async function getProcess(db: ReadDb, processId: string): Promise<ProcessView | undefined> {
  const row = await db.withTables<ProcessTables>().selectFrom('processes_process').selectAll().where('process_id', '=', processId).executeTakeFirst();
  return row && toView(row);
}

/**
 * Whose driver recovery must run again: the void manager's for a void started and not ended, a
 * rejected void that still holds outputs voided, or a voided process that still holds inputs (stopped
 * between ProcessVoided and its restores); the process manager's for the rest of `unfinishedProcesses`.
 */
export function needsVoidDriver(process: ProcessView): boolean {
  const v = process.void;
  if (v === null) return false;
  return v.status === 'started' || (v.status === 'rejected' && v.voidedOutputs > 0) || (process.status === 'voided' && process.heldInputs > 0);
}

/**
 * What recovery must see to: processes started but not ended (to finish or reject), rejected
 * processes that still hold inputs (stopped between ProcessRejected and their reverts), and voids
 * that need their driver again (see needsVoidDriver). Oldest first.
 */
export async function unfinishedProcesses(db: ReadDb, limit = 1000): Promise<ProcessView[]> {
  const rows = await db
    .withTables<ProcessTables>()
    .selectFrom('processes_process')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('status', '=', 'started'),
        eb.and([eb('status', 'in', ['rejected', 'voided']), eb('held_inputs', '>', 0)]),
        eb('void_status', '=', 'started'),
        eb.and([eb('void_status', '=', 'rejected'), eb('voided_outputs', '>', 0)]),
      ]),
    )
    .orderBy('started_position')
    .limit(limit)
    .execute();
  return rows.map(toView);
}
