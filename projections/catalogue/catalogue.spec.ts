/**
 * The catalogue read model (docs/decisions/046-symbiosis-catalogue.md) on SQLite and PostgreSQL:
 * offers follow their batch (a batch shipped, consumed or closed drops out by itself), a deal's
 * history links its transfer, and a rebuild equals the live run.
 */
import { beforeEach, expect, it } from '@jest/globals';
import type { DomainEvent } from '#domain';
import { BatchSummaryProjection } from '../batch-summary/batch-summary.projection.js';
import { expectSameRowsWhateverThePages } from '../processes/testing/void-log.js';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { CatalogueProjection } from './catalogue.projection.js';
import { catalogueDeals, getCatalogueOffer, getDeal, offerStateAt, openCatalogueOffers, openCatalogueWants } from './catalogue.queries.js';

const LINEN = uid(1, 9);
const OFFCUTS = uid(2, 9);
const OFFER_LINEN = uid(10, 9);
const OFFER_OFFCUTS = uid(11, 9);
const STREAM = uid(12, 9);
const DEAL = uid(20, 9);
const OTHER_DEAL = uid(21, 9);
const WANT = uid(30, 9);
const AT = '2025-03-03T07:00:00.000Z';
const visibility = { audience: { kind: 'everyone' as const }, disclosure: { name: false, mass: 'band' as const, location: 'kommune' as const } };
const COTTON = [{ fibre: 'cotton' as const, share: 10_000 }];

function offered(offerId: string, batchId: string, holder: string, massGrams: number): DomainEvent {
  return {
    type: 'CatalogueBatchOffered',
    data: { offerId, batchId, holderOrgId: holder, title: 'Linen', grade: 'unsorted', composition: COTTON, ewcCode: '20 01 11', massGrams, batchReceipts: 0, location: { kommuneCode: '0657' }, availableFrom: AT, availableUntil: '2025-12-31T00:00:00.000Z', visibility, occurredAt: AT },
  };
}

/**
 * Given the sorter's linen (2 t, a residual it registered) and offcuts (1 t), both offered, and a
 * stream of 500 kg a month: the recycler and the maker ask for the linen, the sorter accepts the
 * recycler (reserving it), dispatches it to the recycler, who receives 1,990 kg; the offcuts go into
 * a process and are then incinerated; the maker publishes a want.
 */
function scenario(log: EventLog): void {
  const listing = (batchId: string) => `catalogue-batch-${batchId}`;
  const as = (actorOrgId: string) => ({ actorOrgId });
  log.register(LINEN, 2_000_000, ORG.sorter);
  log.register(OFFCUTS, 1_000_000, ORG.sorter);
  log.append(listing(LINEN), offered(OFFER_LINEN, LINEN, ORG.sorter, 2_000_000), as(ORG.sorter));
  log.append(listing(OFFCUTS), offered(OFFER_OFFCUTS, OFFCUTS, ORG.sorter, 1_000_000), as(ORG.sorter));
  log.append(
    `catalogue-offer-${STREAM}`,
    {
      type: 'CatalogueStreamOffered',
      data: { offerId: STREAM, holderOrgId: ORG.sorter, title: 'Hospital linen', grade: 'recycling', composition: COTTON, ewcCode: '20 01 11', period: 'month', massGramsPerPeriod: 500_000, location: { kommuneCode: '0657' }, availableFrom: AT, visibility, occurredAt: AT },
    },
    as(ORG.sorter),
  );
  for (const [requestId, buyer] of [[DEAL, ORG.recycler], [OTHER_DEAL, ORG.maker]] as const) {
    log.append(listing(LINEN), { type: 'CatalogueOfferRequested', data: { requestId, offerId: OFFER_LINEN, batchId: LINEN, holderOrgId: ORG.sorter, buyerOrgId: buyer, occurredAt: AT } }, as(buyer));
  }
  log.append(listing(LINEN), { type: 'CatalogueRequestAccepted', data: { requestId: DEAL, offerId: OFFER_LINEN, batchId: LINEN, holderOrgId: ORG.sorter, buyerOrgId: ORG.recycler, batchReceipts: 0, occurredAt: AT } }, as(ORG.sorter));
  log.append(listing(LINEN), { type: 'CatalogueRequestDeclined', data: { requestId: OTHER_DEAL, offerId: OFFER_LINEN, reason: 'Reserved for another buyer', occurredAt: AT } }, as(ORG.sorter));
  const transferId = log.dispatch(LINEN, ORG.sorter, ORG.recycler, 2_000_000);
  log.receive(LINEN, transferId, 2_000_000, 1_990_000, ORG.recycler);
  log.append(`batch-${OFFCUTS}`, { type: 'BatchConsumed', data: { batchId: OFFCUTS, processId: uid(40, 9), massGrams: 1_000_000 } }, as(ORG.sorter));
  log.append(`batch-${OFFCUTS}`, { type: 'BatchConsumptionReverted', data: { batchId: OFFCUTS, processId: uid(40, 9) } }, as(ORG.sorter));
  log.incinerate(OFFCUTS, ORG.sorter);
  log.append(
    `catalogue-want-${WANT}`,
    {
      type: 'CatalogueWantPublished',
      data: { wantId: WANT, buyerOrgId: ORG.maker, title: 'Cotton', fibres: [{ fibre: 'cotton', minShare: 6_000 }], grades: [], ewcCodes: [], minGrams: 100_000, location: { kommuneCode: '0661' }, visibility, occurredAt: AT },
    },
    as(ORG.maker),
  );
}

