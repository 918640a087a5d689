import type { ProcessVoided } from '#domain';
import { sql, type CreateTableBuilder } from 'kysely';
import { DeferredEvents } from '../processes/deferred-events.js';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, bit, utcInstant, textType, type TableDef } from '../runner/sql-rows.js';

export type CustodyStart = 'collected' | 'registered' | 'produced' | 'received';
/** `voided`: the batch was an output of a process that was voided (decision 011). */
export type CustodyEnd = 'dispatched' | 'consumed' | 'closed' | 'voided';

export type CustodyPeriodRow = {
  batch_id: string;
  /** 0 for the origin period, then one more per receipt. */
  seq: number;
  organisation_id: string;
  owner_org_id: string;
  from_kind: CustodyStart;
  /** Transfer id (received) or process id (produced); null for origin events. */
  from_detail: string | null;
  /** Business time (UTC); for a produced batch, the process's. */
  from_occurred_at: string;
  from_recorded_at: string;
  from_position: number;
  to_occurred_at: string | null;
  to_recorded_at: string | null;
  to_position: number | null;
  ended_by: CustodyEnd | null;
  /** Transfer id (dispatched), process id (consumed, voided) or the outcome event type (closed). */
  end_detail: string | null;
  /** The shipment that ended (or, while in transit, will end) this period. */
  transit_transfer_id: string | null;
  transit_to_org_id: string | null;
  transit_mass_grams: number | null;
  transit_dispatched_at: string | null;
  transit_ownership_transferred: number | null;
};

export type CustodyTables = {
  custody_period: CustodyPeriodRow;
};

export const CUSTODY_PERIOD_TABLE: TableDef = {
  name: 'custody_period',
  columns: [
    'batch_id',
    'seq',
    'organisation_id',
    'owner_org_id',
    'from_kind',
    'from_detail',
    'from_occurred_at',
    'from_recorded_at',
    'from_position',
    'to_occurred_at',
    'to_recorded_at',
    'to_position',
    'ended_by',
    'end_detail',
    'transit_transfer_id',
    'transit_to_org_id',
    'transit_mass_grams',
    'transit_dispatched_at',
    'transit_ownership_transferred',
  ],
  primaryKey: ['batch_id', 'seq'],
};

const OUTCOMES = new Set(['BatchSoldForReuse', 'BatchIncinerated', 'BatchLandfilled', 'BatchExported', 'ProductPlacedOnMarket']);

/**
 * Custody periods of every batch (docs/domain.md): who possessed it from when to when, and how each
 * period ended. A dispatched batch stays in the sender's custody until the consignee receives it
 * (the sender's period carries the shipment meanwhile); a cancelled shipment simply clears it.
 * Consumption and production count from the process's completion. A void (decision 011) ends the
 * outputs' periods (`voided`) and re-opens the periods its consumption had ended: the inputs never
 * left their custodian, so their custody continues without a gap.
 */
