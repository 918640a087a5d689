import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { EventStoreDbEventStore, PostgresEventStore, SqliteEventStore, type EventStore } from '#event-store';
import type { EventLogConfig } from '../config/ledger.config.js';

/** What the projection worker's client needs of the API thread's store besides the port. */
export interface CommitAnnouncingStore {
  /** Calls the listener after every commit this store knows of; returns the unsubscribe. */
  onCommit(listener: () => void): () => void;
  /** Wakes this store's idle subscriptions (another connection committed). */
  announceCommit(): void;
  headPosition(): Promise<number>;
}

/** Opens the configured event-log adapter; both satisfy the port and announce their commits. */
export async function openEventLog(config: EventLogConfig, clock?: () => Date): Promise<EventStore & CommitAnnouncingStore> {
  switch (config.kind) {
    case 'sqlite':
      mkdirSync(path.dirname(config.filename), { recursive: true, mode: 0o700 });
      return SqliteEventStore.open({ filename: config.filename, synchronous: config.synchronous, ...(clock ? { clock } : {}) });
    case 'postgres':
      return PostgresEventStore.open({ connectionString: config.connectionString, ...(clock ? { clock } : {}) });
    case 'eventstoredb':
      return EventStoreDbEventStore.open({ connectionString: config.connectionString, ...(clock ? { clock } : {}) });
  }
}
