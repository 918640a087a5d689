/**
 * Sites (docs/decisions/039-sites-and-ads-export.md): declared, amended and closed as events on the
 * organisation's stream, by the organisation itself or the operator; a P-number once in the
 * ledger; and commands that name a site may name only an open site of the acting organisation.
 */
import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import type { BatchState } from '../batch/batch.state.js';
import { decideCollectBatch, decideReceiveTransfer, decideRecordOutcome } from '../batch/batch.decide.js';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import { parseEvent, type DomainEvent } from '../events.js';
import { evolveBatch } from '../batch/batch.state.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { CollectBatch, ReceiveTransfer } from '../batch/batch.commands.js';
import type { Role } from './organisation.events.js';
import { evolveOrganisation, type OrganisationState, type SiteState } from './organisation.state.js';
import { AmendSite, CloseSite, DeclareSite } from './site.commands.js';
import { assertOpenSiteOfActor, decideAmendSite, decideCloseSite, decideDeclareSite } from './site.decide.js';

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const org = (n: number, roles: Role[], kommuneCode?: string): OrganisationFacts => ({ organisationId: uuid(n), name: `org ${n}`, roles, ...(kommuneCode ? { kommuneCode } : {}) });
const SORTER = org(1, ['sorter', 'collector']);
const RECYCLER = org(2, ['recycler']);
const AUDITOR = org(3, ['auditor']);
const OPERATOR = org(4, ['operator']);
const HERNING = org(5, ['municipality'], '0657');
const HALL = uuid(100);
const DEPOT = uuid(101);
const NOW = new Date('2025-05-01T12:00:00.000Z');
const AT = '2025-05-01T11:00:00.000Z';
const DIRECTORY = new Map([SORTER, RECYCLER, AUDITOR, OPERATOR, HERNING].map((o): [string, OrganisationFacts] => [o.organisationId, o]));
const ctx = (actor: OrganisationFacts, actorSites?: readonly SiteState[]): DecisionContext => ({
  now: NOW,
  actor,
  organisation: (id) => DIRECTORY.get(id),
  policy: DEFAULT_POLICY,
  collectorAuthorised: () => true,
  ...(actorSites ? { actorSites } : {}),
});
const spec = DeciderSpecification.for<OrganisationState | undefined, DomainEvent>({ evolve: evolveOrganisation, initialState: () => undefined });

const registered: DomainEvent = { type: 'OrganisationRegistered', data: { organisationId: SORTER.organisationId, name: 'Sorter', roles: ['sorter', 'collector'], sites: [{ name: 'Old hall' }], occurredAt: AT } };
const declare = (overrides: Partial<z.input<typeof DeclareSite>> = {}): DeclareSite =>
  DeclareSite.parse({ organisationId: SORTER.organisationId, siteId: HALL, name: 'Sorteringshal', address: 'Industrivej 12, 7400 Herning', kommuneCode: '0657', pNumber: '1012345678', occurredAt: AT, ...overrides });
const declared = (siteId = HALL, pNumber: string | undefined = '1012345678'): DomainEvent => ({
  type: 'SiteDeclared',
  data: { organisationId: SORTER.organisationId, siteId, name: 'Sorteringshal', address: 'Industrivej 12, 7400 Herning', kommuneCode: '0657', ...(pNumber ? { pNumber } : {}), declaredBy: SORTER.organisationId, occurredAt: AT },
});
const closed = (siteId = HALL): DomainEvent => ({ type: 'SiteClosed', data: { organisationId: SORTER.organisationId, siteId, closedBy: SORTER.organisationId, reason: 'lease ended', occurredAt: AT } });

