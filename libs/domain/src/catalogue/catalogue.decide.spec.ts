/**
 * The catalogue's decisions (docs/decisions/046-symbiosis-catalogue.md): a batch is offered by its
 * holder while available, once; a buyer asks; the holder accepts, which reserves the batch (once,
 * on the batch's listing stream); a receipt by anyone ends the offer and spends the reservation.
 */
import { describe, expect, it } from '@jest/globals';
import type { BatchState } from '../batch/batch.state.js';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import type { Role } from '../organisation/organisation.events.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import type { OfferBatchCommand, PublishWantCommand } from './catalogue.commands.js';
import {
  decideAcceptRequest,
  decideCancelDeal,
  decideDeclineRequest,
  decideOfferBatch,
  decideOfferStream,
  decidePublishWant,
  decideRequestOffer,
  decideWithdrawOffer,
  decideWithdrawWant,
  isLive,
  type CatalogueBatch,
} from './catalogue.decide.js';
import { evolveListing, evolveWant, type ListingState, type WantState } from './catalogue.state.js';

const uuid = (n: number): string => `0190c000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const org = (n: number, roles: Role[]): OrganisationFacts => ({ organisationId: uuid(n), name: `org ${n}`, roles });
const LAUNDRY = org(1, ['sorter']);
const RECYCLER = org(2, ['recycler']);
const SPINNER = org(3, ['manufacturer']);
const AUDITOR = org(4, ['auditor']);
const BATCH = uuid(100);
const OFFER = uuid(200);
const REQUEST = uuid(300);
const OTHER_REQUEST = uuid(301);
const NOW = new Date('2025-08-01T12:00:00.000Z');
const AT = '2025-03-01T10:00:00.000Z';
const ctx = (actor: OrganisationFacts): DecisionContext => ({ now: NOW, actor, organisation: () => undefined, policy: DEFAULT_POLICY });
const spec = DeciderSpecification.for<ListingState | undefined, DomainEvent>({ evolve: evolveListing, initialState: () => undefined });
const wantSpec = DeciderSpecification.for<WantState | undefined, DomainEvent>({ evolve: evolveWant, initialState: () => undefined });

const batchState = (overrides: Partial<BatchState> = {}): BatchState => ({
  batchId: BATCH,
  origin: { kind: 'residual', originClass: 'pre-consumer' },
  massGrams: 2_000_000,
  grade: 'unsorted',
  composition: [{ fibre: 'cotton', share: 8_000 }, { fibre: 'polyester', share: 2_000 }],
  custodianOrgId: LAUNDRY.organisationId,
  ownerOrgId: LAUNDRY.organisationId,
  status: 'available',
  massEventId: 'e1',
  massFromOrigin: true,
  anomalies: 0,
  programmeTags: [],
  ...overrides,
});
const held: CatalogueBatch = { state: batchState(), receipts: 0 };
const location = { kommuneCode: '0657' };
const visibility = { audience: { kind: 'everyone' as const }, disclosure: { name: true, mass: 'exact' as const, location: 'kommune' as const } };
const offerCommand: OfferBatchCommand = { offerId: OFFER, batchId: BATCH, title: 'Hospital linen, cotton-rich', ewcCode: '20 01 11', location, availableFrom: AT, visibility, occurredAt: AT };

const offered: DomainEvent = {
  type: 'CatalogueBatchOffered',
  data: {
    offerId: OFFER,
    batchId: BATCH,
    holderOrgId: LAUNDRY.organisationId,
    title: 'Hospital linen, cotton-rich',
    grade: 'unsorted',
    composition: [{ fibre: 'cotton', share: 8_000 }, { fibre: 'polyester', share: 2_000 }],
    ewcCode: '20 01 11',
    massGrams: 2_000_000,
    batchReceipts: 0,
    location,
    availableFrom: AT,
    availableUntil: '2025-06-30T00:00:00.000Z',
    visibility,
    occurredAt: AT,
  },
};
const requested = (requestId: string, buyer: OrganisationFacts): DomainEvent => ({
  type: 'CatalogueOfferRequested',
  data: { requestId, offerId: OFFER, batchId: BATCH, holderOrgId: LAUNDRY.organisationId, buyerOrgId: buyer.organisationId, occurredAt: AT },
});
const accepted: DomainEvent = {
  type: 'CatalogueRequestAccepted',
  data: { requestId: REQUEST, offerId: OFFER, batchId: BATCH, holderOrgId: LAUNDRY.organisationId, buyerOrgId: RECYCLER.organisationId, batchReceipts: 0, occurredAt: AT },
};

describe('offering a batch', () => {
  it('given an available batch its holder holds, when the holder offers it, then the offer records the batch’s grade, composition and grams', () => {
    spec
      .given([])
      .when((state) => decideOfferBatch(state, held, offerCommand, ctx(LAUNDRY)))
      .thenSatisfies((events) => expect(events[0]).toMatchObject({ type: 'CatalogueBatchOffered', data: { holderOrgId: LAUNDRY.organisationId, massGrams: 2_000_000, grade: 'unsorted', batchReceipts: 0 } }));
  });
  it('is refused to an organisation that does not hold the batch, to auditors, and for a batch that is not available', () => {
    spec.given([]).when((state) => decideOfferBatch(state, held, offerCommand, ctx(RECYCLER))).thenThrows(ForbiddenError, 'not-custodian');
    spec.given([]).when((state) => decideOfferBatch(state, held, offerCommand, ctx(AUDITOR))).thenThrows(ForbiddenError, 'role-not-permitted');
    for (const status of ['consumed', 'in-transit', 'closed'] as const) {
      spec.given([]).when((state) => decideOfferBatch(state, { state: batchState({ status }), receipts: 0 }, offerCommand, ctx(LAUNDRY))).thenThrows(ConflictError, 'batch-not-available');
    }
    spec.given([]).when((state) => decideOfferBatch(state, { state: undefined, receipts: 0 }, offerCommand, ctx(LAUNDRY))).thenThrows(NotFoundError, 'unknown-batch');
  });
  it('is refused while the batch is already on offer, or reserved; a withdrawn offer leaves it free to offer again', () => {
    const again = { ...offerCommand, offerId: uuid(201) };
    spec.given([offered]).when((state) => decideOfferBatch(state, held, again, ctx(LAUNDRY))).thenThrows(ConflictError, 'batch-already-offered');
    const withdrawn: DomainEvent = { type: 'CatalogueOfferWithdrawn', data: { offerId: OFFER, batchId: BATCH, occurredAt: AT } };
    spec.given([offered, withdrawn]).when((state) => decideOfferBatch(state, held, again, ctx(LAUNDRY))).thenSatisfies((events) => expect(events).toHaveLength(1));
    spec.given([offered, requested(REQUEST, RECYCLER), accepted, withdrawn]).when((state) => decideOfferBatch(state, held, again, ctx(LAUNDRY))).thenThrows(ConflictError, 'batch-reserved');
  });
  it('is refused in an unknown kommune, and with an availability that ends before it starts', () => {
    spec.given([]).when((state) => decideOfferBatch(state, held, { ...offerCommand, location: { kommuneCode: '9999' } }, ctx(LAUNDRY))).thenThrows(InvalidCommandError, 'unknown-kommune');
    spec
      .given([])
      .when((state) => decideOfferBatch(state, held, { ...offerCommand, availableUntil: '2025-02-01T00:00:00Z' }, ctx(LAUNDRY)))
      .thenThrows(InvalidCommandError, 'availability-ends-before-it-starts');
  });
  it('once the batch changed hands (a receipt), the old offer is no longer live and the new holder may offer it', () => {
    const moved: CatalogueBatch = { state: batchState({ custodianOrgId: RECYCLER.organisationId }), receipts: 1 };
    const listing = evolveListing(undefined, offered)!;
    expect(isLive(listing.offers[OFFER]!, held)).toBe(true);
    expect(isLive(listing.offers[OFFER]!, moved)).toBe(false);
    spec.given([offered, requested(REQUEST, RECYCLER), accepted]).when((state) => decideOfferBatch(state, moved, { ...offerCommand, offerId: uuid(202) }, ctx(RECYCLER))).thenSatisfies((events) => expect(events).toHaveLength(1));
  });
});

describe('a recurring stream', () => {
  it('is offered with a mass per period and needs no batch', () => {
    spec
      .given([])
      .when((state) =>
        decideOfferStream(state, { ...offerCommand, grade: 'recycling', composition: [{ fibre: 'cotton', share: 10_000 }], period: 'month', massGramsPerPeriod: 2_000_000 }, ctx(LAUNDRY)),
      )
      .thenSatisfies((events) => expect(events[0]).toMatchObject({ type: 'CatalogueStreamOffered', data: { period: 'month', massGramsPerPeriod: 2_000_000 } }));
  });
});

describe('requests and the reservation', () => {
  const request = { requestId: REQUEST, offerId: OFFER, occurredAt: AT };
  it('a buyer asks once; the holder may not ask for its own offer; an expired offer takes no request', () => {
    spec.given([offered]).when((state) => decideRequestOffer(state, held, request, ctx(RECYCLER))).then([requested(REQUEST, RECYCLER)]);
    spec.given([offered, requested(REQUEST, RECYCLER)]).when((state) => decideRequestOffer(state, held, { ...request, requestId: OTHER_REQUEST }, ctx(RECYCLER))).thenThrows(ConflictError, 'request-pending');
    spec.given([offered]).when((state) => decideRequestOffer(state, held, request, ctx(LAUNDRY))).thenThrows(InvalidCommandError, 'own-offer');
    spec.given([offered]).when((state) => decideRequestOffer(state, held, { ...request, occurredAt: '2025-07-01T00:00:00Z' }, ctx(RECYCLER))).thenThrows(ConflictError, 'offer-expired');
    spec.given([]).when((state) => decideRequestOffer(state, held, request, ctx(RECYCLER))).thenThrows(NotFoundError, 'unknown-offer');
  });
  it('the holder accepts: the batch is reserved for that buyer', () => {
    spec.given([offered, requested(REQUEST, RECYCLER)]).when((state) => decideAcceptRequest(state, held, { requestId: REQUEST, occurredAt: AT }, ctx(LAUNDRY))).then([accepted]);
  });
  it('a second acceptance, of any request, finds the batch reserved: promised once', () => {
    spec
      .given([offered, requested(REQUEST, RECYCLER), requested(OTHER_REQUEST, SPINNER), accepted])
      .when((state) => decideAcceptRequest(state, held, { requestId: OTHER_REQUEST, occurredAt: AT }, ctx(LAUNDRY)))
      .thenThrows(ConflictError, 'batch-reserved');
    spec.given([offered, requested(REQUEST, RECYCLER), accepted]).when((state) => decideAcceptRequest(state, held, { requestId: REQUEST, occurredAt: AT }, ctx(LAUNDRY))).thenThrows(ConflictError, 'request-not-pending');
  });
  it('only the holder accepts or declines; a batch consumed, shipped or closed is not reserved', () => {
    spec.given([offered, requested(REQUEST, RECYCLER)]).when((state) => decideAcceptRequest(state, held, { requestId: REQUEST, occurredAt: AT }, ctx(RECYCLER))).thenThrows(ForbiddenError, 'not-offer-holder');
    spec.given([offered, requested(REQUEST, RECYCLER)]).when((state) => decideDeclineRequest(state, { requestId: REQUEST, occurredAt: AT }, ctx(SPINNER))).thenThrows(ForbiddenError, 'not-offer-holder');
    for (const status of ['consumed', 'in-transit', 'closed'] as const) {
      spec
        .given([offered, requested(REQUEST, RECYCLER)])
        .when((state) => decideAcceptRequest(state, { state: batchState({ status }), receipts: 0 }, { requestId: REQUEST, occurredAt: AT }, ctx(LAUNDRY)))
        .thenThrows(ConflictError, 'batch-not-available');
    }
  });
  it('a declined request cannot be accepted; a withdrawn offer takes no acceptance', () => {
    const declined: DomainEvent = { type: 'CatalogueRequestDeclined', data: { requestId: REQUEST, offerId: OFFER, occurredAt: AT } };
    spec.given([offered, requested(REQUEST, RECYCLER), declined]).when((state) => decideAcceptRequest(state, held, { requestId: REQUEST, occurredAt: AT }, ctx(LAUNDRY))).thenThrows(ConflictError, 'request-not-pending');
    const withdrawn: DomainEvent = { type: 'CatalogueOfferWithdrawn', data: { offerId: OFFER, batchId: BATCH, occurredAt: AT } };
    spec.given([offered, requested(REQUEST, RECYCLER), withdrawn]).when((state) => decideAcceptRequest(state, held, { requestId: REQUEST, occurredAt: AT }, ctx(LAUNDRY))).thenThrows(ConflictError, 'offer-not-open');
  });
  it('a reserved offer is not withdrawn; cancelling the deal frees the batch for another request', () => {
    spec.given([offered, requested(REQUEST, RECYCLER), accepted]).when((state) => decideWithdrawOffer(state, held, { offerId: OFFER, occurredAt: AT }, ctx(LAUNDRY))).thenThrows(ConflictError, 'offer-reserved');
    const cancelled: DomainEvent = { type: 'CatalogueDealCancelled', data: { requestId: REQUEST, offerId: OFFER, batchId: BATCH, cancelledBy: RECYCLER.organisationId, reason: 'Plans changed', occurredAt: AT } };
    spec.given([offered, requested(REQUEST, RECYCLER), accepted]).when((state) => decideCancelDeal(state, held, { requestId: REQUEST, reason: 'Plans changed', occurredAt: AT }, ctx(RECYCLER))).then([cancelled]);
    spec
      .given([offered, requested(REQUEST, RECYCLER), requested(OTHER_REQUEST, SPINNER), accepted, cancelled])
      .when((state) => decideAcceptRequest(state, held, { requestId: OTHER_REQUEST, occurredAt: AT }, ctx(LAUNDRY)))
      .thenSatisfies((events) => expect(events[0]).toMatchObject({ type: 'CatalogueRequestAccepted', data: { buyerOrgId: SPINNER.organisationId } }));
  });
  it('a deal is cancelled by its parties only, and not while the batch is on its way to the buyer', () => {
    spec.given([offered, requested(REQUEST, RECYCLER), accepted]).when((state) => decideCancelDeal(state, held, { requestId: REQUEST, reason: 'x', occurredAt: AT }, ctx(SPINNER))).thenThrows(ForbiddenError, 'not-party-to-deal');
    const shipping: CatalogueBatch = {
      state: batchState({ status: 'in-transit', pendingTransfer: { transferId: uuid(400), fromOrgId: LAUNDRY.organisationId, toOrgId: RECYCLER.organisationId, massGrams: 2_000_000, ownershipTransferred: true } }),
      receipts: 0,
    };
    spec.given([offered, requested(REQUEST, RECYCLER), accepted]).when((state) => decideCancelDeal(state, shipping, { requestId: REQUEST, reason: 'x', occurredAt: AT }, ctx(LAUNDRY))).thenThrows(ConflictError, 'deal-in-transit');
    const received: CatalogueBatch = { state: batchState({ custodianOrgId: RECYCLER.organisationId }), receipts: 1 };
    spec.given([offered, requested(REQUEST, RECYCLER), accepted]).when((state) => decideCancelDeal(state, received, { requestId: REQUEST, reason: 'x', occurredAt: AT }, ctx(LAUNDRY))).thenThrows(ConflictError, 'deal-not-open');
  });
});

describe('wants', () => {
  const want: PublishWantCommand = {
    wantId: uuid(500),
    title: 'Cotton for spinning',
    fibres: [{ fibre: 'cotton', minShare: 7_000 }],
    grades: [],
    ewcCodes: [],
    minGrams: 500_000,
    location: { kommuneCode: '0661' },
    visibility,
    occurredAt: AT,
  };
  it('are published by an organisation handling material, with a mass range that is not empty', () => {
    wantSpec.given([]).when((state) => decidePublishWant(state, want, ctx(SPINNER))).thenSatisfies((events) => expect(events[0]).toMatchObject({ type: 'CatalogueWantPublished', data: { buyerOrgId: SPINNER.organisationId } }));
    wantSpec.given([]).when((state) => decidePublishWant(state, { ...want, maxGrams: 100 }, ctx(SPINNER))).thenThrows(InvalidCommandError, 'mass-range-empty');
    wantSpec.given([]).when((state) => decidePublishWant(state, { ...want, fibres: [{ fibre: 'cotton', minShare: 7_000 }, { fibre: 'wool', minShare: 4_000 }] }, ctx(SPINNER))).thenThrows(InvalidCommandError, 'fibre-shares-exceed-whole');
    wantSpec.given([]).when((state) => decidePublishWant(state, want, ctx(AUDITOR))).thenThrows(ForbiddenError, 'role-not-permitted');
  });
  it('are withdrawn by their own organisation, once', () => {
    const published = decidePublishWant(undefined, want, ctx(SPINNER))[0]!;
    wantSpec.given([published]).when((state) => decideWithdrawWant(state, { wantId: want.wantId, occurredAt: AT }, ctx(RECYCLER))).thenThrows(ForbiddenError, 'not-want-owner');
    const withdrawn = decideWithdrawWant(evolveWant(undefined, published), { wantId: want.wantId, occurredAt: AT }, ctx(SPINNER))[0]!;
    wantSpec.given([published, withdrawn]).when((state) => decideWithdrawWant(state, { wantId: want.wantId, occurredAt: AT }, ctx(SPINNER))).thenThrows(ConflictError, 'want-not-open');
  });
});
