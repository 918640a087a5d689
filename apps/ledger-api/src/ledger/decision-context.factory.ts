import { Inject, Injectable } from '@nestjs/common';
import type { DecisionContext, OrganisationFacts } from '#domain';
import type { LedgerConfig } from '../config/ledger.config.js';
import { OrganisationDirectory } from './organisation-directory.js';
import { CLOCK, LEDGER_CONFIG, type Clock } from './tokens.js';

/** Builds the injected, impure half of every decision: clock, actor, organisation look-ups, policy. */
@Injectable()
export class DecisionContextFactory {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly directory: OrganisationDirectory,
  ) {}

  now(): Date {
    return this.clock.now();
  }

  async create(actor: OrganisationFacts, referencedOrgIds: ReadonlyArray<string | undefined> = []): Promise<DecisionContext> {
    return {
      now: this.clock.now(),
      actor,
      organisation: await this.directory.lookup(referencedOrgIds),
      policy: { clockSkewMs: this.config.clockSkewMs, transitToleranceBasisPoints: this.config.transitToleranceBasisPoints },
    };
  }
}
