import { LineageGraphState, withheldKey, type LineageAnswer, type LineageEdge } from './lineage-graph.model.js';

const edge = (parentBatchId: string, childBatchId: string, grams = 1_000): LineageEdge => ({ parentBatchId, childBatchId, grams, processType: 'sorting', organisationId: 'org' });

/** product ← fibre ← sorted ← {c1, c2}; product ← offcuts. */
const upstream: LineageAnswer = {
  nodes: [
    { batchId: 'product', depth: 0 },
    { batchId: 'fibre', depth: 1 },
    { batchId: 'offcuts', depth: 1 },
    { batchId: 'sorted', depth: 2 },
    { batchId: 'c1', depth: 3 },
    { batchId: 'c2', depth: 3 },
  ],
  edges: [edge('fibre', 'product', 900), edge('offcuts', 'product', 100), edge('sorted', 'fibre'), edge('c1', 'sorted'), edge('c2', 'sorted')],
  maxDepth: null,
  withheld: { batches: 0, edges: 0 },
};
const none: LineageAnswer = { nodes: [{ batchId: 'product', depth: 0 }], edges: [], withheld: { batches: 0, edges: 0 } };

const keys = (state: LineageGraphState) =>
  state
    .visible()
    .nodes.map((node) => node.key)
    .sort();

describe('the lineage graph the batch page draws', () => {
  it('given a lineage three steps deep, when first shown, then batches up to two steps away are drawn and the rest counted as hidden', () => {
    const graph = new LineageGraphState('product', upstream, none).visible();
    expect(graph.nodes.map((node) => node.key).sort()).toEqual(['fibre', 'offcuts', 'product', 'sorted']);
    const sorted = graph.nodes.find((node) => node.key === 'sorted');
    expect(sorted).toMatchObject({ kind: 'batch', side: 'upstream', depth: 2, further: 2, hidden: 2, open: false });
    expect(graph.nodes[0]).toMatchObject({ key: 'product', side: 'root', further: 2 });
    expect(graph.links.map((link) => `${link.from}>${link.to}:${link.edge?.grams}`).sort()).toEqual(['fibre>product:900', 'offcuts>product:100', 'sorted>fibre:1000']);
    expect(graph.knownBatches).toBe(6);
  });

  it('given a closed batch, when it is opened and closed again, then its next step is drawn and then hidden again', () => {
    const state = new LineageGraphState('product', upstream, none);
    state.toggle('sorted');
    expect(keys(state)).toEqual(['c1', 'c2', 'fibre', 'offcuts', 'product', 'sorted']);
    expect(state.visible().links.filter((link) => link.to === 'sorted')).toHaveLength(2);
    state.toggle('sorted');
    expect(keys(state)).toEqual(['fibre', 'offcuts', 'product', 'sorted']);
  });

  it('given an open batch near the root, when it is closed, then everything only reached through it is hidden', () => {
    const state = new LineageGraphState('product', upstream, none);
    state.toggle('sorted');
    state.toggle('fibre');
    expect(keys(state)).toEqual(['fibre', 'offcuts', 'product']);
    expect(state.visible().nodes.find((node) => node.key === 'fibre')).toMatchObject({ open: false, hidden: 1 });
  });

  it('given the root, when it is toggled, then nothing changes: the root always shows its neighbours', () => {
    const state = new LineageGraphState('product', upstream, none, 0);
    state.toggle('product');
    expect(keys(state)).toEqual(['fibre', 'offcuts', 'product']);
  });

  it('given withheld batches downstream, when shown, then one placeholder carries the counts, and a batch seen beyond them hangs off it', () => {
    const downstream: LineageAnswer = {
      nodes: [
        { batchId: 'product', depth: 0 },
        { batchId: 'bag', depth: 2 },
      ],
      // product → (withheld) → bag: both links touch the withheld batch, so neither is in the answer.
      edges: [],
      withheld: { batches: 1, edges: 2 },
    };
    const graph = new LineageGraphState('product', none, downstream).visible();
    const placeholder = graph.nodes.find((node) => node.kind === 'withheld');
    expect(placeholder).toEqual({ kind: 'withheld', key: withheldKey('downstream'), side: 'downstream', withheld: { batches: 1, edges: 2 } });
    expect(graph.links.map((link) => `${link.from}>${link.to}`).sort()).toEqual(['product>withheld:downstream', 'withheld:downstream>bag']);
    expect(JSON.stringify(placeholder)).not.toContain('bag');
  });

  it('given a withheld batch upstream with a visible parent, when shown, then the parent hangs off the placeholder and opens like any batch', () => {
    // product ← (withheld blend) ← c1 ← c0: the answer keeps c1 → (nothing) and c0 → c1.
    const upstreamWithheld: LineageAnswer = {
      nodes: [
        { batchId: 'product', depth: 0 },
        { batchId: 'c1', depth: 2 },
        { batchId: 'c0', depth: 3 },
      ],
      edges: [edge('c0', 'c1')],
      withheld: { batches: 1, edges: 2 },
    };
    const state = new LineageGraphState('product', upstreamWithheld, none);
    expect(state.visible().links.map((link) => `${link.from}>${link.to}`).sort()).toEqual(['c1>withheld:upstream', 'withheld:upstream>product']);
    state.toggle('c1');
    expect(keys(state)).toEqual(['c0', 'c1', 'product', withheldKey('upstream')]);
  });

  it('given nothing withheld, when shown, then there is no placeholder', () => {
    expect(new LineageGraphState('product', upstream, none).visible().nodes.some((node) => node.kind === 'withheld')).toBe(false);
  });

  it('given a walk cut at a depth, when shown, then the batches at that depth say the lineage may go on', () => {
    const cut: LineageAnswer = { ...upstream, nodes: upstream.nodes.filter((node) => node.depth <= 2), edges: upstream.edges.filter((e) => !e.parentBatchId.startsWith('c')), maxDepth: 2 };
    const graph = new LineageGraphState('product', cut, none).visible();
    expect(graph.nodes.filter((node) => node.kind === 'batch' && node.cut).map((node) => node.key)).toEqual(['sorted']);
  });
});
