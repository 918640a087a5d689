import type { ProjectedEvent, ReadTx } from '../runner/projection.js';

export interface DeferredSteps {
  /** Writes every row folded so far (the projection's usual flush). */
  write(tx: ReadTx): Promise<void>;
  /** Reads back into memory the rows `event` needs, from the projection's own tables. */
  load(event: ProjectedEvent, tx: ReadTx): Promise<void>;
  /** Folds an event again (it may defer once more, when it needs other rows). */
  fold(event: ProjectedEvent): void;
}

/**
 * Lets a projection's synchronous fold wait for rows that left its memory. Projections keep only
 * what can still change, and a consumed batch or a completed process never could, until voids
 * (decision 011) bring them back. The fold defers the event that needs such rows, and every later
 * event of the page, to keep log order; the flush, which may read, writes what was folded so far,
 * loads the rows from the projection's own tables in the same transaction, and folds the deferred
 * events again. The rows that end up written are the ones a fold holding everything in memory would
 * write, so live runs, restarts and rebuilds still agree byte for byte.
 */
export class DeferredEvents {
  private queue: ProjectedEvent[] = [];
  /** The event whose rows were just loaded: folded now, whatever `needsRows` says (no row, no loop). */
  private loadedFor = -1;

  /** True when `event` was queued: because earlier events are waiting, or because it needs rows. */
  defer(event: ProjectedEvent, needsRows: (event: ProjectedEvent) => boolean): boolean {
    if (this.queue.length === 0 && (event.position === this.loadedFor || !needsRows(event))) return false;
    this.queue.push(event);
    return true;
  }

  /** Call first thing in flush: folds everything deferred, loading rows as needed. */
  async drain(tx: ReadTx, steps: DeferredSteps): Promise<void> {
    while (this.queue.length > 0) {
      await steps.write(tx);
      const queue = this.queue;
      this.queue = [];
      await steps.load(queue[0]!, tx);
      this.loadedFor = queue[0]!.position;
      for (const event of queue) steps.fold(event);
    }
  }

  clear(): void {
    this.queue = [];
    this.loadedFor = -1;
  }
}
