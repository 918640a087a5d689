import type { DomainEvent } from '#domain';
import type { Kysely, Transaction } from 'kysely';

/**
 * The read store as projections see it. Each projection declares its own table types and narrows
 * with `db.withTables<MyTables>()`, so no projection needs to know another's schema.
 */
export type ReadDb = Kysely<object>;
export type ReadTx = Transaction<object>;

/** A stored event with its data already parsed (and upcast) into the current domain schema. */
export interface ProjectedEvent {
  readonly event: DomainEvent;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly recordedAt: string;
  readonly actorOrgId: string;
  readonly hash: string;
}

/**
 * A read model. The runner calls `apply` for every event of a page (in memory, synchronously: the
 * fold must be cheap), then `flush` inside the one transaction that also stores the checkpoint.
 *
 * Rules every projection keeps:
 * - deterministic: the same events give byte-identical rows, whether applied live in small pages or in
 *   one rebuild (so a rebuild's checksum equals the live one);
 * - idempotent: `apply` ignores an event whose position is not beyond what it already applied;
 * - a process counts only once ProcessCompleted is seen (docs/domain.md).
 */
export interface Projection {
  readonly name: string;
  /**
   * Version of this projection's tables and of what its fold writes into them (default 1). Bump it
   * whenever either changes: at start-up the runner then drops the projection's tables and replays
   * the log into the new ones, while every other projection carries on from its checkpoint.
   */
  readonly version?: number;
  /** Tables this projection owns, for reset and checksum. Prefix them with the projection name. */
  readonly tables: readonly string[];
  /** Creates its tables if absent (idempotent). */
  migrate(db: ReadDb): Promise<void>;
  /** Warms in-memory state from its tables at start-up, so nothing is replayed from zero. */
  load(db: ReadDb): Promise<void>;
  apply(event: ProjectedEvent): void;
  /** Writes the rows changed since the last flush. Batched: never one statement per event. */
  flush(tx: ReadTx): Promise<void>;
  /** Forgets all in-memory state (before a rebuild; the runner empties the tables). */
  reset(): void;
}
