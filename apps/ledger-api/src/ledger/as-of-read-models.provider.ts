import path from 'node:path';
import { Logger, type FactoryProvider } from '@nestjs/common';
import type { EventStore } from '#event-store';
import type { LedgerConfig } from '../config/ledger.config.js';
import { QueryCostBudget } from '../common/cost-budget.js';
import { AsOfReadModels } from './as-of-read-models.js';
import { LocalAsOfReplayer } from './as-of-replay.js';
import { AsOfReplayWorkerClient } from './as-of-replay-worker.client.js';
import { EVENT_STORE } from './tokens.js';

/**
 * The as-of read models: replayed in a worker thread of their own when the live projections run in
 * a worker (the default), else on the API thread with the API's connection to the log. Their files
 * live under `<dataDir>/as-of-read-models/`, one fresh directory per process, removed at shutdown.
 */
export function asOfReadModelsProvider(config: LedgerConfig): FactoryProvider<AsOfReadModels> {
  return {
    provide: AsOfReadModels,
    inject: [EVENT_STORE, QueryCostBudget],
    useFactory: (store: EventStore, budget: QueryCostBudget): AsOfReadModels => {
      const logger = new Logger('AsOfReadModels');
      return new AsOfReadModels({
        replayer: () => (config.projections === 'worker' ? new AsOfReplayWorkerClient(config.eventLog) : new LocalAsOfReplayer(store)),
        directory: path.join(config.dataDir, 'as-of-read-models'),
        cacheSize: config.asOfCacheSize,
        maxReplayEvents: config.asOfMaxReplayEvents,
        perOrganisation: config.heavyQueries.perOrganisation,
        budget,
        onReplay: ({ from, position, events, durationMs }) => {
          const perSecond = durationMs > 0 ? Math.round((events * 1000) / durationMs) : events;
          logger.log(`as of position ${position}: replayed ${events} events from ${from < 0 ? 'zero' : `the store at ${from}`} in ${Math.round(durationMs)} ms (${perSecond} events/s)`);
        },
      });
    },
  };
}
