import { beforeEach, expect, it } from '@jest/globals';
import type { ReadScope } from '#domain';
import { BatchSummaryProjection } from '../batch-summary/batch-summary.projection.js';
import { listBatches } from '../batch-summary/batch-summary.queries.js';
import { CustodyProjection } from '../custody/custody.projection.js';
import { LineageProjection } from '../lineage/lineage.projection.js';
import { downstream, upstream } from '../lineage/lineage.queries.js';
import type { Projection, ReadDb } from '../runner/projection.js';
import { EventLog, ORG, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { batchesDerivedFromKommune, historyVisibleTo, isBatchVisible, lineageVisibleTo, visibleBatches } from './access.queries.js';

const RIVAL = uid(9, 1);
const HOLSTEBRO = uid(10, 1);
const org = (organisationId: string, kommuneCode?: string): ReadScope => ({ kind: 'organisation', organisationId, ...(kommuneCode ? { kommuneCode } : {}) });

/**
 * Herning (0657) collects h1 (collector holds it); Holstebro (0661) collects x1.
 * The collector ships h1 to the sorter, who sorts it into reuse `a` and recycling `b`, and ships `b`
 * to the recycler. The recycler blends b with x1 (bought from the collector) into fibre `f` and
 * dispatches f to the maker (not received yet). The rival holds r1, unrelated to all of it.
 */
function scenario(log: EventLog): Record<string, string> {
  const ids = { h1: uid(1), x1: uid(2), a: uid(3), b: uid(4), f: uid(5), r1: uid(6) };
  log.collect(ids.h1, 10_000);
  log.collect(ids.x1, 3_000, { kommuneCode: '0661' });
  log.register(ids.r1, 7_000, RIVAL);
  const t1 = log.dispatch(ids.h1, ORG.collector, ORG.sorter, 10_000);
  log.receive(ids.h1, t1, 10_000, 10_000, ORG.sorter);
  log.process({ processId: uid(51), organisationId: ORG.sorter, inputs: [{ batchId: ids.h1, massGrams: 10_000 }], outputs: [{ batchId: ids.a, massGrams: 4_000, grade: 'reuse' }, { batchId: ids.b, massGrams: 6_000 }] });
  const t2 = log.dispatch(ids.b, ORG.sorter, ORG.recycler, 6_000);
  log.receive(ids.b, t2, 6_000, 6_000, ORG.recycler);
  const t3 = log.dispatch(ids.x1, ORG.collector, ORG.recycler, 3_000);
  log.receive(ids.x1, t3, 3_000, 3_000, ORG.recycler);
  log.process({
    processId: uid(52),
    organisationId: ORG.recycler,
    processType: 'blending',
    inputs: [{ batchId: ids.b, massGrams: 6_000 }, { batchId: ids.x1, massGrams: 3_000 }],
    outputs: [{ batchId: ids.f, massGrams: 9_000 }],
  });
  log.dispatch(ids.f, ORG.recycler, ORG.maker, 9_000);
  return ids;
}

describeOnEachReadDb('access: who may see which batch', (openDb) => {
  let db: ReadDb;
  let ids: Record<string, string>;

  beforeEach(async () => {
    db = await openDb();
    const projections: Projection[] = [new BatchSummaryProjection(), new CustodyProjection(), new LineageProjection()];
    const log = new EventLog();
    ids = scenario(log);
    for (const projection of projections) {
      await projection.migrate(db);
      await projection.load(db);
      await project(db, projection, log.projected());
    }
  });

  const seen = async (scope: ReadScope): Promise<string[]> => {
    const visible = await visibleBatches(db, scope, Object.values(ids));
    return Object.entries(ids)
      .filter(([, id]) => visible.has(id))
      .map(([name]) => name)
      .sort();
  };

  it('lets an organisation see what it holds, held or is the consignee of, and what that came from', async () => {
    // Sorter: held h1, holds a, held b (shipped); f and x1 are downstream or unrelated.
    expect(await seen(org(ORG.sorter))).toEqual(['a', 'b', 'h1']);
    // Recycler: holds nothing now but held b, x1 and f (f in transit: still its custody); upstream h1.
    expect(await seen(org(ORG.recycler))).toEqual(['b', 'f', 'h1', 'x1']);
    // Maker: consignee of f, so f itself; what f came from only once it has received f.
    expect(await seen(org(ORG.maker))).toEqual(['f']);
    // Collector: held h1 and x1; everything downstream of them is not its to see.
    expect(await seen(org(ORG.collector))).toEqual(['h1', 'x1']);
    expect(await seen(org(RIVAL))).toEqual(['r1']);
    expect(await seen({ kind: 'all' })).toEqual(['a', 'b', 'f', 'h1', 'r1', 'x1']);
  });

  it("lets a municipality see everything derived from its own kommune's collections, and no more", async () => {
    expect(await seen(org(ORG.herning, '0657'))).toEqual(['a', 'b', 'f', 'h1']);
    expect(await seen(org(HOLSTEBRO, '0661'))).toEqual(['f', 'x1']);
    expect([...(await batchesDerivedFromKommune(db, '0661', [ids.a!, ids.f!, ids.x1!]))].sort()).toEqual([ids.f, ids.x1].sort());
  });

  it('treats an unknown batch like an invisible one', async () => {
    expect(await isBatchVisible(db, org(ORG.sorter), uid(99))).toBe(false);
    expect(await isBatchVisible(db, org(ORG.sorter), ids.f!)).toBe(false);
    expect(await isBatchVisible(db, org(ORG.sorter), ids.a!)).toBe(true);
  });

  it('withholds the nodes of a lineage graph the viewer may not see, counting them only', async () => {
    // The sorter's downstream of h1: a and b are its own, f is the recycler's (aggregate only).
    const down = await lineageVisibleTo(db, org(ORG.sorter), await downstream(db, ids.h1!));
    expect(down.nodes.map((n) => n.batchId).sort()).toEqual([ids.a, ids.b, ids.h1].sort());
    expect(down.edges.map((e) => [e.parentBatchId, e.childBatchId]).sort()).toEqual([[ids.h1, ids.a], [ids.h1, ids.b]].sort());
    expect(down.withheld).toEqual({ batches: 1, edges: 1 });
    expect(JSON.stringify(down)).not.toContain(ids.f);

    // Herning's view of f's upstream: Holstebro's x1 is withheld.
    const up = await lineageVisibleTo(db, org(ORG.herning, '0657'), await upstream(db, ids.f!));
    expect(up.nodes.map((n) => n.batchId).sort()).toEqual([ids.b, ids.f, ids.h1].sort());
    expect(up.withheld).toEqual({ batches: 1, edges: 1 });

    const all = await lineageVisibleTo(db, { kind: 'all' }, await upstream(db, ids.f!));
    expect(all.nodes).toHaveLength(4);
    expect(all.withheld).toEqual({ batches: 0, edges: 0 });
  });

  it("lists only what the organisation is party to, and a municipality's own collections", async () => {
    const list = async (scope: ReadScope) => (await listBatches(db, { scope })).items.map((b) => b.batchId).sort();
    expect(await list(org(ORG.sorter))).toEqual([ids.a, ids.b, ids.h1].sort());
    expect(await list(org(ORG.maker))).toEqual([ids.f]);
    expect(await list(org(RIVAL))).toEqual([ids.r1]);
    expect(await list(org(HOLSTEBRO, '0661'))).toEqual([ids.x1]);
    expect(await list({ kind: 'all' })).toHaveLength(6);
  });

  it("withholds from a batch's history the parents the viewer may not see", async () => {
    const produced = { type: 'BatchProduced', data: { batchId: ids.f, parents: [{ batchId: ids.b, grams: 6_000 }, { batchId: ids.x1, grams: 3_000 }] } };
    const dispatched = { type: 'CustodyTransferDispatched', data: { batchId: ids.f } };
    const [herning, other] = await historyVisibleTo(db, org(ORG.herning, '0657'), [produced, dispatched]);
    expect(herning).toEqual({ ...produced, data: { batchId: ids.f, parents: [{ batchId: ids.b, grams: 6_000 }] }, withheld: { parents: 1 } });
    expect(other).toEqual({ ...dispatched, withheld: null });
    const [recycler] = await historyVisibleTo(db, org(ORG.recycler), [produced]);
    expect(recycler).toEqual({ ...produced, withheld: null });
    const [auditor] = await historyVisibleTo(db, { kind: 'all' }, [produced]);
    expect(auditor).toEqual({ ...produced, withheld: null });
  });
});
