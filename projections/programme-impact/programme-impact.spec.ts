import { parseCohortKey } from '#domain';
import { BatchSummaryProjection } from '../batch-summary/batch-summary.projection.js';
import { CatalogueProjection } from '../catalogue/catalogue.projection.js';
import { BUCKET_COLUMNS, BUCKETS } from '../circularity/circularity.projection.js';
import { ProgrammesProjection } from '../programmes/programmes.projection.js';
import { OrganisationsProjection } from '../organisations/organisations.projection.js';
import { chainFlow, commit, dumpTables, FlowLog, IDS, openDb, ORGS, projectedOf } from '../provenance/flow.fixtures.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import type { EmissionFactorSetView } from '../emission-factors/emission-factors.queries.js';
import type { ReadDb } from '../runner/projection.js';
import { uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { copenhagenDayOf, parseRefinedCohort, programmeImpactDb, ProgrammeImpactProjection } from './programme-impact.projection.js';
import { programmeImpact } from './programme-impact.queries.js';

const PROGRAMME = uid(1, 9);
const CHAIN = uid(2, 9);
const OPERATOR = uid(9, 1);
const OUTSIDER = uid(10, 1);

const SET_2022: EmissionFactorSetView = {
  factorSetId: 'herning-2022',
  validFrom: '2022-01-01',
  publishedBy: OPERATOR,
  publishedAt: '2022-01-01T00:00:00Z',
  position: 1,
  factors: [
    { route: 'recycling', kgCo2eAvoidedPerKg: '20.4', baseline: 'incineration', source: 'brochure', note: '' },
    { route: 'reuse', kgCo2eAvoidedPerKg: null, baseline: 'incineration', source: 'not given', note: '' },
  ],
};
const SET_2024_05: EmissionFactorSetView = {
  ...SET_2022,
  factorSetId: 'study-2024',
  validFrom: '2024-05-01',
  factors: [
    { route: 'recycling', kgCo2eAvoidedPerKg: '10', baseline: 'incineration', source: 'study', note: '' },
    { route: 'reuse', kgCo2eAvoidedPerKg: '0.5', baseline: 'incineration', source: 'study', note: '' },
  ],
};

async function usedByProcess(db: ReadDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const row of await programmeImpactDb(db).selectFrom('programme_impact_used').selectAll().execute()) {
    out[row.process_id] = (out[row.process_id] ?? 0) + Number(row.grams);
  }
  return out;
}

/** Registers the programme (tag closing-loops) and its chain CØ59 on the log. */
function programme(log: FlowLog): void {
  const at = log.now();
  log.append(`programme-${PROGRAMME}`, { type: 'ProgrammeRegistered', data: { programmeId: PROGRAMME, name: 'Closing Loops', tag: 'closing-loops', registeredBy: OPERATOR, occurredAt: at } });
  log.append(`programme-${PROGRAMME}`, { type: 'ValueChainRegistered', data: { programmeId: PROGRAMME, valueChainId: CHAIN, name: 'CØ59', registeredBy: OPERATOR, occurredAt: at } });
}

function member(log: FlowLog, organisationId: string, from: string, valueChainId?: string): void {
  log.append(`programme-${PROGRAMME}`, {
    type: 'ProgrammeMemberAdded',
    data: { programmeId: PROGRAMME, ...(valueChainId ? { valueChainId } : {}), organisationId, from, addedBy: OPERATOR, occurredAt: log.now() },
  });
}

