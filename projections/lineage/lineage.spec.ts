import { beforeEach, expect, it } from '@jest/globals';
import { InvalidCommandError } from '#domain';
import type { KyselyPlugin } from 'kysely';
import type { ReadDb } from '../runner/projection.js';
import { EventLog, ORG, dump, project, uid } from '../testing/fixtures.js';
import { describeOnEachReadDb } from '../testing/read-db-dialects.js';
import { expectSameRowsWhateverThePages, voidProcess } from '../processes/testing/void-log.js';
import { LineageProjection } from './lineage.projection.js';
import { downstream, upstream } from './lineage.queries.js';

/**
 * A ladder with paths of many lengths: process i consumes a_{i-1} and s_{i-2} and makes a_i and
 * s_i, so the batches of generation j lie between (i-j)/2 and i-j steps above generation i. A walk
 * that kept one row per (batch, path length) would visit about generations²/2 pairs.
 */
function ladder(log: EventLog, generations: number): { top: string; bottom: string; depthOf: Map<string, number>; edges: number } {
  const a = (i: number): string => uid(10_000 + i);
  const s = (i: number): string => uid(20_000 + i);
  log.collect(a(0), 1_000_000);
  log.process({ processId: uid(30_000), organisationId: ORG.recycler, inputs: [{ batchId: a(0), massGrams: 1_000_000 }], outputs: [{ batchId: a(1), massGrams: 500_000 }, { batchId: s(1), massGrams: 500_000 }] });
  log.collect(s(0), 1_000);
  for (let i = 2; i <= generations; i++) {
    const [main, side] = [a(i - 1), s(i - 2)];
    const grams = 1_000;
    log.process({
      processId: uid(30_000 + i),
      organisationId: ORG.recycler,
      processType: 'blending',
      inputs: [{ batchId: main, massGrams: i === 2 ? 500_000 : grams }, { batchId: side, massGrams: i === 2 ? 1_000 : grams / 2 }],
      outputs: i === 2 ? [{ batchId: a(i), massGrams: 500_000 }, { batchId: s(i), massGrams: 1_000 }] : [{ batchId: a(i), massGrams: grams }, { batchId: s(i), massGrams: grams / 2 }],
    });
  }
  // Shortest distances from the top, computed apart from the walk under test.
  const parents = new Map<string, string[]>();
  for (let i = 1; i <= generations; i++) {
    const inputs = i === 1 ? [a(0)] : [a(i - 1), s(i - 2)];
    parents.set(a(i), inputs);
    parents.set(s(i), inputs);
  }
  const depthOf = new Map<string, number>([[a(generations), 0]]);
  let frontier = [a(generations)];
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier) for (const p of parents.get(id) ?? []) if (!depthOf.has(p)) (depthOf.set(p, d), next.push(p));
    frontier = next;
  }
  let edges = 0;
  for (const id of depthOf.keys()) edges += parents.get(id)?.length ?? 0;
  return { top: a(generations), bottom: a(0), depthOf, edges };
}

/** Counts the statements a walk runs and the edge rows it reads. */
function counting(db: ReadDb): { db: ReadDb; counts: { statements: number; rows: number } } {
  const counts = { statements: 0, rows: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      counts.statements += 1;
      return args.node;
    },
    transformResult: (args) => {
      counts.rows += args.result.rows.length;
      return Promise.resolve(args.result);
    },
  };
  return { db: db.withPlugin(plugin), counts };
}

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
  it('walks upstream to any depth', async () => {
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

  it('visits each batch once, at its shortest distance, however many paths of different lengths reach it', async () => {
    const log = new EventLog();
    const generations = 120;
    const { top, bottom, depthOf, edges } = ladder(log, generations);
    await project(db, projection, log.projected());

    const { db: observed, counts } = counting(db);
    const graph = await upstream(observed, top);

    expect(new Map(graph.nodes.map((n) => [n.batchId, n.depth]))).toEqual(depthOf);
    // Every edge into a batch of the graph, each read once: a batch expanded again at a longer
    // distance would read its parent edges again.
    expect(graph.edges).toHaveLength(edges);
    expect(new Set(graph.edges.map((e) => `${e.parentBatchId}|${e.childBatchId}`)).size).toBe(edges);
    expect(counts.rows).toBe(graph.edges.length);
    // One statement a level (every frontier here is below one slice), not one a path.
    expect(counts.statements).toBe(Math.max(...depthOf.values()) + 1);
    // Paths of many lengths do reach the bottom: the shortest is about half the longest.
    expect(depthOf.get(bottom)).toBeLessThan(generations * 0.6);
  });

  it('stops with a lineage-too-large problem naming the cap when the walk would collect more batches, and answers within it', async () => {
    const log = new EventLog();
    const { top, depthOf } = ladder(log, 20);
    await project(db, projection, log.projected());
    // The first depth at which more than 10 batches are collected.
    const within = (d: number): number => [...depthOf.values()].filter((depth) => depth <= d).length;
    let reachedDepth = 0;
    while (within(reachedDepth) <= 10) reachedDepth += 1;

    const refused = await upstream(db, top, undefined, { maxNodes: 10 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(InvalidCommandError);
    expect(refused).toMatchObject({ code: 'lineage-too-large', details: { batchId: top, direction: 'upstream', maxNodes: 10, reachedDepth } });
    expect((refused as Error).message).toContain(`maxDepth (up to ${reachedDepth - 1} stays within the cap)`);
    // The depth it suggests does stay within the cap.
    expect((await upstream(db, top, reachedDepth - 1, { maxNodes: 10 })).nodes).toHaveLength(within(reachedDepth - 1));
    // Exactly at the cap is still an answer.
    const whole = await upstream(db, top);
    expect((await upstream(db, top, undefined, { maxNodes: whole.nodes.length })).nodes).toEqual(whole.nodes);
    await expect(upstream(db, top, undefined, { maxNodes: whole.nodes.length - 1 })).rejects.toMatchObject({ code: 'lineage-too-large' });
    await expect(downstream(db, uid(10_000), undefined, { maxNodes: 5 })).rejects.toMatchObject({ code: 'lineage-too-large', details: { direction: 'downstream' } });
  });
});
