import {
  dealNotVisible,
  discloseOffer,
  discloseWant,
  isPrivileged,
  kommuneName,
  mayViewCatalogueEntry,
  mayViewDeal,
  offerNotVisible,
  rankOffersForWant,
  rankWantsForOffer,
  seesCatalogueEntryInFull,
  wantNotVisible,
  type CurrentMembership,
  type DisclosedOffer,
  type DisclosedWant,
  type FactorSetInForce,
  type LocationView,
  type Match,
  type OrganisationFacts,
} from '#domain';
import {
  catalogueDeals,
  catalogueOffersOf,
  catalogueWantsOf,
  currentMemberships,
  emissionFactorSetInForce,
  getCatalogueOffer,
  getCatalogueWant,
  getDeal,
  offerStateAt,
  openCatalogueOffers,
  openCatalogueWants,
  wantStateAt,
  type OfferRecord,
  type ReadDb,
  type WantRecord,
} from '#projections';
import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { READ_DB } from '../ledger/tokens.js';
import type { OfferFilter, WantFilter } from './catalogue.bodies.js';
import type { DealAnswer, LocationViewSchema, OfferAnswer, OfferMatchesSchema, WantAnswer, WantMatchesSchema } from './catalogue.responses.js';

/** The calendar day in Copenhagen: the day programme memberships and factor sets are read on. */
export function copenhagenDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** A viewer with what the access policy needs to decide on catalogue entries. */
export interface CatalogueViewer {
  readonly facts: OrganisationFacts;
  readonly memberships: readonly CurrentMembership[];
}

export interface ShownOffer {
  readonly record: OfferRecord;
  readonly disclosed: DisclosedOffer;
}
export interface ShownWant {
  readonly record: WantRecord;
  readonly disclosed: DisclosedWant;
}

function locationAnswer(location: LocationView): z.infer<typeof LocationViewSchema> {
  const kommuneCode = location.precision === 'region' ? null : location.kommuneCode;
  return {
    precision: location.precision,
    region: location.region as z.infer<typeof LocationViewSchema>['region'],
    kommuneCode,
    kommuneName: kommuneCode === null ? null : (kommuneName(kommuneCode) ?? null),
    siteId: location.precision === 'site' ? location.siteId : null,
    latitude: location.precision === 'site' ? location.latitude : null,
    longitude: location.precision === 'site' ? location.longitude : null,
  };
}

/**
 * Reads the catalogue for one viewer, through the access policy (libs/domain/src/access): an entry
 * the viewer may not see is left out of lists and answers 404 by id, and what it may see is
 * disclosed as its organisation chose. Filters and matching run on the disclosed view only, so no
 * answer (not even an empty one) tells more than the entries show.
 */
