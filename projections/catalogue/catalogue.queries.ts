import type { CatalogueOffer, CatalogueWant, Composition, CurrentMembership, Grade, StreamPeriod, Visibility } from '#domain';
import type { BatchSummaryTables } from '../batch-summary/batch-summary.projection.js';
import type { ProgrammeTables } from '../programmes/programmes.projection.js';
import type { ReadDb } from '../runner/projection.js';
import { normaliseDeal, normaliseOffer, type CatalogueDealRow, type CatalogueOfferRow, type CatalogueTables, type CatalogueWantRow } from './catalogue.projection.js';

/**
 * What the catalogue's read model answers. Visibility and disclosure are not decided here: the API
 * applies the access policy to these records (docs/decisions/046-symbiosis-catalogue.md).
 */

/** Where an offer stands, now: expiry is decided here, against the instant given, never stored. */
export type OfferState = 'open' | 'reserved' | 'unavailable' | 'expired' | 'withdrawn' | 'taken' | 'ended';

export interface OfferRecord {
  readonly offer: CatalogueOffer;
  readonly status: string;
  readonly batchStatus: string | null;
  readonly reservedRequestId: string | null;
  readonly offeredAt: string;
  readonly position: number;
}

export interface WantRecord {
  readonly want: CatalogueWant;
  readonly status: string;
  readonly publishedAt: string;
  readonly position: number;
}

export function offerStateAt(record: OfferRecord, now: string): OfferState {
  if (record.status === 'withdrawn' || record.status === 'taken' || record.status === 'ended') return record.status;
  if (record.offer.availableUntil !== null && record.offer.availableUntil < now) return 'expired';
  if (record.reservedRequestId !== null) return 'reserved';
  if (record.batchStatus !== null && record.batchStatus !== 'available') return 'unavailable';
  return 'open';
}

export function wantStateAt(record: WantRecord, now: string): 'open' | 'expired' | 'withdrawn' {
  if (record.status === 'withdrawn') return 'withdrawn';
  if (record.want.neededBy !== null && record.want.neededBy < now) return 'expired';
  return 'open';
}

function toOfferRecord(raw: CatalogueOfferRow): OfferRecord {
  const row = normaliseOffer(raw);
  return {
    offer: {
      offerId: row.offer_id,
      kind: row.kind === 'stream' ? 'stream' : 'batch',
      holderOrgId: row.holder_org_id,
      batchId: row.batch_id,
      title: row.title,
      grade: row.grade as Grade | 'unsorted',
      composition: JSON.parse(row.composition) as Composition,
      ewcCode: row.ewc_code,
      massGrams: row.mass_grams,
      period: row.period as StreamPeriod | null,
      location: JSON.parse(row.location) as CatalogueOffer['location'],
      availableFrom: row.available_from,
      availableUntil: row.available_until,
      terms: row.terms,
      visibility: JSON.parse(row.visibility) as Visibility,
    },
    status: row.status,
    batchStatus: row.batch_status,
    reservedRequestId: row.reserved_request_id,
    offeredAt: row.offered_at,
    position: row.position,
  };
}

function toWantRecord(row: CatalogueWantRow): WantRecord {
  return {
    want: {
      wantId: row.want_id,
      buyerOrgId: row.buyer_org_id,
      title: row.title,
      fibres: JSON.parse(row.fibres) as CatalogueWant['fibres'],
      grades: JSON.parse(row.grades) as string[],
      ewcCodes: JSON.parse(row.ewc_codes) as string[],
      minGrams: Number(row.min_grams),
      maxGrams: row.max_grams === null ? null : Number(row.max_grams),
      location: JSON.parse(row.location) as CatalogueWant['location'],
      region: row.region,
      neededBy: row.needed_by,
      visibility: JSON.parse(row.visibility) as Visibility,
    },
    status: row.status,
    publishedAt: row.published_at,
    position: Number(row.position),
  };
}

export async function getCatalogueOffer(db: ReadDb, offerId: string): Promise<OfferRecord | undefined> {
  const row = await db.withTables<CatalogueTables>().selectFrom('catalogue_offer').selectAll().where('offer_id', '=', offerId).executeTakeFirst();
  return row && toOfferRecord(row);
}

/** The most offers a list reads before the access policy narrows it (newest first). */
export const MAX_CATALOGUE_CANDIDATES = 2_000;