describeOnEachReadDb('programme impact', (openReadDb) => {
  async function project(log: FlowLog, upTo = log.events.length) {
    // The report also reads the catalogue's deals (and the batch summary the catalogue tells classic symbiosis by).
    const ps = [new OrganisationsProjection(), new ProgrammesProjection(), new ProgrammeImpactProjection(), new BatchSummaryProjection(), new CatalogueProjection()];
    const db = await openDb(openReadDb, ps);
    await commit(db, ps, projectedOf(log).slice(0, upTo));
    return { db };
  }

  it('counts the waste a reprocessing process uses once, at the masses consumed; sorting and virgin input never', async () => {
    // Given the CØ59 chain: sorting (not reprocessing), recycling of the sorted grade (99,500 g after a
    // transit loss) with hospital linen (30,000 g), then manufacturing of the fibre (already
    // reprocessed) with cutting waste (20,000 g) and virgin polyester (10,000 g)
    const { db } = await project(chainFlow());
    // Then recycling used 129,500 g and manufacturing only the cutting waste: 149,500 of 200,000 g
    expect(await usedByProcess(db)).toEqual({ [IDS.recycling]: 129_500, [IDS.manufacturing]: 20_000 });
    const rows = await programmeImpactDb(db).selectFrom('programme_impact_used').selectAll().orderBy('id').execute();
    expect(new Set(rows.map((r) => r.origin_key))).toEqual(new Set(['kommune:0657', 'kommune:0756', `post-consumer-business:${ORGS.laundry}`, `pre-consumer:${ORGS.mill}`]));
    // attributed to the organisation that ran the process, on its Copenhagen day
    expect(rows.filter((r) => r.process_id === IDS.recycling).every((r) => r.organisation_id === ORGS.recycler && r.day === '2024-04-20')).toBe(true);
    // and the origin organisation and day travel with the grams (the collection at 22:30 UTC on 31 March is 1 April)
    expect(rows.find((r) => r.origin_key === 'kommune:0756')).toMatchObject({ origin_org_id: ORGS.collector, origin_day: '2024-04-01', month: '2024-04' });
    // And the reuse grade sold by the sorter is reuse, the pillows placed on the market are not
    const reused = await programmeImpactDb(db).selectFrom('programme_impact_reused').selectAll().execute();
    expect(reused.reduce((s, r) => s + Number(r.grams), 0)).toBe(40_000);
    expect(new Set(reused.map((r) => r.organisation_id))).toEqual(new Set([ORGS.sorter]));
  });

  it('keeps collected = Σ buckets for every refined origin', async () => {
    const { db } = await project(chainFlow());
    for (const row of await programmeImpactDb(db).selectFrom('programme_impact_origins').selectAll().execute()) {
      expect(BUCKETS.reduce((s, b) => s + BigInt(String(row[BUCKET_COLUMNS[b]])), 0n)).toBe(BigInt(String(row.collected_grams)));
    }
  });

  it("counts members' processes while they were members, and material tagged with the programme whoever used it", async () => {
    // Given the chain, a programme with tag closing-loops, the recycler a member from 1 April, the maker
    // only from 1 June (after its manufacturing on 15 May), the sorter a member of the chain CØ59
    const log = chainFlow();
    programme(log);
    member(log, ORGS.recycler, '2024-04-01');
    member(log, ORGS.maker, '2024-06-01');
    member(log, ORGS.sorter, '2024-01-01', CHAIN);
    // and 10,000 g collected with the tag, recycled on 3 June by an organisation that is no member
    const tagged = uid(40, 2);
    const fibre = uid(41, 2);
    log.collect(tagged, 10_000, { kommuneCode: '0101', occurredAt: '2024-05-20T10:00:00Z', collectorOrgId: ORGS.collector, programmeTags: ['closing-loops', 'other'] });
    log.process({
      processId: uid(42, 3),
      organisationId: OUTSIDER,
      processType: 'chemical-recycling',
      inputs: [{ batchId: tagged, massGrams: 10_000 }],
      outputs: [{ batchId: fibre, massGrams: 9_000, grade: 'fibre' }],
      losses: [{ kind: 'process-waste', massGrams: 1_000 }],
      occurredAt: '2024-06-03T10:00:00Z',
    });
    const { db } = await project(log);
    const programmeView = { programmeId: PROGRAMME, name: 'Closing Loops', tag: 'closing-loops', managerOrganisationId: null, registeredAt: '', valueChains: [{ valueChainId: CHAIN, name: 'CØ59', registeredAt: '' }] };

    // When the programme's year is asked under the sets in force on each day
    const year = await programmeImpact(db, { programme: programmeView, from: '2024-01-01', to: '2024-12-31', factorSets: [SET_2022, SET_2024_05] });
    // Then the recycler's 129,500 g (member) and the tagged 10,000 g (not a member) count, the maker's 20,000 g not
    expect(year.wasteUsedAsRawMaterial).toMatchObject({ totalGrams: 139_500, totalTonnes: '0.1395', memberGrams: 129_500, taggedOnlyGrams: 10_000 });
    expect(year.wasteUsedAsRawMaterial.byMember.map((m) => [m.organisationId, m.member, m.grams])).toEqual([
      [ORGS.recycler, true, 129_500],
      [OUTSIDER, false, 10_000],
    ]);
    const byOrigin = Object.fromEntries(year.wasteUsedAsRawMaterial.byOrigin.map((o) => [o.originKey, o]));
    expect(byOrigin['kommune:0101']).toMatchObject({ originClass: 'kommune', kommuneCode: '0101', kommuneName: 'København', grams: 10_000 });
    expect(byOrigin[`post-consumer-business:${ORGS.laundry}`]).toMatchObject({ originClass: 'post-consumer-business', organisationId: ORGS.laundry, grams: 30_000 });
    expect(byOrigin['kommune:0657']!.grams + byOrigin['kommune:0756']!.grams).toBe(99_500);
    // and the sorter's 40,000 g sold for reuse (1 June) count: it is a member through its chain
    expect(year.reused).toEqual({ grams: 40_000, tonnes: '0.04' });
    // CO2e: 20 April under herning-2022 (129,500 g × 20.4 = 2.6418 t); June under study-2024
    // (10,000 g × 10 = 0.1 t recycling; 40,000 g × 0.5 = 0.02 t reuse)
    expect(year.avoidedCo2e.basis).toBe('in-force-on-event-date');
    expect(year.avoidedCo2e.factorSet).toBeNull();
    expect(year.avoidedCo2e.parts.map((p) => [p.factorSet?.factorSetId, p.from, p.to, p.routes.map((r) => r.tonnesCo2e)])).toEqual([
      ['herning-2022', '2024-04-20', '2024-04-20', ['2.6418', '0']],
      ['study-2024', '2024-06-01', '2024-06-03', ['0.1', '0.02']],
    ]);
    expect(year.avoidedCo2e.routes.map((r) => [r.route, r.grams, r.tonnesCo2e, r.known])).toEqual([
      ['recycling', 139_500, '2.7418', true],
      ['reuse', 40_000, '0.02', true],
    ]);
    expect(year.avoidedCo2e.totalTonnes).toBe('2.7618');

    // When reproduced under herning-2022 alone, reuse has grams and no factor: unknown, never zero
    const named = await programmeImpact(db, { programme: programmeView, from: '2024-01-01', to: '2024-12-31', factorSet: SET_2022, factorSets: [SET_2022, SET_2024_05] });
    expect(named.avoidedCo2e).toMatchObject({ basis: 'named-set', factorSet: { factorSetId: 'herning-2022', validFrom: '2022-01-01' }, totalTonnes: null, knownTonnes: '2.8458' });
    expect(named.avoidedCo2e.routes.map((r) => [r.route, r.kgCo2ePerKg, r.tonnesCo2e, r.known])).toEqual([
      ['recycling', '20.4', '2.8458', true],
      ['reuse', null, null, false],
    ]);

    // When only the chain CØ59 is asked: its member the sorter ran no reprocessing; tags name programmes, not chains
    const chain = await programmeImpact(db, { programme: programmeView, valueChainId: CHAIN, from: '2024-01-01', to: '2024-12-31', factorSets: [SET_2022] });
    expect(chain.scope).toMatchObject({ valueChainId: CHAIN, valueChainName: 'CØ59' });
    expect(chain.wasteUsedAsRawMaterial.totalGrams).toBe(0);
    expect(chain.reused.grams).toBe(40_000);
    expect(chain.organisations.count).toBe(1);
    // Circularity of what the sorter brought in: nothing (it collected nothing)
    expect(chain.circularity.collectedGrams).toBe(0);

    // When a period before the recycler joined is asked, nothing counts but tagged material
    const march = await programmeImpact(db, { programme: programmeView, from: '2024-03-01', to: '2024-03-31', factorSets: [SET_2022] });
    expect(march.wasteUsedAsRawMaterial.totalGrams).toBe(0);
    // and the circularity of the programme counts the tagged collection, wherever its grams went
    expect(year.circularity.collectedGrams).toBe(10_000);
    expect(year.circularity.buckets).toMatchObject({ recycledOther: 9_000, processLoss: 1_000 });
  });

  it('removes the rows of a voided process and writes the same rows whatever the pages', async () => {
    // Given a collection recycled, then the recycling voided
    const log = new FlowLog('2024-06-01T08:00:00.000Z');
    const batch = uid(1, 2);
    log.collect(batch, 5_000, { occurredAt: '2024-05-02T08:00:00Z' });
    const recycling = uid(1, 3);
    log.process({
      processId: recycling,
      organisationId: ORGS.recycler,
      processType: 'mechanical-recycling',
      inputs: [{ batchId: batch, massGrams: 5_000 }],
      outputs: [{ batchId: uid(2, 2), massGrams: 4_000, grade: 'fibre' }],
      losses: [{ kind: 'process-waste', massGrams: 1_000 }],
      occurredAt: '2024-05-10T08:00:00Z',
    });
    const before = log.events.length;
    voidProcess(log, recycling);
    // Then before the void the rows are there, after it they are gone
    const { db: live } = await project(log, before);
    expect(await usedByProcess(live)).toEqual({ [recycling]: 5_000 });
    const rows = await expectSameRowsWhateverThePages(openReadDb, () => new ProgrammeImpactProjection(), log.projected());
    expect(rows.programme_impact_used).toEqual([]);
    // and the grams are back in stock
    expect((rows.programme_impact_origins as Array<Record<string, unknown>>).map((r) => [r.collected_grams, r.in_stock_grams])).toEqual([['5000', '5000']]);
  });

  it('gives the same rows in one page, in many pages, and in a rebuild', async () => {
    const log = chainFlow();
    const events = projectedOf(log);
    const whole = new ProgrammeImpactProjection();
    const db = await openDb(openReadDb, [whole]);
    await commit(db, [whole], events);
    const paged = new ProgrammeImpactProjection();
    const db2 = await openDb(openReadDb, [paged]);
    for (let i = 0; i < events.length; i += 3) {
      const restarted = new ProgrammeImpactProjection();
      await restarted.load(db2);
      await commit(db2, [restarted], events.slice(i, i + 3));
    }
    expect(await dumpTables(db2, paged.tables)).toBe(await dumpTables(db, whole.tables));
  });
});

