import type { ProjectionFailureReport } from './projection-failure.js';
import type { ProjectionChecksum, RebuildOptions, RebuildResult } from './projection-runner.js';

export interface ProjectionHealth {
  readonly running: boolean;
  readonly rebuilding: boolean;
  /** The position every projection has committed (the slowest one), or -1. */
  readonly position: number;
  /** While failing: the whole failure in one line (the structured form is `failure`). */
  readonly lastError?: string;
  /**
   * Set while the read models are failing (from the first failed page until a page commits again):
   * which projection and event, the error, how many attempts so far and when the next one is due.
   */
  readonly failure?: ProjectionFailureReport;
}

/**
 * What the API needs from the read side, wherever the projections run: in this thread
 * (ProjectionRunner) or in a worker thread of their own (the API's ProjectionWorkerClient).
 * An abstract class rather than an interface so that it can be Nest's injection token.
 */
export abstract class ProjectionEngine {
  /** Catches up from the checkpoint, then follows the log live. */
  abstract start(): Promise<void>;
  /** Stops following the log; resolves once the page in hand is committed or abandoned. */
  abstract stop(): Promise<void>;
  /** Stops for good and rejects every pending waitForPosition. */
  abstract close(): Promise<void>;
  /** The position every projection has committed, or -1. */
  abstract position(): number;
  /** How far the read models trail the log, in positions. */
  abstract lag(): Promise<number>;
  abstract health(): ProjectionHealth;
  /** Resolves once every projection has committed `position`; rejects on timeout. */
  abstract waitForPosition(position: number, timeoutMs?: number): Promise<void>;
  /** Rebuilds every read model from position zero. */
  abstract rebuild(options?: RebuildOptions): Promise<RebuildResult>;
  /** A digest of every read-model table, to compare a rebuild with the live state. */
  abstract checksum(): Promise<ProjectionChecksum>;
}
