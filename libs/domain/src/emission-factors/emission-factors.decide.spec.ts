/**
 * Emission factor sets (docs/decisions/042-emission-factors-as-data.md): published by the operator,
 * once per set id, and the set in force on a date is the latest valid from on or before it.
 */
import { describe, expect, it } from '@jest/globals';
import { ConflictError, ForbiddenError, InvalidCommandError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { PublishEmissionFactorSet } from './emission-factors.commands.js';
import { decidePublishEmissionFactorSet, evolveEmissionFactorSet, setInForceOn, type EmissionFactorSetState } from './emission-factors.decide.js';

const OPERATOR: OrganisationFacts = { organisationId: '0190a000-0000-7000-8000-000000000004', name: 'operator', roles: ['operator'] };
const AUDITOR: OrganisationFacts = { organisationId: '0190a000-0000-7000-8000-000000000003', name: 'auditor', roles: ['auditor'] };
const NOW = new Date('2026-03-01T12:00:00.000Z');
const ctx = (actor: OrganisationFacts): DecisionContext => ({ now: NOW, actor, organisation: () => undefined, policy: DEFAULT_POLICY, collectorAuthorised: () => true });

const publish = PublishEmissionFactorSet.parse({
  factorSetId: 'herning-2022',
  validFrom: '2022-01-01',
  occurredAt: '2026-03-01T11:00:00Z',
  factors: [
    { route: 'recycling', kgCo2eAvoidedPerKg: '20.4', baseline: 'incineration', source: 'Tekstilsymbiose Herning brochure' },
    { route: 'reuse', kgCo2eAvoidedPerKg: null, baseline: 'incineration', source: 'not given', note: 'unknown, never zero' },
  ],
});
const published: DomainEvent = {
  type: 'EmissionFactorSetPublished',
  data: {
    factorSetId: 'herning-2022',
    validFrom: '2022-01-01',
    factors: [
      { route: 'recycling', kgCo2eAvoidedPerKg: '20.4', baseline: 'incineration', source: 'Tekstilsymbiose Herning brochure', note: '' },
      { route: 'reuse', kgCo2eAvoidedPerKg: null, baseline: 'incineration', source: 'not given', note: 'unknown, never zero' },
    ],
    publishedBy: OPERATOR.organisationId,
    occurredAt: '2026-03-01T11:00:00Z',
  },
};

const spec = DeciderSpecification.for<EmissionFactorSetState | undefined, DomainEvent>({ evolve: evolveEmissionFactorSet, initialState: () => undefined });

describe('publishing an emission factor set', () => {
  it('given no set of that id, when the operator publishes it, then it is published with the operator named', () => {
    spec.given([]).when((state) => decidePublishEmissionFactorSet(state, publish, ctx(OPERATOR))).then([published]);
  });

  it('given the set is published, when it is published again, then it is refused: a new version takes a new set id', () => {
    spec.given([published]).when((state) => decidePublishEmissionFactorSet(state, publish, ctx(OPERATOR))).thenThrows(ConflictError, 'factor-set-published');
  });

  it('given anyone but the operator, when they publish, then it is refused', () => {
    spec.given([]).when((state) => decidePublishEmissionFactorSet(state, publish, ctx(AUDITOR))).thenThrows(ForbiddenError, 'operator-only');
  });

  it('given a business time in the future, when the operator publishes, then it is refused', () => {
    spec
      .given([])
      .when((state) => decidePublishEmissionFactorSet(state, { ...publish, occurredAt: '2026-04-01T00:00:00Z' }, ctx(OPERATOR)))
      .thenThrows(InvalidCommandError);
  });

  it('given a factor as a float, a zero-padded or an exponent number, then the command does not parse', () => {
    for (const bad of [20.4, '2e1', '020.4', '20.', '']) {
      const result = PublishEmissionFactorSet.safeParse({ ...publish, factors: [{ ...publish.factors[0], kgCo2eAvoidedPerKg: bad }] });
      expect(result.success).toBe(false);
    }
  });

  it('given a route named twice, then the command does not parse', () => {
    expect(PublishEmissionFactorSet.safeParse({ ...publish, factors: [publish.factors[0], publish.factors[0]] }).success).toBe(false);
  });
});

describe('the set in force on a date', () => {
  const sets = [
    { factorSetId: 'jie-2015', validFrom: '2015-01-01' },
    { factorSetId: 'herning-2022', validFrom: '2022-01-01' },
  ];

  it('given sets valid from 2015 and 2022, then 2021-12-31 falls under 2015, 2022-01-01 and later under 2022', () => {
    expect(setInForceOn(sets, '2021-12-31')?.factorSetId).toBe('jie-2015');
    expect(setInForceOn(sets, '2022-01-01')?.factorSetId).toBe('herning-2022');
    expect(setInForceOn(sets, '2030-06-01')?.factorSetId).toBe('herning-2022');
  });

  it('given a date before every set, then no set is in force', () => {
    expect(setInForceOn(sets, '2014-12-31')).toBeUndefined();
  });

  it('given two sets valid from the same day, then the answer does not depend on their order', () => {
    const same = [...sets, { factorSetId: 'herning-2022-v2', validFrom: '2022-01-01' }];
    expect(setInForceOn(same, '2023-01-01')?.factorSetId).toBe('herning-2022-v2');
    expect(setInForceOn([...same].reverse(), '2023-01-01')?.factorSetId).toBe('herning-2022-v2');
  });
});
