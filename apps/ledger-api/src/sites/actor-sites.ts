import { castEvent, evolveOrganisation, streamIds, type OrganisationState, type SiteState } from '#domain';
import type { EventStore } from '#event-store';
import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE } from '../ledger/tokens.js';

/**
 * The acting organisation's sites, read from its own stream when a command names a site
 * (docs/decisions/039-sites-and-ads-export.md): the stream, not a read model, so a site declared or
 * closed a moment ago binds the very next command. A command that names no site costs no read.
 */
@Injectable()
export class ActorSites {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async of(organisationId: string): Promise<readonly SiteState[]> {
    const events = await this.store.readStream(streamIds.organisation(organisationId));
    const state = events.reduce<OrganisationState | undefined>((s, e) => evolveOrganisation(s, castEvent(e.type, e.schemaVersion, e.data)), undefined);
    return state?.sites ?? [];
  }

  /** The context member a decision needs, when the command names a site. */
  async forCommand(organisationId: string, siteId: string | undefined): Promise<{ actorSites?: readonly SiteState[] }> {
    return siteId === undefined ? {} : { actorSites: await this.of(organisationId) };
  }
}
