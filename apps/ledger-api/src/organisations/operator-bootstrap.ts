import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { castEvent, deterministicId, streamIds } from '#domain';
import type { EventStore } from '#event-store';
import { findOrganisationByKeyHash, listOrganisations, ProjectionEngine, type ReadDb } from '#projections';
import { CommandBus } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger.config.js';
import { chosenKeyMatches, deriveChosenKeyVerifier, generateApiKey, hashApiKey, operatorKeyWeakness, type ChosenKeyVerifier } from './api-key.js';
import { ApiKeyResolver } from './api-key.resolver.js';
import { catchUpAtStartUp } from '../ledger/start-up-catch-up.js';
import { EVENT_STORE, LEDGER_CONFIG, READ_DB } from '../ledger/tokens.js';
import { RegisterOrganisationCommand } from './organisations.commands.js';

/** The operator organisation's id is fixed, so every deployment's first event names the same one. */
export const OPERATOR_ORGANISATION_ID = deterministicId('organisation/operator');

/** The shape of a key the ledger generated (`generateApiKey`): 256 random bits, for which SHA-256 is enough. */
const GENERATED_KEY = /^tl_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/;

/** Where a generated operator key is written: in the data directory, readable by its owner only. */
export const OPERATOR_KEY_FILE = 'operator-key';

/**
 * Makes sure an operator exists. Its key comes from LEDGER_OPERATOR_KEY; if that is unset on the
 * first start, a key is generated and written to `<dataDir>/operator-key` (0600), never to the
 * console, whose output ends up in shared logs (decision 027); the ledger itself stores its hash only.
 */
@Injectable()
export class OperatorBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Operator');
  /** Set when this start generated the key, so tests and the demo can use it. */
  generatedKey: string | undefined;
  /** The verifier of the chosen key this start registered, if it did. */
  private justRegistered: ChosenKeyVerifier | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly runner: ProjectionEngine,
    private readonly commands: CommandBus,
    private readonly apiKeys: ApiKeyResolver,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const configured = this.config.operatorKey;
    // Before anything is registered or recognised: a guessable operator key is refused outright.
    const weakness = configured === undefined ? undefined : operatorKeyWeakness(configured);
    if (weakness !== undefined) {
      this.logger.error(`refusing to start: ${weakness}`);
      throw new Error(`refusing to start: ${weakness}`);
    }
    await this.register();
    if (configured !== undefined) await this.recogniseConfiguredKey(configured);
  }

  private async register(): Promise<void> {
    if (!(await catchUpAtStartUp(this.runner, this.store, this.logger, 'checking for the operator'))) {
      // Registering an operator the read models do not show yet could register a second one.
      this.logger.warn('the operator check is skipped at this start: the read models are not caught up');
      return;
    }
    const operators = (await listOrganisations(this.db)).filter((o) => o.roles.includes('operator'));
    const configured = this.config.operatorKey;
    if (operators.length > 0) return;
    const apiKey = configured ?? generateApiKey().apiKey;
    // A chosen key is recorded by a slow salted hash, a generated one by SHA-256 (decision 029).
    this.justRegistered = configured === undefined ? undefined : await deriveChosenKeyVerifier(configured);
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
        this.justRegistered,
      ),
    );
    if (!configured) {
      this.generatedKey = apiKey;
      const file = path.join(this.config.dataDir, OPERATOR_KEY_FILE);
      // The one time the ledger knows the key in clear. A file the owner alone can read, not
      // stdout: a console is captured by journald, container logs and CI, for anyone who reads them.
      writeFileSync(file, `${apiKey}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
      this.logger.log(`generated the operator API key and wrote it to ${file} (readable by this user only): store it elsewhere, then delete the file`);
    }
  }

  /**
   * Finds the stored record of the configured key, so that it authenticates: a scrypt record is
   * checked here, once per start, and handed to the resolver (decision 029); a record from before
   * decision 029 (the key's bare SHA-256) still works, with a warning to replace the key.
   */
  private async recogniseConfiguredKey(configured: string): Promise<void> {
    const events = await this.store.readStream(streamIds.organisation(OPERATOR_ORGANISATION_ID));
    for (const event of events) {
      if (event.type !== 'ApiKeyIssued') continue;
      const issued = castEvent(event.type, event.schemaVersion, event.data);
      if (issued.type !== 'ApiKeyIssued' || issued.data.keyDerivation === undefined) continue;
      const { keyHash, keyDerivation } = issued.data;
      // The registration this start made: its hash is known without running scrypt again.
      const matches = this.justRegistered?.hash === keyHash || (await chosenKeyMatches(configured, keyDerivation, keyHash));
      if (matches) {
        this.apiKeys.recogniseChosenKey(configured, keyHash);
        return;
      }
    }
    if (await findOrganisationByKeyHash(this.db, hashApiKey(configured))) {
      // A generated key's SHA-256 is as intended (256 random bits); a chosen key's is not.
      if (GENERATED_KEY.test(configured)) return;
      this.logger.warn(
        'LEDGER_OPERATOR_KEY is recorded by its bare SHA-256 (before decision 029), which a copy of the log lets anyone test guesses against: ' +
          'issue the operator a new key (POST /organisations/<operator>/api-keys with replacesKeyId) and stop using this one',
      );
      return;
    }
    this.logger.warn('LEDGER_OPERATOR_KEY does not match the registered operator key; it will not authenticate');
  }
}