describe('DeclareSite', () => {
  it('declares a site with its P-number and position, naming who declared it, as an event its schema accepts', () => {
    spec
      .given([registered])
      .when((state) => decideDeclareSite(state, declare({ latitude: 56.1393, longitude: 8.9738 }), ctx(SORTER)))
      .thenSatisfies((events) => {
        expect(events).toEqual([
          {
            type: 'SiteDeclared',
            data: { organisationId: SORTER.organisationId, siteId: HALL, name: 'Sorteringshal', address: 'Industrivej 12, 7400 Herning', kommuneCode: '0657', pNumber: '1012345678', latitude: 56.1393, longitude: 8.9738, declaredBy: SORTER.organisationId, occurredAt: AT },
          },
        ]);
        for (const { type, data } of events) expect(parseEvent(type, 1, data)).toStrictEqual({ type, data });
      });
  });

  it('lets the operator declare a site for the organisation, and refuses anyone else', () => {
    spec.given([registered]).when((state) => decideDeclareSite(state, declare(), ctx(OPERATOR))).thenSatisfies((events) => expect(events[0]!.data).toMatchObject({ declaredBy: OPERATOR.organisationId }));
    for (const actor of [RECYCLER, AUDITOR, HERNING]) {
      spec.given([registered]).when((state) => decideDeclareSite(state, declare(), ctx(actor))).thenThrows(ForbiddenError, 'not-own-organisation');
    }
  });

  it('refuses an unregistered organisation, a second declaration of one site id, an unknown kommune and half a position', () => {
    spec.given([]).when((state) => decideDeclareSite(state, declare(), ctx(SORTER))).thenThrows(NotFoundError, 'unknown-organisation');
    spec.given([registered, declared()]).when((state) => decideDeclareSite(state, declare({ pNumber: undefined }), ctx(SORTER))).thenThrows(ConflictError, 'site-exists');
    spec.given([registered]).when((state) => decideDeclareSite(state, declare({ kommuneCode: '0001' }), ctx(SORTER))).thenThrows(InvalidCommandError, 'unknown-kommune');
    spec.given([registered]).when((state) => decideDeclareSite(state, declare({ latitude: 56 }), ctx(SORTER))).thenThrows(InvalidCommandError, 'coordinates-incomplete');
  });

  it('refuses a P-number held by another site, its own (from the stream) or another organisation’s (from the read model)', () => {
    spec.given([registered, declared(DEPOT)]).when((state) => decideDeclareSite(state, declare(), ctx(SORTER))).thenThrows(ConflictError, 'p-number-taken');
    spec
      .given([registered])
      .when((state) => decideDeclareSite(state, declare(), ctx(SORTER), { organisationId: RECYCLER.organisationId, siteId: uuid(200) }))
      .thenThrows(ConflictError, 'p-number-taken');
  });

  it('refuses a malformed P-number or a position off the globe as a shape error', () => {
    expect(DeclareSite.safeParse({ ...declare(), pNumber: '12345' }).success).toBe(false);
    expect(DeclareSite.safeParse({ ...declare(), pNumber: '10123456789' }).success).toBe(false);
    expect(DeclareSite.safeParse({ ...declare(), latitude: 91, longitude: 0 }).success).toBe(false);
    expect(DeclareSite.safeParse({ ...declare(), latitude: 0, longitude: -181 }).success).toBe(false);
  });
});

describe('AmendSite and CloseSite', () => {
  const amend = (overrides: Partial<z.input<typeof AmendSite>> = {}): AmendSite =>
    AmendSite.parse({ organisationId: SORTER.organisationId, siteId: HALL, name: 'Sorteringshal Nord', address: 'Industrivej 14, 7400 Herning', kommuneCode: '0657', pNumber: '1012345678', reason: 'renumbered', occurredAt: AT, ...overrides });
  const close = CloseSite.parse({ organisationId: SORTER.organisationId, siteId: HALL, reason: 'lease ended', occurredAt: AT });

  it('amends an open site whole, keeping its own P-number, and folds the new description', () => {
    spec
      .given([registered, declared()])
      .when((state) => decideAmendSite(state, amend(), ctx(SORTER), { organisationId: SORTER.organisationId, siteId: HALL }))
      .thenSatisfies((events) => {
        expect(events[0]).toMatchObject({ type: 'SiteAmended', data: { name: 'Sorteringshal Nord', pNumber: '1012345678', amendedBy: SORTER.organisationId, reason: 'renumbered' } });
        const state = [registered, declared(), ...events].reduce(evolveOrganisation, undefined);
        expect(state?.sites).toEqual([{ siteId: HALL, name: 'Sorteringshal Nord', kommuneCode: '0657', pNumber: '1012345678', open: true }]);
      });
  });

  it('closes an open site once; a closed or unknown site cannot be amended or closed', () => {
    spec.given([registered, declared()]).when((state) => decideCloseSite(state, close, ctx(SORTER))).thenSatisfies((events) => expect(events[0]!.type).toBe('SiteClosed'));
    spec.given([registered, declared(), closed()]).when((state) => decideCloseSite(state, close, ctx(SORTER))).thenThrows(ConflictError, 'site-closed');
    spec.given([registered, declared(), closed()]).when((state) => decideAmendSite(state, amend(), ctx(SORTER))).thenThrows(ConflictError, 'site-closed');
    spec.given([registered]).when((state) => decideCloseSite(state, close, ctx(SORTER))).thenThrows(NotFoundError, 'unknown-site');
    spec.given([registered, declared()]).when((state) => decideCloseSite(state, close, ctx(RECYCLER))).thenThrows(ForbiddenError, 'not-own-organisation');
  });

  it('keeps sites named in the registration out of the state: they have no id a command could name', () => {
    expect([registered].reduce(evolveOrganisation, undefined)?.sites).toEqual([]);
  });
});

