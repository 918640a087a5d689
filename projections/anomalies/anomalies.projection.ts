import type { CreateTableBuilder } from 'kysely';
import { BaseProjection } from '../runner/base-projection.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, bit, dynamicDb, textType, utcInstant, type SqlRow, type TableDef } from '../runner/sql-rows.js';

/**
 * One row per custody transfer. Transit discrepancies were judged by the domain when the receipt was
 * recorded (`anomaly`, under the tolerance in force then); custody gaps depend on the clock and a
 * configured threshold, so only the times are stored and the queries judge them.
 */
export type AnomalyTransferRow = {
  transfer_id: string;
  batch_id: string;
  from_org_id: string;
  to_org_id: string;
  dispatched_mass_grams: number;
  /** Business time of the dispatch (UTC). */
  dispatched_at: string;
  dispatched_recorded_at: string;
  dispatched_position: number;
  dispatched_event_id: string;
  status: 'in-transit' | 'received' | 'cancelled';
  /** Business time of the receipt or cancellation (UTC); null while in transit. */
  ended_at: string | null;
  ended_recorded_at: string | null;
  ended_position: number | null;
  ended_event_id: string | null;
  /** ended_at − dispatched_at in milliseconds (business time), so the queries compare it in SQL. */
  open_ms: number | null;
  received_mass_grams: number | null;
  difference_grams: number | null;
  /** 0/1: the receipt's own verdict (CustodyTransferReceived.anomaly). */
  anomaly: number;
  tolerance_basis_points: number | null;
};

/**
 * One row per process. A loss is judged against a configured norm at query time, and only once the
 * process completed (docs/domain.md); whether it is stuck depends on the clock.
 */
export type AnomalyProcessRow = {
  process_id: string;
  organisation_id: string;
  process_type: string;
  /** Business time of the process (UTC). */
  occurred_at: string;
  started_recorded_at: string;
  started_position: number;
  started_event_id: string;
  status: 'started' | 'completed' | 'rejected';
  ended_recorded_at: string | null;
  ended_position: number | null;
  ended_event_id: string | null;
  /** Σ inputs + Σ external inputs, grams: what the losses are a share of. Exact decimal text (decision 021). */
  input_mass_grams: string;
  loss_mass_grams: string;
  /** The ProcessStarted losses as JSON, in the order given. */
  losses: string;
  /** The input batch ids as JSON, in the order given. */
  input_batch_ids: string;
  /** BatchConsumed − BatchConsumptionReverted: inputs the process holds now. */
  held_inputs: number;
  /**
   * recordedAt from which the process needed no more work: its completion, or for a rejected one the
   * later of its rejection and the revert that released its last input. Null while unsettled.
   */
  settled_at: string | null;
};

/** A completed process voided later (decision 011): its losses no longer count. Never changes once written. */
export type AnomalyVoidRow = {
  process_id: string;
  voided_recorded_at: string;
  voided_position: number;
  voided_event_id: string;
};

export type AnomalyTables = {
  anomalies_transfer: AnomalyTransferRow;
  anomalies_process: AnomalyProcessRow;
  anomalies_void: AnomalyVoidRow;
};

export const ANOMALY_TRANSFER_TABLE: TableDef = {
  name: 'anomalies_transfer',
  columns: [
    'transfer_id',
    'batch_id',
    'from_org_id',
    'to_org_id',
    'dispatched_mass_grams',
    'dispatched_at',
    'dispatched_recorded_at',
    'dispatched_position',
    'dispatched_event_id',
    'status',
    'ended_at',
    'ended_recorded_at',
    'ended_position',
    'ended_event_id',
    'open_ms',
    'received_mass_grams',
    'difference_grams',
    'anomaly',
    'tolerance_basis_points',
  ],
  primaryKey: ['transfer_id'],
};

