import { anomalies, type AnomalyPage, type AnomalySettings, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger.config.js';
import { CLOCK, LEDGER_CONFIG, READ_DB, type Clock } from '../ledger/tokens.js';
import { anomalySettings } from './anomalies.config.js';
import { ListAnomaliesQuery } from './anomalies.queries.js';

@QueryHandler(ListAnomaliesQuery)
export class ListAnomaliesHandler implements IQueryHandler<ListAnomaliesQuery, AnomalyPage> {
  private readonly settings: AnomalySettings;

  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.settings = anomalySettings(config);
  }

  execute({ filter }: ListAnomaliesQuery): Promise<AnomalyPage> {
    const { asOf, ...rest } = filter;
    // asOf both cuts what the ledger knew and is the instant custody gaps and stuck processes are judged at.
    const judgedAt = asOf ?? this.clock.now().toISOString();
    return anomalies(this.db, { ...rest, judgedAt, knownAt: asOf }, this.settings);
  }
}
