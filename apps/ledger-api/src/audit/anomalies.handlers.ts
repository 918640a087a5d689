import { anomalies, leafAtPosition, type AnomalyPage, type AnomalySettings, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger.config.js';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { CLOCK, LEDGER_CONFIG, READ_DB, type Clock } from '../ledger/tokens.js';
import { anomalySettings } from './anomalies.config.js';
import { ListAnomaliesQuery } from './anomalies.queries.js';

@QueryHandler(ListAnomaliesQuery)
export class ListAnomaliesHandler implements IQueryHandler<ListAnomaliesQuery, AsOfAware<AnomalyPage>> {
  private readonly settings: AnomalySettings;

  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {
    this.settings = anomalySettings(config);
  }

  async execute({ filter }: ListAnomaliesQuery): Promise<AsOfAware<AnomalyPage>> {
    const { asOf, asOfPosition, ...rest } = filter;
    if (asOfPosition !== undefined) {
      // A position has no clock of its own: gaps and stuck processes are judged at the time the
      // ledger recorded that event (now, for a position beyond the head), over the log up to it.
      const judgedAt = (await leafAtPosition(this.db, asOfPosition))?.recordedAt ?? this.clock.now().toISOString();
      return this.readModels.at({ position: asOfPosition }, this.db, async (db) => this.names.beside(await anomalies(db, { ...rest, judgedAt, knownAt: undefined }, this.settings)));
    }
    // asOf both cuts what the ledger knew and is the instant custody gaps and stuck processes are judged at.
    const judgedAt = asOf ?? this.clock.now().toISOString();
    return this.names.beside(await anomalies(this.db, { ...rest, judgedAt, knownAt: asOf }, this.settings));
  }
}