describe('a command that names a site', () => {
  const sites = [registered, declared(), declared(DEPOT, undefined), closed(DEPOT)].reduce(evolveOrganisation, undefined)!.sites;
  const batchSpec = DeciderSpecification.for<BatchState | undefined, DomainEvent>({ evolve: (s, e) => evolveBatch(s, e, { eventId: 'e' }), initialState: () => undefined });
  const collect = (siteId?: string): CollectBatch =>
    CollectBatch.parse({ batchId: uuid(300), kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 10', massGrams: 1_000, occurredAt: AT, collectorOrgId: SORTER.organisationId, ...(siteId ? { siteId, measurement: 'estimated' } : {}) });

  it('carries an open site of the acting organisation, and the measurement method, into the event', () => {
    batchSpec
      .given([])
      .when((state) => decideCollectBatch(state, collect(HALL), ctx(SORTER, sites)))
      .thenSatisfies((events) => expect(events[0]!.data).toMatchObject({ siteId: HALL, measurement: 'estimated' }));
  });

  it('refuses, with a 422 naming the site, a closed site, another organisation’s or an unknown one, and any site when the context holds none', () => {
    const err = batchSpec.given([]).when((state) => decideCollectBatch(state, collect(DEPOT), ctx(SORTER, sites))).thenThrows(InvalidCommandError, 'site-closed');
    expect(err.details).toEqual({ siteId: DEPOT });
    batchSpec.given([]).when((state) => decideCollectBatch(state, collect(uuid(999)), ctx(SORTER, sites))).thenThrows(InvalidCommandError, 'unknown-site');
    batchSpec.given([]).when((state) => decideCollectBatch(state, collect(HALL), ctx(SORTER))).thenThrows(InvalidCommandError, 'unknown-site');
    expect(() => assertOpenSiteOfActor(HALL, ctx(RECYCLER, []))).toThrow(InvalidCommandError);
  });

  it('refuses a site on a collection the municipality records for another collector: the site is the holder’s', () => {
    batchSpec
      .given([])
      .when((state) => decideCollectBatch(state, collect(HALL), ctx(HERNING, sites)))
      .thenThrows(InvalidCommandError, 'site-not-of-collector');
  });

  it('checks the site of a receipt and of an outcome the same way', () => {
    const batch = uuid(301);
    const inTransit: DomainEvent[] = [
      { type: 'BatchCollected', data: { batchId: batch, kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 10', massGrams: 1_000, occurredAt: AT, collectorOrgId: RECYCLER.organisationId, programmeTags: [] } },
      { type: 'CustodyTransferDispatched', data: { batchId: batch, transferId: uuid(302), fromOrgId: RECYCLER.organisationId, toOrgId: SORTER.organisationId, massGrams: 1_000, ownershipTransferred: true, occurredAt: AT } },
    ];
    const receive = (siteId: string): ReceiveTransfer => ReceiveTransfer.parse({ batchId: batch, receivedMassGrams: 990, occurredAt: AT, siteId, measurement: 'weighed' });
    batchSpec.given(inTransit).when((state) => decideReceiveTransfer(state, receive(HALL), ctx(SORTER, sites))).thenSatisfies((events) => expect(events[0]!.data).toMatchObject({ siteId: HALL, measurement: 'weighed' }));
    batchSpec.given(inTransit).when((state) => decideReceiveTransfer(state, receive(DEPOT), ctx(SORTER, sites))).thenThrows(InvalidCommandError, 'site-closed');
    batchSpec
      .given([inTransit[0]!])
      .when((state) => decideRecordOutcome(state, { outcome: 'landfilled', batchId: batch, occurredAt: AT, siteId: HALL }, ctx(RECYCLER, [])))
      .thenThrows(InvalidCommandError, 'unknown-site');
  });
});
