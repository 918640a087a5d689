/**
 * Registering organisations (docs/domain.md): only the operator registers; a municipality is bound to
 * exactly one known kommune, and nobody else is.
 */
import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { ConflictError, ForbiddenError, InvalidCommandError } from '../errors.js';
import { parseEvent } from '../events.js';
import { EARLIEST_OCCURRED_AT } from '../shared/bounds.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { RegisterOrganisation } from './organisation.commands.js';
import { decideRegisterOrganisation } from './organisation.decide.js';
import type { OrganisationRegistered, Role } from './organisation.events.js';

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const org = (n: number, roles: Role[], kommuneCode?: string): OrganisationFacts => ({
  organisationId: uuid(n),
  name: `org ${n}`,
  roles,
  ...(kommuneCode !== undefined ? { kommuneCode } : {}),
});

const OPERATOR = org(10, ['operator']);
const AUDITOR = org(9, ['auditor']);
const HERNING = org(1, ['municipality'], '0657');
const COLLECTOR = org(3, ['collector']);

const NOW = new Date('2024-05-01T12:00:00.000Z');
const EARLIER = '2024-05-01T11:00:00.000Z';
const KEY_HASH = 'a'.repeat(64);
const NEW_ORG = uuid(20);

const ctx = (actor: OrganisationFacts): DecisionContext => ({ now: NOW, actor, organisation: () => undefined, policy: DEFAULT_POLICY });

/** The state of an organisation stream is only whether it exists. */
const spec = DeciderSpecification.for<boolean, { type: 'OrganisationRegistered'; data: OrganisationRegistered }>({
  evolve: () => true,
  initialState: () => false,
});

const registered = { type: 'OrganisationRegistered' as const, data: { organisationId: NEW_ORG, name: 'Sortering A/S', roles: ['sorter' as const], sites: [], occurredAt: EARLIER } };

const register = (overrides: Partial<z.input<typeof RegisterOrganisation>> = {}): RegisterOrganisation =>
  RegisterOrganisation.parse({
    organisationId: NEW_ORG,
    name: 'Sortering A/S',
    roles: ['sorter'],
    occurredAt: EARLIER,
    apiKeyHash: KEY_HASH,
    apiKeyId: 'key-1',
    ...overrides,
  });

describe('RegisterOrganisation (docs/domain.md)', () => {
  it('records the organisation and its API key hash', () => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register({ cvr: '24256790', sites: [{ name: 'Herning', address: 'Industrivej 1' }] }), ctx(OPERATOR)))
      .then([
        {
          type: 'OrganisationRegistered',
          data: {
            organisationId: NEW_ORG,
            name: 'Sortering A/S',
            cvr: '24256790',
            roles: ['sorter'],
            sites: [{ name: 'Herning', address: 'Industrivej 1' }],
            occurredAt: EARLIER,
          },
        },
        { type: 'ApiKeyIssued', data: { organisationId: NEW_ORG, keyId: 'key-1', keyHash: KEY_HASH, occurredAt: EARLIER } },
      ]);
  });

  it('leaves out an absent CVR and kommune code', () => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register(), ctx(OPERATOR)))
      .thenSatisfies(([event]) => {
        expect(event?.data).not.toHaveProperty('cvr');
        expect(event?.data).not.toHaveProperty('kommuneCode');
      });
  });

  it('binds a municipality (which may also collect) to its kommune', () => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register({ name: 'Herning Kommune', roles: ['municipality', 'collector'], kommuneCode: '0657' }), ctx(OPERATOR)))
      .thenSatisfies((events) => {
        expect(events).toMatchObject([{ type: 'OrganisationRegistered', data: { roles: ['municipality', 'collector'], kommuneCode: '0657' } }, { type: 'ApiKeyIssued' }]);
        for (const { type, data } of events) expect(parseEvent(type, 1, data)).toStrictEqual({ type, data });
      });
  });

  it.each([
    ['an auditor', AUDITOR],
    ['a municipality', HERNING],
    ['a collector', COLLECTOR],
  ])('refuses %s: only the operator registers organisations', (_who, actor) => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register(), ctx(actor)))
      .thenThrows(ForbiddenError, 'operator-only');
  });

  it('refuses an organisation that is already registered', () => {
    spec
      .given([registered])
      .when((exists) => decideRegisterOrganisation(exists, register(), ctx(OPERATOR)))
      .thenThrows(ConflictError, 'organisation-exists');
  });

  it('refuses a municipality without a kommune code', () => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register({ roles: ['municipality'] }), ctx(OPERATOR)))
      .thenThrows(InvalidCommandError, 'kommune-required');
  });

  it.each<[string, Role[]]>([
    ['a collector', ['collector']],
    ['an operator', ['operator']],
  ])('refuses a kommune code on %s: only a municipality has one', (_who, roles) => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register({ roles, kommuneCode: '0657' }), ctx(OPERATOR)))
      .thenThrows(InvalidCommandError, 'kommune-not-allowed');
  });

  it.each(['0000', '0658', '9999'])('refuses the unknown kommune code %s', (kommuneCode) => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register({ roles: ['municipality'], kommuneCode }), ctx(OPERATOR)))
      .thenThrows(InvalidCommandError, 'unknown-kommune');
  });

  it('refuses a role listed twice', () => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register({ roles: ['sorter', 'recycler', 'sorter'] }), ctx(OPERATOR)))
      .thenThrows(InvalidCommandError, 'duplicate-role');
  });

  it('refuses a time beyond the clock skew, and accepts one within it', () => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register({ occurredAt: '2024-05-01T12:05:00.001Z' }), ctx(OPERATOR)))
      .thenThrows(InvalidCommandError, 'time-in-future');
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register({ occurredAt: '2024-05-01T12:05:00.000Z' }), ctx(OPERATOR)))
      .thenSatisfies((events) => expect(events).toHaveLength(2));
  });
});

describe('decideRegisterOrganisation: the bounds of its input (decision 020)', () => {
  it.each([['a line break', 'Sortering\nA/S'], ['a right-to-left override', 'Sortering \u202eS/A'], ['a pop directional isolate', 'Sortering A/S\u2069']])('refuses a name with %s', (_what, name) => {
    spec.given([]).when((exists) => decideRegisterOrganisation(exists, register({ name }), ctx(OPERATOR))).thenThrows(InvalidCommandError, 'text-not-plain');
  });

  it('refuses a control character in a site address', () => {
    spec
      .given([])
      .when((exists) => decideRegisterOrganisation(exists, register({ sites: [{ name: 'Hal 2', address: 'Industrivej 1\u0000' }] }), ctx(OPERATOR)))
      .thenThrows(InvalidCommandError, 'text-not-plain');
  });

  it('refuses a registration dated before the earliest business time, and accepts one at it', () => {
    spec.given([]).when((exists) => decideRegisterOrganisation(exists, register({ occurredAt: '1999-12-31T23:59:59.999Z' }), ctx(OPERATOR))).thenThrows(InvalidCommandError, 'time-before-earliest');
    spec.given([]).when((exists) => decideRegisterOrganisation(exists, register({ occurredAt: EARLIEST_OCCURRED_AT }), ctx(OPERATOR))).thenSatisfies((events) => expect(events).toHaveLength(2));
  });
});
