import type { DomainEvent } from '../events.js';

/** One offer on a listing stream. `open` until withdrawn; whether it is still live depends on its batch too (see `isLive`). */
export interface OfferState {
  readonly offerId: string;
  readonly holderOrgId: string;
  readonly batchId?: string;
  readonly status: 'open' | 'withdrawn';
  readonly availableUntil?: string;
  readonly batchReceipts?: number;
}

export type RequestStatus = 'pending' | 'accepted' | 'declined' | 'cancelled';

export interface RequestState {
  readonly requestId: string;
  readonly offerId: string;
  readonly holderOrgId: string;
  readonly buyerOrgId: string;
  readonly status: RequestStatus;
}

/** The batch promised to a buyer: at most one per batch, decided on the batch's listing stream. */
export interface ReservationState {
  readonly requestId: string;
  readonly offerId: string;
  readonly holderOrgId: string;
  readonly buyerOrgId: string;
  readonly batchReceipts: number;
}

/** A listing stream: a batch's offers (or one recurring stream's offer), their requests, the reservation. */
export interface ListingState {
  readonly offers: Readonly<Record<string, OfferState>>;
  readonly requests: Readonly<Record<string, RequestState>>;
  readonly reservation?: ReservationState;
}

export const EMPTY_LISTING: ListingState = { offers: {}, requests: {} };

export function evolveListing(state: ListingState | undefined, event: DomainEvent): ListingState | undefined {
  const current = state ?? EMPTY_LISTING;
  switch (event.type) {
    case 'CatalogueBatchOffered':
    case 'CatalogueStreamOffered': {
      const e = event.data;
      const offer: OfferState = {
        offerId: e.offerId,
        holderOrgId: e.holderOrgId,
        status: 'open',
        ...(e.availableUntil !== undefined ? { availableUntil: e.availableUntil } : {}),
        ...(event.type === 'CatalogueBatchOffered' ? { batchId: event.data.batchId, batchReceipts: event.data.batchReceipts } : {}),
      };
      return { ...current, offers: { ...current.offers, [e.offerId]: offer } };
    }
    case 'CatalogueOfferWithdrawn': {
      const offer = current.offers[event.data.offerId];
      if (!offer) return state;
      return { ...current, offers: { ...current.offers, [offer.offerId]: { ...offer, status: 'withdrawn' } } };
    }
    case 'CatalogueOfferRequested': {
      const e = event.data;
      const request: RequestState = { requestId: e.requestId, offerId: e.offerId, holderOrgId: e.holderOrgId, buyerOrgId: e.buyerOrgId, status: 'pending' };
      return { ...current, requests: { ...current.requests, [e.requestId]: request } };
    }
    case 'CatalogueRequestAccepted': {
      const e = event.data;
      const next = withRequestStatus(current, e.requestId, 'accepted');
      if (e.batchId === undefined) return next;
      return { ...next, reservation: { requestId: e.requestId, offerId: e.offerId, holderOrgId: e.holderOrgId, buyerOrgId: e.buyerOrgId, batchReceipts: e.batchReceipts ?? 0 } };
    }
    case 'CatalogueRequestDeclined':
      return withRequestStatus(current, event.data.requestId, 'declined');
    case 'CatalogueDealCancelled': {
      const next = withRequestStatus(current, event.data.requestId, 'cancelled');
      if (next.reservation?.requestId !== event.data.requestId) return next;
      const { reservation: _ended, ...rest } = next;
      return rest;
    }
    default:
      return state;
  }
}

function withRequestStatus(state: ListingState, requestId: string, status: RequestStatus): ListingState {
  const request = state.requests[requestId];
  if (!request) return state;
  return { ...state, requests: { ...state.requests, [requestId]: { ...request, status } } };
}

export interface WantState {
  readonly wantId: string;
  readonly buyerOrgId: string;
  readonly status: 'open' | 'withdrawn';
}

export function evolveWant(state: WantState | undefined, event: DomainEvent): WantState | undefined {
  switch (event.type) {
    case 'CatalogueWantPublished':
      return { wantId: event.data.wantId, buyerOrgId: event.data.buyerOrgId, status: 'open' };
    case 'CatalogueWantWithdrawn':
      return state ? { ...state, status: 'withdrawn' } : state;
    default:
      return state;
  }
}
