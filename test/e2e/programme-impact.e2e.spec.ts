import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProgrammeImpactSchema } from '../../apps/ledger-api/src/programme-impact/programme-impact.responses.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

type Json = Record<string, unknown>;
type Impact = ReturnType<typeof ProgrammeImpactSchema.parse>;

const COTTON = [{ fibre: 'cotton', share: 10_000 }];

/**
 * Programme impact over HTTP (docs/decisions/043-programme-impact.md), on a worked scenario computed
 * by hand. Closing Loops (tag closing-loops) with its value chain CØ59; all of it in 2024:
 *
 *   members  sorter S (programme, from 1 Jan), collector C (programme, from 2 Feb),
 *            maker M (CØ59, from 1 Jan), recycler R (CØ59, from 1 Mar: joins mid-period);
 *            the mill and the outside recycler O are no members.
 *   sizes    S an SME (40 employees), R not (300), M and C declare none (unknown).
 *   factors  herning-2022 (seeded: recycling 20.4, reuse unknown) and impact-2024 from 1 Mar
 *            (recycling 5, reuse 0.7), published here.
 *
 *   1 Feb  C collects A 100,000 g (Herning);  2 Feb  B 60,000 g;  3 Feb  D 30,000 g
 *  10 Feb  S sorts A+B: reuse 50,000, recycling 100,000, residual 8,000, loss 2,000   (sorting: 0)
 *  15 Feb  S sells the reuse grade: reused 50,000 g (S a member)
 *  20 Feb  the mill registers 20,000 g pre-consumer cutting waste
 *  25 Feb  R blends the recycling grade with the cutting waste: 120,000 g                (blending: 0)
 *  27 Feb  R recycles D (30,000 g), before it joins: not the programme's
 *   5 Mar  R recycles the blend + 10,000 g virgin polyester: 120,000 waste grams used,
 *          100,000 from Herning and 20,000 from the mill; the virgin 10,000 never counts
 *  10 Apr  M makes pillows of the fibre: already reprocessed, 0 — each gram counted once
 *   1 May  C collects E 10,000 g tagged closing-loops;  10 May  O recycles it: 10,000 g, counted for
 *          the programme (tagged at origin) though O is no member; not for CØ59 (tags name programmes)
 *
 * Programme 2024: used 130,000 g = 0.13 t (members 120,000, tagged only 10,000); reused 50,000 g.
 *   CO2e, each event under the set in force on its day: 15 Feb reuse under herning-2022 → unknown;
 *   5 Mar and 10 May recycling under impact-2024: 130 kg × 5 = 650 kg = 0.65 t. Total unknown, known 0.65.
 *   Under herning-2022 throughout: 130 kg × 20.4 = 2,652 kg = 2.652 t; reuse unknown.
 *   Under impact-2024 throughout: 0.65 t + 50 kg × 0.7 = 35 kg = 0.035 t → 0.685 t.
 *   Organisations 4 (S, C, M, R), SMEs 1 (S), unknown size 2 (C, M).
 *   Waste brought in by members: C's B and D (from 2 Feb) and E = 100,000 g collected.
 * CØ59 2024: used 120,000 g (R); reused 0; organisations 2 (M, R), SMEs 0, unknown 1.
 * Then O's recycling is voided: the programme is back to 120,000 g, and as of before the void 130,000.
 */
