/**
 * API key issue, rotation and revocation (docs/security.md "Authentication"): who may,
 * which keys, and that the operator can never revoke its way out of its own ledger.
 */
import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import { parseEvent, type DomainEvent } from '../events.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { decideIssueApiKey, decideRevokeApiKey } from './api-key.decide.js';
import { IssueApiKey, RegisterOrganisation, RevokeApiKey } from './organisation.commands.js';
import { decideRegisterOrganisation } from './organisation.decide.js';
import type { Role } from './organisation.events.js';
import { evolveOrganisation, type OrganisationState } from './organisation.state.js';

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const org = (n: number, roles: Role[]): OrganisationFacts => ({ organisationId: uuid(n), name: `org ${n}`, roles });

const OPERATOR = org(10, ['operator']);
const SORTER = org(20, ['sorter']);
const RECYCLER = org(30, ['recycler']);
const AUDITOR = org(9, ['auditor']);

const NOW = new Date('2024-05-01T12:00:00.000Z');
const AT = '2024-05-01T11:00:00.000Z';
const ctx = (actor: OrganisationFacts): DecisionContext => ({ now: NOW, actor, organisation: () => undefined, policy: DEFAULT_POLICY });

const spec = DeciderSpecification.for<OrganisationState | undefined, DomainEvent>({ evolve: evolveOrganisation, initialState: () => undefined });

const registered = (who: OrganisationFacts): DomainEvent[] => [
  { type: 'OrganisationRegistered', data: { organisationId: who.organisationId, name: who.name, roles: [...who.roles], sites: [], occurredAt: AT } },
  { type: 'ApiKeyIssued', data: { organisationId: who.organisationId, keyId: 'first', keyHash: 'a'.repeat(64), occurredAt: AT } },
];
const issued = (who: OrganisationFacts, keyId: string): DomainEvent => ({
  type: 'ApiKeyIssued',
  data: { organisationId: who.organisationId, keyId, keyHash: 'c'.repeat(64), issuedBy: OPERATOR.organisationId, reason: 'second key', occurredAt: AT },
});
const revoked = (who: OrganisationFacts, keyId: string): DomainEvent => ({
  type: 'ApiKeyRevoked',
  data: { organisationId: who.organisationId, keyId, revokedBy: OPERATOR.organisationId, reason: 'leaked', occurredAt: AT },
});

const issue = (overrides: Partial<z.input<typeof IssueApiKey>> = {}): IssueApiKey =>
  IssueApiKey.parse({ organisationId: SORTER.organisationId, apiKeyId: 'second', apiKeyHash: 'b'.repeat(64), reason: 'yearly rotation', occurredAt: AT, ...overrides });
const revoke = (overrides: Partial<z.input<typeof RevokeApiKey>> = {}): RevokeApiKey =>
  RevokeApiKey.parse({ organisationId: SORTER.organisationId, keyId: 'first', reason: 'laptop stolen', occurredAt: AT, ...overrides });

