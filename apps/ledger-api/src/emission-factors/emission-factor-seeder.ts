import { ConflictError, emissionFactorSetStreamId, SEED_EMISSION_FACTOR_SETS, seedEmissionFactorSetCommandId } from '#domain';
import type { EventStore } from '#event-store';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE } from '../ledger/tokens.js';
import { OPERATOR_ORGANISATION_ID } from '../organisations/operator-bootstrap.js';
import { EmissionFactorSetWriter } from './emission-factors.handlers.js';

/**
 * Publishes the seed sets (libs/domain/src/reference/emission-factors) at start-up, in the
 * operator's name, the way the operator itself is bootstrapped (docs/decisions/042-emission-factors-as-data.md).
 * Idempotent: a set whose stream holds anything is left alone, a command id derived from the set id
 * makes a retried publication a replay, and a concurrent start that won the race is a conflict to
 * ignore. AppModule lists EmissionFactorsModule after OrganisationsModule, and Nest runs start-up
 * hooks module by module in that order, so the operator's registration stays the log's first event
 * (the e2e spec checks it).
 */
@Injectable()
export class EmissionFactorSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('EmissionFactors');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly writer: EmissionFactorSetWriter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const operator = { organisationId: OPERATOR_ORGANISATION_ID, name: 'Ledger operator', roles: ['operator' as const] };
    for (const set of SEED_EMISSION_FACTOR_SETS) {
      if ((await this.store.readStream(emissionFactorSetStreamId(set.factorSetId))).length > 0) continue;
      const commandId = seedEmissionFactorSetCommandId(set.factorSetId);
      try {
        await this.writer.publish(
          { factorSetId: set.factorSetId, validFrom: set.validFrom, factors: set.factors.map((f) => ({ ...f })), occurredAt: this.writer.now().toISOString() },
          operator,
          { actorOrgId: OPERATOR_ORGANISATION_ID, commandId, correlationId: commandId, causationId: commandId, idempotent: true },
        );
        this.logger.log(`published the seed emission factor set ${set.factorSetId}`);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }
}
