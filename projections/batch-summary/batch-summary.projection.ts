import { evolveBatch, releaseConsumption, voidOutput, type BatchOutcome, type BatchState, type BatchStatus, type Composition, type ProcessVoided } from '#domain';
import { DeferredEvents } from '../processes/deferred-events.js';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, bit, utcInstant, textType, type TableDef } from '../runner/sql-rows.js';

export type BatchSummaryRow = {
  batch_id: string;
  /** collected | residual | produced */
  origin_kind: string;
  origin_kommune_code: string | null;
  origin_collection_scheme: string | null;
  /** pre-consumer | post-consumer-business, for registered residuals. */
  origin_class: string | null;
  /** Collector, registering organisation, or the organisation that ran the producing process. */
  origin_org_id: string;
  origin_process_id: string | null;
  origin_process_type: string | null;
  ewc_code: string | null;
  mass_grams: number;
  /** A grade, or `unsorted` until a process grades the material. */
  grade: string;
  /** JSON array of {fibre, share}. */
  composition: string;
  application: string | null;
  product_type: string | null;
  custodian_org_id: string;
  owner_org_id: string;
  status: BatchStatus;
  outcome: BatchOutcome | null;
  anomalies: number;
  pending_transfer_id: string | null;
  pending_from_org_id: string | null;
  pending_to_org_id: string | null;
  pending_mass_grams: number | null;
  pending_ownership_transferred: number | null;
  consumed_by_process_id: string | null;
  /** JSON array of programme tags. */
  programme_tags: string;
  /** The event that last set the mass (a correction must name it), and whether it is the origin's. */
  mass_event_id: string;
  mass_from_origin: number;
  created_position: number;
  created_occurred_at: string;
  created_recorded_at: string;
  /** When the row last changed: for process steps, the ProcessCompleted that made them count. */
  updated_position: number;
  updated_occurred_at: string;
  updated_recorded_at: string;
};

export type BatchSummaryTables = {
  batch_summary_batch: BatchSummaryRow;
};

const COLUMNS = [
  'batch_id',
  'origin_kind',
  'origin_kommune_code',
  'origin_collection_scheme',
  'origin_class',
  'origin_org_id',
  'origin_process_id',
  'origin_process_type',
  'ewc_code',
  'mass_grams',
  'grade',
  'composition',
  'application',
  'product_type',
  'custodian_org_id',
  'owner_org_id',
  'status',
  'outcome',
  'anomalies',
  'pending_transfer_id',
  'pending_from_org_id',
  'pending_to_org_id',
  'pending_mass_grams',
  'pending_ownership_transferred',
  'consumed_by_process_id',
  'programme_tags',
  'mass_event_id',
  'mass_from_origin',
  'created_position',
  'created_occurred_at',
  'created_recorded_at',
  'updated_position',
  'updated_occurred_at',
  'updated_recorded_at',
] as const satisfies readonly (keyof BatchSummaryRow)[];

export const BATCH_SUMMARY_TABLE: TableDef = { name: 'batch_summary_batch', columns: COLUMNS, primaryKey: ['batch_id'] };

/** Origin facts that BatchState does not keep. */
interface OriginFacts {
  readonly collectionScheme: string | null;
  readonly orgId: string;
  readonly processType: string | null;
  readonly ewcCode: string | null;
}

interface Stamp {
  readonly position: number;
  readonly occurredAt: string;
  readonly recordedAt: string;
}

interface Entry {
  state: BatchState;
  readonly origin: OriginFacts;
  readonly created: Stamp;
  updated: Stamp;
}

/** The void steps on batch streams: they take effect together, at ProcessVoided (decision 011). */
const VOID_STEPS = new Set(['BatchVoided', 'BatchVoidReverted', 'BatchRestored']);

/**
 * The current state of every batch (docs/domain.md), folded with the domain's own evolveBatch so the
 * read model and the command side agree. Process steps take effect only when the process completes:
 * until then an input shows as it was and an output does not exist. A void takes effect when
 * ProcessVoided is recorded: outputs become `voided`, inputs available again.
 */
