import { castEvent, readScopeOf, streamIds, type OrganisationFacts } from '#domain';
import { EXPORTED_EVENT_TYPES, narrowedTo, toEpcisEvents, type EpcisIdentifiers, type LedgerEventLookup, type PositionedEpcisEvent } from '#epcis';
import type { EventStore, StoredEvent } from '#event-store';
import { visibleBatches } from '#projections';
import { Inject, Injectable } from '@nestjs/common';
import type { ReadDb } from '#projections';
import { EVENT_STORE, READ_DB } from '../ledger/tokens.js';
import { EPCIS_IDENTIFIERS } from './epcis.tokens.js';

/** Log events read per page while scanning. */
const SCAN_PAGE = 2_000;

/**
 * Reads ledger events and turns them into EPCIS events. The event log is the source: an EPCIS event
 * needs the whole of what was recorded (a process's intent, the event a correction corrects), which
 * no read model keeps; the read models answer who may see what (custody, lineage).
 */
@Injectable()
export class EpcisEventsReader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(EPCIS_IDENTIFIERS) readonly ids: EpcisIdentifiers,
  ) {}

  /** Every EPCIS event of the given batches (and of the processes that made or consumed them), in log order. */
  async ofBatches(batchIds: readonly string[]): Promise<PositionedEpcisEvent[]> {
    const loaded = new Map<string, StoredEvent>();
    const processIds = new Set<string>();
    for (const batchId of new Set(batchIds)) {
      for (const event of await this.store.readStream(streamIds.batch(batchId))) {
        loaded.set(event.eventId, event);
        const processId = (event.data as { processId?: unknown }).processId;
        if (typeof processId === 'string') processIds.add(processId);
      }
    }
    const processEvents = new Map<string, StoredEvent[]>();
    for (const processId of processIds) {
      const events = await this.store.readStream(streamIds.process(processId));
      processEvents.set(processId, events);
      for (const event of events) loaded.set(event.eventId, event);
    }
    const wanted = new Set(batchIds);
    const candidates = [...loaded.values()].filter((e) => EXPORTED_EVENT_TYPES.has(e.type));
    const mapped = await this.map(candidates, loaded);
    // A process is one event about all its batches: kept when it touches a batch asked for.
    return mapped.filter((e) => e.batchIds.some((id) => wanted.has(id)));
  }

  /**
   * Scans the log after a position for exported events, keeping those `keep` accepts, until `limit`
   * are found or the log ends. Answers the events and whether the log went on beyond them.
   */
  async scan(after: number, limit: number, keep: (events: PositionedEpcisEvent[]) => Promise<PositionedEpcisEvent[]>): Promise<{ events: PositionedEpcisEvent[]; more: boolean }> {
    const found: PositionedEpcisEvent[] = [];
    let cursor = after;
    for (;;) {
      const page = await this.store.readAll({ after: cursor, maxCount: SCAN_PAGE });
      if (page.length === 0) return { events: found, more: false };
      const candidates = page.filter((e) => EXPORTED_EVENT_TYPES.has(e.type));
      const kept = await keep(await this.map(candidates, new Map(page.map((e) => [e.eventId, e]))));
      for (const event of kept) {
        found.push(event);
        if (found.length === limit) return { events: found, more: event.position < (await this.store.headPosition()) };
      }
      cursor = page[page.length - 1]!.position;
      if (page.length < SCAN_PAGE) return { events: found, more: false };
    }
  }

  /** The events among `events` the viewer may see (those about a batch it sees in full), each narrowed to the batches it sees. */
  async visibleTo(viewer: OrganisationFacts, events: PositionedEpcisEvent[]): Promise<PositionedEpcisEvent[]> {
    const scope = readScopeOf(viewer);
    if (scope.kind === 'all' || events.length === 0) return events;
    const visible = await visibleBatches(this.db, scope, events.flatMap((e) => e.batchIds));
    return events.flatMap((e) => narrowedTo(e, (id) => visible.has(id), this.ids) ?? []);
  }

  /** Maps candidates, first reading what their mapping needs from other streams (a process's intent, a corrected event). */
  private async map(candidates: readonly StoredEvent[], known: Map<string, StoredEvent>): Promise<PositionedEpcisEvent[]> {
    const intents = new Map<string, StoredEvent>();
    for (const event of known.values()) if (event.type === 'ProcessStarted') intents.set((event.data as { processId: string }).processId, event);
    const needProcess = new Set<string>();
    const needBatch = new Set<string>();
    for (const event of candidates) {
      const data = event.data as { processId?: string; batchId?: string; correctedEventId?: string };
      if ((event.type === 'ProcessCompleted' || event.type === 'ProcessVoided') && data.processId && !intents.has(data.processId)) needProcess.add(data.processId);
      if (event.type === 'BatchMassCorrected' && data.correctedEventId && !known.has(data.correctedEventId) && data.batchId) needBatch.add(data.batchId);
    }
    for (const batchId of needBatch) {
      for (const event of await this.store.readStream(streamIds.batch(batchId))) {
        known.set(event.eventId, event);
        const domain = castEvent(event.type, event.schemaVersion, event.data);
        if (domain.type === 'BatchProduced' && !intents.has(domain.data.processId)) needProcess.add(domain.data.processId);
      }
    }
    for (const processId of needProcess) {
      const intent = (await this.store.readStream(streamIds.process(processId), { maxCount: 1 }))[0];
      if (intent?.type === 'ProcessStarted') intents.set(processId, intent);
    }
    const lookup: LedgerEventLookup = { eventById: (id) => known.get(id), processStarted: (id) => intents.get(id) };
    return toEpcisEvents(candidates, this.ids, lookup);
  }
}
