import {
  castEvent,
  catalogueStreamIds,
  dealNotVisible,
  offerNotVisible,
  requestNotVisible,
  decideAcceptRequest,
  decideCancelDeal,
  decideDeclineRequest,
  decideOfferBatch,
  decideOfferStream,
  decidePublishWant,
  decideRequestOffer,
  decideWithdrawOffer,
  decideWithdrawWant,
  evolveListing,
  evolveWant,
  streamIds,
  InvalidCommandError,
  type CatalogueBatch,
  type CatalogueLocation,
  type DecisionContext,
  type DomainEvent,
  type ListingState,
  type OrganisationFacts,
  type WantState,
} from '#domain';
import type { EventStore, StoredEvent } from '#event-store';
import { dealLocator, getCatalogueOffer, getSite, type ReadDb } from '#projections';
import { Inject, Injectable } from '@nestjs/common';
import { newIdFor } from '../common/command-meta.decorator.js';
import { CommandExecutor, type CommandResult } from '../ledger/command-executor.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { ProducerGate } from '../ledger/producer-gate.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { foldBatchStream } from '../ledger/stream-loader.js';
import { EVENT_STORE, READ_DB } from '../ledger/tokens.js';
import { ActorSites } from '../sites/actor-sites.js';
import type {
  AcceptRequestBody,
  CancelDealBody,
  DeclineRequestBody,
  OfferBatchBody,
  OfferStreamBody,
  PublishWantBody,
  RequestOfferBody,
  WithdrawOfferBody,
  WithdrawWantBody,
} from './catalogue.bodies.js';

function foldListing(events: readonly StoredEvent[]): ListingState | undefined {
  return events.reduce<ListingState | undefined>((state, e) => evolveListing(state, castEvent(e.type, e.schemaVersion, e.data)), undefined);
}
function foldWant(events: readonly StoredEvent[]): WantState | undefined {
  return events.reduce<WantState | undefined>((state, e) => evolveWant(state, castEvent(e.type, e.schemaVersion, e.data)), undefined);
}

/**
 * The catalogue's commands (docs/decisions/046-symbiosis-catalogue.md). A batch's offers, requests
 * and reservation are decided on its listing stream, appended with the expected revision: of any
 * number of concurrent acceptances, on any number of instances, one is appended and the others,
 * decided again on the fresh stream, are refused. The batch itself is read fresh on every attempt,
 * so a batch consumed, shipped or closed is refused.
 */
