import type { StoredEvent } from '../event-store.port.js';
import { GENESIS_HASH, computeEventHash } from './event-hash.js';

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
 * previous event's hash, and every hash recomputed. Memory grows with the number of streams (their
 * last revision and hash), not with the number of events.
 */
export class LogImportVerifier {
  private readonly heads = new Map<string, { revision: number; hash: string }>();
  private readonly eventIds = new Set<string>();
  private nextPosition: number;
  private count = 0;

  constructor(firstPosition = 0) {
    this.nextPosition = firstPosition;
  }

  /** @throws LogImportError naming the first event that breaks the log. */
  check(event: StoredEvent): void {
    if (event.position !== this.nextPosition) {
      throw new LogImportError(event.position, `expected position ${this.nextPosition} (positions must be consecutive)`);
    }
    const head = this.heads.get(event.streamId);
    const revision = head ? head.revision + 1 : 0;
    if (event.revision !== revision) {
      throw new LogImportError(event.position, `stream ${event.streamId}: expected revision ${revision}, found ${event.revision}`);
    }
    const prevHash = head ? head.hash : GENESIS_HASH;
    if (event.prevHash !== prevHash) {
      throw new LogImportError(event.position, `stream ${event.streamId} revision ${event.revision}: prevHash does not match the previous event's hash`);
    }
    if (computeEventHash(prevHash, event) !== event.hash) {
      throw new LogImportError(event.position, `stream ${event.streamId} revision ${event.revision}: hash does not match the event's content`);
    }
    if (this.eventIds.has(event.eventId)) {
      throw new LogImportError(event.position, `event id ${event.eventId} appears twice`);
    }
    this.eventIds.add(event.eventId);
    this.heads.set(event.streamId, { revision: event.revision, hash: event.hash });
    this.nextPosition += 1;
    this.count += 1;
  }

  get events(): number {
    return this.count;
  }

  get streams(): number {
    return this.heads.size;
  }
}
