import type { ProcessStarted } from '#domain';
import type { ProjectedEvent, ReadDb, ReadTx } from './projection.js';
import { RowBuffer, dynamicDb, textType, type TableDef } from './sql-rows.js';

/** What a projection knows about a process when its held events are released. */
export interface ProcessContext {
  readonly processId: string;
  /** The intent: inputs, external inputs, outputs and losses, and the business time. */
  readonly started: ProcessStarted;
  readonly startedPosition: number;
  readonly startedRecordedAt: string;
  /** Position and recordedAt of ProcessCompleted: when the process became countable. */
  readonly completedPosition: number;
  readonly completedRecordedAt: string;
}

/** Receives the events that take effect now; `process` is set for the events a completion releases. */
export type GatedSink = (event: ProjectedEvent, process: ProcessContext | undefined) => void;

interface PendingProcess {
  readonly started: ProcessStarted;
  readonly startedPosition: number;
  readonly startedRecordedAt: string;
  /** BatchConsumed events not reverted yet. */
  consumed: ProjectedEvent[];
  /** BatchProduced and anything else on an output batch, in log order. */
  held: ProjectedEvent[];
}

interface PendingRow {
  process_id: string;
  started_position: number;
  payload: string;
}

/**
 * Read models count a process only once ProcessCompleted is seen (docs/domain.md), but its steps
 * (BatchConsumed, BatchProduced) arrive first, on other streams. The gate holds them per process and
 * releases them, in log order and with the process context, when the process completes; a rejection
 * (or a reverted consumption) drops them, so a rejected process leaves nothing behind.
 *
 * Held events survive restarts in the owning projection's `<prefix>_pending_process` table, written
 * in the same flush as its other rows. Events of an output batch that arrive before the completion
 * (possible after a crash, before recovery finishes the process) are held as well, so a batch never
 * appears half-made.
 */
export class ProcessGate {
  readonly def: TableDef;
  private readonly pending = new Map<string, PendingProcess>();
  /** Output batch id → the pending process that will produce it. */
  private readonly outputs = new Map<string, string>();
  private readonly changed = new Set<string>();
  private readonly buffer: RowBuffer;

  constructor(prefix: string) {
    this.def = { name: `${prefix}_pending_process`, columns: ['process_id', 'started_position', 'payload'], primaryKey: ['process_id'] };
    this.buffer = new RowBuffer(this.def);
  }

  get table(): string {
    return this.def.name;
  }

  async migrate(db: ReadDb): Promise<void> {
    await db.schema
      .createTable(this.def.name)
      .ifNotExists()
      .addColumn('process_id', textType(db), (c) => c.primaryKey())
      .addColumn('started_position', 'bigint', (c) => c.notNull())
      .addColumn('payload', textType(db), (c) => c.notNull())
      .execute();
  }

  async load(db: ReadDb): Promise<void> {
    this.reset();
    const rows = (await dynamicDb(db).selectFrom(this.def.name).selectAll().execute()) as unknown as PendingRow[];
    for (const row of rows) {
      const pending = JSON.parse(row.payload) as PendingProcess;
      this.track(pending);
    }
  }

  /** Routes one event: passes it on, holds it, or (on completion) releases what was held. */
  route(projected: ProjectedEvent, sink: GatedSink): void {
    const { event } = projected;
    switch (event.type) {
      case 'ProcessStarted': {
        if (this.pending.has(event.data.processId)) return;
        this.track({ started: event.data, startedPosition: projected.position, startedRecordedAt: projected.recordedAt, consumed: [], held: [] });
        this.changed.add(event.data.processId);
        return;
      }
      case 'BatchConsumed': {
        const pending = this.pending.get(event.data.processId);
        // A consumption by a process never started cannot be counted; it has no completion to wait for.
        if (!pending) return;
        pending.consumed.push(projected);
        this.changed.add(event.data.processId);
        return;
      }
      case 'BatchConsumptionReverted': {
        const pending = this.pending.get(event.data.processId);
        if (!pending) return;
        const batchId = event.data.batchId;
        pending.consumed = pending.consumed.filter((c) => c.event.type !== 'BatchConsumed' || c.event.data.batchId !== batchId);
        this.changed.add(event.data.processId);
        return;
      }
      case 'ProcessCompleted': {
        const pending = this.pending.get(event.data.processId);
        if (!pending) return;
        this.untrack(event.data.processId, pending);
        const context: ProcessContext = {
          processId: event.data.processId,
          started: pending.started,
          startedPosition: pending.startedPosition,
          startedRecordedAt: pending.startedRecordedAt,
          completedPosition: projected.position,
          completedRecordedAt: projected.recordedAt,
        };
        const released = [...pending.consumed, ...pending.held].sort((a, b) => a.position - b.position);
        for (const held of released) sink(held, context);
        sink(projected, context);
        return;
      }
      case 'ProcessRejected': {
        const pending = this.pending.get(event.data.processId);
        if (pending) this.untrack(event.data.processId, pending);
        return;
      }
      default: {
        const batchId = (event.data as { batchId?: unknown }).batchId;
        if (typeof batchId === 'string') {
          const processId = this.outputs.get(batchId);
          if (processId !== undefined) {
            this.pending.get(processId)!.held.push(projected);
            this.changed.add(processId);
            return;
          }
        }
        sink(projected, undefined);
      }
    }
  }

  /** Processes started and not ended, for tests and diagnostics. */
  pendingProcessIds(): string[] {
    return [...this.pending.keys()].sort();
  }

  async flush(tx: ReadTx): Promise<void> {
    for (const processId of this.changed) {
      const pending = this.pending.get(processId);
      if (pending) {
        this.buffer.put(processId, { process_id: processId, started_position: pending.startedPosition, payload: serialise(pending) });
      } else {
        this.buffer.remove(processId, processId);
      }
    }
    this.changed.clear();
    await this.buffer.flush(tx);
  }

  reset(): void {
    this.pending.clear();
    this.outputs.clear();
    this.changed.clear();
    this.buffer.clear();
  }

  private track(pending: PendingProcess): void {
    this.pending.set(pending.started.processId, pending);
    for (const output of pending.started.outputs) this.outputs.set(output.batchId, pending.started.processId);
  }

  private untrack(processId: string, pending: PendingProcess): void {
    this.pending.delete(processId);
    for (const output of pending.started.outputs) this.outputs.delete(output.batchId);
    this.changed.add(processId);
  }
}

/** Fixed key order, so a live run and a rebuild store the same bytes. */
function serialise(pending: PendingProcess): string {
  const event = (e: ProjectedEvent) => ({
    event: e.event,
    eventId: e.eventId,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    recordedAt: e.recordedAt,
    actorOrgId: e.actorOrgId,
    hash: e.hash,
  });
  return JSON.stringify({
    started: pending.started,
    startedPosition: pending.startedPosition,
    startedRecordedAt: pending.startedRecordedAt,
    consumed: pending.consumed.map(event),
    held: pending.held.map(event),
  });
}
