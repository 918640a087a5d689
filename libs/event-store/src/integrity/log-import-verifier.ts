import type { StoredEvent } from '../event-store.port.js';
import { GENESIS_HASH, computeEventHash } from './event-hash.js';

export type LogProblemKind = 'position-gap' | 'position-order' | 'revision' | 'prev-hash' | 'hash' | 'duplicate-event-id';

/** One thing wrong with one event of a log, found while reading it in position order. */
export interface LogProblem {
  readonly kind: LogProblemKind;
  /** The event at which the problem showed. */
  readonly event: StoredEvent;
  /** For 'position-gap': the first position that is missing. */
  readonly missingPosition?: number;
  /** For 'revision': the revision the stream was due to have next. */
  readonly expectedRevision?: number;
  readonly reason: string;
}

/**
 * Remembers event ids. `add` answers 'duplicate' only when it is sure; a compact registry may answer
 * 'maybe-duplicate' (a fingerprint collision), which its user must confirm from the log.
 */
export interface EventIdRegistry {
  add(eventId: string): 'new' | 'duplicate' | 'maybe-duplicate';
}

/** Exact, in memory: one entry per event. For files being imported, where a second pass is the import itself. */
export class ExactEventIds implements EventIdRegistry {
  private readonly ids = new Set<string>();

  add(eventId: string): 'new' | 'duplicate' {
    if (this.ids.has(eventId)) return 'duplicate';
    this.ids.add(eventId);
    return 'new';
  }
}

export interface LogChainCheckerOptions {
  /** Position of the first event (default 0). */
  readonly firstPosition?: number;
  /**
   * SQLite and PostgreSQL number events without gaps, so a missing position is a missing event.
   * EventStoreDB's commit positions are byte offsets: there only strict increase can be checked.
   */
  readonly gapFreePositions?: boolean;
  readonly eventIds?: EventIdRegistry;
}

/**
 * The per-event checks shared by the log-file import (`LogImportVerifier`) and the whole-store
 * verifier: positions, each stream's revisions consecutive from 0, every prevHash the previous
 * event's hash (GENESIS_HASH first), every hash recomputed, event ids unique. Memory grows with the
 * number of streams (their last revision and hash), plus whatever the id registry keeps.
 *
 * It never stops: after a bad event it carries on from the event as stored, so that one changed
 * event is reported once rather than again at every later event of its stream.
 */
export class LogChainChecker {
  private readonly heads = new Map<string, { revision: number; hash: string }>();
  private readonly gapFree: boolean;
  private readonly eventIds: EventIdRegistry;
  private nextPosition: number;
  private lastPosition = -1;
  private count = 0;

  constructor(options: LogChainCheckerOptions = {}) {
    this.nextPosition = options.firstPosition ?? 0;
    this.gapFree = options.gapFreePositions ?? true;
    this.eventIds = options.eventIds ?? new ExactEventIds();
  }

  /** Checks the next event of the log; answers its problems, most basic first (empty when it is sound). */
  check(event: StoredEvent): LogProblem[] {
    const problems: LogProblem[] = [];
    const problem = (kind: LogProblemKind, reason: string, extra: Partial<LogProblem> = {}): void => {
      problems.push({ kind, event, reason, ...extra });
    };
    const where = `stream ${event.streamId} revision ${event.revision}`;

    if (this.count > 0 && event.position <= this.lastPosition) {
      problem('position-order', `position ${event.position} does not follow position ${this.lastPosition}`);
    } else if (this.gapFree && event.position !== this.nextPosition) {
      problem('position-gap', `expected position ${this.nextPosition} (positions must be consecutive)`, { missingPosition: this.nextPosition });
    }

    const head = this.heads.get(event.streamId);
    const revision = head ? head.revision + 1 : 0;
    if (event.revision !== revision) {
      problem('revision', `stream ${event.streamId}: expected revision ${revision}, found ${event.revision}`, { expectedRevision: revision });
    }
    const prevHash = head ? head.hash : GENESIS_HASH;
    if (event.prevHash !== prevHash) {
      problem('prev-hash', `${where}: prevHash does not match the previous event's hash`);
    }
    // The stored prevHash, not the expected one: the content check is about this event alone.
    if (computeEventHash(event.prevHash, event) !== event.hash) {
      problem('hash', `${where}: hash does not match the event's content`);
    }
    const seen = this.eventIds.add(event.eventId);
    if (seen === 'duplicate') problem('duplicate-event-id', `event id ${event.eventId} appears twice`);

    this.heads.set(event.streamId, { revision: event.revision, hash: event.hash });
    if (event.position > this.lastPosition) {
      this.lastPosition = event.position;
      this.nextPosition = event.position + 1;
    }
    this.count += 1;
    return problems;
  }

  get events(): number {
    return this.count;
  }

  get streams(): number {
    return this.heads.size;
  }
}

export class LogImportError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`event at position ${position}: ${reason}`);
    this.name = 'LogImportError';
  }
}

/**
 * Checks an exported log, event by event in position order, before anything is imported: positions
 * consecutive from `firstPosition`, each stream's revisions consecutive from 0, every prevHash the
 * previous event's hash, every hash recomputed, and event ids unique. Memory grows with the number
 * of streams (their last revision and hash) and the set of event ids.
 */
export class LogImportVerifier {
  private readonly checker: LogChainChecker;

  constructor(firstPosition = 0) {
    this.checker = new LogChainChecker({ firstPosition, gapFreePositions: true, eventIds: new ExactEventIds() });
  }

  /** @throws LogImportError naming the first event that breaks the log. */
  check(event: StoredEvent): void {
    const [first] = this.checker.check(event);
    if (first) throw new LogImportError(event.position, first.reason);
  }

  get events(): number {
    return this.checker.events;
  }

  get streams(): number {
    return this.checker.streams;
  }
}
