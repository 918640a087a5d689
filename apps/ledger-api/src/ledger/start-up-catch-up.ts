import type { Logger } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { describeFailureReport, WaitForPositionTimeoutError, type ProjectionEngine } from '#projections';

export interface StartUpCatchUpOptions {
  /** How often the wait looks at the read models' health (default 1 s). */
  readonly checkEveryMs?: number;
  /** How often it logs how far the read models are (default 10 s). */
  readonly logEveryMs?: number;
  /** Gives up once the read models have been failing this long (default 10 s: several retries). */
  readonly failingGraceMs?: number;
  /** Gives up once the read models have not moved for this long, failing or not (default 10 min). */
  readonly stalledMs?: number;
}

/**
 * Waits, at start-up, for the read models to catch up with the log before `purpose` (recovery, the
 * operator check), logging how far they are every few seconds. It never waits silently and never
 * fails start-up: when the read models are failing, or stop moving, it logs why and answers false,
 * and the server starts anyway, degraded and not ready (/health/ready answers 503), instead of
 * hanging or dying without a word (decision 022). A caller that gets false skips what needed the
 * read models; the periodic work catches up later.
 */
export async function catchUpAtStartUp(engine: ProjectionEngine, store: EventStore, logger: Logger, purpose: string, options: StartUpCatchUpOptions = {}): Promise<boolean> {
  const { checkEveryMs = 1_000, logEveryMs = 10_000, failingGraceMs = 10_000, stalledMs = 600_000 } = options;
  const target = await store.headPosition();
  let position = engine.position();
  let movedAt = Date.now();
  let loggedAt = Date.now();
  for (;;) {
    const now = Date.now();
    const failure = engine.health().failure;
    if (failure && now - Date.parse(failure.failingSince) >= failingGraceMs) {
      logger.error(`starting without waiting for the read models before ${purpose}: they are failing: ${describeFailureReport(failure)}. The server serves degraded (see /health).`);
      return false;
    }
    if (now - movedAt >= stalledMs) {
      logger.error(`starting without waiting for the read models before ${purpose}: they have not moved from position ${position} (of ${target}) for ${Math.round((now - movedAt) / 1000)} s. The server serves degraded (see /health).`);
      return false;
    }
    if (now - loggedAt >= logEveryMs) {
      loggedAt = now;
      logger.log(`waiting for the read models before ${purpose}: at position ${engine.position()} of ${target}${failure ? `; ${describeFailureReport(failure)}` : ''}`);
    }
    try {
      await engine.waitForPosition(target, checkEveryMs);
      return true;
    } catch (error) {
      if (!(error instanceof WaitForPositionTimeoutError)) throw error;
    }
    if (engine.position() !== position) {
      position = engine.position();
      movedAt = Date.now();
    }
  }
}
