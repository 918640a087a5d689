/**
 * Organisation size and SME status by the EU definition (docs/decisions/041-programmes-and-sme-status.md).
 */
import { describe, expect, it } from '@jest/globals';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { parseEvent, type DomainEvent } from '../events.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { DeclareOrganisationSize } from './organisation-size.commands.js';
import { decideDeclareOrganisationSize, sizeOn, smeStatus } from './organisation-size.decide.js';
import { evolveOrganisation, type OrganisationState } from './organisation.state.js';

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const LAUNDRY: OrganisationFacts = { organisationId: uuid(3), name: 'Laundry', roles: ['sorter'] };
const OPERATOR: OrganisationFacts = { organisationId: uuid(1), name: 'Operator', roles: ['operator'] };
const OTHER: OrganisationFacts = { organisationId: uuid(4), name: 'Other', roles: ['recycler'] };
const AT = '2024-09-01T11:00:00.000Z';
const ctx = (actor: OrganisationFacts): DecisionContext => ({ now: new Date('2024-09-01T12:00:00Z'), actor, organisation: () => undefined, policy: DEFAULT_POLICY });
const spec = DeciderSpecification.for<OrganisationState | undefined, DomainEvent>({ evolve: evolveOrganisation, initialState: () => undefined });
const registered: DomainEvent = { type: 'OrganisationRegistered', data: { organisationId: LAUNDRY.organisationId, name: 'Laundry', roles: ['sorter'], sites: [], occurredAt: AT } };
const declare = DeclareOrganisationSize.parse({ organisationId: LAUNDRY.organisationId, employees: 120, annualTurnoverEur: 12_000_000, balanceSheetTotalEur: 8_000_000, appliesFrom: '2023-01-01', occurredAt: AT });

describe('smeStatus: the EU definition', () => {
  const size = (employees: number, turnover: number, balance: number) => ({ employees, annualTurnoverEur: turnover, balanceSheetTotalEur: balance });

  it('is an SME below 250 employees with turnover at most €50 M, or balance sheet at most €43 M', () => {
    expect(smeStatus(size(249, 50_000_000, 100_000_000))).toBe('sme');
    expect(smeStatus(size(249, 80_000_000, 43_000_000))).toBe('sme');
    expect(smeStatus(size(0, 0, 0))).toBe('sme');
  });

  it('is not an SME at 250 employees, or above both financial ceilings', () => {
    expect(smeStatus(size(250, 1, 1))).toBe('not-sme');
    expect(smeStatus(size(10, 50_000_001, 43_000_001))).toBe('not-sme');
  });

  it('is unknown without a declared size, never assumed an SME', () => {
    expect(smeStatus(undefined)).toBe('unknown');
  });

  it('takes the size in force on a day: the latest applying from it or before, the later declaration for the same day', () => {
    const declarations = [
      { ...size(300, 1, 1), appliesFrom: '2023-01-01' },
      { ...size(200, 1, 1), appliesFrom: '2024-01-01' },
      { ...size(100, 1, 1), appliesFrom: '2024-01-01' },
    ];
    expect(sizeOn(declarations, '2022-12-31')).toBeUndefined();
    expect(sizeOn(declarations, '2023-12-31')?.employees).toBe(300);
    expect(sizeOn(declarations, '2024-01-01')?.employees).toBe(100);
  });
});

describe('DeclareOrganisationSize', () => {
  it('given a registered organisation, when it declares its size, then OrganisationSizeDeclared its schema accepts', () => {
    spec
      .given([registered])
      .when((state) => decideDeclareOrganisationSize(state, declare, ctx(LAUNDRY)))
      .thenSatisfies((events) => {
        expect(events).toEqual([
          {
            type: 'OrganisationSizeDeclared',
            data: { organisationId: LAUNDRY.organisationId, employees: 120, annualTurnoverEur: 12_000_000, balanceSheetTotalEur: 8_000_000, appliesFrom: '2023-01-01', declaredBy: LAUNDRY.organisationId, occurredAt: AT },
          },
        ]);
        for (const { type, data } of events) expect(parseEvent(type, 1, data)).toStrictEqual({ type, data });
      });
  });

  it('lets the operator declare it for the organisation, and refuses anyone else and an unregistered organisation', () => {
    spec.given([registered]).when((state) => decideDeclareOrganisationSize(state, declare, ctx(OPERATOR))).thenSatisfies((events) => expect(events[0]!.data).toMatchObject({ declaredBy: OPERATOR.organisationId }));
    spec.given([registered]).when((state) => decideDeclareOrganisationSize(state, declare, ctx(OTHER))).thenThrows(ForbiddenError, 'not-own-organisation');
    spec.given([]).when((state) => decideDeclareOrganisationSize(state, declare, ctx(LAUNDRY))).thenThrows(NotFoundError, 'unknown-organisation');
  });

  it('refuses fractional euros and negative headcounts', () => {
    expect(DeclareOrganisationSize.safeParse({ ...declare, annualTurnoverEur: 1.5 }).success).toBe(false);
    expect(DeclareOrganisationSize.safeParse({ ...declare, employees: -1 }).success).toBe(false);
  });
});
