import type { CreateTableBuilder } from 'kysely';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, bit, utcInstant, type TableDef } from '../runner/sql-rows.js';

export type CustodyStart = 'collected' | 'registered' | 'produced' | 'received';
export type CustodyEnd = 'dispatched' | 'consumed' | 'closed';

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
  /** Transfer id (dispatched), process id (consumed) or the outcome event type (closed). */
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
 * Custody periods of every batch (DOMAIN.md §5.4): who possessed it from when to when, and how each
 * period ended. A dispatched batch stays in the sender's custody until the consignee receives it
 * (the sender's period carries the shipment meanwhile); a cancelled shipment simply clears it.
 * Consumption and production count from the process's completion.
 */
export class CustodyProjection extends BaseProjection {
  readonly name = 'custody';
  private readonly gate = new ProcessGate('custody');
  readonly tables = [CUSTODY_PERIOD_TABLE.name, this.gate.table] as const;
  /** The open period of every batch still in someone's custody. */
  private readonly open = new Map<string, CustodyPeriodRow>();
  private readonly dirty = new Map<string, CustodyPeriodRow>();
  private readonly rows = new RowBuffer(CUSTODY_PERIOD_TABLE);
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);

  async migrate(db: ReadDb): Promise<void> {
    const integers = new Set(['seq', 'from_position', 'to_position', 'transit_mass_grams', 'transit_ownership_transferred']);
    const required = new Set(['batch_id', 'seq', 'organisation_id', 'owner_org_id', 'from_kind', 'from_occurred_at', 'from_recorded_at', 'from_position']);
    let table: CreateTableBuilder<string, string> = db.schema.createTable(CUSTODY_PERIOD_TABLE.name).ifNotExists();
    for (const column of CUSTODY_PERIOD_TABLE.columns) {
      table = table.addColumn(column, integers.has(column) ? 'bigint' : 'text', (c) => (required.has(column) ? c.notNull() : c));
    }
    await table.addPrimaryKeyConstraint('custody_period_pk', ['batch_id', 'seq']).execute();
    await db.schema.createIndex('custody_period_org').ifNotExists().on(CUSTODY_PERIOD_TABLE.name).columns(['organisation_id', 'from_occurred_at']).execute();
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const rows = await db.withTables<CustodyTables>().selectFrom('custody_period').selectAll().where('to_position', 'is', null).execute();
    for (const row of rows) this.open.set(row.batch_id, { ...row, seq: Number(row.seq), from_position: Number(row.from_position) });
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.open.clear();
    this.dirty.clear();
    this.rows.clear();
    this.gate.reset();
  }

  protected fold(event: ProjectedEvent): void {
    this.gate.route(event, this.sink);
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    const { event } = projected;
    const recordedAt = process?.completedRecordedAt ?? projected.recordedAt;
    const position = process?.completedPosition ?? projected.position;
    switch (event.type) {
      case 'BatchCollected':
      case 'ResidualBatchRegistered':
      case 'BatchProduced': {
        const e = event.data;
        const organisationId = event.type === 'BatchCollected' ? event.data.collectorOrgId : event.data.organisationId;
        const kind: CustodyStart = event.type === 'BatchCollected' ? 'collected' : event.type === 'ResidualBatchRegistered' ? 'registered' : 'produced';
        this.begin({
          ...EMPTY_END,
          batch_id: e.batchId,
          seq: 0,
          organisation_id: organisationId,
          owner_org_id: organisationId,
          from_kind: kind,
          from_detail: event.type === 'BatchProduced' ? event.data.processId : null,
          from_occurred_at: utcInstant(e.occurredAt),
          from_recorded_at: recordedAt,
          from_position: position,
        });
        return;
      }
      case 'CustodyTransferDispatched': {
        const e = event.data;
        const period = this.open.get(e.batchId);
        if (!period) return;
        this.update({
          ...period,
          transit_transfer_id: e.transferId,
          transit_to_org_id: e.toOrgId,
          transit_mass_grams: e.massGrams,
          transit_dispatched_at: utcInstant(e.occurredAt),
          transit_ownership_transferred: bit(e.ownershipTransferred),
        });
        return;
      }
      case 'CustodyTransferCancelled': {
        const period = this.open.get(event.data.batchId);
        if (!period || period.transit_transfer_id !== event.data.transferId) return;
        this.update({ ...period, transit_transfer_id: null, transit_to_org_id: null, transit_mass_grams: null, transit_dispatched_at: null, transit_ownership_transferred: null });
        return;
      }
      case 'CustodyTransferReceived': {
        const e = event.data;
        const period = this.open.get(e.batchId);
        if (!period || period.transit_transfer_id !== e.transferId || period.transit_to_org_id === null) return;
        const at = utcInstant(e.occurredAt);
        this.end(period, { at, recordedAt, position, endedBy: 'dispatched', detail: e.transferId });
        this.begin({
          ...EMPTY_END,
          batch_id: e.batchId,
          seq: period.seq + 1,
          organisation_id: period.transit_to_org_id,
          owner_org_id: period.transit_ownership_transferred === 1 ? period.transit_to_org_id : period.owner_org_id,
          from_kind: 'received',
          from_detail: e.transferId,
          from_occurred_at: at,
          from_recorded_at: recordedAt,
          from_position: position,
        });
        return;
      }
      case 'BatchConsumed': {
        const period = this.open.get(event.data.batchId);
        if (!period || process === undefined) return;
        this.end(period, { at: utcInstant(process.started.occurredAt), recordedAt, position, endedBy: 'consumed', detail: event.data.processId });
        return;
      }
      default: {
        if (!OUTCOMES.has(event.type)) return;
        const data = event.data as { batchId: string; occurredAt: string };
        const period = this.open.get(data.batchId);
        if (!period) return;
        this.end(period, { at: utcInstant(data.occurredAt), recordedAt, position, endedBy: 'closed', detail: event.type });
      }
    }
  }

  private begin(period: CustodyPeriodRow): void {
    this.open.set(period.batch_id, period);
    this.dirty.set(`${period.batch_id}|${period.seq}`, period);
  }

  private update(period: CustodyPeriodRow): void {
    this.begin(period);
  }

  private end(period: CustodyPeriodRow, end: { at: string; recordedAt: string; position: number; endedBy: CustodyEnd; detail: string }): void {
    this.open.delete(period.batch_id);
    this.dirty.set(`${period.batch_id}|${period.seq}`, {
      ...period,
      to_occurred_at: end.at,
      to_recorded_at: end.recordedAt,
      to_position: end.position,
      ended_by: end.endedBy,
      end_detail: end.detail,
    });
  }

  async flush(tx: ReadTx): Promise<void> {
    for (const [key, row] of this.dirty) this.rows.put(key, row);
    this.dirty.clear();
    await this.rows.flush(tx);
    await this.gate.flush(tx);
  }
}

const EMPTY_END = {
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
} as const;