export class BatchSummaryProjection extends BaseProjection {
  readonly name = 'batch_summary';
  /** 2: the `voided` status and voids (decision 011). */
  readonly version = 2;
  private readonly gate = new ProcessGate('batch_summary');
  readonly tables = [BATCH_SUMMARY_TABLE.name, this.gate.table] as const;
  private readonly batches = new Map<string, Entry>();
  private readonly dirty = new Set<string>();
  private readonly rows = new RowBuffer(BATCH_SUMMARY_TABLE);
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);
  private readonly deferred = new DeferredEvents();

  async migrate(db: ReadDb): Promise<void> {
    let table = db.schema.createTable(BATCH_SUMMARY_TABLE.name).ifNotExists().addColumn('batch_id', textType(db), (c) => c.primaryKey());
    const integers = new Set(['mass_grams', 'anomalies', 'pending_mass_grams', 'pending_ownership_transferred', 'mass_from_origin', 'created_position', 'updated_position']);
    const nullable = new Set([
      'origin_kommune_code',
      'origin_collection_scheme',
      'origin_class',
      'origin_process_id',
      'origin_process_type',
      'ewc_code',
      'application',
      'product_type',
      'outcome',
      'pending_transfer_id',
      'pending_from_org_id',
      'pending_to_org_id',
      'pending_mass_grams',
      'pending_ownership_transferred',
      'consumed_by_process_id',
    ]);
    for (const column of COLUMNS.slice(1)) {
      table = table.addColumn(column, integers.has(column) ? 'bigint' : textType(db), (c) => (nullable.has(column) ? c : c.notNull()));
    }
    await table.execute();
    await db.schema.createIndex('batch_summary_batch_custodian').ifNotExists().on(BATCH_SUMMARY_TABLE.name).columns(['custodian_org_id', 'batch_id']).execute();
    await db.schema.createIndex('batch_summary_batch_status').ifNotExists().on(BATCH_SUMMARY_TABLE.name).columns(['status', 'batch_id']).execute();
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    // Consumed and closed batches never change again (every command needs an available batch), so
    // only open ones are kept in memory.
    const rows = await db.withTables<BatchSummaryTables>().selectFrom('batch_summary_batch').selectAll().where('status', 'in', ['available', 'in-transit']).execute();
    for (const row of rows) this.batches.set(row.batch_id, fromRow(row));
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.batches.clear();
    this.dirty.clear();
    this.rows.clear();
    this.gate.reset();
    this.deferred.clear();
  }

  protected fold(event: ProjectedEvent): void {
    // A void restores inputs, which left memory when they were consumed: read them back first.
    if (this.deferred.defer(event, (e) => e.event.type === 'ProcessVoided')) return;
    this.gate.route(event, this.sink);
  }

  /** An event that takes effect now (directly, or released by a completed process). */
  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    const { event } = projected;
    if (event.type === 'ProcessVoided') {
      this.applyVoid(projected, event.data);
      return;
    }
    if (!projected.streamId.startsWith('batch-') || VOID_STEPS.has(event.type)) return;
    const batchId = (event.data as { batchId: string }).batchId;
    const entry = this.batches.get(batchId);
    const next = evolveBatch(entry?.state, event, { eventId: projected.eventId });
    if (next === undefined || next === entry?.state) return;
    const occurred = (event.data as { occurredAt?: string }).occurredAt ?? process?.started.occurredAt ?? projected.recordedAt;
    const updated: Stamp = {
      position: process?.completedPosition ?? projected.position,
      occurredAt: utcInstant(occurred),
      recordedAt: process?.completedRecordedAt ?? projected.recordedAt,
    };
    if (entry === undefined || isOrigin(event.type)) {
      this.batches.set(batchId, {
        state: next,
        origin: originFacts(projected),
        created: { position: projected.position, occurredAt: utcInstant(occurred), recordedAt: projected.recordedAt },
        updated,
      });
    } else {
      entry.state = next;
      entry.updated = updated;
    }
    this.dirty.add(batchId);
  }

  private applyVoid(projected: ProjectedEvent, voided: ProcessVoided): void {
    const updated: Stamp = { position: projected.position, occurredAt: utcInstant(voided.occurredAt), recordedAt: projected.recordedAt };
    const change = (batchId: string, apply: (state: BatchState) => BatchState): void => {
      const entry = this.batches.get(batchId);
      if (!entry) return;
      entry.state = apply(entry.state);
      entry.updated = updated;
      this.dirty.add(batchId);
    };
    for (const output of voided.outputs) change(output.batchId, (state) => voidOutput(state, voided.processId, voided.attempt));
    for (const input of voided.inputs) change(input.batchId, (state) => releaseConsumption(state, voided.processId));
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.deferred.drain(tx, {
      write: (t) => this.writeRows(t),
      load: (event, t) => this.loadVoided(event, t),
      fold: (event) => this.fold(event),
    });
    await this.writeRows(tx);
  }

  /** Reads back the inputs (and outputs) of a voided process that are no longer in memory. */
  private async loadVoided(projected: ProjectedEvent, tx: ReadTx): Promise<void> {
    if (projected.event.type !== 'ProcessVoided') return;
    const ids = [...projected.event.data.inputs, ...projected.event.data.outputs].map((b) => b.batchId);
    const rows = await tx.withTables<BatchSummaryTables>().selectFrom('batch_summary_batch').selectAll().where('batch_id', 'in', ids).execute();
    for (const row of rows) if (!this.batches.has(row.batch_id)) this.batches.set(row.batch_id, fromRow(row));
  }

  private async writeRows(tx: ReadTx): Promise<void> {
    for (const batchId of this.dirty) {
      const entry = this.batches.get(batchId)!;
      this.rows.put(batchId, toRow(entry));
      if (entry.state.status === 'consumed' || entry.state.status === 'closed' || entry.state.status === 'voided') this.batches.delete(batchId);
    }
    this.dirty.clear();
    await this.rows.flush(tx);
    await this.gate.flush(tx);
  }

}

function isOrigin(type: string): boolean {
  return type === 'BatchCollected' || type === 'ResidualBatchRegistered' || type === 'BatchProduced';
}

