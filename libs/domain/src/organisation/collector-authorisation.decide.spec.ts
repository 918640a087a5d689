/**
 * Collector authorisation: only the municipality itself authorises and revokes, only
 * registered collectors, never twice at once, and a revoked collector may be authorised again.
 */
import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import { parseEvent, type DomainEvent } from '../events.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { decideAuthoriseCollector, decideRevokeCollectorAuthorisation } from './collector-authorisation.decide.js';
import { AuthoriseCollector, RevokeCollectorAuthorisation } from './organisation.commands.js';
import type { Role } from './organisation.events.js';
import { evolveOrganisation, type OrganisationState } from './organisation.state.js';

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const org = (n: number, roles: Role[], kommuneCode?: string): OrganisationFacts => ({
  organisationId: uuid(n),
  name: `org ${n}`,
  roles,
  ...(kommuneCode !== undefined ? { kommuneCode } : {}),
});

const HERNING = org(1, ['municipality'], '0657');
const IKAST = org(2, ['municipality'], '0756');
const COLLECTOR = org(3, ['collector']);
const SORTING_COLLECTOR = org(4, ['sorter', 'collector']);
const SORTER = org(5, ['sorter']);
const AUDITOR = org(9, ['auditor']);
const OPERATOR = org(10, ['operator']);
/** Claims Herning's id in the directory but is not a municipality: the actor check alone must not let it through. */
const HERNING_WITHOUT_ROLE: OrganisationFacts = { organisationId: HERNING.organisationId, name: 'Herning', roles: ['collector'] };
const UNREGISTERED = uuid(99);

const DIRECTORY = new Map([HERNING, IKAST, COLLECTOR, SORTING_COLLECTOR, SORTER, AUDITOR, OPERATOR].map((o): [string, OrganisationFacts] => [o.organisationId, o]));

const NOW = new Date('2024-05-01T12:00:00.000Z');
const AT = '2024-05-01T11:00:00.000Z';
const ctx = (actor: OrganisationFacts): DecisionContext => ({ now: NOW, actor, organisation: (id) => DIRECTORY.get(id), policy: DEFAULT_POLICY });

const spec = DeciderSpecification.for<OrganisationState | undefined, DomainEvent>({ evolve: evolveOrganisation, initialState: () => undefined });

const registered = (who: OrganisationFacts): DomainEvent[] => [
  {
    type: 'OrganisationRegistered',
    data: {
      organisationId: who.organisationId,
      name: who.name,
      roles: [...who.roles],
      ...(who.kommuneCode !== undefined ? { kommuneCode: who.kommuneCode } : {}),
      sites: [],
      occurredAt: AT,
    },
  },
  { type: 'ApiKeyIssued', data: { organisationId: who.organisationId, keyId: 'first', keyHash: 'a'.repeat(64), occurredAt: AT } },
];
const authorised = (collector: OrganisationFacts): DomainEvent => ({
  type: 'CollectorAuthorised',
  data: { organisationId: HERNING.organisationId, kommuneCode: '0657', collectorOrgId: collector.organisationId, authorisedBy: HERNING.organisationId, occurredAt: AT },
});
const revoked = (collector: OrganisationFacts): DomainEvent => ({
  type: 'CollectorAuthorisationRevoked',
  data: { organisationId: HERNING.organisationId, kommuneCode: '0657', collectorOrgId: collector.organisationId, revokedBy: HERNING.organisationId, reason: 'contract ended', occurredAt: AT },
});

const authorise = (overrides: Partial<z.input<typeof AuthoriseCollector>> = {}): AuthoriseCollector =>
  AuthoriseCollector.parse({ organisationId: HERNING.organisationId, collectorOrgId: COLLECTOR.organisationId, occurredAt: AT, ...overrides });
const revoke = (overrides: Partial<z.input<typeof RevokeCollectorAuthorisation>> = {}): RevokeCollectorAuthorisation =>
  RevokeCollectorAuthorisation.parse({ organisationId: HERNING.organisationId, collectorOrgId: COLLECTOR.organisationId, reason: 'contract ended', occurredAt: AT, ...overrides });

