import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, insertIgnoreRows, utcInstant, withoutRowid, textType, type SqlRow, type TableDef } from '../runner/sql-rows.js';

/**
 * Movement kinds. The first eight make up the mass balance of an organisation:
 *   opening + collected + registered + received + produced + adjustment
 *     = dispatched + consumed + outcome + closing
 * (outflows are stored negative, so the signed sum of these kinds over a period is closing − opening).
 * The last three are informational and never enter the balance.
 */
export const BALANCE_KINDS = ['collected', 'registered', 'received', 'produced', 'adjustment', 'dispatched', 'consumed', 'outcome'] as const;
export const INFORMATIONAL_KINDS = ['process-loss', 'external-input', 'transit-difference'] as const;
export type MovementKind = (typeof BALANCE_KINDS)[number] | (typeof INFORMATIONAL_KINDS)[number];

export type InventoryMovementRow = {
  /** Log position of the event that caused it (for process steps, the step's own event). */
  position: number;
  /** Several movements can come from one event (a dispatch's adjustment and dispatch, a process's losses). */
  seq: number;
  organisation_id: string;
  /** null for process-level movements (losses, external inputs). */
  batch_id: string | null;
  kind: MovementKind;
  /** Signed integer grams: + into the organisation's stock, − out of it. */
  grams: number;
  /** Business time (UTC). Process steps use the process's ProcessStarted.occurredAt. */
  occurred_at: string;
  /** When the movement became known: for process steps, when the process completed. */
  recorded_at: string;
  /** Transfer id, process id (and loss kind), or outcome event type. */
  reference: string | null;
};

/** What the fold needs to know about a batch still held by someone: who holds it and how heavy it is. */
export type InventoryHoldingRow = {
  batch_id: string;
  organisation_id: string;
  mass_grams: number;
  transfer_id: string | null;
  transfer_to_org_id: string | null;
  dispatched_mass_grams: number | null;
};

export type InventoryTables = {
  inventory_movement: InventoryMovementRow;
  inventory_holding: InventoryHoldingRow;
};

export const INVENTORY_MOVEMENT_TABLE: TableDef = {
  name: 'inventory_movement',
  columns: ['position', 'seq', 'organisation_id', 'batch_id', 'kind', 'grams', 'occurred_at', 'recorded_at', 'reference'],
  primaryKey: ['position', 'seq'],
};

export const INVENTORY_HOLDING_TABLE: TableDef = {
  name: 'inventory_holding',
  columns: ['batch_id', 'organisation_id', 'mass_grams', 'transfer_id', 'transfer_to_org_id', 'dispatched_mass_grams'],
  primaryKey: ['batch_id'],
};

const OUTCOMES = new Set(['BatchSoldForReuse', 'BatchIncinerated', 'BatchLandfilled', 'BatchExported', 'ProductPlacedOnMarket']);

/**
 * Per-organisation stock movements keyed by business time (docs/domain.md), so any period's mass
 * balance is a sum over an index range.
 *
 * Weighing rules that keep every organisation exactly balanced:
 * - the sender books the dispatch weight out; if the batch's mass differed from it, the difference is
 *   first booked as the sender's adjustment;
 * - the consignee books the receipt weight in; the transit gain or loss (receipt − dispatch) is on no
 *   one's books, and is shown to the consignee as information;
 * - a cancelled shipment reverses the sender's dispatch and its adjustment;
 * - a mass correction is an adjustment of the custodian;
 * - process steps count once the process completes (the ProcessGate holds them until then);
 * - a void (decision 011) books the reverse of every movement of its process, at the process's own
 *   business time, so every period's balance reads as if the process had never happened (each
 *   movement's recorded_at still tells when the void became known).
 */
