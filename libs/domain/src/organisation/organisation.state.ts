/**
 * The state of one organisation's stream (`organisation-<id>`), as its own decisions need it: the
 * roles and kommune it was registered with, its API keys, and the collectors it has authorised.
 */
import type { DomainEvent } from '../events.js';
import type { Role } from './organisation.events.js';

export interface ApiKeyState {
  readonly keyId: string;
  readonly revoked: boolean;
}

/** A site as the organisation's own decisions need it (docs/decisions/039-sites-and-ads-export.md). */
export interface SiteState {
  readonly siteId: string;
  readonly name: string;
  readonly kommuneCode: string;
  readonly pNumber?: string;
  readonly open: boolean;
}

export interface OrganisationState {
  readonly organisationId: string;
  readonly roles: readonly Role[];
  /** Set exactly for a municipality. */
  readonly kommuneCode?: string;
  /** In the order they were issued. */
  readonly keys: readonly ApiKeyState[];
  /** Collectors currently authorised to record this municipality's collections, in the order they were (last) authorised. */
  readonly authorisedCollectors: readonly string[];
  /** Sites declared on the stream, open or closed, in the order they were declared. */
  readonly sites: readonly SiteState[];
}

function describedSite(data: { siteId: string; name: string; kommuneCode: string; pNumber?: string | undefined }, open: boolean): SiteState {
  return { siteId: data.siteId, name: data.name, kommuneCode: data.kommuneCode, ...(data.pNumber !== undefined ? { pNumber: data.pNumber } : {}), open };
}

/** `undefined` until the organisation is registered. */
export function evolveOrganisation(state: OrganisationState | undefined, event: DomainEvent): OrganisationState | undefined {
  switch (event.type) {
    case 'OrganisationRegistered':
      return {
        organisationId: event.data.organisationId,
        roles: event.data.roles,
        ...(event.data.kommuneCode !== undefined ? { kommuneCode: event.data.kommuneCode } : {}),
        keys: [],
        authorisedCollectors: [],
        sites: [],
      };
    case 'ApiKeyIssued':
      return state && { ...state, keys: [...state.keys, { keyId: event.data.keyId, revoked: false }] };
    case 'ApiKeyRevoked':
      return state && { ...state, keys: state.keys.map((key) => (key.keyId === event.data.keyId ? { ...key, revoked: true } : key)) };
    case 'CollectorAuthorised':
      return state && { ...state, authorisedCollectors: [...state.authorisedCollectors.filter((id) => id !== event.data.collectorOrgId), event.data.collectorOrgId] };
    case 'CollectorAuthorisationRevoked':
      return state && { ...state, authorisedCollectors: state.authorisedCollectors.filter((id) => id !== event.data.collectorOrgId) };
    case 'SiteDeclared':
      return state && { ...state, sites: [...state.sites, describedSite(event.data, true)] };
    case 'SiteAmended':
      return state && { ...state, sites: state.sites.map((site) => (site.siteId === event.data.siteId ? describedSite(event.data, site.open) : site)) };
    case 'SiteClosed':
      return state && { ...state, sites: state.sites.map((site) => (site.siteId === event.data.siteId ? { ...site, open: false } : site)) };
    default:
      return state;
  }
}
