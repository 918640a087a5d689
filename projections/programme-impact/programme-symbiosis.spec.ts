/**
 * The catalogue's deals in a programme's impact report (docs/decisions/043-programme-impact.md), read
 * from the catalogue's read model on SQLite and PostgreSQL: matched = accepted in the period and
 * still standing (grams dispatched, else the reserved offer's as corrected); traded = received in the
 * period (grams received); counted when the seller or the buyer was a member that day.
 */
import { beforeEach, expect, it } from '@jest/globals';
import type { DomainEvent } from '#domain';
import { BatchSummaryProjection } from '../batch-summary/batch-summary.projection.js';
import { CatalogueProjection } from '../catalogue/catalogue.projection.js';
import type { ReadDb } from '../runner/projection.js';
import { COTTON, EventLog, ORG, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { programmeSymbiosis } from './programme-symbiosis.queries.js';

const LINEN = uid(1, 8);
const COLLECTED = uid(2, 8);
const OFFCUTS = uid(3, 8);
const visibility = { audience: { kind: 'everyone' as const }, disclosure: { name: true, mass: 'exact' as const, location: 'kommune' as const } };

/** Offered by the seller, asked for by the buyer, accepted: returns the deal (request) id. */
function deal(log: EventLog, n: number, batchId: string, massGrams: number, seller: string, buyer: string): { offerId: string; requestId: string } {
  const listing = `catalogue-batch-${batchId}`;
  const offerId = uid(10 + n, 8);
  const requestId = uid(20 + n, 8);
  const at = log.now();
  const offered: DomainEvent = {
    type: 'CatalogueBatchOffered',
    data: { offerId, batchId, holderOrgId: seller, title: 'Cotton', grade: 'unsorted', composition: COTTON, ewcCode: '20 01 11', massGrams, batchReceipts: 0, location: { kommuneCode: '0657' }, availableFrom: at, visibility, occurredAt: at },
  };
  log.append(listing, offered, { actorOrgId: seller });
  log.append(listing, { type: 'CatalogueOfferRequested', data: { requestId, offerId, batchId, holderOrgId: seller, buyerOrgId: buyer, occurredAt: log.now() } }, { actorOrgId: buyer });
  log.append(listing, { type: 'CatalogueRequestAccepted', data: { requestId, offerId, batchId, holderOrgId: seller, buyerOrgId: buyer, batchReceipts: 0, occurredAt: log.now() } }, { actorOrgId: seller });
  return { offerId, requestId };
}

/**
 * Given, on 3 March 2025: the sorter's own residual linen (2 t) reserved for the recycler, sent and
 * received as 1.99 t (classic); the collector's collection (0.5 t, corrected to 0.48 t) reserved
 * for the maker and not yet sent (via the market); the sorter's offcuts reserved for the recycler,
 * then cancelled.
 */
function scenario(): EventLog {
  const log = new EventLog();
  log.register(LINEN, 2_000_000, ORG.sorter);
  deal(log, 1, LINEN, 2_000_000, ORG.sorter, ORG.recycler);
  const transferId = log.dispatch(LINEN, ORG.sorter, ORG.recycler, 2_000_000);
  log.receive(LINEN, transferId, 2_000_000, 1_990_000, ORG.recycler);
  const collected = log.collect(COLLECTED, 500_000);
  deal(log, 2, COLLECTED, 500_000, ORG.collector, ORG.maker);
  log.correct(COLLECTED, collected.eventId, 500_000, 480_000, ORG.collector);
  log.register(OFFCUTS, 300_000, ORG.sorter);
  const off = deal(log, 3, OFFCUTS, 300_000, ORG.sorter, ORG.recycler);
  log.append(
    `catalogue-batch-${OFFCUTS}`,
    { type: 'CatalogueDealCancelled', data: { requestId: off.requestId, offerId: off.offerId, batchId: OFFCUTS, cancelledBy: ORG.recycler, reason: 'found other fibre', occurredAt: log.now() } },
    { actorOrgId: ORG.recycler },
  );
  return log;
}

describeOnEachReadDb('programme impact: symbiosis', (openDb) => {
  let db: ReadDb;

  beforeEach(async () => {
    db = await openDb();
    const projections = [new BatchSummaryProjection(), new CatalogueProjection()];
    for (const p of projections) {
      await p.migrate(db);
      await p.load(db);
    }
    const events = scenario().projected();
    for (const p of projections) await project(db, p, events);
  });

  const members = [ORG.sorter, ORG.maker];
  const isMember = (organisationId: string): boolean => members.includes(organisationId);

  it('splits the deals a member took part in, matched and traded, classic and via the market', async () => {
    const march = await programmeSymbiosis(db, { memberIds: members, isMember, from: '2025-03-01', to: '2025-03-31' });
    expect(march).toEqual({
      classic: { deals: 1, matchedDeals: 1, matchedGrams: 2_000_000, matchedTonnes: '2', tradedDeals: 1, tradedGrams: 1_990_000, tradedTonnes: '1.99' },
      // the maker (a member) is the buyer; the reserved offer's grams as corrected, since nothing was sent
      viaMarket: { deals: 1, matchedDeals: 1, matchedGrams: 480_000, matchedTonnes: '0.48', tradedDeals: 0, tradedGrams: 0, tradedTonnes: '0' },
      recurring: { matchedDeals: 0 },
    });
  });

  it('counts nothing outside the period, nor for organisations that were not members on the day', async () => {
    const april = await programmeSymbiosis(db, { memberIds: members, isMember, from: '2025-04-01', to: '2025-04-30' });
    expect([april.classic.deals, april.viaMarket.deals]).toEqual([0, 0]);
    const notYet = await programmeSymbiosis(db, { memberIds: members, isMember: (_org, day) => day >= '2025-03-04', from: '2025-03-01', to: '2025-03-31' });
    expect([notYet.classic.deals, notYet.viaMarket.deals]).toEqual([0, 0]);
  });
});