export class CustodyProjection extends BaseProjection {
  readonly name = 'custody';
  /** 2: voids (decision 011). */
  readonly version = 2;
  private readonly gate = new ProcessGate('custody');
  readonly tables = [CUSTODY_PERIOD_TABLE.name, this.gate.table] as const;
  /** The open period of every batch still in someone's custody. */
  private readonly open = new Map<string, CustodyPeriodRow>();
  private readonly dirty = new Map<string, CustodyPeriodRow>();
  private readonly rows = new RowBuffer(CUSTODY_PERIOD_TABLE);
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);
  private readonly deferred = new DeferredEvents();
  /** Periods ended by consumption, read back for a void that re-opens them (by batch id). */
  private readonly consumedPeriods = new Map<string, CustodyPeriodRow>();

  async migrate(db: ReadDb): Promise<void> {
    const integers = new Set(['seq', 'from_position', 'to_position', 'transit_mass_grams', 'transit_ownership_transferred']);
    const required = new Set(['batch_id', 'seq', 'organisation_id', 'owner_org_id', 'from_kind', 'from_occurred_at', 'from_recorded_at', 'from_position']);
    let table: CreateTableBuilder<string, string> = db.schema.createTable(CUSTODY_PERIOD_TABLE.name).ifNotExists();
    for (const column of CUSTODY_PERIOD_TABLE.columns) {
      table = table.addColumn(column, integers.has(column) ? 'bigint' : textType(db), (c) => (required.has(column) ? c.notNull() : c));
    }
    await table.addPrimaryKeyConstraint('custody_period_pk', ['batch_id', 'seq']).execute();
    await db.schema.createIndex('custody_period_org').ifNotExists().on(CUSTODY_PERIOD_TABLE.name).columns(['organisation_id', 'from_occurred_at']).execute();
    // For access checks (projections/access): batches an organisation owns, or is the consignee of.
    await db.schema.createIndex('custody_period_owner').ifNotExists().on(CUSTODY_PERIOD_TABLE.name).columns(['owner_org_id']).execute();
    await db.schema.createIndex('custody_period_consignee').ifNotExists().on(CUSTODY_PERIOD_TABLE.name).columns(['transit_to_org_id']).execute();
    // Start-up loads the open periods only (loadState): without this, a scan of every period ever.
    await db.schema.createIndex('custody_period_open').ifNotExists().on(CUSTODY_PERIOD_TABLE.name).columns(['batch_id']).where(sql.ref('to_position'), 'is', null).execute();
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const rows = await db.withTables<CustodyTables>().selectFrom('custody_period').selectAll().where('to_position', 'is', null).execute();
    for (const row of rows) this.open.set(row.batch_id, fromRow(row));
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.open.clear();
    this.dirty.clear();
    this.rows.clear();
    this.gate.reset();
    this.deferred.clear();
    this.consumedPeriods.clear();
  }

  protected fold(event: ProjectedEvent): void {
    if (this.deferred.defer(event, (e) => e.event.type === 'ProcessVoided')) return;
    this.gate.route(event, this.sink);
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    const { event } = projected;
    const recordedAt = process?.completedRecordedAt ?? projected.recordedAt;
    const position = process?.completedPosition ?? projected.position;
    switch (event.type) {
      case 'ProcessVoided':
        this.applyVoid(event.data, recordedAt, position);
        return;
      case 'BatchCollected':
        this.begin(newPeriod(event.data.batchId, 0, event.data.collectorOrgId, event.data.collectorOrgId, 'collected', null, utcInstant(event.data.occurredAt), recordedAt, position));
        return;
      case 'ResidualBatchRegistered':
        this.begin(newPeriod(event.data.batchId, 0, event.data.organisationId, event.data.organisationId, 'registered', null, utcInstant(event.data.occurredAt), recordedAt, position));
        return;
      case 'BatchProduced': {
        const e = event.data;
        this.begin(newPeriod(e.batchId, 0, e.organisationId, e.organisationId, 'produced', e.processId, utcInstant(e.occurredAt), recordedAt, position));
        return;
      }
      case 'CustodyTransferDispatched': {
        const e = event.data;
        const period = this.open.get(e.batchId);
        if (!period) return;
        period.transit_transfer_id = e.transferId;
        period.transit_to_org_id = e.toOrgId;
        period.transit_mass_grams = e.massGrams;
        period.transit_dispatched_at = utcInstant(e.occurredAt);
        period.transit_ownership_transferred = bit(e.ownershipTransferred);
        this.touch(period);
        return;
      }
      case 'CustodyTransferCancelled': {
        const period = this.open.get(event.data.batchId);
        if (!period || period.transit_transfer_id !== event.data.transferId) return;
        period.transit_transfer_id = null;
        period.transit_to_org_id = null;
        period.transit_mass_grams = null;
        period.transit_dispatched_at = null;
        period.transit_ownership_transferred = null;
        this.touch(period);
        return;
      }
      case 'CustodyTransferReceived': {
        const e = event.data;
        const period = this.open.get(e.batchId);
        if (!period || period.transit_transfer_id !== e.transferId || period.transit_to_org_id === null) return;
        const at = utcInstant(e.occurredAt);
        const consignee = period.transit_to_org_id;
        const owner = period.transit_ownership_transferred === 1 ? consignee : period.owner_org_id;
        this.end(period, at, recordedAt, position, 'dispatched', e.transferId);
        this.begin(newPeriod(e.batchId, period.seq + 1, consignee, owner, 'received', e.transferId, at, recordedAt, position));
        return;
      }
      case 'BatchConsumed': {
        const period = this.open.get(event.data.batchId);
        if (!period || process === undefined) return;
        this.end(period, utcInstant(process.started.occurredAt), recordedAt, position, 'consumed', event.data.processId);
        return;
      }
      default: {
        if (!OUTCOMES.has(event.type)) return;
        const data = event.data as { batchId: string; occurredAt: string };
        const period = this.open.get(data.batchId);
        if (!period) return;
        this.end(period, utcInstant(data.occurredAt), recordedAt, position, 'closed', event.type);
      }
    }
  }

  private applyVoid(voided: ProcessVoided, recordedAt: string, position: number): void {
    const at = utcInstant(voided.occurredAt);
    for (const output of voided.outputs) {
      const period = this.open.get(output.batchId);
      if (period) this.end(period, at, recordedAt, position, 'voided', voided.processId);
    }
    for (const input of voided.inputs) {
      const period = this.consumedPeriods.get(input.batchId);
      this.consumedPeriods.delete(input.batchId);
      if (!period || period.ended_by !== 'consumed' || period.end_detail !== voided.processId) continue;
      period.to_occurred_at = null;
      period.to_recorded_at = null;
      period.to_position = null;
      period.ended_by = null;
      period.end_detail = null;
      this.begin(period);
    }
  }

  private begin(period: CustodyPeriodRow): void {
    this.open.set(period.batch_id, period);
    this.touch(period);
  }

  /** Open periods are mutated in place; the dirty map holds the same objects until the flush. */
  private touch(period: CustodyPeriodRow): void {
    this.dirty.set(`${period.batch_id}|${period.seq}`, period);
  }

  private end(period: CustodyPeriodRow, at: string, recordedAt: string, position: number, endedBy: CustodyEnd, detail: string): void {
    this.open.delete(period.batch_id);
    period.to_occurred_at = at;
    period.to_recorded_at = recordedAt;
    period.to_position = position;
    period.ended_by = endedBy;
    period.end_detail = detail;
    this.touch(period);
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.deferred.drain(tx, {
      write: (t) => this.writeRows(t),
      load: (event, t) => this.loadConsumedPeriods(event, t),
      fold: (event) => this.fold(event),
    });
    await this.writeRows(tx);
  }

  /** Reads back the last period of each input of a voided process: the one its consumption ended. */
  private async loadConsumedPeriods(projected: ProjectedEvent, tx: ReadTx): Promise<void> {
    if (projected.event.type !== 'ProcessVoided') return;
    const ids = projected.event.data.inputs.map((i) => i.batchId);
    const rows = await tx.withTables<CustodyTables>().selectFrom('custody_period').selectAll().where('batch_id', 'in', ids).orderBy('batch_id').orderBy('seq').execute();
    for (const row of rows) this.consumedPeriods.set(row.batch_id, fromRow(row));
  }

  private async writeRows(tx: ReadTx): Promise<void> {
    for (const [key, row] of this.dirty) this.rows.put(key, row);
    this.dirty.clear();
    await this.rows.flush(tx);
    await this.gate.flush(tx);
  }
}

