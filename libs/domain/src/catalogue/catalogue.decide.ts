import type { DomainEvent } from '../events.js';
import type { BatchState } from '../batch/batch.state.js';
import { assertAvailable, assertCustodian, requireBatch } from '../batch/batch.decide.js';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import { assertOpenSiteOfActor } from '../organisation/site.decide.js';
import { isKnownKommune } from '../reference/reference.js';
import { assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, assertHandlesMaterial, type DecisionContext } from '../shared/decision-context.js';
import type {
  AcceptRequestCommand,
  CancelDealCommand,
  DeclineRequestCommand,
  OfferBatchCommand,
  OfferStreamCommand,
  PublishWantCommand,
  RequestOfferCommand,
  WithdrawOfferCommand,
  WithdrawWantCommand,
} from './catalogue.commands.js';
import type { CatalogueLocation } from './catalogue.events.js';
import { EMPTY_LISTING, type ListingState, type OfferState, type RequestState, type ReservationState, type WantState } from './catalogue.state.js';

/**
 * The batch as the catalogue needs it: its state, and how many receipts its stream holds (a receipt
 * is a change of hands, which ends an offer and spends a reservation made before it).
 */
export interface CatalogueBatch {
  readonly state: BatchState | undefined;
  readonly receipts: number;
}

/** An open offer whose batch has not changed hands since it was made. */
export function isLive(offer: OfferState, batch: CatalogueBatch | undefined): boolean {
  if (offer.status !== 'open') return false;
  if (offer.batchId === undefined) return true;
  return batch?.state?.custodianOrgId === offer.holderOrgId && batch.receipts === offer.batchReceipts;
}

/** The reservation still binding the batch: the batch has not changed hands since it was made. */
export function activeReservation(listing: ListingState, batch: CatalogueBatch | undefined): ReservationState | undefined {
  const reservation = listing.reservation;
  if (!reservation || batch === undefined) return undefined;
  return batch.receipts === reservation.batchReceipts && batch.state?.custodianOrgId === reservation.holderOrgId ? reservation : undefined;
}

/** Expiry is a rule against the command's own business time (the domain has no clock); read models apply it against now. */
export function isExpiredAt(availableUntil: string | undefined, at: string): boolean {
  return availableUntil !== undefined && Date.parse(at) > Date.parse(availableUntil);
}

function assertLocation(location: CatalogueLocation, ctx: DecisionContext): void {
  assertOpenSiteOfActor(location.siteId, ctx);
  if (!isKnownKommune(location.kommuneCode)) {
    throw new InvalidCommandError('unknown-kommune', `kommune code ${location.kommuneCode} is not one of the 98 Danish municipalities`, { kommuneCode: location.kommuneCode });
  }
}

function assertAvailability(from: string, until: string | undefined): void {
  if (until !== undefined && Date.parse(until) <= Date.parse(from)) {
    throw new InvalidCommandError('availability-ends-before-it-starts', `availableUntil ${until} must lie after availableFrom ${from}`, { availableFrom: from, availableUntil: until });
  }
}

function assertNewOffer(listing: ListingState, offerId: string): void {
  if (listing.offers[offerId]) throw new ConflictError('offer-exists', `offer ${offerId} already exists`, { offerId });
}

