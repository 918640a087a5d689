import { beforeEach, expect, it } from '@jest/globals';
import type { DomainEvent } from '#domain';
import { BatchSummaryProjection } from '../batch-summary/batch-summary.projection.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import type { ProjectedEvent, ReadDb } from '../runner/projection.js';
import { EventLog, ORG, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { SitesProjection } from './sites.projection.js';
import { adsExport, adsExportCsv, findSiteByPNumber, getSite, listSites, siteBalance } from './sites.queries.js';

const [c1, c2, a, b, sortingId] = [uid(1), uid(2), uid(3), uid(4), uid(60)];
const HALL = uid(10, 9);
const DEPOT = uid(11, 9);
const YEAR_2025 = { from: '2024-12-31T23:00:00.000Z', to: '2025-12-31T23:00:00.000Z' };

function declare(log: EventLog, siteId: string, name: string, kommuneCode: string, pNumber?: string): void {
  const event: DomainEvent = {
    type: 'SiteDeclared',
    data: { organisationId: ORG.sorter, siteId, name, address: 'Industrivej 1, 7400 Herning', kommuneCode, ...(pNumber ? { pNumber } : {}), declaredBy: ORG.sorter, occurredAt: '2025-01-02T08:00:00Z' },
  };
  log.append(`organisation-${ORG.sorter}`, event, { actorOrgId: ORG.sorter });
}

/** The consignee's receipt at one of its sites (the fixture's receipt names none). */
function receiveAt(log: EventLog, batchId: string, transferId: string, massGrams: number, siteId: string, measurement: 'weighed' | 'estimated', occurredAt: string): void {
  log.append(
    `batch-${batchId}`,
    {
      type: 'CustodyTransferReceived',
      data: { batchId, transferId, receivedMassGrams: massGrams, dispatchedMassGrams: massGrams, differenceGrams: 0, anomaly: false, toleranceBasisPoints: 200, occurredAt, siteId, measurement },
    },
    { actorOrgId: ORG.sorter },
  );
}

/** Names the site on a process the fixture wrote (its ProcessStarted is the process stream's first event). */
function runAt(log: EventLog, processId: string, siteId: string): void {
  const started = log.events.find((e) => e.streamId === `process-${processId}` && e.type === 'ProcessStarted');
  if (!started) throw new Error(`no ProcessStarted for ${processId}`);
  (started as { data: unknown }).data = { ...(started.data as object), siteId };
}

/**
 * Given a sorter with a sorting hall (P-number) in Herning, when a collector's batches from two
 * kommuner arrive there (one weighed, one estimated), one is sorted there and an output sold for
 * re-use, the other stays in store.
 */
function scenario(log: EventLog): void {
  declare(log, HALL, 'Sorteringshal Herning', '0657', '1012345678');
  declare(log, DEPOT, 'Depot Ikast', '0756');
  log.collect(c1, 10_000, { kommuneCode: '0657', occurredAt: '2025-02-10T10:00:00+01:00' });
  log.collect(c2, 5_000, { kommuneCode: '0661', occurredAt: '2025-02-11T10:00:00+01:00' });
  const t1 = log.dispatch(c1, ORG.collector, ORG.sorter, 10_000, { occurredAt: '2025-02-20T08:00:00Z' });
  receiveAt(log, c1, t1, 9_990, HALL, 'weighed', '2025-02-21T08:00:00Z');
  const t2 = log.dispatch(c2, ORG.collector, ORG.sorter, 5_000, { occurredAt: '2025-02-20T09:00:00Z' });
  receiveAt(log, c2, t2, 5_000, HALL, 'estimated', '2025-02-21T09:00:00Z');
  log.process({
    processId: sortingId,
    organisationId: ORG.sorter,
    inputs: [{ batchId: c1, massGrams: 9_990 }],
    outputs: [{ batchId: a, massGrams: 6_000, grade: 'reuse' }, { batchId: b, massGrams: 3_490 }],
    losses: [{ kind: 'moisture-dust', massGrams: 500 }],
    occurredAt: '2025-03-05T12:00:00Z',
  });
  runAt(log, sortingId, HALL);
  log.append(`batch-${a}`, { type: 'BatchSoldForReuse', data: { batchId: a, market: 'domestic', occurredAt: '2025-03-10T12:00:00Z', siteId: HALL } }, { actorOrgId: ORG.sorter });
}

describeOnEachReadDb('sites projection', (openDb) => {
  let db: ReadDb;
  let sites: SitesProjection;
  let summary: BatchSummaryProjection;

  beforeEach(async () => {
    db = await openDb();
    sites = new SitesProjection();
    summary = new BatchSummaryProjection();
    for (const p of [sites, summary]) {
      await p.migrate(db);
      await p.load(db);
    }
  });
  async function both(events: readonly ProjectedEvent[]): Promise<void> {
    await project(db, sites, events);
    await project(db, summary, events);
  }

  it('lists sites, finds one by its P-number, and follows amendments and closing', async () => {
    const log = new EventLog();
    scenario(log);
    log.append(
      `organisation-${ORG.sorter}`,
      { type: 'SiteAmended', data: { organisationId: ORG.sorter, siteId: DEPOT, name: 'Depot Ikast Nord', address: 'Nørregade 2, 7430 Ikast', kommuneCode: '0756', latitude: 56.14, longitude: 9.16, amendedBy: ORG.sorter, reason: 'moved', occurredAt: '2025-06-01T08:00:00Z' } },
      { actorOrgId: ORG.sorter },
    );
    log.append(`organisation-${ORG.sorter}`, { type: 'SiteClosed', data: { organisationId: ORG.sorter, siteId: DEPOT, closedBy: ORG.sorter, reason: 'lease ended', occurredAt: '2025-07-01T08:00:00Z' } }, { actorOrgId: ORG.sorter });
    await both(log.projected());

    expect((await listSites(db, ORG.sorter)).map((s) => [s.name, s.kommuneName, s.pNumber, s.open])).toEqual([
      ['Sorteringshal Herning', 'Herning', '1012345678', true],
      ['Depot Ikast Nord', 'Ikast-Brande', null, false],
    ]);
    expect(await getSite(db, DEPOT)).toMatchObject({ latitude: 56.14, longitude: 9.16, closedAt: '2025-07-01T08:00:00.000Z' });
    expect((await findSiteByPNumber(db, '1012345678'))?.siteId).toBe(HALL);
    expect(await findSiteByPNumber(db, '1099999999')).toBeUndefined();
  });

  it("balances the site, and its ADS rows reconcile with the balance to the gram", async () => {
    const log = new EventLog();
    scenario(log);
    await both(log.projected());

    const balance = await siteBalance(db, HALL, YEAR_2025.from, YEAR_2025.to);
    expect(balance).toMatchObject({ openingGrams: 0, receivedGrams: 14_990, consumedGrams: 9_990, producedGrams: 9_490, outcomeGrams: 6_000, closingGrams: 8_490, balanced: true });

    const site = (await getSite(db, HALL))!;
    const report = await adsExport(db, site, 2025);
    expect(report.rows.map((r) => [r.originKommuneCode, r.eakCode, r.fraction, r.treatmentCode, r.measurement, r.grams, r.tonnes])).toEqual([
      ['0657', '20 01 10', 'Tekstilaffald', 'R12', 'weighed', 9_990, '0.010'],
      ['0661', '20 01 10', 'Tekstilaffald', 'R13', 'estimated', 5_000, '0.005'],
    ]);
    expect(report.reconciliation).toMatchObject({ balanced: true, rowsGrams: 14_990, intakeGrams: 14_990, differenceGrams: 0 });
    // Another year holds nothing; a year's treatment counts only if it happened within the year.
    expect((await adsExport(db, site, 2024)).rows).toEqual([]);

    const csv = adsExportCsv(report, ['P', 'Y', 'K', 'E', 'F', 'T', 'M', 'O']);
    expect(csv.split('\r\n')[1]).toBe('1012345678;2025;0657;20 01 10;Tekstilaffald;R12;0,010;Vejet');
  });

  it('a void puts the sorted batch back in store: its treatment becomes storage again, and the balance still closes', async () => {
    const log = new EventLog();
    scenario(log);
    await both(log.projected());
    const site = (await getSite(db, HALL))!;
    const from = log.events.length;
    // The reuse output has left; void a second process instead, on the other output.
    log.process({ processId: uid(61), organisationId: ORG.sorter, processType: 'mechanical-recycling', inputs: [{ batchId: c2, massGrams: 5_000 }], outputs: [{ batchId: uid(5), massGrams: 5_000 }], occurredAt: '2025-04-01T12:00:00Z' });
    runAt(log, uid(61), HALL);
    await both(log.projected(from));
    expect((await adsExport(db, site, 2025)).rows.map((r) => r.treatmentCode)).toEqual(['R12', 'R3']);

    const voidFrom = log.events.length;
    voidProcess(log, uid(61), { occurredAt: '2025-04-02T09:00:00Z' });
    await both(log.projected(voidFrom));
    const report = await adsExport(db, site, 2025);
    expect(report.rows.map((r) => r.treatmentCode)).toEqual(['R12', 'R13']);
    expect(report.reconciliation.balanced).toBe(true);
    expect(report.reconciliation.balance.closingGrams).toBe(8_490);
  });

  it('writes the same rows whatever the pages, and after a restart at every event (rebuild equals live)', async () => {
    const log = new EventLog();
    scenario(log);
    log.process({ processId: uid(61), organisationId: ORG.sorter, inputs: [{ batchId: c2, massGrams: 5_000 }], outputs: [{ batchId: uid(5), massGrams: 5_000 }] });
    runAt(log, uid(61), HALL);
    voidProcess(log, uid(61));
    const rows = await expectSameRowsWhateverThePages(openDb, () => new SitesProjection(), log.projected());
    expect(rows['site_intake']).toHaveLength(2);
  });
});