describe('IssueApiKey', () => {
  it('issues a key naming the operator and the reason; the old keys stay valid', () => {
    spec
      .given(registered(SORTER))
      .when((state) => decideIssueApiKey(state, issue(), ctx(OPERATOR)))
      .then([
        {
          type: 'ApiKeyIssued',
          data: { organisationId: SORTER.organisationId, keyId: 'second', keyHash: 'b'.repeat(64), issuedBy: OPERATOR.organisationId, reason: 'yearly rotation', occurredAt: AT },
        },
      ]);
  });

  it('rotates: issues the new key and revokes the replaced one in the same decision', () => {
    spec
      .given(registered(SORTER))
      .when((state) => decideIssueApiKey(state, issue({ replacesKeyId: 'first' }), ctx(OPERATOR)))
      .thenSatisfies((events) => {
        expect(events).toEqual([
          expect.objectContaining({ type: 'ApiKeyIssued', data: expect.objectContaining({ keyId: 'second' }) }),
          {
            type: 'ApiKeyRevoked',
            data: { organisationId: SORTER.organisationId, keyId: 'first', revokedBy: OPERATOR.organisationId, reason: 'yearly rotation', replacedByKeyId: 'second', occurredAt: AT },
          },
        ]);
        for (const { type, data } of events) expect(parseEvent(type, 1, data)).toStrictEqual({ type, data });
      });
  });

  it("rotates the operator's only key: the replacement keeps it able to act", () => {
    spec
      .given(registered(OPERATOR))
      .when((state) => decideIssueApiKey(state, issue({ organisationId: OPERATOR.organisationId, replacesKeyId: 'first' }), ctx(OPERATOR)))
      .thenSatisfies((events) => expect(events.map((e) => e.type)).toEqual(['ApiKeyIssued', 'ApiKeyRevoked']));
  });

  it.each([
    ['the organisation itself', SORTER],
    ['another organisation', RECYCLER],
    ['an auditor', AUDITOR],
  ])('refuses %s: only the operator issues keys (a leaked key must not mint a successor)', (_who, actor) => {
    spec
      .given(registered(SORTER))
      .when((state) => decideIssueApiKey(state, issue(), ctx(actor)))
      .thenThrows(ForbiddenError, 'operator-only');
  });

  it('refuses an organisation that is not registered', () => {
    spec
      .given([])
      .when((state) => decideIssueApiKey(state, issue(), ctx(OPERATOR)))
      .thenThrows(NotFoundError, 'unknown-organisation');
  });

  it('refuses to replace a key the organisation does not have, or one already revoked', () => {
    spec
      .given(registered(SORTER))
      .when((state) => decideIssueApiKey(state, issue({ replacesKeyId: 'nope' }), ctx(OPERATOR)))
      .thenThrows(NotFoundError, 'unknown-api-key');
    spec
      .given([...registered(SORTER), issued(SORTER, 'other'), revoked(SORTER, 'first')])
      .when((state) => decideIssueApiKey(state, issue({ replacesKeyId: 'first' }), ctx(OPERATOR)))
      .thenThrows(ConflictError, 'api-key-already-revoked');
  });

  it('refuses a key id the organisation already used', () => {
    spec
      .given(registered(SORTER))
      .when((state) => decideIssueApiKey(state, issue({ apiKeyId: 'first' }), ctx(OPERATOR)))
      .thenThrows(ConflictError, 'api-key-id-exists');
  });

  it('refuses a time beyond the clock skew', () => {
    spec
      .given(registered(SORTER))
      .when((state) => decideIssueApiKey(state, issue({ occurredAt: '2024-05-01T12:05:00.001Z' }), ctx(OPERATOR)))
      .thenThrows(InvalidCommandError, 'time-in-future');
  });

  it('needs a reason', () => {
    expect(IssueApiKey.safeParse({ ...issue(), reason: '  ' }).success).toBe(false);
  });
});

