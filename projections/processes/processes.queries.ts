import type { ProcessStarted } from '#domain';
import { decodePageCursor, encodePageCursor } from '../runner/page-cursor.js';
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

/** One process in an organisation's list: what went in and what came out, in grams. */
export interface ProcessListItem {
  processId: string;
  processType: string;
  status: ProcessRow['status'];
  /** Business time as recorded (any offset). */
  occurredAt: string;
  inputs: { batches: number; massGrams: number };
  externalInputs: { count: number; massGrams: number };
  outputs: { batches: number; massGrams: number };
  lossesGrams: number;
}

export interface ProcessListPage {
  /** Half-open [from, to) on business time, normalised to UTC; null = unbounded. */
  period: { axis: 'occurredAt'; from: string | null; to: string | null };
  processes: ProcessListItem[];
  /** Pass as `after` for the next page; null on the last. */
  nextAfter: string | null;
}

export interface ProcessListQuery {
  from?: string;
  to?: string;
  limit: number;
  /** The `nextAfter` of the previous page. */
  after?: string;
}

const sum = (values: readonly { massGrams: number }[]) => values.reduce((total, value) => total + value.massGrams, 0);

/**
 * The processes an organisation ran, oldest first, by business time. Sums are exact: a process is
 * bounded to 1e11 g in all, far below 2^53 (docs/domain.md, "Bounds").
 */
export async function processesOf(db: ReadDb, organisationId: string, query: ProcessListQuery): Promise<ProcessListPage> {
  const from = query.from === undefined ? null : new Date(query.from).toISOString();
  const to = query.to === undefined ? null : new Date(query.to).toISOString();
  const cursor = query.after === undefined ? null : decodePageCursor(query.after, 1);
  let select = db.withTables<ProcessTables>().selectFrom('processes_process').selectAll().where('organisation_id', '=', organisationId);
  if (from !== null) select = select.where('occurred_utc', '>=', from);
  if (to !== null) select = select.where('occurred_utc', '<', to);
  if (cursor !== null) {
    select = select.where((eb) => eb.or([eb('occurred_utc', '>', cursor.at), eb.and([eb('occurred_utc', '=', cursor.at), eb('process_id', '>', cursor.ids[0]!)])]));
  }
  const rows = await select.orderBy('occurred_utc').orderBy('process_id').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    period: { axis: 'occurredAt', from, to },
    processes: page.map((row) => {
      const definition = JSON.parse(row.definition) as ProcessStarted;
      return {
        processId: row.process_id,
        processType: row.process_type,
        status: row.status,
        occurredAt: row.occurred_at,
        inputs: { batches: definition.inputs.length, massGrams: sum(definition.inputs) },
        externalInputs: { count: definition.externalInputs.length, massGrams: sum(definition.externalInputs) },
        outputs: { batches: definition.outputs.length, massGrams: sum(definition.outputs) },
        lossesGrams: sum(definition.losses),
      };
    }),
    nextAfter: rows.length > query.limit && last ? encodePageCursor(last.occurred_utc, last.process_id) : null,
  };
}