/** A stored period, in the shape the fold builds (integers as numbers, whatever the driver returns). */
function fromRow(row: CustodyPeriodRow): CustodyPeriodRow {
  const period = newPeriod(row.batch_id, Number(row.seq), row.organisation_id, row.owner_org_id, row.from_kind, row.from_detail, row.from_occurred_at, row.from_recorded_at, Number(row.from_position));
  period.to_occurred_at = row.to_occurred_at;
  period.to_recorded_at = row.to_recorded_at;
  period.to_position = row.to_position === null ? null : Number(row.to_position);
  period.ended_by = row.ended_by;
  period.end_detail = row.end_detail;
  period.transit_transfer_id = row.transit_transfer_id;
  period.transit_to_org_id = row.transit_to_org_id;
  period.transit_mass_grams = row.transit_mass_grams === null ? null : Number(row.transit_mass_grams);
  period.transit_dispatched_at = row.transit_dispatched_at;
  period.transit_ownership_transferred = row.transit_ownership_transferred === null ? null : Number(row.transit_ownership_transferred);
  return period;
}

/** Every field in one literal, so all periods share one object shape (spreads made V8 slow here). */
function newPeriod(
  batchId: string,
  seq: number,
  organisationId: string,
  ownerOrgId: string,
  fromKind: CustodyStart,
  fromDetail: string | null,
  fromOccurredAt: string,
  fromRecordedAt: string,
  fromPosition: number,
): CustodyPeriodRow {
  return {
    batch_id: batchId,
    seq,
    organisation_id: organisationId,
    owner_org_id: ownerOrgId,
    from_kind: fromKind,
    from_detail: fromDetail,
    from_occurred_at: fromOccurredAt,
    from_recorded_at: fromRecordedAt,
    from_position: fromPosition,
    to_occurred_at: null,
    to_recorded_at: null,
    to_position: null,
    ended_by: null,
    end_detail: null,
    transit_transfer_id: null,
    transit_to_org_id: null,
    transit_mass_grams: null,
    transit_dispatched_at: null,
    transit_ownership_transferred: null,
  };
}