describe('RevokeApiKey', () => {
  it('revokes a key, naming the key, the actor and the reason', () => {
    spec
      .given(registered(SORTER))
      .when((state) => decideRevokeApiKey(state, revoke(), ctx(OPERATOR)))
      .then([{ type: 'ApiKeyRevoked', data: { organisationId: SORTER.organisationId, keyId: 'first', revokedBy: OPERATOR.organisationId, reason: 'laptop stolen', occurredAt: AT } }]);
  });

  it('lets an organisation revoke its own key, even its last one', () => {
    spec
      .given(registered(SORTER))
      .when((state) => decideRevokeApiKey(state, revoke(), ctx(SORTER)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'ApiKeyRevoked', data: { keyId: 'first', revokedBy: SORTER.organisationId } }]));
  });

  it.each([
    ['another organisation', RECYCLER],
    ['an auditor', AUDITOR],
  ])("refuses %s: only the operator or the key's owner revokes", (_who, actor) => {
    spec
      .given(registered(SORTER))
      .when((state) => decideRevokeApiKey(state, revoke(), ctx(actor)))
      .thenThrows(ForbiddenError, 'not-key-owner');
  });

  it('refuses an unknown organisation, an unknown key and a key already revoked, each with its own code', () => {
    spec
      .given([])
      .when((state) => decideRevokeApiKey(state, revoke(), ctx(OPERATOR)))
      .thenThrows(NotFoundError, 'unknown-organisation');
    spec
      .given(registered(SORTER))
      .when((state) => decideRevokeApiKey(state, revoke({ keyId: 'nope' }), ctx(OPERATOR)))
      .thenThrows(NotFoundError, 'unknown-api-key');
    spec
      .given([...registered(SORTER), revoked(SORTER, 'first')])
      .when((state) => decideRevokeApiKey(state, revoke(), ctx(OPERATOR)))
      .thenThrows(ConflictError, 'api-key-already-revoked');
  });

  it("never revokes the operator's last valid key, but one of two", () => {
    const operatorKey = revoke({ organisationId: OPERATOR.organisationId });
    spec
      .given(registered(OPERATOR))
      .when((state) => decideRevokeApiKey(state, operatorKey, ctx(OPERATOR)))
      .thenThrows(ConflictError, 'last-operator-key');
    spec
      .given([...registered(OPERATOR), issued(OPERATOR, 'second'), revoked(OPERATOR, 'second')])
      .when((state) => decideRevokeApiKey(state, operatorKey, ctx(OPERATOR)))
      .thenThrows(ConflictError, 'last-operator-key');
    spec
      .given([...registered(OPERATOR), issued(OPERATOR, 'second')])
      .when((state) => decideRevokeApiKey(state, operatorKey, ctx(OPERATOR)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'ApiKeyRevoked', data: { keyId: 'first' } }]));
  });

  it('needs a reason', () => {
    expect(RevokeApiKey.safeParse({ ...revoke(), reason: '' }).success).toBe(false);
  });
});

describe('evolveOrganisation', () => {
  it('tracks roles and which keys are valid, and ignores key events before a registration', () => {
    const state = [...registered(SORTER), issued(SORTER, 'second'), revoked(SORTER, 'first')].reduce(evolveOrganisation, undefined);
    expect(state).toEqual({
      organisationId: SORTER.organisationId,
      roles: ['sorter'],
      keys: [{ keyId: 'first', revoked: true }, { keyId: 'second', revoked: false }],
      authorisedCollectors: [],
      sites: [],
    });
    expect(evolveOrganisation(undefined, issued(SORTER, 'x'))).toBeUndefined();
  });
});

describe('a chosen key recorded by scrypt (decision 029)', () => {
  const derivation = { algorithm: 'scrypt' as const, salt: 'c2FsdHNhbHRzYWx0c2FsdA', cost: 2 ** 15, blockSize: 8, parallelization: 1 };
  const registration = (extra: Record<string, unknown>) =>
    RegisterOrganisation.parse({ organisationId: OPERATOR.organisationId, name: 'Ledger operator', roles: ['operator'], occurredAt: AT, apiKeyHash: 'd'.repeat(64), apiKeyId: 'external', ...extra });

  it('registers the key with its derivation, which the event keeps', () => {
    const events = decideRegisterOrganisation(false, registration({ apiKeyDerivation: derivation }), ctx(OPERATOR));
    const issued = events.find((e) => e.type === 'ApiKeyIssued')!;
    expect(issued.data).toEqual({ organisationId: OPERATOR.organisationId, keyId: 'external', keyHash: 'd'.repeat(64), keyDerivation: derivation, occurredAt: AT });
    expect(parseEvent(issued.type, 1, issued.data)).toStrictEqual(issued);
  });

  it('registers a generated key without one, as before', () => {
    const issued = decideRegisterOrganisation(false, registration({}), ctx(OPERATOR)).find((e) => e.type === 'ApiKeyIssued')!;
    expect(issued.data).not.toHaveProperty('keyDerivation');
  });

  it.each([
    ['another algorithm', { ...derivation, algorithm: 'sha256' }],
    ['a cost that is not a power of two', { ...derivation, cost: 30_000 }],
    ['a cost that would ask for gigabytes', { ...derivation, cost: 2 ** 24 }],
    ['a cost too low to slow a guess', { ...derivation, cost: 2 ** 10 }],
    ['no salt', { ...derivation, salt: '' }],
  ])('refuses a derivation with %s', (_what, bad) => {
    expect(RegisterOrganisation.safeParse({ ...registration({}), apiKeyDerivation: bad }).success).toBe(false);
  });
});
