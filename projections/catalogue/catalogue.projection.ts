import type { CatalogueBatchOffered, CatalogueStreamOffered } from '#domain';
import { BaseProjection } from '../runner/base-projection.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, textType, utcInstant, type TableDef } from '../runner/sql-rows.js';

/**
 * The symbiosis catalogue (docs/decisions/046-symbiosis-catalogue.md).
 *
 * - `catalogue_offer`: every offer, with its batch's status and current grams followed from the
 *   batch's own events, so that a batch consumed, shipped or closed drops out of the catalogue by
 *   itself. `status`: open, withdrawn, taken (the deal's buyer received it), ended (the batch
 *   changed hands otherwise, or was closed). Expiry is not stored: it is a rule against now, applied
 *   when read.
 * - `catalogue_want`: every want.
 * - `catalogue_deal`: every request, keyed by its id (also the deal's id), with what became of it;
 *   `catalogue_deal_event`: its history, one row per event, keyed by log position.
 *
 * JSON columns (composition, location, visibility, fibres…) are the event's own values, serialised
 * as they come, so a rebuild writes the same bytes.
 */
export type CatalogueOfferRow = {
  offer_id: string;
  kind: string;
  holder_org_id: string;
  batch_id: string | null;
  batch_receipts: number | null;
  title: string;
  grade: string;
  composition: string;
  ewc_code: string;
  mass_grams: number;
  period: string | null;
  kommune_code: string;
  location: string;
  available_from: string;
  available_until: string | null;
  terms: string | null;
  visibility: string;
  audience_kind: string;
  status: string;
  batch_status: string | null;
  reserved_request_id: string | null;
  offered_at: string;
  position: number;
};

export type CatalogueWantRow = {
  want_id: string;
  buyer_org_id: string;
  title: string;
  fibres: string;
  grades: string;
  ewc_codes: string;
  min_grams: number;
  max_grams: number | null;
  kommune_code: string;
  location: string;
  region: string | null;
  needed_by: string | null;
  visibility: string;
  audience_kind: string;
  status: string;
  published_at: string;
  position: number;
};

export type CatalogueDealRow = {
  request_id: string;
  offer_id: string;
  batch_id: string | null;
  holder_org_id: string;
  buyer_org_id: string;
  status: string;
  transfer_id: string | null;
  dispatched_grams: number | null;
  received_grams: number | null;
  message: string | null;
  requested_at: string;
  updated_at: string;
  position: number;
};

export type CatalogueDealEventRow = {
  position: number;
  request_id: string;
  kind: string;
  occurred_at: string;
  actor_org_id: string;
  transfer_id: string | null;
  grams: number | null;
  note: string | null;
};

export type CatalogueTables = {
  catalogue_offer: CatalogueOfferRow;
  catalogue_want: CatalogueWantRow;
  catalogue_deal: CatalogueDealRow;
  catalogue_deal_event: CatalogueDealEventRow;
};

const OFFER_COLUMNS = [
  'offer_id', 'kind', 'holder_org_id', 'batch_id', 'batch_receipts', 'title', 'grade', 'composition', 'ewc_code', 'mass_grams', 'period', 'kommune_code', 'location',
  'available_from', 'available_until', 'terms', 'visibility', 'audience_kind', 'status', 'batch_status', 'reserved_request_id', 'offered_at', 'position',
] as const;
const WANT_COLUMNS = [
  'want_id', 'buyer_org_id', 'title', 'fibres', 'grades', 'ewc_codes', 'min_grams', 'max_grams', 'kommune_code', 'location', 'region', 'needed_by', 'visibility', 'audience_kind', 'status', 'published_at', 'position',
] as const;
const DEAL_COLUMNS = [
  'request_id', 'offer_id', 'batch_id', 'holder_org_id', 'buyer_org_id', 'status', 'transfer_id', 'dispatched_grams', 'received_grams', 'message', 'requested_at', 'updated_at', 'position',
] as const;
const DEAL_EVENT_COLUMNS = ['position', 'request_id', 'kind', 'occurred_at', 'actor_org_id', 'transfer_id', 'grams', 'note'] as const;

