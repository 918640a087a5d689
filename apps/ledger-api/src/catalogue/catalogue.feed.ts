import { rankOffersForWant, rankWantsForOffer, type OrganisationFacts } from '#domain';
import { latestCataloguePosition, openCatalogueOffers, openCatalogueWants, offerStateAt, wantStateAt, type OfferRecord, type ReadDb, type WantRecord } from '#projections';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { z } from 'zod';
import { READ_DB } from '../ledger/tokens.js';
import { CatalogueReader, type ShownOffer, type ShownWant } from './catalogue.reader.js';
import type { MatchEventSchema } from './catalogue.responses.js';

/** How often the feed looks for new offers and wants while anyone listens. */
export const FEED_POLL_MS = 500;
const KEEP_ALIVE_MS = 15_000;

export type MatchEvent = z.infer<typeof MatchEventSchema>;

interface Listener {
  readonly actor: OrganisationFacts;
  readonly send: (event: string, data: unknown) => void;
  /** Ends the connection (at shutdown, so that the server's close need not wait for it). */
  readonly end: () => void;
  /** Pairs already pushed on this connection, `offerId|wantId`. */
  readonly sent: Set<string>;
}

/**
 * Pushes new matches to the organisations concerned, as server-sent events
 * (docs/decisions/046-symbiosis-catalogue.md). Each instance polls its own read models for offers
 * and wants recorded after the last it saw, so a match appears on every instance's streams whichever
 * instance took the command. Each listener gets only what the access policy lets it see, disclosed
 * as the entry's organisation chose: the same answer as GET …/matches would give it.
 */
@Injectable()
export class CatalogueFeed implements OnModuleDestroy {
  private readonly logger = new Logger(CatalogueFeed.name);
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private since: number | undefined;
  private ticking = false;

  constructor(
    private readonly reader: CatalogueReader,
    @Inject(READ_DB) private readonly db: ReadDb,
  ) {}

  /** Starts pushing to one connection; returns the function that stops it. */
  async listen(actor: OrganisationFacts, send: (event: string, data: unknown) => void, end: () => void): Promise<() => void> {
    if (this.since === undefined) this.since = await this.latestPosition();
    const listener: Listener = { actor, send, end, sent: new Set() };
    this.listeners.add(listener);
    this.timer ??= setInterval(() => void this.tick(), FEED_POLL_MS);
    this.keepAlive ??= setInterval(() => this.listeners.forEach((l) => l.send('keep-alive', {})), KEEP_ALIVE_MS);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.timer = undefined;
    this.keepAlive = undefined;
  }

  onModuleDestroy(): void {
    this.stop();
    for (const listener of [...this.listeners]) listener.end();
    this.listeners.clear();
  }

  /** The open offers and wants recorded after log position `since`, and the position to ask from next. */
  async newEntriesSince(since: number): Promise<NewEntries> {
    const now = this.reader.now().toISOString();
    const offers = (await openCatalogueOffers(this.db, { since })).filter((r) => offerStateAt(r, now) === 'open');
    const wants = (await openCatalogueWants(this.db, { since })).filter((r) => wantStateAt(r, now) === 'open');
    return { offers, wants, next: Math.max(since, ...offers.map((o) => o.position), ...wants.map((w) => w.position)) };
  }

  /** Where the catalogue's read model is now: new entries are those recorded after it. */
  latestPosition(): Promise<number> {
    return latestCataloguePosition(this.db);
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.since === undefined) return;
    this.ticking = true;
    try {
      const { offers, wants, next } = await this.newEntriesSince(this.since);
      this.since = next;
      if (offers.length === 0 && wants.length === 0) return;
      for (const listener of [...this.listeners]) {
        for (const { key, event } of await this.matchesFor(listener.actor, { offers, wants }, (k) => listener.sent.has(k))) {
          listener.sent.add(key);
          listener.send('match', event);
        }
      }
    } catch (error) {
      this.logger.warn(`the catalogue feed could not read the read models: ${String(error)}`);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * The matches the new entries make for one organisation, as it may see them (the same for the
   * event stream and the webhook): a new offer, to its holder, with the wants it fits, and to a
   * buyer against its own wants; a new want likewise. `skip` leaves out pairs (`offerId|wantId`)
   * already sent.
   */
  async matchesFor(actor: OrganisationFacts, entries: Pick<NewEntries, 'offers' | 'wants'>, skip: (key: string) => boolean = () => false): Promise<Array<{ key: string; event: MatchEvent }>> {
    const viewer = await this.reader.viewer(actor);
    const me = viewer.facts.organisationId;
    const offers = entries.offers.flatMap((r) => this.reader.showOffer(viewer, r) ?? []);
    const wants = entries.wants.flatMap((r) => this.reader.showWant(viewer, r) ?? []);
    if (offers.length === 0 && wants.length === 0) return [];
    const factors = await this.reader.factorsInForce();
    const allWants = await this.reader.visibleOpenWants(viewer);
    const allOffers = await this.reader.visibleOpenOffers(viewer);
    const pairs: Array<{ offer: ShownOffer; want: ShownWant; side: 'offer' | 'want' }> = [];
    for (const offer of offers) {
      const mine = offer.record.offer.holderOrgId === me;
      const candidates = mine ? allWants : allWants.filter((w) => w.record.want.buyerOrgId === me);
      for (const want of candidates) pairs.push({ offer, want, side: mine ? 'offer' : 'want' });
    }
    for (const want of wants) {
      const mine = want.record.want.buyerOrgId === me;
      const candidates = mine ? allOffers : allOffers.filter((o) => o.record.offer.holderOrgId === me);
      for (const offer of candidates) pairs.push({ offer, want, side: mine ? 'want' : 'offer' });
    }
    const out: Array<{ key: string; event: MatchEvent }> = [];
    const seen = new Set<string>();
    for (const { offer, want, side } of pairs) {
      const key = `${offer.disclosed.offerId}|${want.disclosed.wantId}`;
      if (seen.has(key) || skip(key)) continue;
      const [match] = side === 'offer' ? rankWantsForOffer(offer.disclosed, [want.disclosed], factors) : rankOffersForWant(want.disclosed, [offer.disclosed], factors);
      if (!match) continue;
      seen.add(key);
      const [offerAnswer] = await this.reader.offerAnswers([offer]);
      const [wantAnswer] = await this.reader.wantAnswers([want]);
      out.push({ key, event: { offer: offerAnswer!, want: wantAnswer!, score: match.score, co2e: match.co2e, side } });
    }
    return out;
  }
}

export interface NewEntries {
  readonly offers: readonly OfferRecord[];
  readonly wants: readonly WantRecord[];
  readonly next: number;
}