@Injectable()
export class CatalogueWriter {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
    private readonly producers: ProducerGate,
    private readonly actorSites: ActorSites,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: ReadDb,
  ) {}

  private now(): string {
    return this.contexts.now().toISOString();
  }

  private async write<S>(
    streamId: string,
    fold: (events: readonly StoredEvent[]) => S | undefined,
    actor: OrganisationFacts,
    meta: CommandMetadata,
    decide: (state: S | undefined, ctx: DecisionContext) => DomainEvent[] | Promise<DomainEvent[]>,
    siteId?: string,
  ): Promise<CommandResult> {
    const ctx = { ...(await this.contexts.create(actor)), ...(await this.actorSites.forCommand(actor.organisationId, siteId)) };
    const result = await this.executor.execute(streamId, fold, (state) => decide(state, ctx), meta);
    await this.readYourWrites.settle(result.position);
    return result;
  }

  /** The batch as it is now, from its own stream (never a read model: the reservation must not rest on a stale view). */
  private async batch(batchId: string): Promise<CatalogueBatch> {
    const events = await this.store.readStream(streamIds.batch(batchId));
    const state = foldBatchStream(events);
    await this.producers.assertUsable(state);
    return { state, receipts: events.filter((e) => e.type === 'CustodyTransferReceived').length };
  }

  /** A site's kommune and position (its position from the sites read model), or the kommune named. */
  private async locate(actor: OrganisationFacts, place: { siteId?: string | undefined; kommuneCode?: string | undefined }): Promise<CatalogueLocation> {
    if (place.siteId === undefined) return { kommuneCode: place.kommuneCode! };
    const own = (await this.actorSites.of(actor.organisationId)).find((s) => s.siteId === place.siteId);
    // An unknown site is refused by the decision (unknown-site); the kommune only has to be well-formed until then.
    if (!own) return { kommuneCode: place.kommuneCode ?? '0000', siteId: place.siteId };
    if (place.kommuneCode !== undefined && place.kommuneCode !== own.kommuneCode) {
      throw new InvalidCommandError('kommune-not-of-site', `site ${own.siteId} lies in kommune ${own.kommuneCode}, not ${place.kommuneCode}`, { siteId: own.siteId });
    }
    const site = await getSite(this.db, own.siteId);
    return {
      kommuneCode: own.kommuneCode,
      siteId: own.siteId,
      ...(site?.latitude !== undefined && site.latitude !== null ? { latitude: site.latitude } : {}),
      ...(site?.longitude !== undefined && site.longitude !== null ? { longitude: site.longitude } : {}),
    };
  }

  async offerBatch(body: OfferBatchBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<CommandResult & { offerId: string }> {
    const offerId = newIdFor(meta, 'offer', body.offerId);
    const { place, offerId: _given, occurredAt, ...rest } = body;
    const location = await this.locate(actor, place);
    const at = occurredAt ?? this.now();
    const command = { ...rest, offerId, location, availableFrom: body.availableFrom ?? at, occurredAt: at };
    const result = await this.write(
      catalogueStreamIds.batchListing(body.batchId),
      foldListing,
      actor,
      meta,
      async (state, ctx) => decideOfferBatch(state, await this.batch(body.batchId), command, ctx),
      location.siteId,
    );
    return { offerId, ...result };
  }

  async offerStream(body: OfferStreamBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<CommandResult & { offerId: string }> {
    const offerId = newIdFor(meta, 'offer', body.offerId);
    const { place, offerId: _given, occurredAt, ...rest } = body;
    const location = await this.locate(actor, place);
    const at = occurredAt ?? this.now();
    const command = { ...rest, offerId, location, availableFrom: body.availableFrom ?? at, occurredAt: at };
    const result = await this.write(catalogueStreamIds.streamOffer(offerId), foldListing, actor, meta, (state, ctx) => decideOfferStream(state, command, ctx), location.siteId);
    return { offerId, ...result };
  }

  /** The listing stream an offer lives on, and its batch (for a batch offer). */
  private async offerStreamOf(offerId: string): Promise<{ streamId: string; batchId: string | null }> {
    const record = await getCatalogueOffer(this.db, offerId);
    if (!record) throw offerNotVisible(offerId);
    const batchId = record.offer.batchId;
    return { streamId: batchId === null ? catalogueStreamIds.streamOffer(offerId) : catalogueStreamIds.batchListing(batchId), batchId };
  }

  private async dealStreamOf(dealId: string, notFound: (id: string) => Error): Promise<{ streamId: string; batchId: string | null }> {
    const deal = await dealLocator(this.db, dealId);
    if (!deal) throw notFound(dealId);
    return { streamId: deal.batchId === null ? catalogueStreamIds.streamOffer(deal.offerId) : catalogueStreamIds.batchListing(deal.batchId), batchId: deal.batchId };
  }

  private batchOrNone(batchId: string | null): Promise<CatalogueBatch | undefined> {
    return batchId === null ? Promise.resolve(undefined) : this.batch(batchId);
  }

  async withdrawOffer(offerId: string, body: WithdrawOfferBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<CommandResult & { offerId: string }> {
    const { streamId, batchId } = await this.offerStreamOf(offerId);
    const command = { offerId, reason: body.reason, occurredAt: body.occurredAt ?? this.now() };
    const result = await this.write(streamId, foldListing, actor, meta, async (state, ctx) => decideWithdrawOffer(state, await this.batchOrNone(batchId), command, ctx));
    return { offerId, ...result };
  }

  async requestOffer(offerId: string, body: RequestOfferBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<CommandResult & { dealId: string }> {
    const { streamId, batchId } = await this.offerStreamOf(offerId);
    const requestId = newIdFor(meta, 'request', body.requestId);
    const command = { requestId, offerId, message: body.message, occurredAt: body.occurredAt ?? this.now() };
    const result = await this.write(streamId, foldListing, actor, meta, async (state, ctx) => decideRequestOffer(state, await this.batchOrNone(batchId), command, ctx));
    return { dealId: requestId, ...result };
  }

  async acceptRequest(requestId: string, body: AcceptRequestBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<CommandResult & { dealId: string }> {
    const { streamId, batchId } = await this.dealStreamOf(requestId, requestNotVisible);
    const command = { requestId, occurredAt: body.occurredAt ?? this.now() };
    const result = await this.write(streamId, foldListing, actor, meta, async (state, ctx) => decideAcceptRequest(state, await this.batchOrNone(batchId), command, ctx));
    return { dealId: requestId, ...result };
  }

  async declineRequest(requestId: string, body: DeclineRequestBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<CommandResult & { dealId: string }> {
    const { streamId } = await this.dealStreamOf(requestId, requestNotVisible);
    const command = { requestId, reason: body.reason, occurredAt: body.occurredAt ?? this.now() };
    const result = await this.write(streamId, foldListing, actor, meta, (state, ctx) => decideDeclineRequest(state, command, ctx));
    return { dealId: requestId, ...result };
  }

  async cancelDeal(dealId: string, body: CancelDealBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<CommandResult & { dealId: string }> {
    const { streamId, batchId } = await this.dealStreamOf(dealId, dealNotVisible);
    const command = { requestId: dealId, reason: body.reason, occurredAt: body.occurredAt ?? this.now() };
    const result = await this.write(streamId, foldListing, actor, meta, async (state, ctx) => decideCancelDeal(state, await this.batchOrNone(batchId), command, ctx));
    return { dealId, ...result };
  }

  async publishWant(body: PublishWantBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<CommandResult & { wantId: string }> {
    const wantId = newIdFor(meta, 'want', body.wantId);
    const { place, wantId: _given, occurredAt, ...rest } = body;
    const location = await this.locate(actor, place);
    const command = { ...rest, wantId, location, occurredAt: occurredAt ?? this.now() };
    const result = await this.write(catalogueStreamIds.want(wantId), foldWant, actor, meta, (state, ctx) => decidePublishWant(state, command, ctx), location.siteId);
    return { wantId, ...result };
  }

  async withdrawWant(wantId: string, body: WithdrawWantBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<CommandResult & { wantId: string }> {
    const command = { wantId, occurredAt: body.occurredAt ?? this.now() };
    const result = await this.write(catalogueStreamIds.want(wantId), foldWant, actor, meta, (state, ctx) => decideWithdrawWant(state, command, ctx));
    return { wantId, ...result };
  }
}
