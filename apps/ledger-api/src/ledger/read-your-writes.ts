import { Inject, Injectable } from '@nestjs/common';
import { ProjectionEngine } from '#projections';
import type { LedgerConfig } from '../config/ledger.config.js';
import { LEDGER_CONFIG } from './tokens.js';

/** Lets a command answer only once the read models include it, so a client can read its own writes. */
@Injectable()
export class ReadYourWrites {
  constructor(
    private readonly runner: ProjectionEngine,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async settle(position: number): Promise<void> {
    if (!this.config.readYourWrites) return;
    // A slow projection must not fail a command that is already durable: give up waiting, quietly.
    await this.runner.waitForPosition(position, 5_000).catch(() => undefined);
  }
}