/** Offers still open (not withdrawn, taken or ended), newest first; `since` reads only those recorded after a log position. */
export async function openCatalogueOffers(db: ReadDb, options: { since?: number; holderOrgId?: string } = {}): Promise<OfferRecord[]> {
  let query = db.withTables<CatalogueTables>().selectFrom('catalogue_offer').selectAll().where('status', '=', 'open');
  if (options.since !== undefined) query = query.where('position', '>', options.since);
  if (options.holderOrgId !== undefined) query = query.where('holder_org_id', '=', options.holderOrgId);
  const rows = await query.orderBy('position', 'desc').limit(MAX_CATALOGUE_CANDIDATES).execute();
  return rows.map(toOfferRecord);
}

/** An organisation's own offers, whatever their state, newest first. */
export async function catalogueOffersOf(db: ReadDb, holderOrgId: string): Promise<OfferRecord[]> {
  const rows = await db.withTables<CatalogueTables>().selectFrom('catalogue_offer').selectAll().where('holder_org_id', '=', holderOrgId).orderBy('position', 'desc').limit(MAX_CATALOGUE_CANDIDATES).execute();
  return rows.map(toOfferRecord);
}

/** An organisation's own wants, whatever their state, newest first. */
export async function catalogueWantsOf(db: ReadDb, buyerOrgId: string): Promise<WantRecord[]> {
  const rows = await db.withTables<CatalogueTables>().selectFrom('catalogue_want').selectAll().where('buyer_org_id', '=', buyerOrgId).orderBy('position', 'desc').limit(MAX_CATALOGUE_CANDIDATES).execute();
  return rows.map(toWantRecord);
}

export async function getCatalogueWant(db: ReadDb, wantId: string): Promise<WantRecord | undefined> {
  const row = await db.withTables<CatalogueTables>().selectFrom('catalogue_want').selectAll().where('want_id', '=', wantId).executeTakeFirst();
  return row && toWantRecord(row);
}

export async function openCatalogueWants(db: ReadDb, options: { since?: number } = {}): Promise<WantRecord[]> {
  let query = db.withTables<CatalogueTables>().selectFrom('catalogue_want').selectAll().where('status', '=', 'open');
  if (options.since !== undefined) query = query.where('position', '>', options.since);
  const rows = await query.orderBy('position', 'desc').limit(MAX_CATALOGUE_CANDIDATES).execute();
  return rows.map(toWantRecord);
}

/** The newest position any offer or want was recorded at (-1 for none): where a match feed starts. */
export async function latestCataloguePosition(db: ReadDb): Promise<number> {
  const tables = db.withTables<CatalogueTables>();
  const offer = await tables.selectFrom('catalogue_offer').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
  const want = await tables.selectFrom('catalogue_want').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
  return Math.max(Number(offer?.p ?? -1), Number(want?.p ?? -1));
}

/** The programme and value-chain memberships an organisation holds on a day (YYYY-MM-DD). */
export async function currentMemberships(db: ReadDb, organisationId: string, day: string): Promise<CurrentMembership[]> {
  const rows = await db
    .withTables<ProgrammeTables>()
    .selectFrom('programmes_membership')
    .select(['programme_id', 'value_chain_id'])
    .where('organisation_id', '=', organisationId)
    .where('member_from', '<=', day)
    .where((eb) => eb.or([eb('member_until', 'is', null), eb('member_until', '>', day)]))
    .orderBy('added_position')
    .execute();
  return rows.map((r) => ({ programmeId: r.programme_id, valueChainId: r.value_chain_id }));
}

/**
 * How the material travelled, for a programme's impact report: `classic` symbiosis when the buyer
 * takes a residual straight from the organisation whose residual it is (a registered residual,
 * offered before it ever changed hands); `via-market` when it reached the seller through collectors
 * or processors (collected, produced, or received); null for a recurring stream, whose deliveries
 * the deal does not name.
 */
export type SymbiosisKind = 'classic' | 'via-market';

export interface DealHistoryEntry {
  kind: string;
  occurredAt: string;
  actorOrgId: string;
  transferId: string | null;
  grams: number | null;
  note: string | null;
  position: number;
}

export interface DealView {
  dealId: string;
  offerId: string;
  offerTitle: string | null;
  batchId: string | null;
  holderOrgId: string;
  buyerOrgId: string;
  status: string;
  transferId: string | null;
  dispatchedGrams: number | null;
  receivedGrams: number | null;
  message: string | null;
  requestedAt: string;
  updatedAt: string;
  symbiosis: SymbiosisKind | null;
  history: DealHistoryEntry[];
}