export function decideOfferBatch(listing: ListingState | undefined, batch: CatalogueBatch, command: OfferBatchCommand, ctx: DecisionContext): DomainEvent[] {
  const state = listing ?? EMPTY_LISTING;
  assertHandlesMaterial(ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  const current = requireBatch(batch.state, command.batchId);
  assertCustodian(current, ctx);
  assertAvailable(current);
  assertNewOffer(state, command.offerId);
  const live = Object.values(state.offers).find((o) => isLive(o, batch));
  if (live) throw new ConflictError('batch-already-offered', `batch ${command.batchId} is already on offer (offer ${live.offerId}); withdraw it first`, { batchId: command.batchId, offerId: live.offerId });
  const reserved = activeReservation(state, batch);
  if (reserved) throw new ConflictError('batch-reserved', `batch ${command.batchId} is reserved for another organisation`, { batchId: command.batchId });
  assertLocation(command.location, ctx);
  assertAvailability(command.availableFrom, command.availableUntil);
  const { offerId, batchId, title, ewcCode, location, availableFrom, availableUntil, terms, visibility, occurredAt } = command;
  return [
    {
      type: 'CatalogueBatchOffered',
      data: {
        offerId,
        batchId,
        holderOrgId: ctx.actor.organisationId,
        title,
        grade: current.grade,
        composition: current.composition,
        ewcCode,
        massGrams: current.massGrams,
        batchReceipts: batch.receipts,
        location,
        availableFrom,
        ...(availableUntil !== undefined ? { availableUntil } : {}),
        ...(terms !== undefined ? { terms } : {}),
        visibility,
        occurredAt,
      },
    },
  ];
}

export function decideOfferStream(listing: ListingState | undefined, command: OfferStreamCommand, ctx: DecisionContext): DomainEvent[] {
  assertHandlesMaterial(ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertNewOffer(listing ?? EMPTY_LISTING, command.offerId);
  assertLocation(command.location, ctx);
  assertAvailability(command.availableFrom, command.availableUntil);
  const { offerId, title, grade, composition, ewcCode, period, massGramsPerPeriod, location, availableFrom, availableUntil, terms, visibility, occurredAt } = command;
  return [
    {
      type: 'CatalogueStreamOffered',
      data: {
        offerId,
        holderOrgId: ctx.actor.organisationId,
        title,
        grade,
        composition,
        ewcCode,
        period,
        massGramsPerPeriod,
        location,
        availableFrom,
        ...(availableUntil !== undefined ? { availableUntil } : {}),
        ...(terms !== undefined ? { terms } : {}),
        visibility,
        occurredAt,
      },
    },
  ];
}

function requireOffer(listing: ListingState | undefined, offerId: string): OfferState {
  const offer = listing?.offers[offerId];
  if (!offer) throw new NotFoundError('unknown-offer', `offer ${offerId} does not exist, or is not visible to your organisation`, { offerId });
  return offer;
}

function requireRequest(listing: ListingState | undefined, requestId: string): RequestState {
  const request = listing?.requests[requestId];
  if (!request) throw new NotFoundError('unknown-request', `request ${requestId} does not exist, or is not visible to your organisation`, { requestId });
  return request;
}

function assertHolder(offer: OfferState, ctx: DecisionContext): void {
  if (offer.holderOrgId !== ctx.actor.organisationId) {
    throw new ForbiddenError('not-offer-holder', `only the organisation that made offer ${offer.offerId} may do this`, { offerId: offer.offerId });
  }
}

function assertLive(offer: OfferState, batch: CatalogueBatch | undefined): void {
  if (!isLive(offer, batch)) {
    throw new ConflictError('offer-not-open', `offer ${offer.offerId} is no longer open: withdrawn, or its batch changed hands`, { offerId: offer.offerId });
  }
}

function assertNotExpired(offer: OfferState, at: string): void {
  if (isExpiredAt(offer.availableUntil, at)) {
    throw new ConflictError('offer-expired', `offer ${offer.offerId} was available until ${offer.availableUntil}`, { offerId: offer.offerId, availableUntil: offer.availableUntil });
  }
}

export function decideWithdrawOffer(listing: ListingState | undefined, batch: CatalogueBatch | undefined, command: WithdrawOfferCommand, ctx: DecisionContext): DomainEvent[] {
  const offer = requireOffer(listing, command.offerId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertHolder(offer, ctx);
  if (offer.status !== 'open') throw new ConflictError('offer-not-open', `offer ${offer.offerId} is already withdrawn`, { offerId: offer.offerId });
  const reserved = activeReservation(listing!, batch);
  if (reserved && reserved.offerId === offer.offerId) {
    throw new ConflictError('offer-reserved', `offer ${offer.offerId} is reserved for a buyer: cancel the deal first`, { offerId: offer.offerId, requestId: reserved.requestId });
  }
  return [
    {
      type: 'CatalogueOfferWithdrawn',
      data: { offerId: offer.offerId, ...(offer.batchId !== undefined ? { batchId: offer.batchId } : {}), ...(command.reason !== undefined ? { reason: command.reason } : {}), occurredAt: command.occurredAt },
    },
  ];
}

export function decideRequestOffer(listing: ListingState | undefined, batch: CatalogueBatch | undefined, command: RequestOfferCommand, ctx: DecisionContext): DomainEvent[] {
  const offer = requireOffer(listing, command.offerId);
  assertHandlesMaterial(ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  if (listing!.requests[command.requestId]) throw new ConflictError('request-exists', `request ${command.requestId} already exists`, { requestId: command.requestId });
  const buyer = ctx.actor.organisationId;
  if (offer.holderOrgId === buyer) throw new InvalidCommandError('own-offer', `organisation ${buyer} made offer ${offer.offerId} itself`, { offerId: offer.offerId });
  assertLive(offer, batch);
  assertNotExpired(offer, command.occurredAt);
  if (offer.batchId !== undefined && activeReservation(listing!, batch)) {
    throw new ConflictError('batch-reserved', `the batch of offer ${offer.offerId} is reserved for another organisation`, { offerId: offer.offerId });
  }
  const pending = Object.values(listing!.requests).find((r) => r.offerId === offer.offerId && r.buyerOrgId === buyer && r.status === 'pending');
  if (pending) throw new ConflictError('request-pending', `organisation ${buyer} already asked for offer ${offer.offerId} (request ${pending.requestId})`, { requestId: pending.requestId });
  return [
    {
      type: 'CatalogueOfferRequested',
      data: {
        requestId: command.requestId,
        offerId: offer.offerId,
        ...(offer.batchId !== undefined ? { batchId: offer.batchId } : {}),
        holderOrgId: offer.holderOrgId,
        buyerOrgId: buyer,
        ...(command.message !== undefined ? { message: command.message } : {}),
        occurredAt: command.occurredAt,
      },
    },
  ];
}

function assertPending(request: RequestState): void {
  if (request.status !== 'pending') {
    throw new ConflictError('request-not-pending', `request ${request.requestId} is ${request.status}, not pending`, { requestId: request.requestId, requestStatus: request.status });
  }
}

/**
 * The holder accepts a request. For a batch this is the reservation: decided on the batch's listing
 * stream, so of any number of concurrent acceptances exactly one is appended; the others, decided
 * again on the fresh stream, find the batch reserved.
 */
export function decideAcceptRequest(listing: ListingState | undefined, batch: CatalogueBatch | undefined, command: AcceptRequestCommand, ctx: DecisionContext): DomainEvent[] {
  const request = requireRequest(listing, command.requestId);
  const offer = requireOffer(listing, request.offerId);
  assertBusinessTime(command.occurredAt, ctx);
  assertHolder(offer, ctx);
  assertPending(request);
  if (offer.batchId !== undefined) {
    const reserved = activeReservation(listing!, batch);
    if (reserved) throw new ConflictError('batch-reserved', `batch ${offer.batchId} is already reserved (request ${reserved.requestId})`, { batchId: offer.batchId, requestId: reserved.requestId });
  }
  assertLive(offer, batch);
  if (offer.batchId !== undefined) assertAvailable(requireBatch(batch?.state, offer.batchId));
  assertNotExpired(offer, command.occurredAt);
  return [
    {
      type: 'CatalogueRequestAccepted',
      data: {
        requestId: request.requestId,
        offerId: offer.offerId,
        ...(offer.batchId !== undefined ? { batchId: offer.batchId, batchReceipts: batch?.receipts ?? 0 } : {}),
        holderOrgId: offer.holderOrgId,
        buyerOrgId: request.buyerOrgId,
        occurredAt: command.occurredAt,
      },
    },
  ];
}

export function decideDeclineRequest(listing: ListingState | undefined, command: DeclineRequestCommand, ctx: DecisionContext): DomainEvent[] {
  const request = requireRequest(listing, command.requestId);
  const offer = requireOffer(listing, request.offerId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertHolder(offer, ctx);
  assertPending(request);
  return [{ type: 'CatalogueRequestDeclined', data: { requestId: request.requestId, offerId: offer.offerId, ...(command.reason !== undefined ? { reason: command.reason } : {}), occurredAt: command.occurredAt } }];
}

/** Either party calls off an accepted deal before the batch is on its way to the buyer (cancel that transfer first). */
export function decideCancelDeal(listing: ListingState | undefined, batch: CatalogueBatch | undefined, command: CancelDealCommand, ctx: DecisionContext): DomainEvent[] {
  const request = requireRequest(listing, command.requestId);
  const offer = requireOffer(listing, request.offerId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  const actor = ctx.actor.organisationId;
  if (actor !== request.holderOrgId && actor !== request.buyerOrgId) {
    throw new ForbiddenError('not-party-to-deal', `only the holder or the buyer may cancel deal ${request.requestId}`, { requestId: request.requestId });
  }
  const open = request.status === 'accepted' && (offer.batchId === undefined || activeReservation(listing!, batch)?.requestId === request.requestId);
  if (!open) throw new ConflictError('deal-not-open', `deal ${request.requestId} is ${request.status === 'accepted' ? 'completed' : request.status}, so there is nothing to cancel`, { requestId: request.requestId });
  if (batch?.state?.status === 'in-transit' && batch.state.pendingTransfer?.toOrgId === request.buyerOrgId) {
    throw new ConflictError('deal-in-transit', `the batch of deal ${request.requestId} is on its way to the buyer: cancel the transfer first`, { requestId: request.requestId });
  }
  return [
    {
      type: 'CatalogueDealCancelled',
      data: { requestId: request.requestId, offerId: offer.offerId, ...(offer.batchId !== undefined ? { batchId: offer.batchId } : {}), cancelledBy: actor, reason: command.reason, occurredAt: command.occurredAt },
    },
  ];
}

export function decidePublishWant(state: WantState | undefined, command: PublishWantCommand, ctx: DecisionContext): DomainEvent[] {
  if (state) throw new ConflictError('want-exists', `want ${command.wantId} already exists`, { wantId: command.wantId });
  assertHandlesMaterial(ctx);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertLocation(command.location, ctx);
  if (command.maxGrams !== undefined && command.maxGrams < command.minGrams) {
    throw new InvalidCommandError('mass-range-empty', `maxGrams ${command.maxGrams} is below minGrams ${command.minGrams}`, { minGrams: command.minGrams, maxGrams: command.maxGrams });
  }
  if (new Set(command.fibres.map((f) => f.fibre)).size !== command.fibres.length) {
    throw new InvalidCommandError('fibre-listed-twice', 'a want names each fibre once');
  }
  if (command.fibres.reduce((sum, f) => sum + f.minShare, 0) > 10_000) {
    throw new InvalidCommandError('fibre-shares-exceed-whole', 'the least shares of the wanted fibres add up to more than 10000 basis points');
  }
  const { wantId, title, fibres, grades, ewcCodes, minGrams, maxGrams, location, region, neededBy, visibility, occurredAt } = command;
  return [
    {
      type: 'CatalogueWantPublished',
      data: {
        wantId,
        buyerOrgId: ctx.actor.organisationId,
        title,
        fibres,
        grades,
        ewcCodes,
        minGrams,
        ...(maxGrams !== undefined ? { maxGrams } : {}),
        location,
        ...(region !== undefined ? { region } : {}),
        ...(neededBy !== undefined ? { neededBy } : {}),
        visibility,
        occurredAt,
      },
    },
  ];
}

export function decideWithdrawWant(state: WantState | undefined, command: WithdrawWantCommand, ctx: DecisionContext): DomainEvent[] {
  if (!state) throw new NotFoundError('unknown-want', `want ${command.wantId} does not exist, or is not visible to your organisation`, { wantId: command.wantId });
  assertBusinessTime(command.occurredAt, ctx);
  if (state.buyerOrgId !== ctx.actor.organisationId) throw new ForbiddenError('not-want-owner', `only the organisation that published want ${state.wantId} may withdraw it`, { wantId: state.wantId });
  if (state.status !== 'open') throw new ConflictError('want-not-open', `want ${state.wantId} is already withdrawn`, { wantId: state.wantId });
  return [{ type: 'CatalogueWantWithdrawn', data: { wantId: state.wantId, occurredAt: command.occurredAt } }];
}
