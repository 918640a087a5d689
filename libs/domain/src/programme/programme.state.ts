/** The state of one programme's stream (`programme-<id>`), as its own decisions need it. */
import type { DomainEvent } from '../events.js';

/** One membership period: from `from` up to, not including, `until` (open while `until` is undefined). */
export interface MembershipPeriod {
  readonly from: string;
  readonly until?: string;
}

export interface ProgrammeState {
  readonly programmeId: string;
  readonly managerOrganisationId?: string;
  readonly valueChainIds: readonly string[];
  /** Periods by `${valueChainId ?? ''}|${organisationId}`, oldest first. */
  readonly memberships: ReadonlyMap<string, readonly MembershipPeriod[]>;
}

export const membershipKey = (valueChainId: string | undefined, organisationId: string): string => `${valueChainId ?? ''}|${organisationId}`;

/** `undefined` until the programme is registered. */
export function evolveProgramme(state: ProgrammeState | undefined, event: DomainEvent): ProgrammeState | undefined {
  switch (event.type) {
    case 'ProgrammeRegistered':
      return {
        programmeId: event.data.programmeId,
        ...(event.data.managerOrganisationId !== undefined ? { managerOrganisationId: event.data.managerOrganisationId } : {}),
        valueChainIds: [],
        memberships: new Map(),
      };
    case 'ValueChainRegistered':
      return state && { ...state, valueChainIds: [...state.valueChainIds, event.data.valueChainId] };
    case 'ProgrammeMemberAdded': {
      if (!state) return state;
      const key = membershipKey(event.data.valueChainId, event.data.organisationId);
      const memberships = new Map(state.memberships);
      memberships.set(key, [...(memberships.get(key) ?? []), { from: event.data.from }]);
      return { ...state, memberships };
    }
    case 'ProgrammeMemberRemoved': {
      if (!state) return state;
      const key = membershipKey(event.data.valueChainId, event.data.organisationId);
      const periods = state.memberships.get(key) ?? [];
      const last = periods[periods.length - 1];
      if (!last || last.until !== undefined) return state;
      const memberships = new Map(state.memberships);
      memberships.set(key, [...periods.slice(0, -1), { from: last.from, until: event.data.from }]);
      return { ...state, memberships };
    }
    default:
      return state;
  }
}
