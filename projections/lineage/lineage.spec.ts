import { beforeEach, expect, it } from '@jest/globals';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, dump, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import { LineageProjection } from './lineage.projection.js';
import { downstream, upstream } from './lineage.queries.js';

/**
 * collected c1, c2 → sorting s1 → (a: reuse, b: recycling)
 * c2 → sorting s2 → d
 * b + d → blending → e → mechanical-recycling → f (fibre) → manufacturing → g (product)
 */
function chain(log: EventLog): Record<string, string> {
  const ids = { c1: uid(1), c2: uid(2), a: uid(3), b: uid(4), d: uid(5), e: uid(6), f: uid(7), g: uid(8) };
  log.collect(ids.c1, 10_000);
  log.collect(ids.c2, 4_000);
  log.process({ processId: uid(51), organisationId: ORG.collector, inputs: [{ batchId: ids.c1, massGrams: 10_000 }], outputs: [{ batchId: ids.a, massGrams: 4_000, grade: 'reuse' }, { batchId: ids.b, massGrams: 6_000 }] });
  log.process({ processId: uid(52), organisationId: ORG.collector, inputs: [{ batchId: ids.c2, massGrams: 4_000 }], outputs: [{ batchId: ids.d, massGrams: 4_000 }] });
  log.process({
    processId: uid(53),
    organisationId: ORG.collector,
    processType: 'blending',
    inputs: [{ batchId: ids.b, massGrams: 6_000 }, { batchId: ids.d, massGrams: 4_000 }],
    outputs: [{ batchId: ids.e, massGrams: 10_000 }],
  });
  log.process({ processId: uid(54), organisationId: ORG.recycler, processType: 'mechanical-recycling', inputs: [{ batchId: ids.e, massGrams: 10_000 }], outputs: [{ batchId: ids.f, massGrams: 9_000, grade: 'fibre' }], losses: [{ kind: 'process-waste', massGrams: 1_000 }] });
  log.process({ processId: uid(55), organisationId: ORG.maker, processType: 'manufacturing', inputs: [{ batchId: ids.f, massGrams: 9_000 }], outputs: [{ batchId: ids.g, massGrams: 9_000, grade: 'product', productType: 'pillow', application: 'non-textile' }] });
  return ids;
}

describeOnEachReadDb('lineage projection', (openDb) => {
  let db: ReadDb;
  let projection: LineageProjection;

  beforeEach(async () => {
    db = await openDb();
    projection = new LineageProjection();
    await projection.migrate(db);
    await projection.load(db);
  });
  it('walks upstream to any depth with a recursive CTE', async () => {
    const log = new EventLog();
    const ids = chain(log);
    await project(db, projection, log.projected());

    const graph = await upstream(db, ids.g!);
    expect(graph.nodes).toEqual(
      [
        { batchId: ids.g, depth: 0 },
        { batchId: ids.f, depth: 1 },
        { batchId: ids.e, depth: 2 },
        { batchId: ids.b, depth: 3 },
        { batchId: ids.d, depth: 3 },
        { batchId: ids.c1, depth: 4 },
        { batchId: ids.c2, depth: 4 },
      ].sort((x, y) => x.depth - y.depth || x.batchId!.localeCompare(y.batchId!)),
    );
    expect(graph.edges).toHaveLength(6);
    expect(graph.edges).toContainEqual(
      expect.objectContaining({ parentBatchId: ids.b, childBatchId: ids.e, grams: 6_000, processId: uid(53), processType: 'blending', organisationId: ORG.collector }),
    );
    expect(graph.maxDepth).toBeNull();

    const shallow = await upstream(db, ids.g!, 2);
    expect(shallow.nodes.map((n) => n.batchId)).toEqual([ids.g, ids.f, ids.e]);
    expect(shallow.edges.map((e) => [e.parentBatchId, e.childBatchId])).toEqual([
      [ids.e, ids.f],
      [ids.f, ids.g],
    ]);
  });

  it('walks downstream from a collected batch', async () => {
    const log = new EventLog();
    const ids = chain(log);
    await project(db, projection, log.projected());
    const graph = await downstream(db, ids.c1!);
    expect(new Map(graph.nodes.map((n) => [n.batchId, n.depth]))).toEqual(
      new Map([
        [ids.c1, 0],
        [ids.a, 1],
        [ids.b, 1],
        [ids.e, 2],
        [ids.f, 3],
        [ids.g, 4],
      ]),
    );
    expect(graph.edges).toHaveLength(5);
    expect((await downstream(db, ids.g!)).nodes).toEqual([{ batchId: ids.g, depth: 0 }]);
  });

  it('adds edges only when the process completes; a rejected process adds none', async () => {
    const log = new EventLog();
    const [input, output, other] = [uid(1), uid(2), uid(3)];
    log.collect(input, 1_000);
    log.process({ processId: uid(60), organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 1_000 }], outputs: [{ batchId: other, massGrams: 1_000 }] }, 'reject');
    log.process({ processId: uid(61), organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 1_000 }], outputs: [{ batchId: output, massGrams: 1_000 }] }, 'pending');
    await project(db, projection, log.projected());
    expect(await dump(db, 'lineage_edge')).toEqual([]);
    expect((await downstream(db, input)).nodes).toHaveLength(1);

    const done = log.completeProcess(uid(61), ORG.collector);
    await project(db, projection, log.projected(done.position));
    expect((await downstream(db, input)).edges).toEqual([expect.objectContaining({ parentBatchId: input, childBatchId: output, grams: 1_000 })]);
    expect(await dump(db, 'lineage_pending_process')).toEqual([]);
  });

  it('is idempotent when a page is applied twice', async () => {
    const log = new EventLog();
    chain(log);
    const page = log.projected();
    await project(db, projection, page);
    const once = await dump(db, 'lineage_edge');
    await project(db, projection, page);
    expect(await dump(db, 'lineage_edge')).toEqual(once);
  });

  it('drops the edges of a voided process: its inputs lead nowhere and its outputs come from nowhere', async () => {
    const log = new EventLog();
    const ids = chain(log);
    // The manufacturing (f → g) is voided; the chain up to f stays.
    voidProcess(log, uid(55));
    await project(db, projection, log.projected());
    expect((await downstream(db, ids.c1!)).nodes.map((n) => n.batchId)).toEqual([ids.c1, ids.a, ids.b, ids.e, ids.f]);
    expect(await upstream(db, ids.g!)).toMatchObject({ nodes: [{ batchId: ids.g, depth: 0 }], edges: [] });
    expect((await upstream(db, ids.f!)).edges).toHaveLength(5);

    // Voided in the same page as its completion, and re-run on the restored input afterwards.
    const again = new EventLog();
    const [input, first, second] = [uid(11), uid(12), uid(13)];
    again.collect(input, 1_000);
    again.process({ processId: uid(61), organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 1_000 }], outputs: [{ batchId: first, massGrams: 1_000 }] });
    voidProcess(again, uid(61));
    again.process({ processId: uid(62), organisationId: ORG.collector, inputs: [{ batchId: input, massGrams: 1_000 }], outputs: [{ batchId: second, massGrams: 1_000 }] });
    const rows = await expectSameRowsWhateverThePages(openDb, () => new LineageProjection(), again.projected());
    expect((rows.lineage_edge as Array<{ child_batch_id: string }>).map((r) => r.child_batch_id)).toEqual([second]);
  });
});