describe('programme impact over HTTP', () => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let collector: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let maker: RegisteredOrganisation;
  let mill: RegisteredOrganisation;
  let outsider: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  let programmeId: string;
  let chainId: string;
  let outsiderRecycling: string;
  let beforeVoid: number;

  async function ok(response: Promise<{ status: number; body: unknown }>, status = 200): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Json;
  }

  async function collect(massGrams: number, occurredAt: string, programmeTags: string[] = []): Promise<string> {
    const body = await ok(
      ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, collectorOrgId: collector.id, occurredAt, programmeTags }, herning.key),
      201,
    );
    return body['batchId'] as string;
  }

  async function ship(batchId: string, from: RegisteredOrganisation, to: RegisteredOrganisation, massGrams: number, occurredAt: string): Promise<void> {
    await ok(ledger.post(`/batches/${batchId}/dispatch`, { toOrgId: to.id, massGrams, occurredAt }, from.key));
    await ok(ledger.post(`/batches/${batchId}/receive`, { receivedMassGrams: massGrams, occurredAt }, to.key));
  }

  async function process(by: RegisteredOrganisation, body: Json): Promise<{ processId: string; outputs: string[]; position: number }> {
    const answer = await ok(ledger.post('/processes', body, by.key), 201);
    return { processId: answer['processId'] as string, outputs: answer['outputBatchIds'] as string[], position: answer['position'] as number };
  }

  async function impact(query: string, key = auditor.key): Promise<Impact> {
    return ProgrammeImpactSchema.parse(await ok(ledger.get(`/programmes/${programmeId}/impact?${query}`, key)));
  }

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    collector = await ledger.registerOrganisation('Midtjysk Indsamling', ['collector']);
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter']);
    recycler = await ledger.registerOrganisation('Genfiber A/S', ['recycler']);
    maker = await ledger.registerOrganisation('Puder og Poser ApS', ['manufacturer']);
    mill = await ledger.registerOrganisation('Væveriet', ['manufacturer']);
    outsider = await ledger.registerOrganisation('Kemisk Fiber GmbH', ['recycler']);
    auditor = await ledger.registerOrganisation('Revisionsfirma', ['auditor']);
    await ledger.authoriseCollector(herning, collector.id);

    ({ programmeId } = (await ok(ledger.post('/programmes', { name: 'Closing Loops', tag: 'closing-loops' }), 201)) as { programmeId: string });
    ({ valueChainId: chainId } = (await ok(ledger.post(`/programmes/${programmeId}/value-chains`, { name: 'CØ59' }), 201)) as { valueChainId: string });
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: sorter.id, from: '2024-01-01' }), 201);
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: collector.id, from: '2024-02-02' }), 201);
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: maker.id, valueChainId: chainId, from: '2024-01-01' }), 201);
    await ok(ledger.post(`/programmes/${programmeId}/members`, { organisationId: recycler.id, valueChainId: chainId, from: '2024-03-01' }), 201);
    await ok(ledger.post(`/organisations/${sorter.id}/size`, { employees: 40, annualTurnoverEur: 5_000_000, balanceSheetTotalEur: 3_000_000, appliesFrom: '2023-01-01' }), 201);
    await ok(ledger.post(`/organisations/${recycler.id}/size`, { employees: 300, annualTurnoverEur: 80_000_000, balanceSheetTotalEur: 60_000_000, appliesFrom: '2023-01-01' }), 201);
    await ok(
      ledger.post('/emission-factors', {
        factorSetId: 'impact-2024',
        validFrom: '2024-03-01',
        factors: [
          { route: 'recycling', kgCo2eAvoidedPerKg: '5', baseline: 'incineration', source: 'Test study, 2024' },
          { route: 'reuse', kgCo2eAvoidedPerKg: '0.7', baseline: 'incineration', source: 'Test study, 2024' },
        ],
      }),
      201,
    );

    const a = await collect(100_000, '2024-02-01T09:00:00+01:00');
    const b = await collect(60_000, '2024-02-02T09:00:00+01:00');
    const d = await collect(30_000, '2024-02-03T09:00:00+01:00');
    await ship(a, collector, sorter, 100_000, '2024-02-05T09:00:00+01:00');
    await ship(b, collector, sorter, 60_000, '2024-02-05T09:00:00+01:00');
    const sorting = await process(sorter, {
      processType: 'sorting',
      inputs: [{ batchId: a }, { batchId: b }],
      outputs: [
        { massGrams: 50_000, grade: 'reuse', composition: COTTON },
        { massGrams: 100_000, grade: 'recycling', composition: COTTON },
        { massGrams: 8_000, grade: 'residual', composition: COTTON },
      ],
      losses: [{ kind: 'moisture-dust', massGrams: 2_000 }],
      occurredAt: '2024-02-10T09:00:00+01:00',
    });
    const [reuse, recyclingGrade] = sorting.outputs;
    await ok(ledger.post(`/batches/${reuse}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic', occurredAt: '2024-02-15T09:00:00+01:00' }, sorter.key));
    const cutting = (
      await ok(
        ledger.post(
          '/batches/residuals',
          { originClass: 'pre-consumer', ewcCode: '04 02 21', massGrams: 20_000, composition: COTTON, description: 'cutting waste', occurredAt: '2024-02-20T09:00:00+01:00' },
          mill.key,
        ),
        201,
      )
    )['batchId'] as string;
    await ship(recyclingGrade!, sorter, recycler, 100_000, '2024-02-21T09:00:00+01:00');
    await ship(cutting, mill, recycler, 20_000, '2024-02-21T09:00:00+01:00');
    await ship(d, collector, recycler, 30_000, '2024-02-21T09:00:00+01:00');
    const blend = await process(recycler, {
      processType: 'blending',
      inputs: [{ batchId: recyclingGrade }, { batchId: cutting }],
      outputs: [{ massGrams: 120_000, grade: 'recycling', composition: COTTON }],
      occurredAt: '2024-02-25T09:00:00+01:00',
    });
    await process(recycler, {
      processType: 'mechanical-recycling',
      inputs: [{ batchId: d }],
      outputs: [{ massGrams: 28_000, grade: 'fibre', composition: COTTON }],
      losses: [{ kind: 'process-waste', massGrams: 2_000 }],
      occurredAt: '2024-02-27T09:00:00+01:00',
    });
    const recycling = await process(recycler, {
      processType: 'mechanical-recycling',
      inputs: [{ batchId: blend.outputs[0] }],
      externalInputs: [{ description: 'virgin polyester staple', massGrams: 10_000, originClass: 'virgin', composition: [{ fibre: 'polyester', share: 10_000 }] }],
      outputs: [{ massGrams: 125_000, grade: 'fibre', composition: COTTON }],
      losses: [{ kind: 'process-waste', massGrams: 5_000 }],
      occurredAt: '2024-03-05T09:00:00+01:00',
    });
    await ship(recycling.outputs[0]!, recycler, maker, 125_000, '2024-04-01T09:00:00+02:00');
    await process(maker, {
      processType: 'manufacturing',
      inputs: [{ batchId: recycling.outputs[0] }],
      outputs: [{ massGrams: 120_000, grade: 'product', productType: 'pillow', application: 'textile', composition: COTTON }],
      losses: [{ kind: 'process-waste', massGrams: 5_000 }],
      occurredAt: '2024-04-10T09:00:00+02:00',
    });
    const e = await collect(10_000, '2024-05-01T09:00:00+02:00', ['closing-loops']);
    await ship(e, collector, outsider, 10_000, '2024-05-05T09:00:00+02:00');
    const last = await process(outsider, {
      processType: 'chemical-recycling',
      inputs: [{ batchId: e }],
      outputs: [{ massGrams: 9_000, grade: 'fibre', composition: COTTON }],
      losses: [{ kind: 'process-waste', massGrams: 1_000 }],
      occurredAt: '2024-05-10T09:00:00+02:00',
    });
    outsiderRecycling = last.processId;
    beforeVoid = last.position;
  }, 120_000);

  afterAll(async () => {
    await ledger.close();
  }, 60_000);

  it("counts the members' waste used as raw material once, the tagged material, and reuse, for the programme's year", async () => {
    const year = await impact('from=2024-01-01&to=2024-12-31', sorter.key);
    expect(year.scope).toEqual({ programmeId, programmeName: 'Closing Loops', programmeTag: 'closing-loops', valueChainId: null, valueChainName: null });
    expect(year.wasteUsedAsRawMaterial).toMatchObject({ totalGrams: 130_000, totalTonnes: '0.13', memberGrams: 120_000, taggedOnlyGrams: 10_000 });
    expect(year.wasteUsedAsRawMaterial.byOrigin.map((o) => [o.originClass, o.kommuneName ?? o.organisationName, o.grams])).toEqual([
      ['kommune', 'Herning', 110_000],
      ['pre-consumer', 'Væveriet', 20_000],
    ]);
    expect(year.wasteUsedAsRawMaterial.byMember.map((m) => [m.name, m.member, m.grams, m.tonnes])).toEqual([
      ['Genfiber A/S', true, 120_000, '0.12'],
      ['Kemisk Fiber GmbH', false, 10_000, '0.01'],
    ]);
    expect(year.reused).toEqual({ grams: 50_000, tonnes: '0.05' });
    expect(year.organisations.count).toBe(4);
    expect(year.smes).toEqual({ count: 1, organisations: [{ organisationId: sorter.id, name: 'Herning Tekstilsortering' }], unknownSize: 2 });
    expect(year.circularity.collectedGrams).toBe(100_000);
    expect(Object.values(year.circularity.buckets).reduce((s, g) => s + g, 0)).toBe(100_000);
  });

  it('takes each event under the factor set in force on its day, reports an unknown factor as unknown, and reproduces under a past set', async () => {
    const inForce = (await impact('from=2024-01-01&to=2024-12-31')).avoidedCo2e;
    expect(inForce).toMatchObject({ basis: 'in-force-on-event-date', factorSet: null, totalTonnes: null, knownTonnes: '0.65' });
    expect(inForce.parts.map((p) => [p.factorSet?.factorSetId, p.from, p.to, p.routes.map((r) => [r.route, r.grams, r.tonnesCo2e])])).toEqual([
      ['herning-2022', '2024-02-15', '2024-02-15', [['recycling', 0, '0'], ['reuse', 50_000, null]]],
      ['impact-2024', '2024-03-05', '2024-05-10', [['recycling', 130_000, '0.65'], ['reuse', 0, '0']]],
    ]);
    expect(inForce.routes.map((r) => [r.route, r.known, r.tonnesCo2e])).toEqual([
      ['recycling', true, '0.65'],
      ['reuse', false, null],
    ]);

    const past = (await impact('from=2024-01-01&to=2024-12-31&factorSet=herning-2022')).avoidedCo2e;
    expect(past).toMatchObject({ basis: 'named-set', factorSet: { factorSetId: 'herning-2022', validFrom: '2022-01-01' }, totalTonnes: null, knownTonnes: '2.652' });
    expect(past.routes.map((r) => [r.route, r.kgCo2ePerKg, r.tonnesCo2e, r.known])).toEqual([
      ['recycling', '20.4', '2.652', true],
      ['reuse', null, null, false],
    ]);
    const later = (await impact('from=2024-01-01&to=2024-12-31&factorSet=impact-2024')).avoidedCo2e;
    expect(later).toMatchObject({ totalTonnes: '0.685', knownTonnes: '0.685' });
  });

  it('counts a member only from the day it joined, and a value chain its own members alone', async () => {
    // R's recycling of D on 27 February, before it joined CØ59, is not the programme's
    const february = await impact('from=2024-02-01&to=2024-02-29');
    expect(february.wasteUsedAsRawMaterial.totalGrams).toBe(0);
    expect(february.reused.grams).toBe(50_000);

    const chain = await impact(`from=2024-01-01&to=2024-12-31&valueChainId=${chainId}`);
    expect(chain.scope).toMatchObject({ valueChainId: chainId, valueChainName: 'CØ59' });
    expect(chain.wasteUsedAsRawMaterial).toMatchObject({ totalGrams: 120_000, taggedOnlyGrams: 0 });
    expect(chain.reused.grams).toBe(0);
    expect(chain.organisations.count).toBe(2);
    expect(chain.smes).toMatchObject({ count: 0, unknownSize: 1 });
  });

  it('answers CSV for Accept: text/csv or format=csv, with a download name', async () => {
    const csv = await ledger.request<string>('GET', `/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31`, { key: auditor.key, headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toMatch(/^text\/csv/);
    expect(String(csv.headers['content-disposition'])).toBe(`attachment; filename="programme-impact-${programmeId}-2024-01-01-2024-12-31.csv"`);
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('programme_id,value_chain_id,from,to,measure,key,name,grams,tonnes,factor_set_id,kg_co2e_per_kg,tonnes_co2e');
    expect(lines).toContain(`${programmeId},,2024-01-01,2024-12-31,waste-used-as-raw-material,,,130000,0.13,,,`);
    expect(lines).toContain(`${programmeId},,2024-01-01,2024-12-31,co2e-avoided-total,in-force-on-event-date,,,,,,`);
    const byFormat = await ledger.get<string>(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&format=csv`, auditor.key);
    expect(byFormat.body).toBe(csv.body);
  });

  it('removes a voided process from the figures, and answers as of before the void', async () => {
    const voided = await ok(ledger.post(`/processes/${outsiderRecycling}/void`, { reason: 'recorded against the wrong batch' }, outsider.key));
    expect(voided).toBeDefined();
    const now = await impact('from=2024-01-01&to=2024-12-31');
    expect(now.wasteUsedAsRawMaterial).toMatchObject({ totalGrams: 120_000, taggedOnlyGrams: 0 });
    const then = await ledger.get(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&asOfPosition=${beforeVoid}`, auditor.key);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ wasteUsedAsRawMaterial: { totalGrams: 130_000 }, asOf: { axis: 'position', position: beforeVoid } });
    // Before the programme was registered it is unknown, by position or by recorded time
    expect(await ledger.get(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&asOf=2000-01-01T00:00:00Z`, auditor.key)).toMatchObject({ status: 404, body: { code: 'unknown-programme' } });
    expect(await ledger.get(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&asOfPosition=0`, auditor.key)).toMatchObject({ status: 404, body: { code: 'unknown-programme' } });
  });

  it('refuses a period that ends before it starts, an unknown chain, factor set or programme, and unknown parameters', async () => {
    expect((await ledger.get(`/programmes/${programmeId}/impact?from=2024-02-01&to=2024-01-01`)).status).toBe(400);
    expect((await ledger.get(`/programmes/${programmeId}/impact?from=2024-01-01`)).status).toBe(400);
    expect((await ledger.get(`/programmes/${programmeId}/impact?from=2000-01-01&to=2020-01-01`)).status).toBe(400);
    expect((await ledger.get(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&format=xml`)).status).toBe(400);
    expect((await ledger.get(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&asof=2024-06-01T00:00:00Z`)).status).toBe(400);
    expect(await ledger.get(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&valueChainId=01a24cc6-7bab-77fb-8744-65d2da3ab999`)).toMatchObject({ status: 404, body: { code: 'unknown-value-chain' } });
    expect(await ledger.get(`/programmes/${programmeId}/impact?from=2024-01-01&to=2024-12-31&factorSet=no-such-set`)).toMatchObject({ status: 404, body: { code: 'unknown-factor-set' } });
    expect(await ledger.get('/programmes/01a24cc6-7bab-77fb-8744-65d2da3ab999/impact?from=2024-01-01&to=2024-12-31')).toMatchObject({ status: 404, body: { code: 'unknown-programme' } });
  });
});
