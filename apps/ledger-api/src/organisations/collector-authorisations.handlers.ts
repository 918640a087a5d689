import {
  castEvent,
  decideAuthoriseCollector,
  decideRevokeCollectorAuthorisation,
  evolveOrganisation,
  NotFoundError,
  streamIds,
  type DecisionContext,
  type DomainEvent,
  type OrganisationFacts,
  type OrganisationState,
} from '#domain';
import type { StoredEvent } from '#event-store';
import { getOrganisation, listCollectorAuthorisations, type CollectorAuthorisationView, type ReadDb } from '#projections';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CommandExecutor, type CommandResult } from '../ledger/command-executor.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { READ_DB } from '../ledger/tokens.js';
import {
  AuthoriseCollectorCommand,
  ListCollectorAuthorisationsQuery,
  RevokeCollectorAuthorisationCommand,
  type CollectorAuthorisationResult,
} from './collector-authorisations.commands.js';

function foldOrganisation(events: readonly StoredEvent[]): OrganisationState | undefined {
  return events.reduce<OrganisationState | undefined>((state, e) => evolveOrganisation(state, castEvent(e.type, e.schemaVersion, e.data)), undefined);
}

/**
 * Decides on the municipality's stream, then answers only once the read models include the event
 * (a collection issued after the answer is decided on it), and meanwhile tells this instance's
 * directory directly, in case read-your-writes is off or gave up waiting.
 */
@Injectable()
export class CollectorAuthorisationWriter {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
    private readonly directory: OrganisationDirectory,
  ) {}

  now(): string {
    return this.contexts.now().toISOString();
  }

  async write(
    organisationId: string,
    collectorOrgId: string,
    actor: OrganisationFacts,
    meta: CommandMetadata,
    decide: (state: OrganisationState | undefined, ctx: DecisionContext) => DomainEvent[],
  ): Promise<CollectorAuthorisationResult> {
    const ctx = await this.contexts.create(actor, [collectorOrgId]);
    let decided: DomainEvent | undefined;
    const result: CommandResult = await this.executor.execute(
      streamIds.organisation(organisationId),
      foldOrganisation,
      (state) => {
        const events = decide(state, ctx);
        decided = events[0];
        return events;
      },
      meta,
    );
    // A retry answered from the log decides nothing; its actor is the municipality that made the first attempt.
    let kommuneCode = actor.kommuneCode ?? '';
    if (!result.replayed && (decided?.type === 'CollectorAuthorised' || decided?.type === 'CollectorAuthorisationRevoked')) {
      kommuneCode = decided.data.kommuneCode;
      this.directory.collectorAuthorisationChanged(kommuneCode, collectorOrgId, decided.type === 'CollectorAuthorised', result.position);
    }
    await this.readYourWrites.settle(result.position);
    return { organisationId, kommuneCode, collectorOrgId, eventId: result.eventIds[0] ?? '', position: result.position };
  }
}

@CommandHandler(AuthoriseCollectorCommand)
export class AuthoriseCollectorHandler implements ICommandHandler<AuthoriseCollectorCommand, CollectorAuthorisationResult> {
  constructor(private readonly writer: CollectorAuthorisationWriter) {}

  execute({ organisationId, body, actor, meta }: AuthoriseCollectorCommand): Promise<CollectorAuthorisationResult> {
    const command = {
      organisationId,
      collectorOrgId: body.collectorOrgId,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      occurredAt: body.occurredAt ?? this.writer.now(),
    };
    return this.writer.write(organisationId, body.collectorOrgId, actor, meta, (state, ctx) => decideAuthoriseCollector(state, command, ctx));
  }
}

@CommandHandler(RevokeCollectorAuthorisationCommand)
export class RevokeCollectorAuthorisationHandler implements ICommandHandler<RevokeCollectorAuthorisationCommand, CollectorAuthorisationResult> {
  constructor(private readonly writer: CollectorAuthorisationWriter) {}

  execute({ organisationId, collectorOrgId, body, actor, meta }: RevokeCollectorAuthorisationCommand): Promise<CollectorAuthorisationResult> {
    const command = { organisationId, collectorOrgId, reason: body.reason, occurredAt: body.occurredAt ?? this.writer.now() };
    return this.writer.write(organisationId, collectorOrgId, actor, meta, (state, ctx) => decideRevokeCollectorAuthorisation(state, command, ctx));
  }
}

@QueryHandler(ListCollectorAuthorisationsQuery)
export class ListCollectorAuthorisationsHandler implements IQueryHandler<ListCollectorAuthorisationsQuery, CollectorAuthorisationView[]> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly names: OrganisationNames,
  ) {}

  async execute({ organisationId, collectorOrgId }: ListCollectorAuthorisationsQuery): Promise<CollectorAuthorisationView[]> {
    if (!(await getOrganisation(this.db, organisationId))) {
      throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
    }
    const all = await listCollectorAuthorisations(this.db, organisationId);
    return this.names.beside(collectorOrgId === undefined ? all : all.filter((entry) => entry.collectorOrgId === collectorOrgId));
  }
}
