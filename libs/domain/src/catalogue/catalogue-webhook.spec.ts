/**
 * An organisation's catalogue webhook (docs/decisions/046-symbiosis-catalogue.md, "Webhooks"): who
 * registers and removes it, which URLs, and that a new registration replaces the old.
 */
import { describe, it } from '@jest/globals';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { decideRegisterCatalogueWebhook, decideRemoveCatalogueWebhook, evolveCatalogueWebhook, type CatalogueWebhookState } from './catalogue-webhook.js';

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const OPERATOR: OrganisationFacts = { organisationId: uuid(10), name: 'operator', roles: ['operator'] };
const SPINNER: OrganisationFacts = { organisationId: uuid(20), name: 'Spinderi Nord', roles: ['manufacturer'] };
const OTHER: OrganisationFacts = { organisationId: uuid(30), name: 'Genfiber', roles: ['recycler'] };
const NOW = new Date('2026-05-01T12:00:00.000Z');
const AT = '2026-05-01T11:00:00.000Z';
const ctx = (actor: OrganisationFacts): DecisionContext => ({ now: NOW, actor, organisation: () => undefined, policy: DEFAULT_POLICY });
const spec = DeciderSpecification.for<CatalogueWebhookState | undefined, DomainEvent>({ evolve: evolveCatalogueWebhook, initialState: () => undefined });

const register = (url = 'https://erp.spinderi-nord.dk/hooks/ledger', registrationId = uuid(1)) => ({ organisationId: SPINNER.organisationId, registrationId, url, occurredAt: AT });
const registered = (registrationId = uuid(1)): DomainEvent => ({
  type: 'CatalogueWebhookRegistered',
  data: { organisationId: SPINNER.organisationId, registrationId, url: 'https://erp.spinderi-nord.dk/hooks/ledger', registeredBy: SPINNER.organisationId, occurredAt: AT },
});

describe('registering a catalogue webhook', () => {
  it('given none, when the organisation registers an https URL, then it is registered, naming who registered it and no secret', () => {
    spec.given([]).when((state) => decideRegisterCatalogueWebhook(state, register(), ctx(SPINNER))).then([registered()]);
  });

  it('given one, when registered again, then the new registration (a new id, so a new secret) replaces it', () => {
    spec
      .given([registered()])
      .when((state) => decideRegisterCatalogueWebhook(state, register('https://erp.spinderi-nord.dk/v2', uuid(2)), ctx(OPERATOR)))
      .then([{ type: 'CatalogueWebhookRegistered', data: { organisationId: SPINNER.organisationId, registrationId: uuid(2), url: 'https://erp.spinderi-nord.dk/v2', registeredBy: OPERATOR.organisationId, occurredAt: AT } }]);
  });

  it('given another organisation, when it registers for the spinner, then refused', () => {
    spec.given([]).when((state) => decideRegisterCatalogueWebhook(state, register(), ctx(OTHER))).thenThrows(ForbiddenError, 'not-webhook-owner');
  });

  it.each(['ftp://example.com/hook', 'not a url', 'https://user:pw@example.com/hook', 'file:///etc/passwd'])('given %s, then refused as invalid-webhook-url', (url) => {
    spec.given([]).when((state) => decideRegisterCatalogueWebhook(state, register(url), ctx(SPINNER))).thenThrows(InvalidCommandError, 'invalid-webhook-url');
  });
});

describe('removing a catalogue webhook', () => {
  it('given one, when the organisation removes it, then removed, naming the registration', () => {
    spec
      .given([registered()])
      .when((state) => decideRemoveCatalogueWebhook(state, { organisationId: SPINNER.organisationId, occurredAt: AT }, ctx(SPINNER)))
      .then([{ type: 'CatalogueWebhookRemoved', data: { organisationId: SPINNER.organisationId, registrationId: uuid(1), removedBy: SPINNER.organisationId, occurredAt: AT } }]);
  });

  it('given none, or one already removed, or another organisation, then refused', () => {
    const remove = { organisationId: SPINNER.organisationId, occurredAt: AT };
    spec.given([]).when((state) => decideRemoveCatalogueWebhook(state, remove, ctx(SPINNER))).thenThrows(NotFoundError, 'unknown-webhook');
    spec
      .given([registered(), { type: 'CatalogueWebhookRemoved', data: { organisationId: SPINNER.organisationId, registrationId: uuid(1), removedBy: SPINNER.organisationId, occurredAt: AT } }])
      .when((state) => decideRemoveCatalogueWebhook(state, remove, ctx(SPINNER)))
      .thenThrows(ConflictError, 'webhook-already-removed');
    spec.given([registered()]).when((state) => decideRemoveCatalogueWebhook(state, remove, ctx(OTHER))).thenThrows(ForbiddenError, 'not-webhook-owner');
  });
});