const OFFER: TableDef = { name: 'catalogue_offer', columns: OFFER_COLUMNS, primaryKey: ['offer_id'] };
const WANT: TableDef = { name: 'catalogue_want', columns: WANT_COLUMNS, primaryKey: ['want_id'] };
const DEAL: TableDef = { name: 'catalogue_deal', columns: DEAL_COLUMNS, primaryKey: ['request_id'] };
const DEAL_EVENT: TableDef = { name: 'catalogue_deal_event', columns: DEAL_EVENT_COLUMNS, primaryKey: ['position'] };

/** Deal statuses that may still change. */
const ACTIVE_DEALS = ['requested', 'accepted', 'dispatched'];

export class CatalogueProjection extends BaseProjection {
  readonly name = 'catalogue';
  readonly version = 1;
  readonly tables = [OFFER.name, WANT.name, DEAL.name, DEAL_EVENT.name] as const;
  private readonly offerRows = new RowBuffer(OFFER);
  private readonly wantRows = new RowBuffer(WANT);
  private readonly dealRows = new RowBuffer(DEAL);
  private readonly dealEventRows = new RowBuffer(DEAL_EVENT, 'insert-ignore');
  /** Offers still open, and the open batch offer of each batch (at most one: the listing stream decides it). */
  private readonly openOffers = new Map<string, CatalogueOfferRow>();
  private readonly offerOfBatch = new Map<string, string>();
  private readonly openWants = new Map<string, CatalogueWantRow>();
  /** Deals that may still change, and the accepted (reserving) deal of each batch. */
  private readonly activeDeals = new Map<string, CatalogueDealRow>();
  private readonly dealOfBatch = new Map<string, string>();

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<CatalogueTables>().schema;
    const text = textType(db);
    await schema
      .createTable(OFFER.name)
      .ifNotExists()
      .addColumn('offer_id', text, (c) => c.primaryKey())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('holder_org_id', text, (c) => c.notNull())
      .addColumn('batch_id', text)
      .addColumn('batch_receipts', 'bigint')
      .addColumn('title', text, (c) => c.notNull())
      .addColumn('grade', text, (c) => c.notNull())
      .addColumn('composition', text, (c) => c.notNull())
      .addColumn('ewc_code', text, (c) => c.notNull())
      .addColumn('mass_grams', 'bigint', (c) => c.notNull())
      .addColumn('period', text)
      .addColumn('kommune_code', text, (c) => c.notNull())
      .addColumn('location', text, (c) => c.notNull())
      .addColumn('available_from', text, (c) => c.notNull())
      .addColumn('available_until', text)
      .addColumn('terms', text)
      .addColumn('visibility', text, (c) => c.notNull())
      .addColumn('audience_kind', text, (c) => c.notNull())
      .addColumn('status', text, (c) => c.notNull())
      .addColumn('batch_status', text)
      .addColumn('reserved_request_id', text)
      .addColumn('offered_at', text, (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await schema.createIndex('catalogue_offer_status').ifNotExists().on(OFFER.name).columns(['status', 'position']).execute();
    await schema.createIndex('catalogue_offer_batch').ifNotExists().on(OFFER.name).column('batch_id').execute();
    await schema
      .createTable(WANT.name)
      .ifNotExists()
      .addColumn('want_id', text, (c) => c.primaryKey())
      .addColumn('buyer_org_id', text, (c) => c.notNull())
      .addColumn('title', text, (c) => c.notNull())
      .addColumn('fibres', text, (c) => c.notNull())
      .addColumn('grades', text, (c) => c.notNull())
      .addColumn('ewc_codes', text, (c) => c.notNull())
      .addColumn('min_grams', 'bigint', (c) => c.notNull())
      .addColumn('max_grams', 'bigint')
      .addColumn('kommune_code', text, (c) => c.notNull())
      .addColumn('location', text, (c) => c.notNull())
      .addColumn('region', text)
      .addColumn('needed_by', text)
      .addColumn('visibility', text, (c) => c.notNull())
      .addColumn('audience_kind', text, (c) => c.notNull())
      .addColumn('status', text, (c) => c.notNull())
      .addColumn('published_at', text, (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await schema.createIndex('catalogue_want_status').ifNotExists().on(WANT.name).columns(['status', 'position']).execute();
    await schema
      .createTable(DEAL.name)
      .ifNotExists()
      .addColumn('request_id', text, (c) => c.primaryKey())
      .addColumn('offer_id', text, (c) => c.notNull())
      .addColumn('batch_id', text)
      .addColumn('holder_org_id', text, (c) => c.notNull())
      .addColumn('buyer_org_id', text, (c) => c.notNull())
      .addColumn('status', text, (c) => c.notNull())
      .addColumn('transfer_id', text)
      .addColumn('dispatched_grams', 'bigint')
      .addColumn('received_grams', 'bigint')
      .addColumn('message', text)
      .addColumn('requested_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await schema.createIndex('catalogue_deal_offer').ifNotExists().on(DEAL.name).column('offer_id').execute();
    await schema.createIndex('catalogue_deal_holder').ifNotExists().on(DEAL.name).column('holder_org_id').execute();
    await schema.createIndex('catalogue_deal_buyer').ifNotExists().on(DEAL.name).column('buyer_org_id').execute();
    await schema
      .createTable(DEAL_EVENT.name)
      .ifNotExists()
      .addColumn('position', 'bigint', (c) => c.primaryKey())
      .addColumn('request_id', text, (c) => c.notNull())
      .addColumn('kind', text, (c) => c.notNull())
      .addColumn('occurred_at', text, (c) => c.notNull())
      .addColumn('actor_org_id', text, (c) => c.notNull())
      .addColumn('transfer_id', text)
      .addColumn('grams', 'bigint')
      .addColumn('note', text)
      .execute();
    await schema.createIndex('catalogue_deal_event_request').ifNotExists().on(DEAL_EVENT.name).column('request_id').execute();
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const tables = db.withTables<CatalogueTables>();
    for (const row of await tables.selectFrom('catalogue_offer').selectAll().where('status', '=', 'open').execute()) {
      this.trackOffer(normaliseOffer(row));
    }
    for (const row of await tables.selectFrom('catalogue_want').selectAll().where('status', '=', 'open').execute()) {
      this.openWants.set(row.want_id, { ...row, min_grams: Number(row.min_grams), max_grams: row.max_grams === null ? null : Number(row.max_grams), position: Number(row.position) });
    }
    for (const row of await tables.selectFrom('catalogue_deal').selectAll().where('status', 'in', ACTIVE_DEALS).execute()) {
      this.trackDeal(normaliseDeal(row));
    }
  }

  protected clearState(): void {
    this.offerRows.clear();
    this.wantRows.clear();
    this.dealRows.clear();
    this.dealEventRows.clear();
    this.openOffers.clear();
    this.offerOfBatch.clear();
    this.openWants.clear();
    this.activeDeals.clear();
    this.dealOfBatch.clear();
  }

  private trackOffer(row: CatalogueOfferRow): void {
    if (row.status === 'open') {
      this.openOffers.set(row.offer_id, row);
      if (row.batch_id !== null) this.offerOfBatch.set(row.batch_id, row.offer_id);
      return;
    }
    this.openOffers.delete(row.offer_id);
    if (row.batch_id !== null && this.offerOfBatch.get(row.batch_id) === row.offer_id) this.offerOfBatch.delete(row.batch_id);
  }

  /** Writes the offer row, and keeps the in-memory view in step. */
  private updateOffer(row: CatalogueOfferRow): void {
    this.offerRows.put(row.offer_id, row);
    this.trackOffer(row);
  }

  private trackDeal(row: CatalogueDealRow): void {
    if (ACTIVE_DEALS.includes(row.status)) {
      this.activeDeals.set(row.request_id, row);
      if (row.batch_id !== null && (row.status === 'accepted' || row.status === 'dispatched')) this.dealOfBatch.set(row.batch_id, row.request_id);
    } else {
      this.activeDeals.delete(row.request_id);
    }
    if (row.batch_id !== null && this.dealOfBatch.get(row.batch_id) === row.request_id && row.status !== 'accepted' && row.status !== 'dispatched') this.dealOfBatch.delete(row.batch_id);
  }

  private updateDeal(row: CatalogueDealRow): void {
    this.dealRows.put(row.request_id, row);
    this.trackDeal(row);
  }

  private history(projected: ProjectedEvent, requestId: string, kind: string, occurredAt: string, extra: { transferId?: string; grams?: number; note?: string } = {}): void {
    this.dealEventRows.put(String(projected.position), {
      position: projected.position,
      request_id: requestId,
      kind,
      occurred_at: utcInstant(occurredAt),
      actor_org_id: projected.actorOrgId,
      transfer_id: extra.transferId ?? null,
      grams: extra.grams ?? null,
      note: extra.note ?? null,
    });
  }

  protected fold(projected: ProjectedEvent): void {
    const { event, position } = projected;
    switch (event.type) {
      case 'CatalogueBatchOffered':
      case 'CatalogueStreamOffered': {
        const e = event.data;
        this.updateOffer(offerRow(event.type === 'CatalogueBatchOffered' ? { batch: event.data } : { stream: event.data }, e.visibility.audience.kind, position));
        return;
      }
      case 'CatalogueOfferWithdrawn': {
        const offer = this.openOffers.get(event.data.offerId);
        if (offer) this.updateOffer({ ...offer, status: 'withdrawn' });
        return;
      }
      case 'CatalogueOfferRequested': {
        const e = event.data;
        const at = utcInstant(e.occurredAt);
        this.updateDeal({
          request_id: e.requestId,
          offer_id: e.offerId,
          batch_id: e.batchId ?? null,
          holder_org_id: e.holderOrgId,
          buyer_org_id: e.buyerOrgId,
          status: 'requested',
          transfer_id: null,
          dispatched_grams: null,
          received_grams: null,
          message: e.message ?? null,
          requested_at: at,
          updated_at: at,
          position,
        });
        this.history(projected, e.requestId, 'requested', e.occurredAt);
        return;
      }
      case 'CatalogueRequestAccepted': {
        const e = event.data;
        const deal = this.activeDeals.get(e.requestId);
        if (!deal) return;
        this.updateDeal({ ...deal, status: 'accepted', updated_at: utcInstant(e.occurredAt) });
        this.history(projected, e.requestId, e.batchId !== undefined ? 'reserved' : 'accepted', e.occurredAt);
        const offer = this.openOffers.get(e.offerId);
        if (offer && e.batchId !== undefined) this.updateOffer({ ...offer, reserved_request_id: e.requestId });
        return;
      }
      case 'CatalogueRequestDeclined': {
        const deal = this.activeDeals.get(event.data.requestId);
        if (!deal) return;
        this.updateDeal({ ...deal, status: 'declined', updated_at: utcInstant(event.data.occurredAt) });
        this.history(projected, deal.request_id, 'declined', event.data.occurredAt, event.data.reason !== undefined ? { note: event.data.reason } : {});
        return;
      }
      case 'CatalogueDealCancelled': {
        const deal = this.activeDeals.get(event.data.requestId);
        if (!deal) return;
        this.updateDeal({ ...deal, status: 'cancelled', updated_at: utcInstant(event.data.occurredAt) });
        this.history(projected, deal.request_id, 'cancelled', event.data.occurredAt, { note: event.data.reason });
        const offer = this.openOffers.get(deal.offer_id);
        if (offer && offer.reserved_request_id === deal.request_id) this.updateOffer({ ...offer, reserved_request_id: null });
        return;
      }
      case 'CatalogueWantPublished': {
        const e = event.data;
        const row: CatalogueWantRow = {
          want_id: e.wantId,
          buyer_org_id: e.buyerOrgId,
          title: e.title,
          fibres: JSON.stringify(e.fibres),
          grades: JSON.stringify(e.grades),
          ewc_codes: JSON.stringify(e.ewcCodes),
          min_grams: e.minGrams,
          max_grams: e.maxGrams ?? null,
          kommune_code: e.location.kommuneCode,
          location: JSON.stringify(e.location),
          region: e.region ?? null,
          needed_by: e.neededBy === undefined ? null : utcInstant(e.neededBy),
          visibility: JSON.stringify(e.visibility),
          audience_kind: e.visibility.audience.kind,
          status: 'open',
          published_at: utcInstant(e.occurredAt),
          position,
        };
        this.openWants.set(row.want_id, row);
        this.wantRows.put(row.want_id, row);
        return;
      }
      case 'CatalogueWantWithdrawn': {
        const want = this.openWants.get(event.data.wantId);
        if (!want) return;
        this.openWants.delete(want.want_id);
        this.wantRows.put(want.want_id, { ...want, status: 'withdrawn' });
        return;
      }
      default:
        this.followBatch(projected);
    }
  }

  /** Batch events move an offered or reserved batch: it drops out of the catalogue, and a deal goes on. */
  private followBatch(projected: ProjectedEvent): void {
    const { event } = projected;
    if (!('batchId' in event.data) || typeof event.data.batchId !== 'string') return;
    const batchId = event.data.batchId;
    const offerId = this.offerOfBatch.get(batchId);
    const requestId = this.dealOfBatch.get(batchId);
    if (offerId === undefined && requestId === undefined) return;
    const offer = offerId === undefined ? undefined : this.openOffers.get(offerId);
    const deal = requestId === undefined ? undefined : this.activeDeals.get(requestId);
    const setBatch = (batchStatus: string, changes: Partial<CatalogueOfferRow> = {}): void => {
      if (offer) this.updateOffer({ ...offer, batch_status: batchStatus, ...changes });
    };
    switch (event.type) {
      case 'CustodyTransferDispatched': {
        const e = event.data;
        setBatch('in-transit');
        if (deal && deal.status === 'accepted' && e.toOrgId === deal.buyer_org_id) {
          this.updateDeal({ ...deal, status: 'dispatched', transfer_id: e.transferId, dispatched_grams: e.massGrams, updated_at: utcInstant(e.occurredAt) });
          this.history(projected, deal.request_id, 'dispatched', e.occurredAt, { transferId: e.transferId, grams: e.massGrams });
        }
        return;
      }
      case 'CustodyTransferReceived': {
        const e = event.data;
        const delivered = deal !== undefined && deal.status === 'dispatched' && deal.transfer_id === e.transferId;
        // A receipt is a change of hands: the offer is taken (by its deal) or ended, and any reservation spent.
        if (offer) this.updateOffer({ ...offer, batch_status: 'available', mass_grams: e.receivedMassGrams, status: delivered && offer.offer_id === deal.offer_id ? 'taken' : 'ended' });
        if (deal && delivered) {
          this.updateDeal({ ...deal, status: 'received', received_grams: e.receivedMassGrams, updated_at: utcInstant(e.occurredAt) });
          this.history(projected, deal.request_id, 'received', e.occurredAt, { transferId: e.transferId, grams: e.receivedMassGrams });
        } else if (deal) {
          this.updateDeal({ ...deal, status: 'lapsed', updated_at: utcInstant(e.occurredAt) });
          this.history(projected, deal.request_id, 'lapsed', e.occurredAt, { transferId: e.transferId, note: 'the batch went to another organisation' });
        }
        return;
      }
      case 'CustodyTransferCancelled': {
        const e = event.data;
        setBatch('available');
        if (deal && deal.status === 'dispatched' && deal.transfer_id === e.transferId) {
          this.updateDeal({ ...deal, status: 'accepted', transfer_id: null, dispatched_grams: null, updated_at: utcInstant(e.occurredAt) });
          this.history(projected, deal.request_id, 'dispatch-cancelled', e.occurredAt, { transferId: e.transferId, note: e.reason });
        }
        return;
      }
      case 'BatchConsumed':
        setBatch('consumed');
        return;
      case 'BatchConsumptionReverted':
      case 'BatchRestored':
      case 'BatchVoidReverted':
        setBatch('available');
        return;
      case 'BatchVoided':
        setBatch('voided');
        return;
      case 'BatchMassCorrected':
        if (offer) this.updateOffer({ ...offer, mass_grams: event.data.massGrams });
        return;
      case 'BatchSoldForReuse':
      case 'BatchIncinerated':
      case 'BatchLandfilled':
      case 'BatchExported':
      case 'ProductPlacedOnMarket':
        setBatch('closed', { status: 'ended' });
        if (deal) {
          this.updateDeal({ ...deal, status: 'lapsed', updated_at: utcInstant(event.data.occurredAt) });
          this.history(projected, deal.request_id, 'lapsed', event.data.occurredAt, { note: 'the batch left the ledger' });
        }
        return;
      default:
        return;
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.offerRows.flush(tx);
    await this.wantRows.flush(tx);
    await this.dealRows.flush(tx);
    await this.dealEventRows.flush(tx);
  }
}

function offerRow(offered: { batch: CatalogueBatchOffered } | { stream: CatalogueStreamOffered }, audienceKind: string, position: number): CatalogueOfferRow {
  const e = 'batch' in offered ? offered.batch : offered.stream;
  return {
    offer_id: e.offerId,
    kind: 'batch' in offered ? 'batch' : 'stream',
    holder_org_id: e.holderOrgId,
    batch_id: 'batch' in offered ? offered.batch.batchId : null,
    batch_receipts: 'batch' in offered ? offered.batch.batchReceipts : null,
    title: e.title,
    grade: e.grade,
    composition: JSON.stringify(e.composition),
    ewc_code: e.ewcCode,
    mass_grams: 'batch' in offered ? offered.batch.massGrams : offered.stream.massGramsPerPeriod,
    period: 'stream' in offered ? offered.stream.period : null,
    kommune_code: e.location.kommuneCode,
    location: JSON.stringify(e.location),
    available_from: utcInstant(e.availableFrom),
    available_until: e.availableUntil === undefined ? null : utcInstant(e.availableUntil),
    terms: e.terms ?? null,
    visibility: JSON.stringify(e.visibility),
    audience_kind: audienceKind,
    status: 'open',
    batch_status: 'batch' in offered ? 'available' : null,
    reserved_request_id: null,
    offered_at: utcInstant(e.occurredAt),
    position,
  };
}

/** PostgreSQL hands bigint columns back as strings. */
export function normaliseOffer(row: CatalogueOfferRow): CatalogueOfferRow {
  return { ...row, mass_grams: Number(row.mass_grams), batch_receipts: row.batch_receipts === null ? null : Number(row.batch_receipts), position: Number(row.position) };
}

export function normaliseDeal(row: CatalogueDealRow): CatalogueDealRow {
  return {
    ...row,
    dispatched_grams: row.dispatched_grams === null ? null : Number(row.dispatched_grams),
    received_grams: row.received_grams === null ? null : Number(row.received_grams),
    position: Number(row.position),
  };
}