@Injectable()
export class CatalogueReader {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly directory: OrganisationDirectory,
    private readonly contexts: DecisionContextFactory,
  ) {}

  now(): Date {
    return this.contexts.now();
  }

  async viewer(facts: OrganisationFacts): Promise<CatalogueViewer> {
    return { facts, memberships: await currentMemberships(this.db, facts.organisationId, copenhagenDay(this.now())) };
  }

  async factorsInForce(): Promise<FactorSetInForce | undefined> {
    const set = await emissionFactorSetInForce(this.db, copenhagenDay(this.now()));
    return set && { factorSetId: set.factorSetId, factors: set.factors };
  }

  showOffer(viewer: CatalogueViewer, record: OfferRecord): ShownOffer | undefined {
    const entry = { ownerOrgId: record.offer.holderOrgId, audience: record.offer.visibility.audience };
    if (!mayViewCatalogueEntry(viewer.facts, entry, viewer.memberships)) return undefined;
    return { record, disclosed: discloseOffer(record.offer, seesCatalogueEntryInFull(viewer.facts, entry.ownerOrgId)) };
  }

  showWant(viewer: CatalogueViewer, record: WantRecord): ShownWant | undefined {
    const entry = { ownerOrgId: record.want.buyerOrgId, audience: record.want.visibility.audience };
    if (!mayViewCatalogueEntry(viewer.facts, entry, viewer.memberships)) return undefined;
    return { record, disclosed: discloseWant(record.want, seesCatalogueEntryInFull(viewer.facts, entry.ownerOrgId)) };
  }

  /** Offers open now and visible to the viewer, newest first. */
  async visibleOpenOffers(viewer: CatalogueViewer, options: { since?: number } = {}): Promise<ShownOffer[]> {
    const now = this.now().toISOString();
    const records = await openCatalogueOffers(this.db, options);
    return records.filter((r) => offerStateAt(r, now) === 'open').flatMap((r) => this.showOffer(viewer, r) ?? []);
  }

  async visibleOpenWants(viewer: CatalogueViewer, options: { since?: number } = {}): Promise<ShownWant[]> {
    const now = this.now().toISOString();
    const records = await openCatalogueWants(this.db, options);
    return records.filter((r) => wantStateAt(r, now) === 'open').flatMap((r) => this.showWant(viewer, r) ?? []);
  }

  async offers(actor: OrganisationFacts, filter: OfferFilter): Promise<{ offers: OfferAnswer[] }> {
    const viewer = await this.viewer(actor);
    const candidates = filter.mine ? (await catalogueOffersOf(this.db, actor.organisationId)).flatMap((r) => this.showOffer(viewer, r) ?? []) : await this.visibleOpenOffers(viewer);
    const shown = candidates.filter((o) => fitsFilter(o.disclosed, filter)).slice(0, filter.limit);
    return { offers: await this.offerAnswers(shown) };
  }

  async offer(actor: OrganisationFacts, offerId: string): Promise<OfferAnswer> {
    return (await this.offerAnswers([await this.requireOffer(await this.viewer(actor), offerId)]))[0]!;
  }

  async requireOffer(viewer: CatalogueViewer, offerId: string): Promise<ShownOffer> {
    const record = await getCatalogueOffer(this.db, offerId);
    const shown = record && this.showOffer(viewer, record);
    if (!shown) throw offerNotVisible(offerId);
    return shown;
  }

  async requireWant(viewer: CatalogueViewer, wantId: string): Promise<ShownWant> {
    const record = await getCatalogueWant(this.db, wantId);
    const shown = record && this.showWant(viewer, record);
    if (!shown) throw wantNotVisible(wantId);
    return shown;
  }

  async wants(actor: OrganisationFacts, filter: WantFilter): Promise<{ wants: WantAnswer[] }> {
    const viewer = await this.viewer(actor);
    const candidates = filter.mine ? (await catalogueWantsOf(this.db, actor.organisationId)).flatMap((r) => this.showWant(viewer, r) ?? []) : await this.visibleOpenWants(viewer);
    return { wants: await this.wantAnswers(candidates.slice(0, filter.limit)) };
  }

  async want(actor: OrganisationFacts, wantId: string): Promise<WantAnswer> {
    return (await this.wantAnswers([await this.requireWant(await this.viewer(actor), wantId)]))[0]!;
  }

  /** The open offers the viewer may see that fit its view of the want, best first. */
  async wantMatches(actor: OrganisationFacts, wantId: string): Promise<z.infer<typeof WantMatchesSchema>> {
    const viewer = await this.viewer(actor);
    const want = await this.requireWant(viewer, wantId);
    const offers = await this.visibleOpenOffers(viewer);
    const matches = rankOffersForWant(want.disclosed, offers.map((o) => o.disclosed), await this.factorsInForce());
    const byId = new Map(offers.map((o) => [o.disclosed.offerId, o]));
    const answers = await this.offerAnswers(matches.map((m) => byId.get(m.offerId)!));
    return { wantId, matches: matches.map((m, i) => ({ offer: answers[i]!, score: m.score, co2e: m.co2e })) };
  }

  async offerMatches(actor: OrganisationFacts, offerId: string): Promise<z.infer<typeof OfferMatchesSchema>> {
    const viewer = await this.viewer(actor);
    const offer = await this.requireOffer(viewer, offerId);
    const wants = await this.visibleOpenWants(viewer);
    const matches = rankWantsForOffer(offer.disclosed, wants.map((w) => w.disclosed), await this.factorsInForce());
    const byId = new Map(wants.map((w) => [w.disclosed.wantId, w]));
    const answers = await this.wantAnswers(matches.map((m) => byId.get(m.wantId)!));
    return { offerId, matches: matches.map((m, i) => ({ want: answers[i]!, score: m.score, co2e: m.co2e })) };
  }

  rank(want: ShownWant, offers: readonly ShownOffer[], factors: FactorSetInForce | undefined): Match[] {
    return rankOffersForWant(want.disclosed, offers.map((o) => o.disclosed), factors);
  }

  /** The deals the viewer is party to (auditors and the operator: all), the latest `most`, oldest first. */
  async deals(actor: OrganisationFacts, most: number): Promise<{ deals: DealAnswer[] }> {
    const deals = await catalogueDeals(this.db, isPrivileged(actor) ? {} : { organisationIds: [actor.organisationId] });
    const answers: DealAnswer[] = [];
    for (const deal of deals.slice(-most)) answers.push(await this.deal(actor, deal.dealId));
    return { deals: answers };
  }

  async deal(actor: OrganisationFacts, dealId: string): Promise<DealAnswer> {
    const deal = await getDeal(this.db, dealId);
    if (!deal || !mayViewDeal(actor, deal)) throw dealNotVisible(dealId);
    const names = await this.directory.lookup([deal.holderOrgId, deal.buyerOrgId]);
    const offer = await getCatalogueOffer(this.db, deal.offerId);
    const accepted = !['requested', 'declined'].includes(deal.status) || deal.history.some((h) => h.kind === 'reserved' || h.kind === 'accepted');
    const full = seesCatalogueEntryInFull(actor, deal.holderOrgId) || accepted;
    const holderShown = full || (offer?.offer.visibility.disclosure.name ?? false);
    const { holderOrgId, buyerOrgId, ...rest } = deal;
    return {
      ...rest,
      status: deal.status as DealAnswer['status'],
      symbiosis: deal.symbiosis,
      batchId: full ? deal.batchId : null,
      holder: holderShown ? { organisationId: holderOrgId, name: names(holderOrgId)?.name ?? null } : null,
      buyer: { organisationId: buyerOrgId, name: names(buyerOrgId)?.name ?? null },
      history: deal.history.map((h) => ({ ...h, kind: h.kind as DealAnswer['history'][number]['kind'] })),
    };
  }

  async offerAnswers(shown: readonly ShownOffer[]): Promise<OfferAnswer[]> {
    const now = this.now().toISOString();
    const names = await this.directory.lookup(shown.map((s) => s.disclosed.holderOrgId ?? undefined));
    return shown.map(({ record, disclosed }) => ({
      offerId: disclosed.offerId,
      kind: disclosed.kind,
      state: offerStateAt(record, now),
      full: disclosed.full,
      holder: disclosed.holderOrgId === null ? null : { organisationId: disclosed.holderOrgId, name: names(disclosed.holderOrgId)?.name ?? null },
      batchId: disclosed.batchId,
      title: disclosed.title,
      grade: disclosed.grade,
      composition: [...disclosed.composition],
      ewcCode: disclosed.ewcCode,
      mass: disclosed.mass,
      period: disclosed.period,
      location: locationAnswer(disclosed.location),
      availableFrom: disclosed.availableFrom,
      availableUntil: disclosed.availableUntil,
      terms: disclosed.terms,
      visibility: disclosed.full ? record.offer.visibility : null,
      reservedFor: disclosed.full ? record.reservedRequestId : null,
      offeredAt: record.offeredAt,
      position: record.position,
    }));
  }

  async wantAnswers(shown: readonly ShownWant[]): Promise<WantAnswer[]> {
    const now = this.now().toISOString();
    const names = await this.directory.lookup(shown.map((s) => s.disclosed.buyerOrgId ?? undefined));
    return shown.map(({ record, disclosed }) => ({
      wantId: disclosed.wantId,
      state: wantStateAt(record, now),
      full: disclosed.full,
      buyer: disclosed.buyerOrgId === null ? null : { organisationId: disclosed.buyerOrgId, name: names(disclosed.buyerOrgId)?.name ?? null },
      title: disclosed.title,
      fibres: disclosed.fibres.map((f) => ({ fibre: f.fibre as WantAnswer['fibres'][number]['fibre'], minShare: f.minShare })),
      grades: disclosed.grades as WantAnswer['grades'],
      ewcCodes: [...disclosed.ewcCodes],
      minGrams: disclosed.minGrams,
      maxGrams: disclosed.maxGrams,
      location: locationAnswer(disclosed.location),
      region: disclosed.region as WantAnswer['region'],
      neededBy: disclosed.neededBy,
      visibility: disclosed.full ? record.want.visibility : null,
      publishedAt: record.publishedAt,
      position: record.position,
    }));
  }
}

/** The list's filters, on what the viewer is shown. */
export function fitsFilter(offer: DisclosedOffer, filter: OfferFilter): boolean {
  if (filter.kind !== undefined && offer.kind !== filter.kind) return false;
  if (filter.fibre !== undefined) {
    const share = offer.composition.find((c) => c.fibre === filter.fibre)?.share ?? 0;
    if (share < (filter.minShare ?? 1)) return false;
  }
  if (filter.grade !== undefined && offer.grade !== filter.grade) return false;
  if (filter.ewcCode !== undefined && offer.ewcCode !== filter.ewcCode) return false;
  if (filter.kommuneCode !== undefined && (offer.location.precision === 'region' || offer.location.kommuneCode !== filter.kommuneCode)) return false;
  if (filter.region !== undefined && offer.location.region !== filter.region) return false;
  const [low, high] = offer.mass.kind === 'exact' ? [offer.mass.grams, offer.mass.grams] : [offer.mass.minGrams, offer.mass.maxGrams === null ? Number.POSITIVE_INFINITY : offer.mass.maxGrams - 1];
  if (filter.minGrams !== undefined && high < filter.minGrams) return false;
  if (filter.maxGrams !== undefined && low > filter.maxGrams) return false;
  return true;
}
