/**
 * Publishing an emission factor set (docs/decisions/042-emission-factors-as-data.md). A set is
 * decided on its own stream, so two publications of one set id cannot both pass; what was
 * published stays as it was, because reports already computed with it must stay reproducible.
 */
import { ConflictError, ForbiddenError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, type DecisionContext } from '../shared/decision-context.js';
import type { PublishEmissionFactorSet } from './emission-factors.commands.js';
import type { EmissionFactorSetPublished } from './emission-factors.events.js';

export type EmissionFactorSetState = EmissionFactorSetPublished;

export function evolveEmissionFactorSet(state: EmissionFactorSetState | undefined, event: DomainEvent): EmissionFactorSetState | undefined {
  return event.type === 'EmissionFactorSetPublished' ? event.data : state;
}

export function decidePublishEmissionFactorSet(state: EmissionFactorSetState | undefined, command: PublishEmissionFactorSet, ctx: DecisionContext): DomainEvent[] {
  if (!ctx.actor.roles.includes('operator')) {
    throw new ForbiddenError('operator-only', 'only the operator publishes emission factor sets');
  }
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  if (state) {
    throw new ConflictError('factor-set-published', `factor set ${command.factorSetId} is already published; publish a new version under a new set id`, {
      factorSetId: command.factorSetId,
    });
  }
  return [
    {
      type: 'EmissionFactorSetPublished',
      data: {
        factorSetId: command.factorSetId,
        validFrom: command.validFrom,
        factors: command.factors.map((f) => ({ route: f.route, kgCo2eAvoidedPerKg: f.kgCo2eAvoidedPerKg, baseline: f.baseline, source: f.source, note: f.note })),
        publishedBy: ctx.actor.organisationId,
        occurredAt: command.occurredAt,
      },
    },
  ];
}

/** The set in force on a date: the latest `validFrom` on or before it (ties: the later set id, so the answer never depends on order). */
export function setInForceOn<S extends { readonly factorSetId: string; readonly validFrom: string }>(sets: readonly S[], on: string): S | undefined {
  let best: S | undefined;
  for (const set of sets) {
    if (set.validFrom > on) continue;
    if (!best || set.validFrom > best.validFrom || (set.validFrom === best.validFrom && set.factorSetId > best.factorSetId)) best = set;
  }
  return best;
}
