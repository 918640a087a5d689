import fc from 'fast-check';
import { CircularityProjection } from '../circularity/circularity.projection.js';
import { circularity } from '../circularity/circularity.queries.js';
import { chainFlow, commit, dumpTables, FlowLog, openDb, ORGS, projectedOf, randomFlow, type FlowStep } from '../provenance/flow.fixtures.js';
import { EventLog, ORG, project as projectPage, uid } from '../testing/fixtures.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { MunicipalFlowsProjection } from '../municipal-flows/municipal-flows.projection.js';
import { MunicipalReportProjection } from './municipal-report.projection.js';
import { municipalReport, municipalReportCsv } from './municipal-report.queries.js';

describeOnEachReadDb('MunicipalReportProjection', (openReadDb, dialect) => {
  async function project(log: FlowLog) {
    const projections = [new CircularityProjection(), new MunicipalReportProjection(), new MunicipalFlowsProjection()] as const;
    const db = await openDb(openReadDb, projections);
    await commit(db, projections, projectedOf(log));
    return { db, projections };
  }

  /** Four collections in København (0101) over two quarters, with corrections of both kinds. */
  function københavnFlow(): FlowLog {
    const log = new FlowLog('2024-09-01T08:00:00.000Z');
    const [a, b, c, d] = [uid(1, 2), uid(2, 2), uid(3, 2), uid(4, 2)];
    log.collectAt(a, 12_345, { kommuneCode: '0101', occurredAt: '2024-02-10T10:00:00Z', collectorOrgId: ORGS.collector, collectionScheme: 'kerbside' });
    log.collectAt(b, 1_000, { kommuneCode: '0101', occurredAt: '2024-03-11T10:00:00Z', collectorOrgId: ORGS.collector, collectionScheme: 'kerbside' });
    log.collectAt(c, 7_000, {
      kommuneCode: '0101',
      occurredAt: '2024-03-12T10:00:00Z',
      collectorOrgId: ORGS.collector,
      collectionScheme: 'charity-shop',
      ewcCode: '20 01 11',
    });
    // 23:30 UTC on 30 June is 1 July in Copenhagen: the third quarter.
    log.collectAt(d, 500, { kommuneCode: '0101', occurredAt: '2024-06-30T23:30:00Z', collectorOrgId: ORGS.collector, collectionScheme: 'bring-bank' });
    log.correctMass(b, 1_100, ORGS.collector); // the collection was weighed wrong: 1 100 g were collected
    const t = log.dispatch(c, ORGS.collector, ORGS.sorter, 7_000);
    log.receive(c, t, 7_000, 6_900, ORGS.sorter);
    log.correctMass(c, 6_950, ORGS.sorter); // a re-weighing at the sorter: collection stays 7 000 g
    log.sellForReuse(c, ORGS.sorter);
    return log;
  }

  it('reports collected kg and batches by EWC code × scheme, with the kommune’s circularity buckets', async () => {
    const { db } = await project(københavnFlow());
    const report = await municipalReport(db, '0101', 2024, 1);
    expect(report).toMatchObject({
      kommuneCode: '0101',
      kommuneName: 'København',
      year: 2024,
      quarter: 1,
      period: '2024-Q1',
      collected: { grams: 20_445, kg: '20.445', batches: 3 },
      byEwcAndScheme: [
        { ewcCode: '20 01 10', ewcDescription: 'clothes', collectionScheme: 'kerbside', batches: 2, grams: 13_445, kg: '13.445' },
        { ewcCode: '20 01 11', ewcDescription: 'textiles', collectionScheme: 'charity-shop', batches: 1, grams: 7_000, kg: '7.000' },
      ],
    });
    expect(report.circularity.collected).toEqual({ grams: 20_445, kg: '20.445' });
    expect(report.circularity.buckets.inStock).toEqual({ grams: 13_445, kg: '13.445' });
    expect(report.circularity.buckets.reuse).toEqual({ grams: 6_950, kg: '6.950' });
    expect(report.circularity.buckets.weighingDifference).toEqual({ grams: 50, kg: '0.050' });
    expect(report.circularity.rates.circularity).toBe(6_950 / 20_445);
    expect(report.circularity.rates.resolved).toBe(7_000 / 20_445);

    const year = await municipalReport(db, '0101', 2024);
    expect(year.collected).toEqual({ grams: 20_945, kg: '20.945', batches: 4 });
    expect(year.quarter).toBeNull();
    const q3 = await municipalReport(db, '0101', 2024, 3);
    expect(q3.byEwcAndScheme).toEqual([{ ewcCode: '20 01 10', ewcDescription: 'clothes', collectionScheme: 'bring-bank', batches: 1, grams: 500, kg: '0.500' }]);
    const empty = await municipalReport(db, '0101', 2024, 2);
    expect(empty.collected).toEqual({ grams: 0, kg: '0.000', batches: 0 });
    expect(empty.circularity.rates.circularity).toBeNull();
  });

  it('exports the same report as CSV', async () => {
    const { db } = await project(københavnFlow());
    const csv = await municipalReportCsv(db, '0101', 2024, 1);
    const r = (x: number) => String(x / 20_445);
    expect(csv.split('\r\n')).toEqual([
      'kommune_code,period,measure,ewc_code,collection_scheme,batches,grams,kg,rate',
      '0101,2024-Q1,collected,20 01 10,kerbside,2,13445,13.445,',
      '0101,2024-Q1,collected,20 01 11,charity-shop,1,7000,7.000,',
      '0101,2024-Q1,collected-total,,,3,20445,20.445,',
      `0101,2024-Q1,in-stock,,,,13445,13.445,${r(13_445)}`,
      '0101,2024-Q1,recycled-other,,,,0,0.000,0',
      '0101,2024-Q1,recycled-textile,,,,0,0.000,0',
      `0101,2024-Q1,reuse,,,,6950,6.950,${r(6_950)}`,
      '0101,2024-Q1,energy-recovery,,,,0,0.000,0',
      '0101,2024-Q1,incineration,,,,0,0.000,0',
      '0101,2024-Q1,landfill,,,,0,0.000,0',
      '0101,2024-Q1,export-recycling,,,,0,0.000,0',
      '0101,2024-Q1,export-unknown,,,,0,0.000,0',
      '0101,2024-Q1,process-loss,,,,0,0.000,0',
      `0101,2024-Q1,weighing-difference,,,,50,0.050,${r(50)}`,
      `0101,2024-Q1,circularity,,,,,,${r(6_950)}`,
      '0101,2024-Q1,fibre-to-fibre,,,,,,0',
      `0101,2024-Q1,resolved,,,,,,${r(7_000)}`,
      '',
    ]);
  });

  it('agrees with circularity on what each kommune collected in the chain, by Copenhagen month', async () => {
    const { db } = await project(chainFlow());
    expect((await municipalReport(db, '0657', 2024, 1)).collected).toEqual({ grams: 100_000, kg: '100.000', batches: 1 });
    const ikast = await municipalReport(db, '0756', 2024, 2);
    expect(ikast.byEwcAndScheme).toMatchObject([{ ewcCode: '20 01 11', collectionScheme: 'bring-bank', batches: 1, grams: 50_000 }]);
    expect(ikast.circularity.buckets.recycledTextile.grams).toBe(20_489);
    expect((await municipalReport(db, '0756', 2024, 1)).collected.batches).toBe(0);
  });

  it('rejects a malformed period', async () => {
    const { db } = await project(københavnFlow());
    await expect(municipalReport(db, '0101', 2024, 5)).rejects.toThrow(RangeError);
    await expect(municipalReport(db, '0101', 10_000)).rejects.toThrow(RangeError);
    await expect(municipalReport(db, '0101', -1)).rejects.toThrow(RangeError);
    await expect(municipalReport(db, '0101', 2024.5)).rejects.toThrow(RangeError);
  });

  it('matches circularity’s collected per kommune and period over random flows, and rebuilds byte for byte', async () => {
    const step = fc.record({ op: fc.nat(99), a: fc.nat(1_000), b: fc.nat(1_000_000), c: fc.nat(1_000_000), d: fc.nat(1_000) });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 50 }), fc.integer({ min: 1, max: 9 }), async (steps: FlowStep[], pageSize) => {
        const { log } = randomFlow(steps);
        const events = projectedOf(log);
        let live = [new CircularityProjection(), new MunicipalReportProjection(), new MunicipalFlowsProjection()] as const;
        const db = await openDb(openReadDb, live);
        for (let i = 0; i < events.length; i += pageSize) {
          live = [new CircularityProjection(), new MunicipalReportProjection(), new MunicipalFlowsProjection()] as const;
          for (const p of live) await p.load(db);
          await commit(db, live, events.slice(i, i + pageSize));
        }
        for (const kommuneCode of ['0657', '0756', '0101']) {
          for (const year of [2024, 2025]) {
            for (const quarter of [undefined, 1, 2, 3, 4]) {
              const report = await municipalReport(db, kommuneCode, year, quarter);
              const period = quarter === undefined ? String(year) : `${year}-Q${quarter}`;
              const [circ] = await circularity(db, { kommuneCode, period: quarter === undefined ? 'year' : 'quarter', from: period, to: period });
              expect(report.collected.grams).toBe(circ?.collectedGrams ?? 0);
              expect(report.circularity.collected.grams).toBe(report.collected.grams);
              // The parties (decision 040) share out the same grams: collectors, and first sorters with what no one sorted.
              expect(report.collectors.reduce((sum, c) => sum + c.grams, 0)).toBe(report.collected.grams);
              expect(report.receivers.reduce((sum, r) => sum + r.grams, report.notSorted.grams)).toBe(report.collected.grams);
            }
          }
        }
        const fresh = [new CircularityProjection(), new MunicipalReportProjection(), new MunicipalFlowsProjection()] as const;
        const freshDb = await openDb(openReadDb, fresh);
        await commit(freshDb, fresh, events);
        const tables = fresh.flatMap((p) => [...p.tables]);
        expect(await dumpTables(db, tables)).toBe(await dumpTables(freshDb, tables));
      }),
      // PostgreSQL round trips make a run ~10× slower; a few runs there show the SQL agrees.
      { numRuns: dialect === 'sqlite' ? 60 : 8 },
    );
  });

  describe('voids (decision 011)', () => {
    const [kept, shipped, processId, out1, out2] = [uid(1, 5), uid(2, 5), uid(3, 5), uid(4, 5), uid(5, 5)];
    /** Two Herning collections sorted together; `shipped` was received (re-weighed) before it was sorted. */
    function flow(): EventLog {
      const log = new EventLog();
      log.collect(kept, 10_000, { kommuneCode: '0657', occurredAt: '2025-01-10T10:00:00Z' });
      log.collect(shipped, 4_000, { kommuneCode: '0657', occurredAt: '2025-01-11T10:00:00Z' });
      const t = log.dispatch(shipped, ORG.collector, ORG.sorter, 4_000);
      log.receive(shipped, t, 4_000, 4_000, ORG.sorter);
      const back = log.dispatch(shipped, ORG.sorter, ORG.collector, 4_000);
      log.receive(shipped, back, 4_000, 4_000, ORG.collector);
      log.process({ processId, organisationId: ORG.collector, inputs: [{ batchId: kept, massGrams: 10_000 }, { batchId: shipped, massGrams: 4_000 }], outputs: [{ batchId: out1, massGrams: 8_000 }, { batchId: out2, massGrams: 6_000 }] });
      return log;
    }

    it('lets a correction of a restored collection change what was collected again, as before the process', async () => {
      const log = flow();
      voidProcess(log, processId);
      log.correct(kept, `batch-${kept}:0`, 10_000, 10_250, ORG.collector);
      log.correct(shipped, 'a-receipt', 4_000, 3_900, ORG.collector);
      const db = await openReadDb();
      for (const p of [new CircularityProjection(), new MunicipalReportProjection(), new MunicipalFlowsProjection()]) {
        await p.migrate(db);
        await p.load(db);
        await projectPage(db, p, log.projected());
      }
      const report = await municipalReport(db, '0657', 2025);
      // The first is an origin correction (10 250 g were collected); the second re-weighs a received batch.
      expect(report.collected).toEqual({ grams: 14_250, kg: '14.250', batches: 2 });
    });

    it('writes the same rows whatever the pages', async () => {
      const log = flow();
      voidProcess(log, processId);
      log.correct(kept, `batch-${kept}:0`, 10_000, 10_250, ORG.collector);
      const rows = await expectSameRowsWhateverThePages(openReadDb, () => new MunicipalReportProjection(), log.projected());
      expect((rows.municipal_report_batches as Array<{ batch_id: string; mass_grams: unknown; correctable: unknown }>).map((r) => [r.batch_id, Number(r.mass_grams), Number(r.correctable)])).toEqual([
        [kept, 10_250, 1],
        [shipped, 4_000, 0],
      ]);
    });
  });
});

