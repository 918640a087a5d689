import {
  castEvent,
  decideAmendSite,
  decideCloseSite,
  decideDeclareSite,
  evolveOrganisation,
  isPrivileged,
  NotFoundError,
  streamIds,
  type DecisionContext,
  type DomainEvent,
  type OrganisationFacts,
  type OrganisationState,
  type SiteRef,
} from '#domain';
import type { StoredEvent } from '#event-store';
import { findSiteByPNumber, getOrganisation, listSites, publicSiteView, type ReadDb, type SiteView } from '#projections';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { newIdFor } from '../common/command-meta.decorator.js';
import { CommandExecutor } from '../ledger/command-executor.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { READ_DB } from '../ledger/tokens.js';
import { AmendSiteCommand, CloseSiteCommand, DeclareSiteCommand, ListSitesQuery, type SiteCommandResult } from './sites.commands.js';

function foldOrganisation(events: readonly StoredEvent[]): OrganisationState | undefined {
  return events.reduce<OrganisationState | undefined>((state, e) => evolveOrganisation(state, castEvent(e.type, e.schemaVersion, e.data)), undefined);
}

/**
 * Decides on the organisation's own stream, and answers once the read models include the event, so
 * the list, the ADS export and the P-number check that follow see it.
 */
@Injectable()
export class SiteWriter {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(READ_DB) private readonly db: ReadDb,
  ) {}

  now(): string {
    return this.contexts.now().toISOString();
  }

  /** Which site holds the P-number, across the ledger (the read model: see the decision on the race this leaves). */
  async holderOf(pNumber: string | undefined): Promise<SiteRef | undefined> {
    if (pNumber === undefined) return undefined;
    const site = await findSiteByPNumber(this.db, pNumber);
    return site && { organisationId: site.organisationId, siteId: site.siteId };
  }

  async write(
    organisationId: string,
    siteId: string,
    actor: OrganisationFacts,
    meta: CommandMetadata,
    decide: (state: OrganisationState | undefined, ctx: DecisionContext) => DomainEvent[],
  ): Promise<SiteCommandResult> {
    const ctx = await this.contexts.create(actor);
    const result = await this.executor.execute(streamIds.organisation(organisationId), foldOrganisation, (state) => decide(state, ctx), meta);
    await this.readYourWrites.settle(result.position);
    return { organisationId, siteId, eventId: result.eventIds[0] ?? '', position: result.position };
  }
}

@CommandHandler(DeclareSiteCommand)
export class DeclareSiteHandler implements ICommandHandler<DeclareSiteCommand, SiteCommandResult> {
  constructor(private readonly writer: SiteWriter) {}

  async execute({ organisationId, body, actor, meta }: DeclareSiteCommand): Promise<SiteCommandResult> {
    const siteId = newIdFor(meta, 'site', body.siteId);
    const command = { ...body, organisationId, siteId, occurredAt: body.occurredAt ?? this.writer.now() };
    const holder = await this.writer.holderOf(command.pNumber);
    return this.writer.write(organisationId, siteId, actor, meta, (state, ctx) => decideDeclareSite(state, command, ctx, holder));
  }
}

@CommandHandler(AmendSiteCommand)
export class AmendSiteHandler implements ICommandHandler<AmendSiteCommand, SiteCommandResult> {
  constructor(private readonly writer: SiteWriter) {}

  async execute({ organisationId, siteId, body, actor, meta }: AmendSiteCommand): Promise<SiteCommandResult> {
    const command = { ...body, organisationId, siteId, occurredAt: body.occurredAt ?? this.writer.now() };
    const holder = await this.writer.holderOf(command.pNumber);
    return this.writer.write(organisationId, siteId, actor, meta, (state, ctx) => decideAmendSite(state, command, ctx, holder));
  }
}

@CommandHandler(CloseSiteCommand)
export class CloseSiteHandler implements ICommandHandler<CloseSiteCommand, SiteCommandResult> {
  constructor(private readonly writer: SiteWriter) {}

  execute({ organisationId, siteId, body, actor, meta }: CloseSiteCommand): Promise<SiteCommandResult> {
    const command = { ...body, organisationId, siteId, occurredAt: body.occurredAt ?? this.writer.now() };
    return this.writer.write(organisationId, siteId, actor, meta, (state, ctx) => decideCloseSite(state, command, ctx));
  }
}

export interface SiteList {
  organisationId: string;
  sites: SiteView[];
  legacySites: Array<{ name: string; address?: string }>;
}

/**
 * Anyone signed in may find an organisation's sites (name, kommune, P-number, open or closed): that
 * is how firms find a partner. The address and the position are the organisation's own, its
 * auditors' and the operator's (decision 039, per decision 025).
 */
@QueryHandler(ListSitesQuery)
export class ListSitesHandler implements IQueryHandler<ListSitesQuery, SiteList> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ organisationId, viewer }: ListSitesQuery): Promise<SiteList> {
    const organisation = await getOrganisation(this.db, organisationId);
    if (!organisation) throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
    const insider = isPrivileged(viewer) || viewer.organisationId === organisationId;
    const sites = await listSites(this.db, organisationId);
    return {
      organisationId,
      sites: insider ? sites : sites.map(publicSiteView),
      legacySites: organisation.sites.map((site) => ({ name: site.name, ...(insider && site.address !== undefined ? { address: site.address } : {}) })),
    };
  }
}
