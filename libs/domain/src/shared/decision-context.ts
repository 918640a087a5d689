import { ForbiddenError, InvalidCommandError } from '../errors.js';
import type { Role } from '../organisation/organisation.events.js';
import type { SiteState } from '../organisation/organisation.state.js';
import { EARLIEST_OCCURRED_AT, EARLIEST_OCCURRED_AT_MS } from './bounds.js';

/** What the domain knows of an organisation; served by a read model (it guards no invariant). */
export interface OrganisationFacts {
  readonly organisationId: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly kommuneCode?: string;
}

export interface LedgerPolicy {
  /** How far in the future an occurredAt may lie, for clock skew between parties. */
  readonly clockSkewMs: number;
  /** Transit differences above this share of the dispatched mass are anomalies (DOMAIN: 2 %). */
  readonly transitToleranceBasisPoints: number;
}

export const DEFAULT_POLICY: LedgerPolicy = { clockSkewMs: 5 * 60_000, transitToleranceBasisPoints: 200 };

/**
 * Everything a decision needs besides the state it guards: the clock and the actor are injected so
 * that decide functions stay pure.
 */
export interface DecisionContext {
  readonly now: Date;
  readonly actor: OrganisationFacts;
  readonly organisation: (organisationId: string) => OrganisationFacts | undefined;
  readonly policy: LedgerPolicy;
  /**
   * Whether the municipality of `kommuneCode` has authorised `collectorOrgId` to record its
   * collections, and not revoked it since. Only a collection by a collector asks. Left
   * out, nobody is authorised: a caller that forgets to supply it refuses collectors rather than
   * letting them record for any kommune.
   */
  readonly collectorAuthorised?: (kommuneCode: string, collectorOrgId: string) => boolean;
  /**
   * The acting organisation's sites, from its own stream, when the command names a site
   * (docs/decisions/039-sites-and-ads-export.md). Left out, no site is known.
   */
  readonly actorSites?: readonly SiteState[];
}

/** The actor is the municipality bound to this kommune, so it records the kommune's collections itself. */
export function actsAsMunicipalityOf(actor: OrganisationFacts, kommuneCode: string): boolean {
  return actor.roles.includes('municipality') && actor.kommuneCode === kommuneCode;
}

/**
 * A business time the ledger can carry (decision 020): a valid instant, not before the earliest
 * date the ledger accepts, and not after now plus the clock skew allowed between parties.
 */
export function assertBusinessTime(occurredAt: string, ctx: DecisionContext): void {
  const t = Date.parse(occurredAt);
  if (Number.isNaN(t)) throw new InvalidCommandError('invalid-time', `occurredAt ${occurredAt} is not a valid instant`);
  if (t < EARLIEST_OCCURRED_AT_MS) {
    throw new InvalidCommandError('time-before-earliest', `occurredAt ${occurredAt} lies before ${EARLIEST_OCCURRED_AT}, the earliest business time the ledger records`, {
      occurredAt,
      earliest: EARLIEST_OCCURRED_AT,
    });
  }
  if (t > ctx.now.getTime() + ctx.policy.clockSkewMs) {
    throw new InvalidCommandError('time-in-future', `occurredAt ${occurredAt} lies in the future (now ${ctx.now.toISOString()})`, {
      occurredAt,
      now: ctx.now.toISOString(),
    });
  }
}

/** The latest business time of what a command follows (a batch, a process), and what that is. */
export interface Predecessor {
  readonly occurredAt: string | undefined;
  readonly of: string;
}

/**
 * A command never lies before what it follows, so custody and processing never run backwards
 * (decision 020). Checked only once the actor is known to be a party, so that the answer tells an
 * outsider nothing about the batch's history.
 */
export function assertFollows(occurredAt: string, ...predecessors: readonly Predecessor[]): void {
  const t = Date.parse(occurredAt);
  for (const { occurredAt: previous, of } of predecessors) {
    if (previous !== undefined && t < Date.parse(previous)) {
      throw new InvalidCommandError('time-before-previous-event', `occurredAt ${occurredAt} lies before ${previous}, the latest business time of ${of}`, {
        occurredAt,
        latestOccurredAt: previous,
      });
    }
  }
}

const MATERIAL_ROLES: ReadonlySet<Role> = new Set(['municipality', 'collector', 'sorter', 'recycler', 'manufacturer', 'brand']);

/** Auditors and operators never act on material (they may hold other roles that do). */
export function assertHandlesMaterial(ctx: DecisionContext): void {
  if (!ctx.actor.roles.some((r) => MATERIAL_ROLES.has(r))) {
    throw new ForbiddenError('role-not-permitted', `organisation ${ctx.actor.organisationId} has no role that handles material`, {
      roles: ctx.actor.roles,
    });
  }
}