/** Decision 021: whatever a store written by an older version holds, the read model folds it. */
describeOnEachReadDb('MunicipalReportProjection over events beyond today’s bounds', (openReadDb) => {
  it('reports a collection dated 0999 in year 999, and sums beyond 2^53 g to the exact kg', async () => {
    // Given a collection dated 0999-12-31 and two of MAX_SAFE_INTEGER g in 2025
    const log = new EventLog();
    log.collect(uid(1), 5_000, { kommuneCode: '0657', occurredAt: '0999-12-31T12:00:00Z' });
    log.collect(uid(2), Number.MAX_SAFE_INTEGER, { kommuneCode: '0657', occurredAt: '2025-01-10T10:00:00Z' });
    log.collect(uid(3), Number.MAX_SAFE_INTEGER, { kommuneCode: '0657', occurredAt: '2025-02-10T10:00:00Z' });
    // When the municipal report and circularity projections fold them
    const db = await openReadDb();
    const projections = [new MunicipalReportProjection(), new CircularityProjection(), new MunicipalFlowsProjection()];
    for (const p of projections) {
      await p.migrate(db);
      await p.load(db);
      await projectPage(db, p, log.projected());
    }
    // Then year 999 has its one batch, and 2025 its exact total in kg
    const old = await municipalReport(db, '0657', 999);
    expect([old.period, old.collected.batches, old.collected.kg, old.circularity.collected.kg]).toEqual(['0999', 1, '5.000', '5.000']);
    const recent = await municipalReport(db, '0657', 2025);
    expect(recent.collected.kg).toBe('18014398509481.982');
    expect(recent.collected.batches).toBe(2);
  });
});
