import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProgrammeImpactSchema } from '../../apps/ledger-api/src/programme-impact/programme-impact.responses.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

type Json = Record<string, unknown>;
type Impact = ReturnType<typeof ProgrammeImpactSchema.parse>;

const COTTON = [{ fibre: 'cotton', share: 10_000 }];
const PLACE = { kommuneCode: '0657' };

/**
 * The catalogue's deals in a programme's impact report (docs/decisions/043-programme-impact.md):
 * matched = accepted in the period and still standing (grams dispatched, else the reserved offer's),
 * traded = received in the period (grams received); a deal counts on a day when its seller or buyer
 * was a member that day. Closing Loops with its value chain CØ59; all of it in 2024:
 *
 *   members  mill A (programme, from 1 Jan), spinner B (CØ59, from 1 Jan), sorter S (programme, from
 *            1 Mar); collector C, recycler R and the outside buyer O are no members.
 *
 *   classic    10 Feb A registers 20,000 g cutting waste, 12 Feb offers it, 13 Feb B asks,
 *              14 Feb A accepts (matched 20,000: the grams A dispatches on 20 Feb), 21 Feb B
 *              receives 19,800 g (traded 19,800).
 *              1 May A registers 5,000 g, offers, B asks, 3 May A accepts; not dispatched (matched 5,000).
 *   via market 1 Mar C collects 100,000 g (Herning), 3 Mar hands it to S, 5 Mar S sorts it into 90,000 g
 *              recycling grade, 8,000 g residual and 2,000 g loss; 6 Mar S offers the 90,000 g, R asks,
 *              8 Mar S accepts (matched 90,000), 2 Apr dispatched, 3 Apr R receives 90,000 (traded).
 *              10 Mar S offers the 8,000 g residual, R asks, 11 Mar S accepts, 12 Mar R cancels: fell through.
 *              1 Mar C collects 30,000 g, offers it, O asks, C accepts, O receives: no member, not counted.
 *   recurring  1 Jun A offers 2 t a month of cutting waste, B asks, 10 Jun A accepts: 1 deal, not weighed.
 *
 * Programme 2024: classic 2 deals, matched 25,000 g = 0.025 t (2), traded 19,800 g = 0.0198 t (1);
 *                 via market 1 deal, matched 0.09 t (1), traded 0.09 t (1); recurring 1.
 * February: classic matched 0.02 (1), traded 0.0198 (1). March: via market matched 0.09, traded 0.
 * April: via market matched 0, traded 0.09 (1 deal). CØ59 2024 (B alone): classic as the programme
 * (B bought both), via market nothing, recurring 1. As of before R's receipt: via market traded 0.
 */