export const ANOMALY_PROCESS_TABLE: TableDef = {
  name: 'anomalies_process',
  columns: [
    'process_id',
    'organisation_id',
    'process_type',
    'occurred_at',
    'started_recorded_at',
    'started_position',
    'started_event_id',
    'status',
    'ended_recorded_at',
    'ended_position',
    'ended_event_id',
    'input_mass_grams',
    'loss_mass_grams',
    'losses',
    'input_batch_ids',
    'held_inputs',
    'settled_at',
  ],
  primaryKey: ['process_id'],
};

export const ANOMALY_VOID_TABLE: TableDef = {
  name: 'anomalies_void',
  columns: ['process_id', 'voided_recorded_at', 'voided_position', 'voided_event_id'],
  primaryKey: ['process_id'],
};

const TRANSFER_INTEGERS = new Set(['dispatched_mass_grams', 'dispatched_position', 'ended_position', 'open_ms', 'received_mass_grams', 'difference_grams', 'anomaly', 'tolerance_basis_points']);
const TRANSFER_NULLABLE = new Set(['ended_at', 'ended_recorded_at', 'ended_position', 'ended_event_id', 'open_ms', 'received_mass_grams', 'difference_grams', 'tolerance_basis_points']);
const PROCESS_INTEGERS = new Set(['started_position', 'ended_position', 'held_inputs']);
const PROCESS_NULLABLE = new Set(['ended_recorded_at', 'ended_position', 'ended_event_id', 'settled_at']);

/**
 * What the anomaly list needs from the log: every custody transfer and every process,
 * with the figures and the events that show them. The rules that depend on configuration or on the
 * clock (loss norms, custody-gap hours, the grace of an unfinished process) are applied by the
 * queries, so changing a setting needs no replay and a rebuild stays byte-identical.
 */
export class AnomaliesProjection extends BaseProjection {
  readonly name = 'anomalies';
  /** 2: a process's input and loss grams as exact decimal text, since their sums may pass 2^53 (decision 021). */
  readonly version = 2;
  readonly tables = [ANOMALY_TRANSFER_TABLE.name, ANOMALY_PROCESS_TABLE.name, ANOMALY_VOID_TABLE.name] as const;
  /** Transfers still in transit: the only ones a later event can change. */
  private readonly openTransfers = new Map<string, AnomalyTransferRow>();
  /** Processes not completed: started ones, and rejected ones (reverts and late consumptions still arrive). */
  private readonly openProcesses = new Map<string, AnomalyProcessRow>();
  private readonly transferRows = new RowBuffer(ANOMALY_TRANSFER_TABLE);
  private readonly processRows = new RowBuffer(ANOMALY_PROCESS_TABLE);
  private readonly voidRows = new RowBuffer(ANOMALY_VOID_TABLE, 'insert-ignore');
  /** Voids buffered since the last flush: the first one of a process wins, as insert-ignore does across pages. */
  private readonly bufferedVoids = new Set<string>();

  async migrate(db: ReadDb): Promise<void> {
    await createTable(db, ANOMALY_TRANSFER_TABLE, TRANSFER_INTEGERS, TRANSFER_NULLABLE);
    await createTable(db, ANOMALY_PROCESS_TABLE, PROCESS_INTEGERS, PROCESS_NULLABLE);
    await createTable(db, ANOMALY_VOID_TABLE, new Set(['voided_position']), new Set());
    const typed = db.withTables<AnomalyTables>();
    // Open shipments by dispatch time (custody gaps), flagged receipts in log order (discrepancies).
    await typed.schema.createIndex('anomalies_transfer_status').ifNotExists().on('anomalies_transfer').columns(['status', 'dispatched_at']).execute();
    await typed.schema.createIndex('anomalies_transfer_flagged').ifNotExists().on('anomalies_transfer').columns(['anomaly', 'ended_position']).execute();
    await typed.schema.createIndex('anomalies_process_status').ifNotExists().on('anomalies_process').columns(['status', 'started_recorded_at']).execute();
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const typed = db.withTables<AnomalyTables>();
    for (const row of await typed.selectFrom('anomalies_transfer').selectAll().where('status', '=', 'in-transit').execute()) {
      this.openTransfers.set(row.transfer_id, normaliseTransfer(row));
    }
    // Every status but `completed`, named, so that the status index serves it rather than a scan.
    for (const row of await typed.selectFrom('anomalies_process').selectAll().where('status', 'in', ['started', 'rejected']).execute()) {
      this.openProcesses.set(row.process_id, normaliseProcess(row));
    }
  }

