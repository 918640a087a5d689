import type { ProjectionFailureReport, ProjectionHealth } from '#projections';

/**
 * What /health, /health/live and /health/ready answer (decision 022). Kept apart from the controller
 * so that the checks are plain functions of what the ledger reports about itself.
 */

/** Why the ledger is degraded or not ready, one code each, in a fixed order. */
export type HealthProblem = 'store-unreachable' | 'projections-failing' | 'projections-stopped' | 'projections-lagging' | 'signing-refused';

export interface StoreHealth {
  readonly store: string;
  readonly ok: boolean;
  readonly headPosition: number;
  readonly detail?: string;
}

export interface SigningHealth {
  readonly signing: boolean;
  readonly refusal?: string;
}

export interface HealthReport {
  /** `ok`, or `degraded` while any problem is listed (then the answer is 503). */
  readonly status: 'ok' | 'degraded';
  readonly problems: readonly HealthProblem[];
  readonly store: StoreHealth;
  readonly projections: {
    readonly position: number;
    /** Events the read models have not applied yet. */
    readonly lag: number;
    readonly running: boolean;
    readonly rebuilding: boolean;
    /** While the read models are failing: projection, event, error, attempts and the next retry. */
    readonly failure?: ProjectionFailureReport;
  };
  /** The checkpoint signer: absent where this ledger signs no checkpoints. */
  readonly signing?: SigningHealth;
  /**
   * Catalogue match webhooks on this instance: a component of its own, `degraded` while some
   * organisation's deliveries are being given up, which never degrades the ledger (a receiver that
   * is down is the receiver's problem, and a 503 would take this instance out of rotation).
   */
  readonly webhooks?: WebhookComponentHealth;
}

export interface WebhookComponentHealth {
  readonly status: 'ok' | 'degraded';
  readonly delivered: number;
  readonly failed: number;
  readonly retrying: number;
  readonly failingOrganisations: number;
  readonly lastFailure?: { readonly organisationId: string; readonly deliveryId: string; readonly host: string; readonly attempts: number; readonly error: string; readonly at: string };
}

export interface ReadinessReport {
  readonly status: 'ready' | 'not-ready';
  readonly problems: readonly HealthProblem[];
  readonly lag: number;
}

export interface LivenessReport {
  readonly status: 'ok';
  readonly uptimeSeconds: number;
  /** The worst event-loop delay seen since the previous probe, in ms: how responsive the process is. */
  readonly eventLoopDelayMs: number;
}

/** What anyone may see of a probe's answer (decision 027): the status, besides the HTTP code. */
export interface PublicHealth<S extends string> {
  readonly status: S;
}

/** The public answer: the status alone, never the store's error text, a data path or the log's size. */
export function publicAnswer<S extends string>(report: { readonly status: S }): PublicHealth<S> {
  return { status: report.status };
}

/**
 * How far behind the log (in events) an instance may be and still take traffic. Catching up after a
 * restart runs at thousands of events a second, so this is well under a second of work; further
 * behind, its reads would be stale and each write would wait for read-your-writes.
 */
export const READY_MAX_LAG = 1_000;

/**
 * The whole report. Lag alone never degrades: a busy ledger always trails a little, and a restarted
 * one catches up; it only keeps an instance out of rotation (readiness).
 */
export function healthReport(store: StoreHealth, projections: ProjectionHealth, signing: SigningHealth | undefined, webhooks?: WebhookComponentHealth): HealthReport {
  const lag = Math.max(0, store.headPosition - projections.position);
  const problems: HealthProblem[] = [];
  if (!store.ok) problems.push('store-unreachable');
  if (projections.failure) problems.push('projections-failing');
  else if (!projections.running && !projections.rebuilding) problems.push('projections-stopped');
  if (signing && !signing.signing && signing.refusal !== undefined) problems.push('signing-refused');
  return {
    status: problems.length === 0 ? 'ok' : 'degraded',
    problems,
    store,
    projections: {
      position: projections.position,
      lag,
      running: projections.running,
      rebuilding: projections.rebuilding,
      ...(projections.failure ? { failure: projections.failure } : {}),
    },
    ...(signing ? { signing } : {}),
    ...(webhooks ? { webhooks } : {}),
  };
}

/** Ready to take traffic: nothing degraded, and the read models within READY_MAX_LAG of the log. */
export function readiness(report: HealthReport): ReadinessReport {
  const problems: HealthProblem[] = [...report.problems];
  if (report.projections.lag > READY_MAX_LAG) problems.push('projections-lagging');
  return { status: problems.length === 0 ? 'ready' : 'not-ready', problems, lag: report.projections.lag };
}