describe('programme impact: matched and traded tonnes, classic symbiosis and via the market', () => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let mill: RegisteredOrganisation;
  let spinner: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let collector: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let outsider: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  let programmeId: string;
  let chainId: string;
  let beforeReceipt: number;

  async function ok(response: Promise<{ status: number; body: unknown }>, status = 200): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Json;
  }

  async function residual(by: RegisteredOrganisation, massGrams: number, occurredAt: string): Promise<string> {
    const body = await ok(
      ledger.post('/batches/residuals', { originClass: 'pre-consumer', ewcCode: '04 02 21', massGrams, composition: COTTON, description: 'cutting waste', occurredAt }, by.key),
      201,
    );
    return body['batchId'] as string;
  }

  async function collect(massGrams: number, occurredAt: string): Promise<string> {
    const body = await ok(
      ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, collectorOrgId: collector.id, occurredAt }, herning.key),
      201,
    );
    return body['batchId'] as string;
  }

  /** Offered on the first day, asked for on the second, accepted on the third: the deal's id. */
  async function deal(batchId: string, seller: RegisteredOrganisation, buyer: RegisteredOrganisation, [offered, asked, accepted]: [string, string, string]): Promise<string> {
    const offerId = (await ok(ledger.post('/catalogue/offers', { batchId, title: 'Cotton', ewcCode: '04 02 21', place: PLACE, occurredAt: offered }, seller.key), 201))['offerId'] as string;
    const dealId = (await ok(ledger.post(`/catalogue/offers/${offerId}/requests`, { occurredAt: asked }, buyer.key), 201))['dealId'] as string;
    await ok(ledger.post(`/catalogue/requests/${dealId}/accept`, { occurredAt: accepted }, seller.key));
    return dealId;
  }

  async function dispatch(batchId: string, from: RegisteredOrganisation, to: RegisteredOrganisation, massGrams: number, occurredAt: string): Promise<Json> {
    return ok(ledger.post(`/batches/${batchId}/dispatch`, { toOrgId: to.id, massGrams, occurredAt }, from.key));
  }

  async function receive(batchId: string, by: RegisteredOrganisation, receivedMassGrams: number, occurredAt: string): Promise<void> {
    await ok(ledger.post(`/batches/${batchId}/receive`, { receivedMassGrams, occurredAt }, by.key));
  }

  async function impact(query: string): Promise<Impact> {
    return ProgrammeImpactSchema.parse(await ok(ledger.get(`/programmes/${programmeId}/impact?${query}`, auditor.key)));
  }

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    mill = await ledger.registerOrganisation('Væveriet', ['manufacturer']);
    spinner = await ledger.registerOrganisation('Spinderi Nord', ['manufacturer']);
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter']);
    collector = await ledger.registerOrganisation('Midtjysk Indsamling', ['collector']);
    recycler = await ledger.registerOrganisation('Genfiber A/S', ['recycler']);
    outsider = await ledger.registerOrganisation('Brand ApS', ['brand']);
    auditor = await ledger.registerOrganisation('Revisionsfirma', ['auditor']);
    await ledger.authoriseCollector(herning, collector.id);

    ({ programmeId } = (await ok(ledger.post('/programmes', { name: 'Closing Loops', tag: 'closing-loops' }), 201)) as { programmeId: string });
    ({ valueChainId: chainId } = (await ok(ledger.post(`/programmes/${programmeId}/value-chains`, { name: 'CØ59' }), 201)) as { valueChainId: string });
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: mill.id, from: '2024-01-01' }), 201);
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: spinner.id, valueChainId: chainId, from: '2024-01-01' }), 201);
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: sorter.id, from: '2024-03-01' }), 201);

    // Classic symbiosis: the mill's own residual, offered before it ever changed hands.
    const cutting = await residual(mill, 20_000, '2024-02-10T09:00:00+01:00');
    await deal(cutting, mill, spinner, ['2024-02-12T09:00:00+01:00', '2024-02-13T09:00:00+01:00', '2024-02-14T09:00:00+01:00']);
    await dispatch(cutting, mill, spinner, 20_000, '2024-02-20T09:00:00+01:00');
    await receive(cutting, spinner, 19_800, '2024-02-21T09:00:00+01:00');

    // Via the market: a collection the sorter sorted, its recycling grade sold to the recycler.
    const collected = await collect(100_000, '2024-03-01T09:00:00+01:00');
    const elsewhere = await collect(30_000, '2024-03-01T10:00:00+01:00');
    await dispatch(collected, collector, sorter, 100_000, '2024-03-03T09:00:00+01:00');
    await receive(collected, sorter, 100_000, '2024-03-03T12:00:00+01:00');
    const sorting = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'sorting',
          inputs: [{ batchId: collected }],
          outputs: [
            { massGrams: 90_000, grade: 'recycling', composition: COTTON },
            { massGrams: 8_000, grade: 'residual', composition: COTTON },
          ],
          losses: [{ kind: 'moisture-dust', massGrams: 2_000 }],
          occurredAt: '2024-03-05T09:00:00+01:00',
        },
        sorter.key,
      ),
      201,
    );
    const [grade, leftover] = sorting['outputBatchIds'] as string[];
    await deal(grade!, sorter, recycler, ['2024-03-06T09:00:00+01:00', '2024-03-07T09:00:00+01:00', '2024-03-08T09:00:00+01:00']);
    // A match that fell through: accepted, then called off by the buyer.
    const cancelled = await deal(leftover!, sorter, recycler, ['2024-03-10T09:00:00+01:00', '2024-03-10T10:00:00+01:00', '2024-03-11T09:00:00+01:00']);
    await ok(ledger.post(`/catalogue/deals/${cancelled}/cancel`, { reason: 'We found fibre closer by', occurredAt: '2024-03-12T09:00:00+01:00' }, recycler.key));
    // Between two organisations in no programme: not the programme's.
    await deal(elsewhere, collector, outsider, ['2024-03-02T09:00:00+01:00', '2024-03-02T10:00:00+01:00', '2024-03-02T11:00:00+01:00']);
    await dispatch(elsewhere, collector, outsider, 30_000, '2024-03-04T09:00:00+01:00');
    await receive(elsewhere, outsider, 30_000, '2024-03-04T12:00:00+01:00');
    beforeReceipt = (await dispatch(grade!, sorter, recycler, 90_000, '2024-04-02T09:00:00+02:00'))['position'] as number;
    await receive(grade!, recycler, 90_000, '2024-04-03T09:00:00+02:00');

    // Classic, accepted and not yet on its way: matched at the reserved offer's grams.
    const trimmings = await residual(mill, 5_000, '2024-05-01T09:00:00+02:00');
    await deal(trimmings, mill, spinner, ['2024-05-01T10:00:00+02:00', '2024-05-02T09:00:00+02:00', '2024-05-03T09:00:00+02:00']);

    // A recurring stream: counted, not weighed.
    const stream = (
      await ok(
        ledger.post(
          '/catalogue/stream-offers',
          { title: 'Cutting waste, about 2 t a month', grade: 'recycling', composition: COTTON, ewcCode: '04 02 21', period: 'month', massGramsPerPeriod: 2_000_000, place: PLACE, occurredAt: '2024-06-01T09:00:00+02:00' },
          mill.key,
        ),
        201,
      )
    )['offerId'] as string;
    const streamDeal = (await ok(ledger.post(`/catalogue/offers/${stream}/requests`, { occurredAt: '2024-06-05T09:00:00+02:00' }, spinner.key), 201))['dealId'] as string;
    await ok(ledger.post(`/catalogue/requests/${streamDeal}/accept`, { occurredAt: '2024-06-10T09:00:00+02:00' }, mill.key));
  }, 120_000);

  afterAll(async () => {
    await ledger.close();
  }, 60_000);

  it("splits the programme's year into classic symbiosis and via the market, matched and traded, as computed by hand", async () => {
    const year = await impact('from=2024-01-01&to=2024-12-31');
    expect(year.symbiosis).toEqual({
      classic: { deals: 2, matchedDeals: 2, matchedGrams: 25_000, matchedTonnes: '0.025', tradedDeals: 1, tradedGrams: 19_800, tradedTonnes: '0.0198' },
      viaMarket: { deals: 1, matchedDeals: 1, matchedGrams: 90_000, matchedTonnes: '0.09', tradedDeals: 1, tradedGrams: 90_000, tradedTonnes: '0.09' },
      recurring: { matchedDeals: 1 },
    });
    // The rest of the report is untouched by the deals: nothing was reprocessed by a member.
    expect(year.wasteUsedAsRawMaterial.totalGrams).toBe(0);
  });

  it('counts a deal matched on the day it was accepted and traded on the day it was received', async () => {
    const february = await impact('from=2024-02-01&to=2024-02-29');
    expect(february.symbiosis.classic).toMatchObject({ deals: 1, matchedDeals: 1, matchedGrams: 20_000, tradedDeals: 1, tradedGrams: 19_800 });
    expect(february.symbiosis.viaMarket.deals).toBe(0);
    const march = await impact('from=2024-03-01&to=2024-03-31');
    expect(march.symbiosis.viaMarket).toMatchObject({ deals: 1, matchedDeals: 1, matchedTonnes: '0.09', tradedDeals: 0, tradedGrams: 0 });
    expect(march.symbiosis.classic.deals).toBe(0);
    const april = await impact('from=2024-04-01&to=2024-04-30');
    expect(april.symbiosis.viaMarket).toMatchObject({ deals: 1, matchedDeals: 0, matchedGrams: 0, tradedDeals: 1, tradedTonnes: '0.09' });
  });

  it("gives a value chain its own members' deals alone, and answers as of before a receipt", async () => {
    const chain = await impact(`from=2024-01-01&to=2024-12-31&valueChainId=${chainId}`);
    expect(chain.symbiosis.classic).toMatchObject({ deals: 2, matchedGrams: 25_000, tradedGrams: 19_800 });
    expect(chain.symbiosis.viaMarket).toMatchObject({ deals: 0, matchedDeals: 0, tradedDeals: 0 });
    expect(chain.symbiosis.recurring.matchedDeals).toBe(1);

    const then = await ledger.get(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&asOfPosition=${beforeReceipt}`, auditor.key);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ symbiosis: { viaMarket: { matchedDeals: 1, matchedGrams: 90_000, tradedDeals: 0, tradedGrams: 0 } }, asOf: { position: beforeReceipt } });
  });

  it('writes the split in the CSV, the deal count as the key', async () => {
    const csv = (await ledger.get<string>(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&format=csv`, auditor.key)).body;
    const lines = csv.split('\r\n');
    const at = `${programmeId},,2024-01-01,2024-12-31`;
    expect(lines).toEqual(
      expect.arrayContaining([
        `${at},symbiosis-classic-deals,2,,,,,,`,
        `${at},symbiosis-classic-matched,2,,25000,0.025,,,`,
        `${at},symbiosis-classic-traded,1,,19800,0.0198,,,`,
        `${at},symbiosis-via-market-deals,1,,,,,,`,
        `${at},symbiosis-via-market-matched,1,,90000,0.09,,,`,
        `${at},symbiosis-via-market-traded,1,,90000,0.09,,,`,
        `${at},symbiosis-recurring-matched,1,,,,,,`,
      ]),
    );
  });
});
