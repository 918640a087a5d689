import {
  castEvent,
  decideIssueApiKey,
  decideRevokeApiKey,
  evolveOrganisation,
  NotFoundError,
  streamIds,
  type OrganisationState,
} from '#domain';
import type { EventStore, StoredEvent } from '#event-store';
import { getOrganisation, listApiKeys, type ApiKeyView, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '../ledger/command-executor.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { apiKeyIdOf, hashApiKey } from './api-key.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { EVENT_STORE, READ_DB } from '../ledger/tokens.js';
import { ApiKeyResolver } from './api-key.resolver.js';
import { IssueApiKeyCommand, ListApiKeysQuery, RevokeApiKeyCommand, type IssueApiKeyResult, type RevokeApiKeyResult } from './api-keys.commands.js';

function foldOrganisation(events: readonly StoredEvent[]): OrganisationState | undefined {
  return events.reduce<OrganisationState | undefined>((state, e) => evolveOrganisation(state, castEvent(e.type, e.schemaVersion, e.data)), undefined);
}

@CommandHandler(IssueApiKeyCommand)
export class IssueApiKeyHandler implements ICommandHandler<IssueApiKeyCommand, IssueApiKeyResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
    private readonly apiKeys: ApiKeyResolver,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ organisationId, body, actor, meta, apiKey }: IssueApiKeyCommand): Promise<IssueApiKeyResult> {
    const apiKeyId = apiKeyIdOf(apiKey);
    const apiKeyHash = hashApiKey(apiKey);
    const command = {
      organisationId,
      apiKeyId,
      apiKeyHash,
      reason: body.reason,
      ...(body.replacesKeyId !== undefined ? { replacesKeyId: body.replacesKeyId } : {}),
      occurredAt: body.occurredAt ?? this.contexts.now().toISOString(),
    };
    const ctx = await this.contexts.create(actor);
    const result = await this.executor.execute(streamIds.organisation(organisationId), foldOrganisation, (state) => decideIssueApiKey(state, command, ctx), meta);
    if (result.replayed) {
      // A retry whose first answer was lost: the key minted then is known only by its hash, and the
      // fresh one made for this attempt was never stored, so no key is handed out; name the first one.
      const first = (await this.store.readStream(streamIds.organisation(organisationId))).find((e) => e.eventId === result.eventIds[0]);
      const firstKeyId = first?.type === 'ApiKeyIssued' ? (first.data as { keyId: string }).keyId : undefined;
      return { organisationId, apiKeyId: firstKeyId ?? apiKeyId, position: result.position };
    }
    // Effective on this instance at once, whether or not the read model has caught up.
    if (command.replacesKeyId !== undefined) this.apiKeys.revoked(organisationId, command.replacesKeyId);
    this.apiKeys.issued(apiKeyHash, { organisationId, keyId: apiKeyId });
    await this.readYourWrites.settle(result.position);
    return { organisationId, apiKeyId, apiKey, ...(command.replacesKeyId !== undefined ? { revokedKeyId: command.replacesKeyId } : {}), position: result.position };
  }
}

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand, RevokeApiKeyResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
    private readonly apiKeys: ApiKeyResolver,
  ) {}

  async execute({ organisationId, keyId, body, actor, meta }: RevokeApiKeyCommand): Promise<RevokeApiKeyResult> {
    const command = { organisationId, keyId, reason: body.reason, occurredAt: body.occurredAt ?? this.contexts.now().toISOString() };
    const ctx = await this.contexts.create(actor);
    const result = await this.executor.execute(streamIds.organisation(organisationId), foldOrganisation, (state) => decideRevokeApiKey(state, command, ctx), meta);
    // Before waiting for the read model: the very next request with this key must fail.
    this.apiKeys.revoked(organisationId, keyId);
    await this.readYourWrites.settle(result.position);
    return { organisationId, keyId, position: result.position };
  }
}

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery, ApiKeyView[]> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  // Who may list (the organisation itself, auditors, the operator) is the AuthorizationGuard's rule.
  async execute({ organisationId }: ListApiKeysQuery): Promise<ApiKeyView[]> {
    if (!(await getOrganisation(this.db, organisationId))) {
      throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
    }
    return listApiKeys(this.db, organisationId);
  }
}
