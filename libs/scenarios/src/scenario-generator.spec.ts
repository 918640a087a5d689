import { evolveBatch, parseEvent, type BatchState, type DomainEvent, type ProcessStarted } from '#domain';
import { SqliteEventStore, type StoredEvent } from '#event-store';
import { appendScenario } from './append-scenario.js';
import { generateScenario, ScenarioStream, splitGrams, type Scenario, type ScenarioEvent } from './scenario-generator.js';

function domainEvent(e: Scenario['events'][number]): DomainEvent {
  return parseEvent(e.event.type, e.event.schemaVersion, e.event.data);
}

/** Interruptions are rare by default; this many makes some certain to remain unfinished at the end. */
const COVERAGE_MIX = { unfinishedRate: 0.03 };

describe('generateScenario', () => {
  // Generated once: ~3,000 batches is enough for every kind of event to appear.
  let scenario: Scenario;
  beforeAll(() => {
    scenario = generateScenario({ seed: 20250101, batches: 3_000, mix: COVERAGE_MIX });
  });

  it('is deterministic: the same options give identical events, another seed does not', () => {
    const again = generateScenario({ seed: 20250101, batches: 3_000, mix: COVERAGE_MIX });
    expect(JSON.stringify(again.events)).toEqual(JSON.stringify(scenario.events));
    expect(again.stats).toEqual(scenario.stats);
    expect(again.organisations).toEqual(scenario.organisations);
    const other = generateScenario({ seed: 20250102, batches: 3_000, mix: COVERAGE_MIX });
    expect(other.events.map((e) => e.event.eventId)).not.toEqual(scenario.events.map((e) => e.event.eventId));
  });

  it("records a collector's collection only while the kommune's municipality has it authorised", () => {
    const municipalityOf = new Map(scenario.organisations.filter((o) => o.kommuneCode !== undefined).map((o) => [o.organisationId, o.kommuneCode!]));
    const authorised = new Set<string>();
    let byCollectors = 0;
    for (const e of scenario.events) {
      const event = domainEvent(e);
      if (event.type === 'CollectorAuthorised') {
        expect(municipalityOf.get(event.data.organisationId)).toBe(event.data.kommuneCode);
        authorised.add(`${event.data.kommuneCode}/${event.data.collectorOrgId}`);
      } else if (event.type === 'CollectorAuthorisationRevoked') {
        authorised.delete(`${event.data.kommuneCode}/${event.data.collectorOrgId}`);
      } else if (event.type === 'BatchCollected' && municipalityOf.get(e.event.metadata.actorOrgId) !== event.data.kommuneCode) {
        byCollectors += 1;
        expect(authorised.has(`${event.data.kommuneCode}/${e.event.metadata.actorOrgId}`)).toBe(true);
      }
    }
    expect(byCollectors).toBeGreaterThan(0);
  });

  it('creates exactly the number of batches asked for', () => {
    const created = scenario.events.filter((e) => ['BatchCollected', 'ResidualBatchRegistered', 'BatchProduced'].includes(e.event.type));
    expect(created).toHaveLength(3_000);
    expect(scenario.stats.batches).toBe(3_000);
    expect(new Set(created.map((e) => e.streamId)).size).toBe(3_000);
    expect(generateScenario({ seed: 7, batches: 1 }).stats.batches).toBe(1);
  });

  it('never consumes an input twice unless the first consumption was reverted', () => {
    const consumedBy = new Map<string, string>();
    for (const e of scenario.events) {
      const event = domainEvent(e);
      if (event.type === 'BatchConsumed') {
        expect(consumedBy.get(event.data.batchId)).toBeUndefined();
        consumedBy.set(event.data.batchId, event.data.processId);
      } else if (event.type === 'BatchConsumptionReverted') {
        expect(consumedBy.get(event.data.batchId)).toBe(event.data.processId);
        consumedBy.delete(event.data.batchId);
      } else if (e.streamId.startsWith('batch-')) {
        // Nothing but a revert may follow a consumption on the consumed batch.
        expect(consumedBy.has(e.streamId.slice('batch-'.length))).toBe(false);
      }
    }
  });

  it('holds only schema-valid events, with the expected revisions of a gap-free stream', () => {
    const counts = new Map<string, number>();
    const ids = new Set<string>();
    for (const e of scenario.events) {
      domainEvent(e);
      const count = counts.get(e.streamId) ?? 0;
      if (e.expectedRevision !== 'any') expect(e.expectedRevision).toBe(count === 0 ? 'no-stream' : count - 1);
      counts.set(e.streamId, count + 1);
      expect(ids.has(e.event.eventId)).toBe(false);
      ids.add(e.event.eventId);
      expect(e.event.metadata.actorOrgId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('balances every process exactly and folds every batch stream without gaps', () => {
    const states = new Map<string, BatchState | undefined>();
    for (const e of scenario.events) {
      const event = domainEvent(e);
      if (event.type === 'ProcessStarted') {
        const p: ProcessStarted = event.data;
        const sum = (xs: ReadonlyArray<{ massGrams: number }>) => xs.reduce((s, x) => s + x.massGrams, 0);
        expect(sum(p.inputs) + sum(p.externalInputs)).toBe(sum(p.outputs) + sum(p.losses));
      }
      if (e.streamId.startsWith('batch-')) {
        const next = evolveBatch(states.get(e.streamId), event, { eventId: e.event.eventId });
        expect(next).toBeDefined();
        states.set(e.streamId, next);
      }
    }
  });

  it('covers the whole domain: every process type, outcome, correction and failure mode', () => {
    const { stats } = scenario;
    expect(Object.keys(stats.processes.completed).sort()).toEqual(
      expect.arrayContaining(['blending', 'manufacturing', 'mechanical-recycling', 'repair', 'sorting', 'splitting']),
    );
    expect(Object.keys(stats.outcomes).sort()).toEqual(
      expect.arrayContaining([
        'exported-recycling',
        'exported-reuse',
        'exported-unknown',
        'incinerated-d10',
        'incinerated-r1',
        'landfilled',
        'placed-on-market-domestic',
        'sold-for-reuse-domestic',
        'sold-for-reuse-export',
      ]),
    );
    expect(stats.processes.rejected).toBeGreaterThan(0);
    expect(stats.processes.unfinished).toBeGreaterThan(0);
    expect(stats.processes.recovered.completed).toBeGreaterThan(0);
    expect(stats.processes.withVirginInput).toBeGreaterThan(0);
    expect(stats.processes.withUntrackedInput).toBeGreaterThan(0);
    expect(stats.transfers.cancelled).toBeGreaterThan(0);
    expect(stats.transfers.anomalies).toBeGreaterThan(0);
    expect(stats.corrections.origin).toBeGreaterThan(0);
    expect(stats.corrections.weighed).toBeGreaterThan(0);
    expect(stats.originBatches.preConsumer).toBeGreaterThan(0);
    expect(stats.originBatches.postConsumerBusiness).toBeGreaterThan(0);
    expect(stats.kommuner).toBeGreaterThan(50);
    expect(stats.months).toBeGreaterThanOrEqual(24);
    const applications = new Set(scenario.events.filter((e) => e.event.type === 'BatchProduced').map((e) => (e.event.data as { application?: string }).application));
    expect(applications).toEqual(new Set([undefined, 'textile', 'non-textile']));
    expect(scenario.events.some((e) => e.event.type === 'BatchConsumptionReverted')).toBe(true);
  });

  it('terminates with valid histories under extreme mixes', () => {
    const none = { residualShare: 0, cancelRate: 0, transitAnomalyRate: 0, originCorrectionRate: 0, weighedCorrectionRate: 0, rejectRate: 0, unfinishedRate: 0 };
    const all = {
      residualShare: 1,
      postConsumerBusinessShare: 1,
      municipalityShare: 1,
      directDisposalRate: 1,
      cancelRate: 1,
      transitAnomalyRate: 1,
      dispatchReweighRate: 1,
      originCorrectionRate: 1,
      weighedCorrectionRate: 1,
      rejectRate: 0.5,
      unfinishedRate: 0.5,
      recoveryRate: 1,
      virginInputRate: 1,
      repairRate: 1,
    };
    for (const mix of [none, all, { rejectRate: 1 }, { unfinishedRate: 1, recoveryRate: 0 }, { unfinishedRate: 1, recoveryRate: 1 }]) {
      const s = generateScenario({ seed: 3, batches: 400, mix, organisations: { municipalities: 1, collectors: 1, sorters: 1, recyclers: 1, manufacturers: 1, brands: 1 } });
      expect(s.stats.batches).toBe(400);
    }
  });

  it('appends in the scenario order, grouped into group commits', async () => {
    const store = await SqliteEventStore.open({ filename: ':memory:' });
    try {
      const small = generateScenario({ seed: 99, batches: 400 });
      const result = await appendScenario(store, small, { concurrency: 64 });
      expect(result.events).toBe(small.events.length);
      // Only organisation registrations decide two events (OrganisationRegistered + ApiKeyIssued).
      expect(result.appends).toBe(small.events.length - small.stats.organisations);
      const stored: StoredEvent[] = [];
      for (let after = -1; ; ) {
        const page = await store.readAll({ after, maxCount: 1000 });
        if (page.length === 0) break;
        stored.push(...page);
        after = page[page.length - 1]!.position;
      }
      expect(stored.map((e) => e.eventId)).toEqual(small.events.map((e) => e.event.eventId));
      expect(store.stats().transactions).toBeLessThan(result.appends);
    } finally {
      await store.close();
    }
  });
});

describe('ScenarioStream', () => {
  it('hands out, part by part, exactly the history generateScenario makes', () => {
    // Given the options of a whole scenario
    const options = { seed: 20250101, batches: 1_500, mix: COVERAGE_MIX };
    const whole = generateScenario(options);
    // When the same history is streamed in parts of about 1,000 events
    const stream = new ScenarioStream(options);
    const parts: ScenarioEvent[][] = [];
    for (let part = stream.next(1_000); part; part = stream.next(1_000)) parts.push(part);
    // Then the parts join into the same events, and the figures and organisations are the same
    expect(parts.length).toBeGreaterThan(2);
    expect(JSON.stringify(parts.flat())).toEqual(JSON.stringify(whole.events));
    expect(stream.stats()).toEqual(whole.stats);
    expect(stream.organisations).toEqual(whole.organisations);
  });
});

describe('a scenario with a deep product', () => {
  let deep: Scenario;
  beforeAll(() => {
    deep = generateScenario({ seed: 42, batches: 4_000, deepProductAncestors: 1_000 });
  });

  /** Upstream batches of `root` from the events alone: BatchProduced.parents, as the lineage projection reads them. */
  function ancestorsOf(scenario: Scenario, root: string): Set<string> {
    const parents = new Map<string, string[]>();
    for (const e of scenario.events) {
      const event = domainEvent(e);
      if (event.type === 'BatchProduced') parents.set(event.data.batchId, event.data.parents.map((p) => p.batchId));
    }
    const seen = new Set<string>();
    const stack = [...(parents.get(root) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(parents.get(next) ?? []));
    }
    return seen;
  }

  it('holds a product whose lineage has about 1,000 upstream batches, as the scenario says', () => {
    // Given a scenario asked for a product with about 1,000 ancestors
    const product = deep.deepProduct;
    expect(product).toBeDefined();
    // When its lineage is walked through the events' parents
    const ancestors = ancestorsOf(deep, product!.batchId);
    // Then it is a product with the number of ancestors the scenario reports, within 1 % of 1,000
    const produced = deep.events.find((e) => e.event.type === 'BatchProduced' && e.streamId === `batch-${product!.batchId}`);
    expect((produced?.event.data as { grade?: string } | undefined)?.grade).toBe('product');
    expect(ancestors.size).toBe(product!.ancestors);
    expect(Math.abs(ancestors.size - 1_000)).toBeLessThanOrEqual(10);
    // and spun from more than a hundred fibre lots, each from fractions of collections of their own
    expect(product!.fibreLots).toBeGreaterThan(100);
  });

  it('stays a valid history: exact batch count, gap-free streams, balanced processes', () => {
    // Given the deep scenario, when its batch streams are folded, then every event is accepted
    expect(deep.stats.batches).toBe(4_000);
    const states = new Map<string, BatchState | undefined>();
    const counts = new Map<string, number>();
    for (const e of deep.events) {
      const event = domainEvent(e);
      const count = counts.get(e.streamId) ?? 0;
      if (e.expectedRevision !== 'any') expect(e.expectedRevision).toBe(count === 0 ? 'no-stream' : count - 1);
      counts.set(e.streamId, count + 1);
      if (event.type === 'ProcessStarted') {
        const sum = (xs: ReadonlyArray<{ massGrams: number }>) => xs.reduce((s, x) => s + x.massGrams, 0);
        expect(sum(event.data.inputs) + sum(event.data.externalInputs)).toBe(sum(event.data.outputs) + sum(event.data.losses));
      }
      if (e.streamId.startsWith('batch-')) {
        const next = evolveBatch(states.get(e.streamId), event, { eventId: e.event.eventId });
        expect(next).toBeDefined();
        states.set(e.streamId, next);
      }
    }
  });

  it('is off by default and deterministic when asked for', () => {
    // Given the same options twice, then the same product; and without the option there is none
    const again = generateScenario({ seed: 42, batches: 4_000, deepProductAncestors: 1_000 });
    expect(again.deepProduct).toEqual(deep.deepProduct);
    expect(generateScenario({ seed: 42, batches: 400 }).deepProduct).toBeUndefined();
    // and too small a ledger for it is refused rather than cut short
    expect(() => generateScenario({ seed: 42, batches: 2_000, deepProductAncestors: 1_000 })).toThrow(/needs at least 3000 batches/);
  });
});

describe('splitGrams', () => {
  it('splits exactly, by largest remainder', () => {
    expect(splitGrams(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitGrams(1, [5, 1])).toEqual([1, 0]);
    expect(splitGrams(1_000_003, [0.3, 0.7]).reduce((s, g) => s + g, 0)).toBe(1_000_003);
  });
});
