import type { StoredEvent } from '#event-store';

/**
 * Where a page of the log failed on its way into the read models:
 * - `read`: the subscription could not read the log (the store is unreachable, say);
 * - `load`: reloading the projections' state from their tables failed;
 * - `decode`: an event's data could not be parsed or upcast, before any projection saw it;
 * - `apply`: a projection's fold threw on one event;
 * - `flush`: a projection could not write its rows (or the checkpoints could not be written);
 * - `worker`: the worker thread that runs the projections died (it is restarted after a back-off).
 */
export type ProjectionFailureStage = 'read' | 'load' | 'decode' | 'apply' | 'flush' | 'worker';

/** The event a failure is about: enough to find it in the log (`ledger verify`, the audit endpoints). */
export interface FailedEvent {
  readonly position: number;
  readonly streamId: string;
  readonly type: string;
}

/**
 * A page that could not be projected, naming which projection and which event failed: without this
 * one bad event stopped every read model and nobody could tell which or why. The cause is kept as
 * the standard `cause`, so a stack trace still leads to the projection's own code.
 */
export class ProjectionFailure extends Error {
  constructor(
    readonly stage: ProjectionFailureStage,
    /** The projection whose fold or flush threw; absent for reading, loading and decoding. */
    readonly projection: string | undefined,
    /** The event being applied or decoded; absent when the failure is not about one event. */
    readonly event: FailedEvent | undefined,
    /** For a flush, the position the page would have committed. */
    readonly position: number | undefined,
    cause: unknown,
  ) {
    super(describe(stage, projection, event, position, cause), { cause });
    this.name = 'ProjectionFailure';
  }

  static ofEvent(stage: 'decode' | 'apply', projection: string | undefined, stored: Pick<StoredEvent, 'position' | 'streamId' | 'type'>, cause: unknown): ProjectionFailure {
    return new ProjectionFailure(stage, projection, { position: stored.position, streamId: stored.streamId, type: stored.type }, stored.position, cause);
  }
}

/** A failure as plain data, for /health and for the message from the projection worker thread. */
export interface ProjectionFailureReport {
  readonly stage: ProjectionFailureStage;
  readonly projection?: string;
  /** The failing event's position, or for a flush the position the page would have committed. */
  readonly position?: number;
  readonly streamId?: string;
  readonly eventType?: string;
  /** The message of the underlying error. */
  readonly error: string;
  /** Failed attempts in a row since the last committed page. */
  readonly attempts: number;
  /** When the first of these attempts failed (ISO 8601). */
  readonly failingSince: string;
  /** When the runner tries again (ISO 8601); absent when it is not going to (stopped). */
  readonly nextRetryAt?: string;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a report says about the failure itself, whatever was thrown. */
export function failureDetails(error: unknown): Pick<ProjectionFailureReport, 'stage' | 'projection' | 'position' | 'streamId' | 'eventType' | 'error'> {
  if (!(error instanceof ProjectionFailure)) return { stage: 'read', error: errorMessage(error) };
  return {
    stage: error.stage,
    ...(error.projection !== undefined ? { projection: error.projection } : {}),
    ...(error.position !== undefined ? { position: error.position } : {}),
    ...(error.event ? { streamId: error.event.streamId, eventType: error.event.type } : {}),
    error: errorMessage(error.cause),
  };
}

/** One line for a log: what failed, where, and why. */
export function describeFailureReport(report: ProjectionFailureReport): string {
  const where = [
    report.projection !== undefined ? `projection ${report.projection}` : undefined,
    report.position !== undefined ? `position ${report.position}` : undefined,
    report.streamId !== undefined ? `stream ${report.streamId}` : undefined,
    report.eventType !== undefined ? `type ${report.eventType}` : undefined,
  ].filter((part) => part !== undefined);
  const retry = report.nextRetryAt !== undefined ? `; retrying at ${report.nextRetryAt}` : '; not retrying (stopped)';
  return `read models failed to ${report.stage}${where.length > 0 ? ` (${where.join(', ')})` : ''}: ${report.error} [attempt ${report.attempts}${retry}]`;
}

function describe(stage: ProjectionFailureStage, projection: string | undefined, event: FailedEvent | undefined, position: number | undefined, cause: unknown): string {
  const who = projection !== undefined ? `projection ${projection}` : 'the projection runner';
  const what = event ? ` event at position ${event.position} (stream ${event.streamId}, ${event.type})` : position !== undefined ? ` the page up to position ${position}` : '';
  return `${who} failed to ${stage}${what}: ${errorMessage(cause)}`;
}
