import { HeavyQueryRefusedError } from '../common/cost-budget.js';

export interface FairWorkQueueOptions {
  /** Jobs running at once, over all organisations; at least 1. */
  readonly concurrency: number;
  /** Jobs one organisation may have waiting or running; one more is refused (429). At least 1. */
  readonly perOrganisation: number;
  /** A lane that `perOrganisation` does not limit: work no organisation asked for (tools, start-up). */
  readonly unlimitedLane?: string;
  /** Names the work in refusals, e.g. "as-of queries". */
  readonly what: string;
  readonly now?: () => number;
}

interface Job {
  readonly start: () => void;
}

/**
 * Heavy work, scheduled round-robin over the organisations that asked for it (decision 026): each
 * organisation waits in a lane of its own, and a free slot goes to the lane whose turn came longest
 * ago, never to the next job in arrival order. However many jobs one organisation queues, another's job waits at
 * most for the jobs already running, then runs. An organisation whose lane is full is refused at
 * once, with a Retry-After estimated from how long jobs have been taking.
 */
export class FairWorkQueue {
  /** Lanes with waiting jobs, in the order they opened. */
  private readonly lanes = new Map<string, Job[]>();
  /** When each organisation with work held last had a job started (a turn number). */
  private readonly lastTurn = new Map<string, number>();
  private turns = 0;
  /** Jobs waiting or running, by organisation. */
  private readonly held = new Map<string, number>();
  private running = 0;
  /** A moving average of job durations, for Retry-After. */
  private averageMs = 1_000;
  private readonly now: () => number;

  constructor(private readonly options: FairWorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`a work queue runs at least one job at a time, got ${options.concurrency}`);
    if (!Number.isInteger(options.perOrganisation) || options.perOrganisation < 1) throw new RangeError(`an organisation may queue at least one job, got ${options.perOrganisation}`);
    this.now = options.now ?? Date.now;
  }

  /** Jobs waiting or running for the organisation. */
  heldBy(organisationId: string): number {
    return this.held.get(organisationId) ?? 0;
  }

  /** Jobs waiting, over all organisations. */
  get waiting(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.length;
    return n;
  }

  /** Runs `work` for the organisation in its turn; refuses (before any work) when its lane is full. */
  run<T>(organisationId: string, work: () => Promise<T>): Promise<T> {
    const held = this.heldBy(organisationId);
    if (held >= this.options.perOrganisation && organisationId !== this.options.unlimitedLane) {
      const retryAfterSeconds = Math.max(1, Math.ceil((this.averageMs * held) / this.options.concurrency / 1000));
      return Promise.reject(
        new HeavyQueryRefusedError(
          'heavy-queries-queued',
          `organisation ${organisationId} already has ${held} ${this.options.what} waiting or running, the most one organisation may (LEDGER_HEAVY_QUERIES_PER_ORGANISATION); retry in ${retryAfterSeconds} s`,
          retryAfterSeconds,
          { queuedForOrganisation: held, maxPerOrganisation: this.options.perOrganisation },
        ),
      );
    }
    this.held.set(organisationId, held + 1);
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        const started = this.now();
        void (async () => {
          try {
            resolve(await work());
          } catch (error) {
            reject(error);
          } finally {
            this.averageMs = 0.8 * this.averageMs + 0.2 * Math.max(1, this.now() - started);
            this.running -= 1;
            const left = this.heldBy(organisationId) - 1;
            if (left > 0) this.held.set(organisationId, left);
            else {
              this.held.delete(organisationId);
              this.lastTurn.delete(organisationId);
            }
            this.pump();
          }
        })();
      };
      const lane = this.lanes.get(organisationId);
      if (lane) lane.push({ start });
      else this.lanes.set(organisationId, [{ start }]);
      this.pump();
    });
  }

  /**
   * Starts jobs while slots are free: each from the lane whose organisation had its last turn longest
   * ago (or never), so an organisation that just had a job started waits behind every other one,
   * including one that arrived after it queued.
   */
  private pump(): void {
    while (this.running < this.options.concurrency && this.lanes.size > 0) {
      let chosen: string | undefined;
      for (const organisationId of this.lanes.keys()) {
        if (chosen === undefined || (this.lastTurn.get(organisationId) ?? 0) < (this.lastTurn.get(chosen) ?? 0)) chosen = organisationId;
      }
      const lane = this.lanes.get(chosen!)!;
      const job = lane.shift()!;
      if (lane.length === 0) this.lanes.delete(chosen!);
      this.lastTurn.set(chosen!, ++this.turns);
      this.running += 1;
      job.start();
    }
  }
}
