import { mkdirSync } from 'node:fs';
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { createLedgerProjections, ProjectionEngine, ProjectionRunner, type ReadDb } from '#projections';
import type { LedgerConfig } from '../config/ledger.config.js';
import { OrganisationDirectory } from './organisation-directory.js';
import { OrganisationNames } from './organisation-names.js';
import { BatchCommandRunner } from './batch-command.runner.js';
import { CommandExecutor } from './command-executor.js';
import { DecisionContextFactory } from './decision-context.factory.js';
import { ProducerGate } from './producer-gate.js';
import { AsOfReadModels } from './as-of-read-models.js';
import { asOfReadModelsProvider } from './as-of-read-models.provider.js';
import { QueryCostBudget } from '../common/cost-budget.js';
import { ProjectionWorkerClient } from './projection-worker.client.js';
import { ProjectionHealthLog } from './projection-health.log.js';
import { openEventLog, type CommitAnnouncingStore } from './event-log.js';
import { openReadModels } from './read-models.js';
import { ReadYourWrites } from './read-your-writes.js';
import { CLOCK, EVENT_STORE, LEDGER_CONFIG, READ_DB, type Clock } from './tokens.js';

/**
 * Wires the ports to the embedded adapters: the event log in `<dataDir>/events.sqlite` (durable,
 * synchronous=FULL by default) and the read models in `<dataDir>/read-models.sqlite`.
 */
@Global()
@Module({})
export class LedgerInfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly readDb: ReadDb,
    private readonly runner: ProjectionEngine,
  ) {}

  static forRoot(config: LedgerConfig, clock: Clock = { now: () => new Date() }): DynamicModule {
    return {
      module: LedgerInfrastructureModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        {
          provide: EVENT_STORE,
          useFactory: async (): Promise<EventStore> => {
            // Owner only (decision 027): the ledger's files are its business alone.
            mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
            return openEventLog(config.eventLog, () => clock.now());
          },
        },
        {
          provide: READ_DB,
          useFactory: (): ReadDb => {
            return openReadModels(config.readModels);
          },
        },
        {
          provide: ProjectionEngine,
          inject: [EVENT_STORE, READ_DB],
          // Started here, before any lifecycle hook, so every hook can wait for it to catch up.
          useFactory: async (store: EventStore & CommitAnnouncingStore, db: ReadDb): Promise<ProjectionEngine> => {
            // Either way a failure of the read models is logged with its projection and event
            // (ProjectionHealthLog) and shows in /health (decision 022).
            const failures = new ProjectionHealthLog();
            const engine: ProjectionEngine =
              config.projections === 'worker'
                ? new ProjectionWorkerClient({ store, eventLog: config.eventLog, readModels: config.readModels })
                : new ProjectionRunner({ store, db, projections: createLedgerProjections(), singleWriter: config.readModels.singleWriter !== false, onError: () => failures.observe(engine.health()), onCommitted: () => failures.observe(engine.health()) });
            await engine.start();
            return engine;
          },
        },
        CommandExecutor,
        OrganisationDirectory,
        OrganisationNames,
        DecisionContextFactory,
        ReadYourWrites,
        BatchCommandRunner,
        ProducerGate,
        asOfReadModelsProvider(config),
        // One budget of heavy-query cost per organisation, shared by every heavy query (decision 026).
        { provide: QueryCostBudget, useFactory: (): QueryCostBudget => new QueryCostBudget(config.heavyQueries.cost) },
      ],
      exports: [LEDGER_CONFIG, CLOCK, EVENT_STORE, READ_DB, ProjectionEngine, CommandExecutor, OrganisationDirectory, OrganisationNames, DecisionContextFactory, ReadYourWrites, BatchCommandRunner, ProducerGate, AsOfReadModels, QueryCostBudget],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.close();
    await this.store.close();
    await this.readDb.destroy();
  }
}