  protected clearState(): void {
    this.openTransfers.clear();
    this.openProcesses.clear();
    this.transferRows.clear();
    this.processRows.clear();
    this.voidRows.clear();
    this.bufferedVoids.clear();
  }

  protected fold(projected: ProjectedEvent): void {
    const { event } = projected;
    switch (event.type) {
      case 'CustodyTransferDispatched': {
        const e = event.data;
        const row: AnomalyTransferRow = {
          transfer_id: e.transferId,
          batch_id: e.batchId,
          from_org_id: e.fromOrgId,
          to_org_id: e.toOrgId,
          dispatched_mass_grams: e.massGrams,
          dispatched_at: utcInstant(e.occurredAt),
          dispatched_recorded_at: utcInstant(projected.recordedAt),
          dispatched_position: projected.position,
          dispatched_event_id: projected.eventId,
          status: 'in-transit',
          ended_at: null,
          ended_recorded_at: null,
          ended_position: null,
          ended_event_id: null,
          open_ms: null,
          received_mass_grams: null,
          difference_grams: null,
          anomaly: 0,
          tolerance_basis_points: null,
        };
        this.openTransfers.set(row.transfer_id, row);
        this.putTransfer(row);
        return;
      }
      case 'CustodyTransferReceived':
      case 'CustodyTransferCancelled': {
        const e = event.data;
        const row = this.openTransfers.get(e.transferId);
        if (!row) return;
        this.openTransfers.delete(e.transferId);
        row.ended_at = utcInstant(e.occurredAt);
        row.ended_recorded_at = utcInstant(projected.recordedAt);
        row.ended_position = projected.position;
        row.ended_event_id = projected.eventId;
        row.open_ms = Date.parse(row.ended_at) - Date.parse(row.dispatched_at);
        if (event.type === 'CustodyTransferReceived') {
          row.status = 'received';
          row.received_mass_grams = event.data.receivedMassGrams;
          row.difference_grams = event.data.differenceGrams;
          row.anomaly = bit(event.data.anomaly);
          row.tolerance_basis_points = event.data.toleranceBasisPoints;
        } else {
          row.status = 'cancelled';
        }
        this.putTransfer(row);
        return;
      }
      case 'ProcessStarted': {
        const d = event.data;
        if (this.openProcesses.has(d.processId)) return;
        const row: AnomalyProcessRow = {
          process_id: d.processId,
          organisation_id: d.organisationId,
          process_type: d.processType,
          occurred_at: utcInstant(d.occurredAt),
          started_recorded_at: utcInstant(projected.recordedAt),
          started_position: projected.position,
          started_event_id: projected.eventId,
          status: 'started',
          ended_recorded_at: null,
          ended_position: null,
          ended_event_id: null,
          input_mass_grams: String(sum(d.inputs) + sum(d.externalInputs)),
          loss_mass_grams: String(sum(d.losses)),
          losses: JSON.stringify(d.losses.map((l) => ({ kind: l.kind, massGrams: l.massGrams }))),
          input_batch_ids: JSON.stringify(d.inputs.map((i) => i.batchId)),
          held_inputs: 0,
          settled_at: null,
        };
        this.openProcesses.set(row.process_id, row);
        this.putProcess(row);
        return;
      }
      case 'ProcessCompleted':
      case 'ProcessRejected': {
        const row = this.openProcesses.get(event.data.processId);
        if (!row || row.status !== 'started') return;
        row.status = event.type === 'ProcessCompleted' ? 'completed' : 'rejected';
        row.ended_recorded_at = utcInstant(projected.recordedAt);
        row.ended_position = projected.position;
        row.ended_event_id = projected.eventId;
        if (row.status === 'completed') {
          this.openProcesses.delete(row.process_id);
          row.settled_at = row.ended_recorded_at;
        } else {
          row.settled_at = row.held_inputs > 0 ? null : utcInstant(projected.recordedAt);
        }
        this.putProcess(row);
        return;
      }
      case 'BatchConsumed':
      case 'BatchConsumptionReverted': {
        const row = this.openProcesses.get(event.data.processId);
        if (!row) return;
        row.held_inputs += event.type === 'BatchConsumed' ? 1 : -1;
        // A rejected process is settled once its reverts have released every input it took.
        if (row.status === 'rejected') row.settled_at = row.held_inputs > 0 ? null : utcInstant(projected.recordedAt);
        this.putProcess(row);
        return;
      }
      case 'ProcessVoided': {
        // Completed processes are not kept in memory; the void is a row of its own, joined by the queries.
        const processId = event.data.processId;
        if (this.bufferedVoids.has(processId)) return;
        this.bufferedVoids.add(processId);
        this.voidRows.put(processId, { process_id: processId, voided_recorded_at: utcInstant(projected.recordedAt), voided_position: projected.position, voided_event_id: projected.eventId });
        return;
      }
      default:
        return;
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.transferRows.flush(tx);
    await this.processRows.flush(tx);
    await this.voidRows.flush(tx);
    this.bufferedVoids.clear();
  }

  /** Rows are mutated in place until they settle; the buffer holds the same objects until the flush. */
  private putTransfer(row: AnomalyTransferRow): void {
    this.transferRows.put(row.transfer_id, row as unknown as SqlRow);
  }

  private putProcess(row: AnomalyProcessRow): void {
    this.processRows.put(row.process_id, row as unknown as SqlRow);
  }
}

function sum(items: readonly { massGrams: number }[]): bigint {
  let total = 0n;
  for (const item of items) total += BigInt(item.massGrams);
  return total;
}

async function createTable(db: ReadDb, def: TableDef, integers: ReadonlySet<string>, nullable: ReadonlySet<string>): Promise<void> {
  let table: CreateTableBuilder<string, string> = dynamicDb(db).schema.createTable(def.name).ifNotExists();
  for (const column of def.columns) {
    table = table.addColumn(column, integers.has(column) ? 'bigint' : textType(db), (c) => {
      const typed = nullable.has(column) ? c : c.notNull();
      return def.primaryKey.includes(column) ? typed.primaryKey() : typed;
    });
  }
  await table.execute();
}

/** PostgreSQL returns bigint columns as strings; the in-memory rows hold numbers, as the fold writes them. */
function normaliseTransfer(row: AnomalyTransferRow): AnomalyTransferRow {
  return {
    ...row,
    dispatched_mass_grams: Number(row.dispatched_mass_grams),
    dispatched_position: Number(row.dispatched_position),
    ended_position: nullableNumber(row.ended_position),
    open_ms: nullableNumber(row.open_ms),
    received_mass_grams: nullableNumber(row.received_mass_grams),
    difference_grams: nullableNumber(row.difference_grams),
    anomaly: Number(row.anomaly),
    tolerance_basis_points: nullableNumber(row.tolerance_basis_points),
  };
}

function normaliseProcess(row: AnomalyProcessRow): AnomalyProcessRow {
  return {
    ...row,
    started_position: Number(row.started_position),
    ended_position: nullableNumber(row.ended_position),
    input_mass_grams: String(row.input_mass_grams),
    loss_mass_grams: String(row.loss_mass_grams),
    held_inputs: Number(row.held_inputs),
  };
}

function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}
