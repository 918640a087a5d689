import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { deterministicId } from '#domain';
import type { EventStore } from '#event-store';
import { findOrganisationByKeyHash, listOrganisations, ProjectionEngine, type ReadDb } from '#projections';
import { CommandBus } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger.config.js';
import { generateApiKey, hashApiKey } from './api-key.js';
import { catchUpAtStartUp } from '../ledger/start-up-catch-up.js';
import { EVENT_STORE, LEDGER_CONFIG, READ_DB } from '../ledger/tokens.js';
import { RegisterOrganisationCommand } from './organisations.commands.js';

/** The operator organisation's id is fixed, so every deployment's first event names the same one. */
export const OPERATOR_ORGANISATION_ID = deterministicId('organisation/operator');

/**
 * Makes sure an operator exists. Its key comes from LEDGER_OPERATOR_KEY; if that is unset on the
 * first start, a key is generated and printed once (only its hash is stored).
 */
@Injectable()
export class OperatorBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Operator');
  /** Set when this start generated the key, so tests and the demo can use it. */
  generatedKey: string | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly runner: ProjectionEngine,
    private readonly commands: CommandBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!(await catchUpAtStartUp(this.runner, this.store, this.logger, 'checking for the operator'))) {
      // Registering an operator the read models do not show yet could register a second one.
      this.logger.warn('the operator check is skipped at this start: the read models are not caught up');
      return;
    }
    const operators = (await listOrganisations(this.db)).filter((o) => o.roles.includes('operator'));
    const configured = this.config.operatorKey;
    if (operators.length > 0) {
      if (configured && !(await findOrganisationByKeyHash(this.db, hashApiKey(configured)))) {
        this.logger.warn('LEDGER_OPERATOR_KEY does not match the registered operator key; it will not authenticate');
      }
      return;
    }
    const apiKey = configured ?? generateApiKey().apiKey;
    const bootstrapActor = { organisationId: OPERATOR_ORGANISATION_ID, name: 'Ledger operator', roles: ['operator' as const] };
    await this.commands.execute(
      new RegisterOrganisationCommand(
        { organisationId: OPERATOR_ORGANISATION_ID, name: 'Ledger operator', roles: ['operator'], sites: [] },
        bootstrapActor,
        {
          actorOrgId: OPERATOR_ORGANISATION_ID,
          commandId: deterministicId('command/bootstrap-operator'),
          correlationId: deterministicId('command/bootstrap-operator'),
          causationId: deterministicId('command/bootstrap-operator'),
          idempotent: true,
        },
        apiKey,
      ),
    );
    if (!configured) {
      this.generatedKey = apiKey;
      // Shown once, by design: it is the only time the ledger knows the key in clear.
      process.stdout.write(`\nOperator API key (shown once, store it now):\n  ${apiKey}\n\n`);
    }
  }
}
