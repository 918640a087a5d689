export class WaitForPositionTimeoutError extends Error {
  constructor(
    readonly position: number,
    readonly reached: number,
    readonly timeoutMs: number,
  ) {
    super(`read models reached position ${reached}, not ${position}, within ${timeoutMs} ms`);
    this.name = 'WaitForPositionTimeoutError';
  }
}

export class ProjectionRunnerClosedError extends Error {
  constructor(position: number) {
    super(`the projection runner was closed before reaching position ${position}`);
    this.name = 'ProjectionRunnerClosedError';
  }
}

interface Waiter {
  readonly position: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Callers waiting for the read models to reach a log position (read-your-writes), settled whenever
 * the committed position moves. Shared by the in-process runner and the worker-thread client, which
 * learn of progress differently but must wait the same way.
 */
export class PositionWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly committed: () => number) {}

  /** Resolves once `committed()` reaches `position`; rejects with WaitForPositionTimeoutError after `timeoutMs`. */
  wait(position: number, timeoutMs: number): Promise<void> {
    if (this.committed() >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(error);
        },
      };
      const timer = setTimeout(() => waiter.reject(new WaitForPositionTimeoutError(position, this.committed(), timeoutMs)), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** How many callers are waiting. */
  get pending(): number {
    return this.waiters.size;
  }

  /** Settles every waiter the committed position has reached. */
  notify(): void {
    const position = this.committed();
    for (const waiter of [...this.waiters]) if (waiter.position <= position) waiter.resolve();
  }

  /** Rejects every pending waiter, whose timers would otherwise keep the process alive. */
  closeAll(): void {
    for (const waiter of [...this.waiters]) waiter.reject(new ProjectionRunnerClosedError(waiter.position));
  }
}