async function symbiosisOf(db: ReadDb, deals: readonly CatalogueDealRow[]): Promise<Map<string, SymbiosisKind | null>> {
  const out = new Map<string, SymbiosisKind | null>();
  const offerIds = [...new Set(deals.map((d) => d.offer_id))];
  const batchIds = [...new Set(deals.map((d) => d.batch_id).filter((b): b is string => b !== null))];
  const offers = offerIds.length === 0 ? [] : await db.withTables<CatalogueTables>().selectFrom('catalogue_offer').select(['offer_id', 'batch_receipts']).where('offer_id', 'in', offerIds).execute();
  const receiptsAtOffer = new Map(offers.map((o) => [o.offer_id, o.batch_receipts === null ? null : Number(o.batch_receipts)]));
  const batches =
    batchIds.length === 0 ? [] : await db.withTables<BatchSummaryTables>().selectFrom('batch_summary_batch').select(['batch_id', 'origin_kind', 'origin_org_id']).where('batch_id', 'in', batchIds).execute();
  const origin = new Map(batches.map((b) => [b.batch_id, b]));
  for (const deal of deals) {
    if (deal.batch_id === null) {
      out.set(deal.request_id, null);
      continue;
    }
    const batch = origin.get(deal.batch_id);
    const classic = batch?.origin_kind === 'residual' && batch.origin_org_id === deal.holder_org_id && receiptsAtOffer.get(deal.offer_id) === 0;
    out.set(deal.request_id, classic ? 'classic' : 'via-market');
  }
  return out;
}

function toDealView(row: CatalogueDealRow, title: string | null, symbiosis: SymbiosisKind | null, history: DealHistoryEntry[]): DealView {
  return {
    dealId: row.request_id,
    offerId: row.offer_id,
    offerTitle: title,
    batchId: row.batch_id,
    holderOrgId: row.holder_org_id,
    buyerOrgId: row.buyer_org_id,
    status: row.status,
    transferId: row.transfer_id,
    dispatchedGrams: row.dispatched_grams,
    receivedGrams: row.received_grams,
    message: row.message,
    requestedAt: row.requested_at,
    updatedAt: row.updated_at,
    symbiosis,
    history,
  };
}

/** A request, and the deal it became, with its history in log order. */
export async function getDeal(db: ReadDb, dealId: string): Promise<DealView | undefined> {
  const tables = db.withTables<CatalogueTables>();
  const raw = await tables.selectFrom('catalogue_deal').selectAll().where('request_id', '=', dealId).executeTakeFirst();
  if (!raw) return undefined;
  const row = normaliseDeal(raw);
  const offer = await tables.selectFrom('catalogue_offer').select('title').where('offer_id', '=', row.offer_id).executeTakeFirst();
  const events = await tables.selectFrom('catalogue_deal_event').selectAll().where('request_id', '=', dealId).orderBy('position').execute();
  const history = events.map((e) => ({
    kind: e.kind,
    occurredAt: e.occurred_at,
    actorOrgId: e.actor_org_id,
    transferId: e.transfer_id,
    grams: e.grams === null ? null : Number(e.grams),
    note: e.note,
    position: Number(e.position),
  }));
  return toDealView(row, offer?.title ?? null, (await symbiosisOf(db, [row])).get(row.request_id) ?? null, history);
}

/**
 * Deals for a report: those a set of organisations took part in (as seller or buyer), received or
 * not, with seller, buyer, batch, grams and how the material travelled (`symbiosis`). Without
 * `organisationIds`, every deal. The history is left out (getDeal has it).
 */
export async function catalogueDeals(db: ReadDb, filter: { organisationIds?: readonly string[]; statuses?: readonly string[] } = {}): Promise<DealView[]> {
  let query = db.withTables<CatalogueTables>().selectFrom('catalogue_deal').selectAll();
  const orgs = filter.organisationIds;
  if (orgs !== undefined) {
    if (orgs.length === 0) return [];
    query = query.where((eb) => eb.or([eb('holder_org_id', 'in', orgs), eb('buyer_org_id', 'in', orgs)]));
  }
  if (filter.statuses !== undefined && filter.statuses.length > 0) query = query.where('status', 'in', filter.statuses);
  const rows = (await query.orderBy('position').execute()).map(normaliseDeal);
  const kinds = await symbiosisOf(db, rows);
  return rows.map((row) => toDealView(row, null, kinds.get(row.request_id) ?? null, []));
}

/** Where the listing stream of a request lives: its offer's batch, or its stream offer. */
export async function dealLocator(db: ReadDb, requestId: string): Promise<{ offerId: string; batchId: string | null; holderOrgId: string; buyerOrgId: string } | undefined> {
  const row = await db.withTables<CatalogueTables>().selectFrom('catalogue_deal').select(['offer_id', 'batch_id', 'holder_org_id', 'buyer_org_id']).where('request_id', '=', requestId).executeTakeFirst();
  return row && { offerId: row.offer_id, batchId: row.batch_id, holderOrgId: row.holder_org_id, buyerOrgId: row.buyer_org_id };
}