export class InventoryProjection extends BaseProjection {
  readonly name = 'inventory';
  /** 2: voids (decision 011). */
  readonly version = 2;
  private readonly gate = new ProcessGate('inventory');
  readonly tables = [INVENTORY_MOVEMENT_TABLE.name, INVENTORY_HOLDING_TABLE.name, this.gate.table] as const;
  private readonly holdings = new Map<string, InventoryHoldingRow>();
  private readonly changedHoldings = new Set<string>();
  private readonly holdingRows = new RowBuffer(INVENTORY_HOLDING_TABLE);
  private movements: SqlRow[] = [];
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<InventoryTables>().schema;
    const movements = schema
      .createTable(INVENTORY_MOVEMENT_TABLE.name)
      .ifNotExists()
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('organisation_id', textType(db), (c) => c.notNull())
      .addColumn('batch_id', textType(db))
      .addColumn('kind', textType(db), (c) => c.notNull())
      .addColumn('grams', 'bigint', (c) => c.notNull())
      .addColumn('occurred_at', textType(db), (c) => c.notNull())
      .addColumn('recorded_at', textType(db), (c) => c.notNull())
      .addColumn('reference', textType(db))
      .addPrimaryKeyConstraint('inventory_movement_pk', ['position', 'seq']);
    // Keys only ever grow (log position, then seq): one b-tree, appended to, instead of two.
    await withoutRowid(db, movements).execute();
    await schema.createIndex('inventory_movement_org_time').ifNotExists().on(INVENTORY_MOVEMENT_TABLE.name).columns(['organisation_id', 'occurred_at']).execute();
    const holdings = schema
      .createTable(INVENTORY_HOLDING_TABLE.name)
      .ifNotExists()
      .addColumn('batch_id', textType(db), (c) => c.primaryKey())
      .addColumn('organisation_id', textType(db), (c) => c.notNull())
      .addColumn('mass_grams', 'bigint', (c) => c.notNull())
      .addColumn('transfer_id', textType(db))
      .addColumn('transfer_to_org_id', textType(db))
      .addColumn('dispatched_mass_grams', 'bigint');
    // Random (UUID) keys: a rowid table plus key index inserts faster than WITHOUT ROWID here.
    await holdings.execute();
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const rows = await db.withTables<InventoryTables>().selectFrom('inventory_holding').selectAll().execute();
    for (const row of rows) {
      this.holdings.set(row.batch_id, {
        ...row,
        mass_grams: Number(row.mass_grams),
        dispatched_mass_grams: row.dispatched_mass_grams === null ? null : Number(row.dispatched_mass_grams),
      });
    }
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.holdings.clear();
    this.changedHoldings.clear();
    this.holdingRows.clear();
    this.movements = [];
    this.gate.reset();
  }

  protected fold(event: ProjectedEvent): void {
    this.gate.route(event, this.sink);
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    const { event } = projected;
    let seq = 0;
    const recordedAt = process?.completedRecordedAt ?? projected.recordedAt;
    const move = (organisationId: string, batchId: string | null, kind: MovementKind, grams: number, occurredAt: string, reference: string | null): void => {
      // A zero difference carries no information; skipping it keeps the table small.
      if (grams === 0 && (kind === 'adjustment' || kind === 'transit-difference')) return;
      this.movements.push({
        position: projected.position,
        seq: seq++,
        organisation_id: organisationId,
        batch_id: batchId,
        kind,
        grams,
        occurred_at: occurredAt,
        recorded_at: recordedAt,
        reference,
      });
    };

    switch (event.type) {
      case 'BatchCollected':
      case 'ResidualBatchRegistered':
      case 'BatchProduced': {
        const e = event.data;
        const organisationId = event.type === 'BatchCollected' ? event.data.collectorOrgId : event.data.organisationId;
        const kind: MovementKind = event.type === 'BatchCollected' ? 'collected' : event.type === 'ResidualBatchRegistered' ? 'registered' : 'produced';
        // A produced batch is booked at the process's business time, like the inputs it consumed.
        const occurredAt = utcInstant(process?.started.occurredAt ?? e.occurredAt);
        const reference = event.type === 'BatchProduced' ? event.data.processId : null;
        move(organisationId, e.batchId, kind, e.massGrams, occurredAt, reference);
        this.hold({ batch_id: e.batchId, organisation_id: organisationId, mass_grams: e.massGrams, transfer_id: null, transfer_to_org_id: null, dispatched_mass_grams: null });
        return;
      }
      case 'CustodyTransferDispatched': {
        const e = event.data;
        const holding = this.holdings.get(e.batchId);
        if (!holding) return;
        const at = utcInstant(e.occurredAt);
        move(holding.organisation_id, e.batchId, 'adjustment', e.massGrams - holding.mass_grams, at, e.transferId);
        move(holding.organisation_id, e.batchId, 'dispatched', -e.massGrams, at, e.transferId);
        this.hold({ ...holding, transfer_id: e.transferId, transfer_to_org_id: e.toOrgId, dispatched_mass_grams: e.massGrams });
        return;
      }
      case 'CustodyTransferCancelled': {
        const e = event.data;
        const holding = this.holdings.get(e.batchId);
        if (!holding || holding.transfer_id !== e.transferId || holding.dispatched_mass_grams === null) return;
        const at = utcInstant(e.occurredAt);
        // Reverse exactly what the dispatch booked: the batch is back with the sender at its old mass.
        move(holding.organisation_id, e.batchId, 'dispatched', holding.dispatched_mass_grams, at, e.transferId);
        move(holding.organisation_id, e.batchId, 'adjustment', holding.mass_grams - holding.dispatched_mass_grams, at, e.transferId);
        this.hold({ ...holding, transfer_id: null, transfer_to_org_id: null, dispatched_mass_grams: null });
        return;
      }
      case 'CustodyTransferReceived': {
        const e = event.data;
        const holding = this.holdings.get(e.batchId);
        if (!holding || holding.transfer_id !== e.transferId || holding.transfer_to_org_id === null || holding.dispatched_mass_grams === null) return;
        const at = utcInstant(e.occurredAt);
        const consignee = holding.transfer_to_org_id;
        move(consignee, e.batchId, 'received', e.receivedMassGrams, at, e.transferId);
        move(consignee, e.batchId, 'transit-difference', e.receivedMassGrams - holding.dispatched_mass_grams, at, e.transferId);
        this.hold({ batch_id: e.batchId, organisation_id: consignee, mass_grams: e.receivedMassGrams, transfer_id: null, transfer_to_org_id: null, dispatched_mass_grams: null });
        return;
      }
      case 'BatchMassCorrected': {
        const e = event.data;
        const holding = this.holdings.get(e.batchId);
        if (!holding) return;
        move(holding.organisation_id, e.batchId, 'adjustment', e.massGrams - holding.mass_grams, utcInstant(e.occurredAt), projected.eventId);
        this.hold({ ...holding, mass_grams: e.massGrams });
        return;
      }
      case 'BatchConsumed': {
        const e = event.data;
        const holding = this.holdings.get(e.batchId);
        if (!holding || process === undefined) return;
        const at = utcInstant(process.started.occurredAt);
        // The process consumes the whole batch; if the weight it states differs, book the difference.
        move(holding.organisation_id, e.batchId, 'adjustment', e.massGrams - holding.mass_grams, at, e.processId);
        move(holding.organisation_id, e.batchId, 'consumed', -e.massGrams, at, e.processId);
        this.release(e.batchId);
        return;
      }
      case 'ProcessVoided': {
        const e = event.data;
        const at = utcInstant(e.processOccurredAt);
        for (const output of e.outputs) {
          if (!this.holdings.has(output.batchId)) continue;
          move(e.organisationId, output.batchId, 'produced', -output.massGrams, at, e.processId);
          this.release(output.batchId);
        }
        // A consumed input left the holdings; it comes back to the organisation that consumed it, at
        // the mass it was consumed at (the consumption re-check requires both to be unchanged).
        for (const input of e.inputs) {
          move(e.organisationId, input.batchId, 'consumed', input.massGrams, at, e.processId);
          this.hold({ batch_id: input.batchId, organisation_id: e.organisationId, mass_grams: input.massGrams, transfer_id: null, transfer_to_org_id: null, dispatched_mass_grams: null });
        }
        for (const loss of e.losses) move(e.organisationId, null, 'process-loss', -loss.massGrams, at, `${e.processId}|${loss.kind}`);
        for (const input of e.externalInputs) move(e.organisationId, null, 'external-input', -input.massGrams, at, `${e.processId}|${input.originClass}`);
        return;
      }
      case 'ProcessCompleted': {
        if (process === undefined) return;
        const { started } = process;
        const at = utcInstant(started.occurredAt);
        for (const loss of started.losses) move(started.organisationId, null, 'process-loss', loss.massGrams, at, `${started.processId}|${loss.kind}`);
        for (const input of started.externalInputs) move(started.organisationId, null, 'external-input', input.massGrams, at, `${started.processId}|${input.originClass}`);
        return;
      }
      default: {
        if (!OUTCOMES.has(event.type)) return;
        const data = event.data as { batchId: string; occurredAt: string };
        const holding = this.holdings.get(data.batchId);
        if (!holding) return;
        move(holding.organisation_id, data.batchId, 'outcome', -holding.mass_grams, utcInstant(data.occurredAt), event.type);
        this.release(data.batchId);
      }
    }
  }

  private hold(holding: InventoryHoldingRow): void {
    this.holdings.set(holding.batch_id, holding);
    this.changedHoldings.add(holding.batch_id);
  }

  /** Consumed and closed batches leave the in-memory state for good. */
  private release(batchId: string): void {
    this.holdings.delete(batchId);
    this.changedHoldings.add(batchId);
  }

  async flush(tx: ReadTx): Promise<void> {
    for (const batchId of this.changedHoldings) {
      const holding = this.holdings.get(batchId);
      if (holding) this.holdingRows.put(batchId, holding);
      else this.holdingRows.remove(batchId, batchId);
    }
    this.changedHoldings.clear();
    await this.holdingRows.flush(tx);
    if (this.movements.length > 0) {
      const rows = this.movements;
      this.movements = [];
      await insertIgnoreRows(tx, INVENTORY_MOVEMENT_TABLE, rows);
    }
    await this.gate.flush(tx);
  }
}