describeOnEachReadDb('catalogue projection', (openDb) => {
  let db: ReadDb;
  let catalogue: CatalogueProjection;
  let batches: BatchSummaryProjection;

  beforeEach(async () => {
    db = await openDb();
    catalogue = new CatalogueProjection();
    batches = new BatchSummaryProjection();
    for (const p of [catalogue, batches]) {
      await p.migrate(db);
      await p.load(db);
    }
  });

  async function projectAll(log: EventLog): Promise<void> {
    await project(db, batches, log.projected());
    await project(db, catalogue, log.projected());
  }

  it('records the deal from request to receipt, linking its transfer; the offer is then taken', async () => {
    const log = new EventLog();
    scenario(log);
    await projectAll(log);
    const deal = await getDeal(db, DEAL);
    expect(deal).toMatchObject({ status: 'received', holderOrgId: ORG.sorter, buyerOrgId: ORG.recycler, batchId: LINEN, dispatchedGrams: 2_000_000, receivedGrams: 1_990_000, symbiosis: 'classic', offerTitle: 'Linen' });
    expect(deal!.history.map((h) => h.kind)).toEqual(['requested', 'reserved', 'dispatched', 'received']);
    expect(deal!.history[2]!.transferId).toBe(deal!.transferId);
    expect((await getDeal(db, OTHER_DEAL))!.history.map((h) => h.kind)).toEqual(['requested', 'declined']);
    expect((await getCatalogueOffer(db, OFFER_LINEN))!.status).toBe('taken');
    expect((await catalogueDeals(db, { organisationIds: [ORG.recycler], statuses: ['received'] })).map((d) => [d.dealId, d.symbiosis, d.receivedGrams])).toEqual([[DEAL, 'classic', 1_990_000]]);
  });

  it('drops a batch that is consumed, and ends its offer once the batch is closed; a stream offer stays', async () => {
    const log = new EventLog();
    scenario(log);
    const events = log.projected();
    const consumedAt = events.findIndex((e) => e.event.type === 'BatchConsumed');
    await project(db, batches, events.slice(0, consumedAt + 1));
    await project(db, catalogue, events.slice(0, consumedAt + 1));
    const now = '2025-06-01T00:00:00.000Z';
    expect(offerStateAt((await getCatalogueOffer(db, OFFER_OFFCUTS))!, now)).toBe('unavailable');
    await project(db, batches, events.slice(consumedAt + 1));
    await project(db, catalogue, events.slice(consumedAt + 1));
    expect((await getCatalogueOffer(db, OFFER_OFFCUTS))!.status).toBe('ended');
    expect((await openCatalogueOffers(db)).map((o) => o.offer.offerId)).toEqual([STREAM]);
    // Expiry is a rule against now: the same row is open before its availableUntil and expired after.
    const stream = (await openCatalogueOffers(db))[0]!;
    expect(offerStateAt(stream, now)).toBe('open');
    expect(offerStateAt({ ...stream, offer: { ...stream.offer, availableUntil: '2025-05-01T00:00:00.000Z' } }, now)).toBe('expired');
    expect((await openCatalogueWants(db)).map((w) => [w.want.wantId, w.want.fibres])).toEqual([[WANT, [{ fibre: 'cotton', minShare: 6_000 }]]]);
  });

  it('writes the same rows whatever the pages, and after a restart at every event (rebuild equals live)', async () => {
    const log = new EventLog();
    scenario(log);
    const rows = await expectSameRowsWhateverThePages(openDb, () => new CatalogueProjection(), log.projected());
    expect(rows['catalogue_offer']).toHaveLength(3);
    expect(rows['catalogue_deal_event']).toHaveLength(6);
  });
});
