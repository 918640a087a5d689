import { ForbiddenError, InvalidCommandError } from '../errors.js';
import type { Role } from '../organisation/organisation.events.js';

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
   * collections, and not revoked it since (issue 5 §1). Only a collection by a collector asks. Left
   * out, nobody is authorised: a caller that forgets to supply it refuses collectors rather than
   * letting them record for any kommune.
   */
  readonly collectorAuthorised?: (kommuneCode: string, collectorOrgId: string) => boolean;
}

/** The actor is the municipality bound to this kommune, so it records the kommune's collections itself. */
export function actsAsMunicipalityOf(actor: OrganisationFacts, kommuneCode: string): boolean {
  return actor.roles.includes('municipality') && actor.kommuneCode === kommuneCode;
}

export function assertNotInFuture(occurredAt: string, ctx: DecisionContext): void {
  const t = Date.parse(occurredAt);
  if (Number.isNaN(t)) throw new InvalidCommandError('invalid-time', `occurredAt ${occurredAt} is not a valid instant`);
  if (t > ctx.now.getTime() + ctx.policy.clockSkewMs) {
    throw new InvalidCommandError('time-in-future', `occurredAt ${occurredAt} lies in the future (now ${ctx.now.toISOString()})`, {
      occurredAt,
      now: ctx.now.toISOString(),
    });
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
