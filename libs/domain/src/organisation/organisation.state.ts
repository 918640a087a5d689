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

export interface OrganisationState {
  readonly organisationId: string;
  readonly roles: readonly Role[];
  /** Set exactly for a municipality. */
  readonly kommuneCode?: string;
  /** In the order they were issued. */
  readonly keys: readonly ApiKeyState[];
  /** Collectors currently authorised to record this municipality's collections, in the order they were (last) authorised. */
  readonly authorisedCollectors: readonly string[];
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
      };
    case 'ApiKeyIssued':
      return state && { ...state, keys: [...state.keys, { keyId: event.data.keyId, revoked: false }] };
    case 'ApiKeyRevoked':
      return state && { ...state, keys: state.keys.map((key) => (key.keyId === event.data.keyId ? { ...key, revoked: true } : key)) };
    case 'CollectorAuthorised':
      return state && { ...state, authorisedCollectors: [...state.authorisedCollectors.filter((id) => id !== event.data.collectorOrgId), event.data.collectorOrgId] };
    case 'CollectorAuthorisationRevoked':
      return state && { ...state, authorisedCollectors: state.authorisedCollectors.filter((id) => id !== event.data.collectorOrgId) };
    default:
      return state;
  }
}
