import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { needsVoidDriver, ProjectionEngine, unfinishedProcesses, type ReadDb } from '#projections';
import type { LedgerConfig } from '../config/ledger.config.js';
import { catchUpAtStartUp } from '../ledger/start-up-catch-up.js';
import { EVENT_STORE, LEDGER_CONFIG, READ_DB } from '../ledger/tokens.js';
import { ProcessManager } from './process-manager.js';

/** Finishes or rejects the latest void of a process (the corrections feature's ProcessVoidManager). */
export type VoidDriver = (processId: string) => Promise<{ status: string } | undefined>;

/**
 * On start-up and periodically, finishes or rejects every process that was started but did not end
 * (a crash, a lost connection), and every void of a process that did not end or whose compensation
 * or restores are unfinished (decision 011). Resuming is safe because every step's event id is
 * deterministic.
 */
@Injectable()
export class ProcessRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProcessRecovery.name);
  private timer: NodeJS.Timeout | undefined;
  private voidDriver: VoidDriver | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly runner: ProjectionEngine,
    private readonly processManager: ProcessManager,
  ) {}

  /**
   * The void driver lives with the corrections, which depend on processes and not the other way
   * round; it registers itself here before start-up recovery runs (module init precedes bootstrap).
   */
  registerVoidDriver(driver: VoidDriver): void {
    this.voidDriver = driver;
  }

  async onApplicationBootstrap(): Promise<void> {
    // The unfinished list is a read model: catch up first, so no started process is missed. Read
    // models that are failing do not hold start-up back: recovery is left to the periodic run.
    if (!(await catchUpAtStartUp(this.runner, this.store, this.logger, 'recovering unfinished processes'))) {
      this.logger.warn('start-up recovery of unfinished processes skipped: the read models are not caught up');
    } else if ((await this.recover(0)) > 0) {
      // The server starts serving once the read models show what recovery did, as they would after
      // a command (read-your-writes); with the projections in a worker this is not immediate.
      await catchUpAtStartUp(this.runner, this.store, this.logger, 'serving what recovery did');
    }
    if (this.config.recoveryIntervalMs > 0) {
      // Only processes older than one interval: younger ones are most likely still being recorded.
      this.timer = setInterval(() => void this.recover(this.config.recoveryIntervalMs), this.config.recoveryIntervalMs);
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async recover(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let recovered = 0;
    for (const process of await unfinishedProcesses(this.db)) {
      const voiding = needsVoidDriver(process);
      const since = voiding ? (process.void?.startedAt ?? process.startedAt) : process.startedAt;
      if (Date.parse(since) > cutoff) continue;
      const driver = this.voidDriver;
      if (voiding && !driver) continue;
      try {
        const outcome = voiding && driver ? await driver(process.processId) : await this.processManager.resume(process.processId);
        if (outcome) {
          recovered += 1;
          this.logger.warn(`recovered ${voiding ? 'the void of ' : ''}process ${process.processId}: ${outcome.status}`);
        }
      } catch (error) {
        this.logger.error(`recovery of ${voiding ? 'the void of ' : ''}process ${process.processId} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return recovered;
  }
}
