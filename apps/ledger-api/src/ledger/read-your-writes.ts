import { Inject, Injectable } from '@nestjs/common';
import { ProjectionEngine, WaitForPositionTimeoutError } from '#projections';
import type { LedgerConfig } from '../config/ledger.config.js';
import { noteReadModelsBehind, noteWritePosition } from './ledger-position.js';
import { LEDGER_CONFIG } from './tokens.js';

/** The longest a command waits for its read models before answering anyway. */
const READ_YOUR_WRITES_WAIT_MS = 5_000;
/** How often a waiting command looks whether the read models have started failing. */
const FAILURE_CHECK_MS = 200;

/** Lets a command answer only once the read models include it, so a client can read its own writes. */
@Injectable()
export class ReadYourWrites {
  constructor(
    private readonly runner: ProjectionEngine,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** Names the write's position in the answer without waiting: the caller settles later, once. */
  note(position: number): void {
    noteWritePosition(position);
  }

  async settle(position: number): Promise<void> {
    // Named in the answer even when this instance does not wait: another instance may (decision 024).
    noteWritePosition(position);
    if (!this.config.readYourWrites) return;
    // The command is durable whatever the read models do: while they are failing it answers at once
    // rather than after the whole wait, and either way an answer given before they include the
    // write says so (`Ledger-Read-Models: behind`, decision 022).
    const deadline = Date.now() + READ_YOUR_WRITES_WAIT_MS;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || this.runner.health().failure) {
        noteReadModelsBehind();
        return;
      }
      try {
        await this.runner.waitForPosition(position, Math.min(FAILURE_CHECK_MS, left));
        return;
      } catch (error) {
        // Not there yet: look at the read models' health again. Anything else (the runner closing)
        // ends the wait; the command is durable either way.
        if (!(error instanceof WaitForPositionTimeoutError)) {
          noteReadModelsBehind();
          return;
        }
      }
    }
  }
}