describe('refined origin keys', () => {
  it('carry the origin, its organisation, its Copenhagen day and its sorted tags', () => {
    const cohort = `kommune:0657~${ORGS.collector}~2024-04-01~a,b|2024-04`;
    expect(parseRefinedCohort(cohort)).toEqual({ originKey: 'kommune:0657', originOrgId: ORGS.collector, originDay: '2024-04-01', tags: ['a', 'b'], month: '2024-04' });
    expect(parseCohortKey(cohort).originKey.startsWith('kommune:')).toBe(true);
  });

  it('takes the day in Copenhagen, summer and winter', () => {
    expect(copenhagenDayOf('2024-03-31T22:30:00Z')).toBe('2024-04-01');
    expect(copenhagenDayOf('2024-01-31T22:30:00Z')).toBe('2024-01-31');
    expect(copenhagenDayOf('2024-01-31T23:30:00Z')).toBe('2024-02-01');
    expect(copenhagenDayOf('2024-07-01T21:59:00Z')).toBe('2024-07-01');
    // Total over every instant the event schemas accept: one just outside the four-digit years is clamped.
    expect(copenhagenDayOf('0000-01-01T00:00:00+14:00')).toBe('0000-01-01');
    expect(copenhagenDayOf('9999-12-31T23:30:00-12:00')).toBe('9999-12-31');
  });
});
