import { formatDecimal } from '#domain';
import type { CatalogueTables } from '../catalogue/catalogue.projection.js';
import { catalogueDeals, type DealView } from '../catalogue/catalogue.queries.js';
import { gramsFigure } from '../provenance/projection-support.js';
import type { ReadDb } from '../runner/projection.js';
import { copenhagenDayOf } from './programme-impact.projection.js';

/** One way the material travelled: what the scope's deals matched and traded in the period. */
export interface SymbiosisFigures {
  /** Deals that count in the period either way (matched in it, traded in it, or both), each once. */
  deals: number;
  matchedDeals: number;
  matchedGrams: number;
  matchedTonnes: string;
  tradedDeals: number;
  tradedGrams: number;
  tradedTonnes: string;
}

export interface ProgrammeSymbiosis {
  classic: SymbiosisFigures;
  viaMarket: SymbiosisFigures;
  /** Deals on a recurring stream: counted, never weighed (their deliveries are transfers the deal does not name). */
  recurring: { matchedDeals: number };
}

/** A deal stands matched while accepted, on its way or received; cancelled and lapsed ones fell through. */
const STANDING = ['accepted', 'dispatched', 'received'] as const;
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  return Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, i * CHUNK + CHUNK));
}

interface Tally {
  deals: Set<string>;
  matched: Set<string>;
  matchedGrams: bigint;
  traded: Set<string>;
  tradedGrams: bigint;
}

const emptyTally = (): Tally => ({ deals: new Set(), matched: new Set(), matchedGrams: 0n, traded: new Set(), tradedGrams: 0n });

/** Tonnes of grams, exactly, as the rest of the report writes them. */
const toTonnes = (grams: bigint): string => formatDecimal(grams, 6);

function figures(t: Tally): SymbiosisFigures {
  return {
    deals: t.deals.size,
    matchedDeals: t.matched.size,
    matchedGrams: gramsFigure(t.matchedGrams),
    matchedTonnes: toTonnes(t.matchedGrams),
    tradedDeals: t.traded.size,
    tradedGrams: gramsFigure(t.tradedGrams),
    tradedTonnes: toTonnes(t.tradedGrams),
  };
}

/**
 * The symbiosis catalogue's deals for a programme's impact report (docs/decisions/043-programme-impact.md):
 * matched = accepted (the batch reserved) on a day of the period and still standing, at the grams
 * dispatched once dispatched, else the reserved offer's grams; traded = received on a day of the
 * period, at the grams received. A deal counts on a day when its seller or its buyer was a member of
 * the scope that day. Split as the catalogue decides: classic symbiosis, via the market, or a
 * recurring stream.
 */
export async function programmeSymbiosis(
  db: ReadDb,
  scope: { memberIds: readonly string[]; isMember: (organisationId: string, day: string) => boolean; from: string; to: string },
): Promise<ProgrammeSymbiosis> {
  const deals = new Map<string, DealView>();
  for (const organisationIds of chunks([...scope.memberIds].sort())) {
    for (const deal of await catalogueDeals(db, { organisationIds, statuses: [...STANDING] })) deals.set(deal.dealId, deal);
  }
  const ids = [...deals.keys()].sort();
  const tables = db.withTables<CatalogueTables>();
  // The acceptance and receipt times are the deal's history; the deal row keeps only its latest change.
  const acceptedAt = new Map<string, string>();
  const receivedAt = new Map<string, string>();
  for (const requestIds of chunks(ids)) {
    const events = await tables
      .selectFrom('catalogue_deal_event')
      .select(['request_id', 'kind', 'occurred_at'])
      .where('request_id', 'in', requestIds)
      .where('kind', 'in', ['reserved', 'accepted', 'received'])
      .execute();
    for (const e of events) (e.kind === 'received' ? receivedAt : acceptedAt).set(e.request_id, e.occurred_at);
  }
  const offerIds = [...new Set([...deals.values()].filter((d) => d.dispatchedGrams === null).map((d) => d.offerId))].sort();
  const offerGrams = new Map<string, bigint>();
  for (const some of chunks(offerIds)) {
    for (const o of await tables.selectFrom('catalogue_offer').select(['offer_id', 'mass_grams']).where('offer_id', 'in', some).execute()) offerGrams.set(o.offer_id, BigInt(o.mass_grams));
  }

  const counts = (deal: DealView, instant: string | undefined): boolean => {
    if (instant === undefined) return false;
    const day = copenhagenDayOf(instant);
    return day >= scope.from && day <= scope.to && (scope.isMember(deal.holderOrgId, day) || scope.isMember(deal.buyerOrgId, day));
  };
  const classic = emptyTally();
  const viaMarket = emptyTally();
  let recurring = 0;
  for (const deal of deals.values()) {
    const id = deal.dealId;
    const matched = counts(deal, acceptedAt.get(id));
    if (deal.symbiosis === null) {
      if (matched) recurring += 1;
      continue;
    }
    const tally = deal.symbiosis === 'classic' ? classic : viaMarket;
    if (matched) {
      tally.matched.add(id);
      tally.deals.add(id);
      tally.matchedGrams += deal.dispatchedGrams !== null ? BigInt(deal.dispatchedGrams) : (offerGrams.get(deal.offerId) ?? 0n);
    }
    if (deal.status === 'received' && deal.receivedGrams !== null && counts(deal, receivedAt.get(id))) {
      tally.traded.add(id);
      tally.deals.add(id);
      tally.tradedGrams += BigInt(deal.receivedGrams);
    }
  }
  return { classic: figures(classic), viaMarket: figures(viaMarket), recurring: { matchedDeals: recurring } };
}
