/**
 * The one interface every event-store adapter implements (SQLite, PostgreSQL, EventStoreDB).
 *
 * Positions and revisions are plain numbers: SQL stores use a gap-free sequence, and EventStoreDB's
 * commit positions are byte offsets that stay far below 2^53.
 */

/** What a caller hands to the store. The store adds revision, position, recordedAt and the hash chain. */
export interface EventToAppend {
  /** Deterministic where possible (e.g. derived from process id + step + index) so a retried append is a no-op. */
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface EventMetadata {
  readonly actorOrgId: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** Set when the operator issued the command on the actor's behalf: the operator's id. */
  readonly impersonatedBy?: string;
  /** Why the operator acted on the actor's behalf; set exactly when impersonatedBy is. */
  readonly impersonationReason?: string;
}

export interface StoredEvent extends EventToAppend {
  readonly streamId: string;
  /** 0-based index of the event in its stream. */
  readonly revision: number;
  /** Position in the global log; strictly increasing in commit order. */
  readonly position: number;
  /** ISO-8601 UTC timestamp set by the store at commit. */
  readonly recordedAt: string;
  /** Hash of the previous event in the same stream, or 64 zeros for the first. */
  readonly prevHash: string;
  /** SHA-256 over the canonical JSON of the event together with prevHash. */
  readonly hash: string;
}

/**
 * - `'any'`: no check;
 * - `'no-stream'`: the stream must not exist;
 * - `'stream-exists'`: the stream must have at least one event;
 * - a number: the revision of the last event in the stream must equal it.
 */
export type ExpectedRevision = 'any' | 'no-stream' | 'stream-exists' | number;

export interface AppendResult {
  /** Revision of the last event of the stream after the append. */
  readonly nextExpectedRevision: number;
  /** Global position of the last event written (or found, for an idempotent retry). */
  readonly position: number;
}

export interface ReadStreamOptions {
  /** Inclusive; default 0. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events with position > after. Use -1 (or omit) to read from the very beginning. */
  readonly after?: number;
  /** Required: the store never reads the whole log in one go. */
  readonly maxCount: number;
}

export interface SubscribeOptions {
  /** Exclusive, like ReadAllOptions.after. */
  readonly after?: number;
  /** Events per delivered page. */
  readonly pageSize?: number;
}

export interface Subscription {
  /** Stops delivery; resolves once the current page has been handled. */
  close(): Promise<void>;
}

/**
 * Called with pages of events in global order. The subscription does not deliver the next page until
 * the returned promise settles, so a handler can commit its checkpoint together with its work.
 */
export type PageHandler = (events: readonly StoredEvent[]) => Promise<void>;

export interface EventStore {
  /**
   * Appends events to one stream atomically, checking the expected revision.
   *
   * Idempotency: if every event id of `events` is already stored in `streamId`, in the same order and
   * as the events after `expected` (or anywhere in the stream for `'any'`), nothing is written and
   * the original result is returned. An event id that already exists elsewhere is a conflict.
   *
   * @throws WrongExpectedRevisionError when the check fails.
   * @throws DuplicateEventIdError when an event id exists in another stream or at another place.
   */
  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;

  /** Events of one stream in revision order. An unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;

  /** One page of the global log in position order. */
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;

  /** Position of the last committed event, or -1 for an empty store. */
  headPosition(): Promise<number>;

  /**
   * Catches up from `after`, then goes live. Pages are delivered one at a time in order; if the
   * handler throws, the subscription stops and `onError` is called.
   */
  subscribeToAll(handler: PageHandler, options?: SubscribeOptions & { onError?: (error: unknown) => void }): Subscription;

  /** Human-readable name and health, for GET /health. */
  status(): Promise<{ store: string; ok: boolean; headPosition: number; detail?: string }>;

  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no-stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export class DuplicateEventIdError extends Error {
  constructor(
    readonly eventId: string,
    readonly streamId: string,
  ) {
    super(`event id ${eventId} already exists (appending to ${streamId})`);
    this.name = 'DuplicateEventIdError';
  }
}

/** Revision of the last event when a stream has `count` events; -1 means "no stream". */
export const NO_STREAM_REVISION = -1;

/**
 * Stores that can take a log exported from another store exactly as it was (moving from the embedded
 * SQLite file to PostgreSQL): positions, revisions, recordedAt and hashes are kept, so the hash chain
 * and every checksum stay valid. The caller verifies the chain first (`LogImportVerifier`).
 */
export interface VerbatimImport {
  /**
   * Writes `events` as given, in one transaction. The first position must follow the store's head
   * exactly and positions must be consecutive; otherwise nothing is written.
   */
  importVerbatim(events: readonly StoredEvent[]): Promise<void>;
}

export function supportsVerbatimImport(store: EventStore): store is EventStore & VerbatimImport {
  return typeof (store as Partial<VerbatimImport>).importVerbatim === 'function';
}
