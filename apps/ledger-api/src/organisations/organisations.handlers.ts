import { decideRegisterOrganisation, NotFoundError, streamIds } from '#domain';
import { getOrganisation, listOrganisations, type Organisation, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { newIdFor } from '../common/command-meta.decorator.js';
import { CommandExecutor } from '../ledger/command-executor.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { apiKeyIdOf, hashApiKey } from './api-key.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { READ_DB } from '../ledger/tokens.js';
import { GetOrganisationQuery, ListOrganisationsQuery, RegisterOrganisationCommand, type RegisterOrganisationResult } from './organisations.commands.js';

@CommandHandler(RegisterOrganisationCommand)
export class RegisterOrganisationHandler implements ICommandHandler<RegisterOrganisationCommand, RegisterOrganisationResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute({ body, actor, meta, apiKey, chosenKeyVerifier }: RegisterOrganisationCommand): Promise<RegisterOrganisationResult> {
    const organisationId = newIdFor(meta, 'organisation', body.organisationId);
    const apiKeyId = apiKeyIdOf(apiKey);
    const command = {
      ...body,
      organisationId,
      occurredAt: body.occurredAt ?? this.contexts.now().toISOString(),
      apiKeyHash: chosenKeyVerifier?.hash ?? hashApiKey(apiKey),
      ...(chosenKeyVerifier ? { apiKeyDerivation: chosenKeyVerifier.derivation } : {}),
      apiKeyId,
    };
    const ctx = await this.contexts.create(actor);
    const result = await this.executor.execute(streamIds.organisation(organisationId), (events) => events.length > 0, (exists) => decideRegisterOrganisation(exists, command, ctx), meta, {
      createsStream: true,
    });
    // The new key must authenticate as soon as the caller has it.
    await this.readYourWrites.settle(result.position);
    // A retry must not mint a second valid key, and the first key is never stored in clear.
    return { organisationId, name: command.name, roles: command.roles, ...(result.replayed ? {} : { apiKey }), apiKeyId, position: result.position };
  }
}

@QueryHandler(GetOrganisationQuery)
export class GetOrganisationHandler implements IQueryHandler<GetOrganisationQuery, AsOfAware<Organisation>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ organisationId, asOf }: GetOrganisationQuery): Promise<AsOfAware<Organisation>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      const organisation = await getOrganisation(db, organisationId);
      if (!organisation) throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
      return organisation;
    });
  }
}

@QueryHandler(ListOrganisationsQuery)
export class ListOrganisationsHandler implements IQueryHandler<ListOrganisationsQuery, AsOfAware<Organisation[]>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ asOf }: ListOrganisationsQuery): Promise<AsOfAware<Organisation[]>> {
    return this.readModels.at(asOf, this.db, (db) => listOrganisations(db));
  }
}
