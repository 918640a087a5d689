import { readCheckpoint } from './checkpoint.js';
import type { ProjectedEvent, Projection, ReadDb, ReadTx } from './projection.js';

/**
 * The idempotency guard every projection needs (`apply` ignores positions it has already applied),
 * restored at start-up from the runner's checkpoint row for this projection, which is committed in
 * the same transaction as the projection's rows.
 */
export abstract class BaseProjection implements Projection {
  abstract readonly name: string;
  abstract readonly tables: readonly string[];
  private appliedPosition = -1;

  abstract migrate(db: ReadDb): Promise<void>;
  abstract flush(tx: ReadTx): Promise<void>;

  /** Folds one new event into memory. Never called twice for a position. */
  protected abstract fold(event: ProjectedEvent): void;
  /** Reads whatever in-memory state the fold needs back from the tables. */
  protected abstract loadState(db: ReadDb): Promise<void>;
  /** Forgets in-memory state and unflushed rows. */
  protected abstract clearState(): void;

  apply(event: ProjectedEvent): void {
    if (event.position <= this.appliedPosition) return;
    this.appliedPosition = event.position;
    this.fold(event);
  }

  async load(db: ReadDb): Promise<void> {
    this.reset();
    this.appliedPosition = await readCheckpoint(db, this.name);
    await this.loadState(db);
  }

  reset(): void {
    this.appliedPosition = -1;
    this.clearState();
  }

  /** The last position applied in memory (flushed or not). */
  get position(): number {
    return this.appliedPosition;
  }
}