describe('AuthoriseCollector', () => {
  it("authorises a collector for the municipality's own kommune, naming who and why", () => {
    spec
      .given(registered(HERNING))
      .when((state) => decideAuthoriseCollector(state, authorise({ reason: 'tender 2024-17' }), ctx(HERNING)))
      .then([
        {
          type: 'CollectorAuthorised',
          data: {
            organisationId: HERNING.organisationId,
            kommuneCode: '0657',
            collectorOrgId: COLLECTOR.organisationId,
            authorisedBy: HERNING.organisationId,
            reason: 'tender 2024-17',
            occurredAt: AT,
          },
        },
      ]);
  });

  it('leaves the reason out when none is given, and writes events its schema accepts', () => {
    spec
      .given(registered(HERNING))
      .when((state) => decideAuthoriseCollector(state, authorise({ collectorOrgId: SORTING_COLLECTOR.organisationId }), ctx(HERNING)))
      .thenSatisfies((events) => {
        expect(events).toHaveLength(1);
        expect(events[0]!.data).not.toHaveProperty('reason');
        for (const { type, data } of events) expect(parseEvent(type, 1, data)).toStrictEqual({ type, data });
      });
  });

  it.each([
    ["another kommune's municipality", IKAST],
    ['the operator', OPERATOR],
    ['an auditor', AUDITOR],
    ['the collector itself', COLLECTOR],
    ["an actor with the municipality's id but not its role", HERNING_WITHOUT_ROLE],
  ])('refuses %s: only the municipality itself authorises for its kommune', (_who, actor) => {
    spec
      .given(registered(HERNING))
      .when((state) => decideAuthoriseCollector(state, authorise(), ctx(actor)))
      .thenThrows(ForbiddenError, 'not-the-municipality');
  });

  it('refuses on a stream that is not a municipality, whatever the directory says of the actor', () => {
    spec
      .given(registered(SORTER))
      .when((state) => decideAuthoriseCollector(state, authorise({ organisationId: SORTER.organisationId }), ctx({ ...SORTER, roles: ['municipality'], kommuneCode: '0657' })))
      .thenThrows(ForbiddenError, 'not-the-municipality');
  });

  it('refuses an unregistered collector (404) and an organisation without the collector role (422)', () => {
    spec
      .given(registered(HERNING))
      .when((state) => decideAuthoriseCollector(state, authorise({ collectorOrgId: UNREGISTERED }), ctx(HERNING)))
      .thenThrows(NotFoundError, 'unknown-organisation');
    for (const notACollector of [SORTER, AUDITOR, IKAST]) {
      spec
        .given(registered(HERNING))
        .when((state) => decideAuthoriseCollector(state, authorise({ collectorOrgId: notACollector.organisationId }), ctx(HERNING)))
        .thenThrows(InvalidCommandError, 'not-a-collector');
    }
  });

  it('refuses a collector that is already authorised', () => {
    spec
      .given([...registered(HERNING), authorised(COLLECTOR)])
      .when((state) => decideAuthoriseCollector(state, authorise(), ctx(HERNING)))
      .thenThrows(ConflictError, 'collector-already-authorised');
  });

  it('authorises a collector again after its authorisation was revoked', () => {
    spec
      .given([...registered(HERNING), authorised(COLLECTOR), revoked(COLLECTOR)])
      .when((state) => decideAuthoriseCollector(state, authorise(), ctx(HERNING)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'CollectorAuthorised', data: { collectorOrgId: COLLECTOR.organisationId } }]));
  });

  it('refuses a time beyond the clock skew', () => {
    spec
      .given(registered(HERNING))
      .when((state) => decideAuthoriseCollector(state, authorise({ occurredAt: '2024-05-01T12:05:00.001Z' }), ctx(HERNING)))
      .thenThrows(InvalidCommandError, 'time-in-future');
  });

  it('refuses an empty reason', () => {
    expect(AuthoriseCollector.safeParse({ ...authorise(), reason: '  ' }).success).toBe(false);
  });
});

describe('RevokeCollectorAuthorisation', () => {
  it('revokes an authorised collector, naming who and why', () => {
    spec
      .given([...registered(HERNING), authorised(SORTING_COLLECTOR), authorised(COLLECTOR)])
      .when((state) => decideRevokeCollectorAuthorisation(state, revoke(), ctx(HERNING)))
      .then([revoked(COLLECTOR)]);
  });

  it('refuses a collector that is not authorised: never authorised, or already revoked', () => {
    spec
      .given([...registered(HERNING), authorised(SORTING_COLLECTOR)])
      .when((state) => decideRevokeCollectorAuthorisation(state, revoke(), ctx(HERNING)))
      .thenThrows(ConflictError, 'collector-not-authorised');
    spec
      .given([...registered(HERNING), authorised(COLLECTOR), revoked(COLLECTOR)])
      .when((state) => decideRevokeCollectorAuthorisation(state, revoke(), ctx(HERNING)))
      .thenThrows(ConflictError, 'collector-not-authorised');
  });

  it.each([
    ["another kommune's municipality", IKAST],
    ['the operator', OPERATOR],
    ['an auditor', AUDITOR],
    ['the collector itself', COLLECTOR],
  ])('refuses %s: only the municipality itself revokes', (_who, actor) => {
    spec
      .given([...registered(HERNING), authorised(COLLECTOR)])
      .when((state) => decideRevokeCollectorAuthorisation(state, revoke(), ctx(actor)))
      .thenThrows(ForbiddenError, 'not-the-municipality');
  });

  it('needs a reason', () => {
    expect(RevokeCollectorAuthorisation.safeParse({ ...revoke(), reason: '' }).success).toBe(false);
  });
});

describe('evolveOrganisation: collector authorisations', () => {
  it('keeps the kommune and the collectors authorised now, in the order of their latest authorisation', () => {
    const state = [...registered(HERNING), authorised(COLLECTOR), authorised(SORTING_COLLECTOR), revoked(COLLECTOR), authorised(COLLECTOR)].reduce(
      evolveOrganisation,
      undefined,
    );
    expect(state).toMatchObject({ kommuneCode: '0657', authorisedCollectors: [SORTING_COLLECTOR.organisationId, COLLECTOR.organisationId] });
    expect(evolveOrganisation(undefined, authorised(COLLECTOR))).toBeUndefined();
  });
});
