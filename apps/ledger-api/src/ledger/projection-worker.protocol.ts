import type { ProjectionChecksum, ProjectionHealth, RebuildResult } from '#projections';
import type { EventLogConfig, ReadModelsConfig } from '../config/ledger.config.js';

/**
 * Messages between the API thread and the projection worker (see projection-worker.client.ts).
 * Only plain data crosses: the worker has its own connections to the event log and the read models.
 */
export interface ProjectionWorkerData {
  readonly eventLog: EventLogConfig;
  readonly readModels: ReadModelsConfig;
}

/** What each call answers with. */
export interface ProjectionWorkerCalls {
  start: null;
  stop: null;
  close: null;
  checksum: ProjectionChecksum;
  rebuild: RebuildResult;
}
export type ProjectionWorkerMethod = keyof ProjectionWorkerCalls;

export type ToProjectionWorker =
  /** The API thread committed events: read now instead of at the next poll. */
  | { readonly kind: 'wake' }
  | { readonly kind: 'call'; readonly id: number; readonly method: ProjectionWorkerMethod };

export type FromProjectionWorker =
  /**
   * Sent once the runner has started, and after every committed page or failed attempt; while the
   * read models fail, `failure` names the projection and event (decision 022).
   */
  | ({ readonly kind: 'state' } & ProjectionHealth)
  | { readonly kind: 'rebuild-progress'; readonly id: number; readonly done: number; readonly total: number }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: ProjectionWorkerCalls[ProjectionWorkerMethod] }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly message: string };