function originFacts(projected: ProjectedEvent): OriginFacts {
  const { event } = projected;
  switch (event.type) {
    case 'BatchCollected':
      return { collectionScheme: event.data.collectionScheme, orgId: event.data.collectorOrgId, processType: null, ewcCode: event.data.ewcCode };
    case 'ResidualBatchRegistered':
      return { collectionScheme: null, orgId: event.data.organisationId, processType: null, ewcCode: event.data.ewcCode };
    case 'BatchProduced':
      return { collectionScheme: null, orgId: event.data.organisationId, processType: event.data.processType, ewcCode: event.data.ewcCode ?? null };
    default:
      // Only reached for a batch whose origin event this projection never saw, which a valid log rules out.
      return { collectionScheme: null, orgId: projected.actorOrgId, processType: null, ewcCode: null };
  }
}

function toRow(entry: Entry): BatchSummaryRow {
  const s = entry.state;
  const transfer = s.pendingTransfer;
  return {
    batch_id: s.batchId,
    origin_kind: s.origin.kind,
    origin_kommune_code: s.origin.kind === 'collected' ? s.origin.kommuneCode : null,
    origin_collection_scheme: entry.origin.collectionScheme,
    origin_class: s.origin.kind === 'residual' ? s.origin.originClass : null,
    origin_org_id: entry.origin.orgId,
    origin_process_id: s.origin.kind === 'produced' ? s.origin.processId : null,
    origin_process_type: entry.origin.processType,
    ewc_code: entry.origin.ewcCode,
    mass_grams: s.massGrams,
    grade: s.grade,
    composition: JSON.stringify(s.composition.map((c) => ({ fibre: c.fibre, share: c.share }))),
    application: s.application ?? null,
    product_type: s.productType ?? null,
    custodian_org_id: s.custodianOrgId,
    owner_org_id: s.ownerOrgId,
    status: s.status,
    outcome: s.outcome ?? null,
    anomalies: s.anomalies,
    pending_transfer_id: transfer?.transferId ?? null,
    pending_from_org_id: transfer?.fromOrgId ?? null,
    pending_to_org_id: transfer?.toOrgId ?? null,
    pending_mass_grams: transfer?.massGrams ?? null,
    pending_ownership_transferred: transfer ? bit(transfer.ownershipTransferred) : null,
    consumed_by_process_id: s.consumedByProcessId ?? null,
    programme_tags: JSON.stringify(s.programmeTags),
    mass_event_id: s.massEventId,
    mass_from_origin: bit(s.massFromOrigin),
    created_position: entry.created.position,
    created_occurred_at: entry.created.occurredAt,
    created_recorded_at: entry.created.recordedAt,
    updated_position: entry.updated.position,
    updated_occurred_at: entry.updated.occurredAt,
    updated_recorded_at: entry.updated.recordedAt,
  };
}

function fromRow(row: BatchSummaryRow): Entry {
  const origin: BatchState['origin'] =
    row.origin_kind === 'collected'
      ? { kind: 'collected', kommuneCode: row.origin_kommune_code! }
      : row.origin_kind === 'residual'
        ? { kind: 'residual', originClass: row.origin_class as 'pre-consumer' | 'post-consumer-business' }
        : { kind: 'produced', processId: row.origin_process_id! };
  const state: BatchState = {
    batchId: row.batch_id,
    origin,
    massGrams: Number(row.mass_grams),
    grade: row.grade as BatchState['grade'],
    composition: JSON.parse(row.composition) as Composition,
    ...(row.application !== null ? { application: row.application as NonNullable<BatchState['application']> } : {}),
    ...(row.product_type !== null ? { productType: row.product_type } : {}),
    custodianOrgId: row.custodian_org_id,
    ownerOrgId: row.owner_org_id,
    status: row.status,
    ...(row.pending_transfer_id !== null
      ? {
          pendingTransfer: {
            transferId: row.pending_transfer_id,
            fromOrgId: row.pending_from_org_id!,
            toOrgId: row.pending_to_org_id!,
            massGrams: Number(row.pending_mass_grams),
            ownershipTransferred: Number(row.pending_ownership_transferred) === 1,
          },
        }
      : {}),
    ...(row.consumed_by_process_id !== null ? { consumedByProcessId: row.consumed_by_process_id } : {}),
    ...(row.outcome !== null ? { outcome: row.outcome } : {}),
    massEventId: row.mass_event_id,
    massFromOrigin: Number(row.mass_from_origin) === 1,
    anomalies: Number(row.anomalies),
    programmeTags: JSON.parse(row.programme_tags) as string[],
  };
  return {
    state,
    origin: { collectionScheme: row.origin_collection_scheme, orgId: row.origin_org_id, processType: row.origin_process_type, ewcCode: row.ewc_code },
    created: { position: Number(row.created_position), occurredAt: row.created_occurred_at, recordedAt: row.created_recorded_at },
    updated: { position: Number(row.updated_position), occurredAt: row.updated_occurred_at, recordedAt: row.updated_recorded_at },
  };
}
