/**
 * Processes (docs/domain.md): the intent decision `decideStartProcess`, the process manager's
 * `checkConsumption` verdicts, and `evolveProcess`. The given events are folded into every batch
 * stream they name, with the stream revisions a store would report.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { z } from 'zod';
import { evolveBatch, type BatchState } from '../batch/batch.state.js';
import { ConflictError, DomainError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import { parseEvent, type DomainEvent } from '../events.js';
import type { Role } from '../organisation/organisation.events.js';
import { allocateSequentially } from '../provenance/allocation.js';
import { MAX_BATCH_MASS_GRAMS, MAX_PROCESS_ITEMS, MAX_PROCESS_MASS_GRAMS } from '../shared/bounds.js';
import { DEFAULT_POLICY, type DecisionContext, type LedgerPolicy, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { RecordProcess } from './process.commands.js';
import { checkConsumption, decideStartProcess, type LoadedInput } from './process.decide.js';
import type { ProcessInput, ProcessStarted } from './process.events.js';
import { evolveProcess } from './process.state.js';

// ---- fixtures ----

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;

const org = (n: number, name: string, roles: Role[]): OrganisationFacts => ({ organisationId: uuid(n), name, roles });
const COLLECTOR = org(3, 'Tekstilindsamling ApS', ['collector']);
const SORTER = org(5, 'Sortering A/S', ['sorter']);
const RECYCLER = org(6, 'Fibre Loop ApS', ['recycler']);
const MANUFACTURER = org(7, 'Puder & Poser ApS', ['manufacturer']);
const AUDITOR = org(9, 'Revision A/S', ['auditor']);
const OPERATOR = org(10, 'Ledger Operator', ['operator']);

const NOW = new Date('2024-05-01T12:00:00.000Z');
const EARLIER = '2024-05-01T11:00:00.000Z';
const AT_SKEW_LIMIT = '2024-05-01T12:05:00.000Z';
const BEYOND_SKEW = '2024-05-01T12:05:00.001Z';

function ctx(actor: OrganisationFacts, policy: Partial<LedgerPolicy> = {}): DecisionContext {
  return { now: NOW, actor, organisation: () => undefined, policy: { ...DEFAULT_POLICY, ...policy } };
}

const A = uuid(1001);
const B = uuid(1002);
const C = uuid(1003);
const OUT_1 = uuid(1101);
const OUT_2 = uuid(1102);
const OUT_3 = uuid(1103);
const PROCESS = uuid(3001);
const OTHER_PROCESS = uuid(3002);
const TRANSFER = uuid(2001);

type BatchEvent = Extract<DomainEvent, { data: { batchId: string } }>;
type Recorded = BatchEvent & { readonly eventId: string };
type Streams = ReadonlyMap<string, LoadedInput>;

/** Folds each event into its own batch stream; a stream's revision is that of its last event. */
function appendTo(streams: Streams, event: Recorded): Streams {
  const previous = streams.get(event.data.batchId);
  return new Map(streams).set(event.data.batchId, {
    state: evolveBatch(previous?.state, event, { eventId: event.eventId }),
    revision: previous ? previous.revision + 1 : 0,
  });
}

const spec = DeciderSpecification.for<Streams, Recorded>({ evolve: appendTo, initialState: () => new Map() });

/** The single stream of one batch, for checkConsumption. */
const batchSpec = DeciderSpecification.for<BatchState | undefined, Recorded>({
  evolve: (state, event) => evolveBatch(state, event, { eventId: event.eventId }),
  initialState: () => undefined,
});

const residual = (batchId: string, holder: OrganisationFacts, massGrams: number): Recorded => ({
  type: 'ResidualBatchRegistered',
  eventId: `evt-${batchId}-origin`,
  data: {
    batchId,
    organisationId: holder.organisationId,
    originClass: 'pre-consumer',
    ewcCode: '04 02 21',
    massGrams,
    composition: [{ fibre: 'cotton', share: 10_000 }],
    description: 'cutting waste',
    programmeTags: [],
    occurredAt: EARLIER,
  },
});

const collected = (batchId: string, massGrams: number): Recorded => ({
  type: 'BatchCollected',
  eventId: `evt-${batchId}-origin`,
  data: {
    batchId,
    kommuneCode: '0657',
    collectionScheme: 'kerbside',
    ewcCode: '20 01 10',
    massGrams,
    occurredAt: EARLIER,
    collectorOrgId: COLLECTOR.organisationId,
    programmeTags: [],
  },
});

const dispatched = (batchId: string, from: OrganisationFacts, to: OrganisationFacts, massGrams: number, ownershipTransferred = true): Recorded => ({
  type: 'CustodyTransferDispatched',
  eventId: `evt-${batchId}-dispatched`,
  data: { batchId, transferId: TRANSFER, fromOrgId: from.organisationId, toOrgId: to.organisationId, massGrams, ownershipTransferred, occurredAt: EARLIER },
});

const received = (batchId: string, dispatchedMassGrams: number, receivedMassGrams: number): Recorded => ({
  type: 'CustodyTransferReceived',
  eventId: `evt-${batchId}-received`,
  data: {
    batchId,
    transferId: TRANSFER,
    receivedMassGrams,
    dispatchedMassGrams,
    differenceGrams: receivedMassGrams - dispatchedMassGrams,
    anomaly: false,
    toleranceBasisPoints: 200,
    occurredAt: EARLIER,
  },
});

const consumed = (batchId: string, massGrams: number, processId = PROCESS): Recorded => ({
  type: 'BatchConsumed',
  eventId: `evt-${batchId}-consumed`,
  data: { batchId, processId, massGrams },
});
const reverted = (batchId: string, processId = PROCESS): Recorded => ({ type: 'BatchConsumptionReverted', eventId: `evt-${batchId}-reverted`, data: { batchId, processId } });
const landfilled = (batchId: string): Recorded => ({ type: 'BatchLandfilled', eventId: `evt-${batchId}-landfilled`, data: { batchId, occurredAt: EARLIER } });
const corrected = (batchId: string, correctedEventId: string, massGrams: number, previousMassGrams: number): Recorded => ({
  type: 'BatchMassCorrected',
  eventId: `evt-${batchId}-corrected`,
  data: { batchId, correctedEventId, massGrams, previousMassGrams, reason: 'scale recalibrated', occurredAt: EARLIER },
});

type ProcessCommandInput = z.input<typeof RecordProcess>;

/** Sorting 100 kg at the sorter: 60 kg reuse, 30 kg recycling, 8 kg residual, 2 kg moisture and dust. */
const sorting = (overrides: Partial<ProcessCommandInput> = {}): RecordProcess =>
  RecordProcess.parse({
    processId: PROCESS,
    processType: 'sorting',
    inputs: [{ batchId: A }],
    outputs: [
      { batchId: OUT_1, massGrams: 60_000, grade: 'reuse', composition: [{ fibre: 'unknown', share: 10_000 }] },
      { batchId: OUT_2, massGrams: 30_000, grade: 'recycling', composition: [{ fibre: 'cotton', share: 10_000 }] },
      { batchId: OUT_3, massGrams: 8_000, grade: 'residual', composition: [{ fibre: 'unknown', share: 10_000 }], ewcCode: '19 12 08' },
    ],
    losses: [{ kind: 'moisture-dust', massGrams: 2_000 }],
    occurredAt: EARLIER,
    ...overrides,
  });
const atSorter = [residual(A, SORTER, 100_000)];

type OutputInput = ProcessCommandInput['outputs'][number];
const output = (batchId: string, massGrams: number, extra: Partial<OutputInput> = {}): OutputInput => ({
  batchId,
  massGrams,
  grade: 'recycling',
  composition: [{ fibre: 'cotton', share: 10_000 }],
  ...extra,
});
/** One output taking the whole of input A (100 kg), with the given extra fields. */
const single = (extra: Partial<OutputInput>): RecordProcess =>
  RecordProcess.parse({ processId: PROCESS, processType: 'manufacturing', inputs: [{ batchId: A }], outputs: [output(OUT_1, 100_000, extra)], occurredAt: EARLIER });

const decide = (command: RecordProcess, actor: OrganisationFacts, policy: Partial<LedgerPolicy> = {}) => (streams: Streams) =>
  decideStartProcess(streams, new Set(streams.keys()), command, ctx(actor, policy));

// ---- decideStartProcess ----

describe('decideStartProcess: the intent (docs/domain.md)', () => {
  it('records the full, validated command with each input at its current mass and revision', () => {
    spec
      .given(atSorter)
      .when(decide(sorting(), SORTER))
      .then({
        type: 'ProcessStarted',
        data: {
          processId: PROCESS,
          organisationId: SORTER.organisationId,
          processType: 'sorting',
          inputs: [{ batchId: A, massGrams: 100_000, expectedRevision: 0 }],
          externalInputs: [],
          outputs: [
            { batchId: OUT_1, massGrams: 60_000, grade: 'reuse', composition: [{ fibre: 'unknown', share: 10_000 }], parents: [{ batchId: A, massGrams: 60_000 }] },
            { batchId: OUT_2, massGrams: 30_000, grade: 'recycling', composition: [{ fibre: 'cotton', share: 10_000 }], parents: [{ batchId: A, massGrams: 30_000 }] },
            {
              batchId: OUT_3,
              massGrams: 8_000,
              grade: 'residual',
              composition: [{ fibre: 'unknown', share: 10_000 }],
              ewcCode: '19 12 08',
              parents: [{ batchId: A, massGrams: 8_000 }],
            },
          ],
          losses: [{ kind: 'moisture-dust', massGrams: 2_000 }],
          occurredAt: EARLIER,
        },
      });
  });

  it('takes the mass an input has now (re-weighed on receipt) and the revision it was read at', () => {
    spec
      .given([collected(A, 100_000), dispatched(A, COLLECTOR, SORTER, 100_000), received(A, 100_000, 99_000)])
      .when(decide(sorting({ losses: [{ kind: 'moisture-dust', massGrams: 1_000 }] }), SORTER))
      .thenSatisfies((event) => expect(event.data.inputs).toStrictEqual([{ batchId: A, massGrams: 99_000, expectedRevision: 2 }]));
  });

  it('balances with external inputs, and gives each output only the grams of tracked inputs as parents', () => {
    // Pool: A 30,000 + B 10,000 + virgin 10,000 = 50,000 g; the output takes 49/50 of each, the loss the rest.
    const command = RecordProcess.parse({
      processId: PROCESS,
      processType: 'blending',
      inputs: [{ batchId: A }, { batchId: B }],
      externalInputs: [{ description: 'virgin polyester staple', massGrams: 10_000, composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'virgin' }],
      outputs: [output(OUT_1, 49_000, { grade: 'fibre' })],
      losses: [{ kind: 'process-waste', massGrams: 1_000 }],
      occurredAt: EARLIER,
    });
    spec
      .given([residual(A, RECYCLER, 30_000), residual(B, RECYCLER, 10_000)])
      .when(decide(command, RECYCLER))
      .thenSatisfies((event) => {
        expect(event.data.externalInputs).toStrictEqual(command.externalInputs);
        expect(event.data.outputs[0]?.parents).toStrictEqual([
          { batchId: A, massGrams: 29_400 },
          { batchId: B, massGrams: 9_800 },
        ]);
      });
  });

  it('allocates parents by largest remainder, ties to the smaller key, and lists no zero parents', () => {
    // A 2 g + B 1 g to three outputs of 1 g: A, then A (tie 1:1 → smaller key), then B.
    const command = RecordProcess.parse({
      processId: PROCESS,
      processType: 'splitting',
      inputs: [{ batchId: A }, { batchId: B }],
      outputs: [output(OUT_1, 1), output(OUT_2, 1), output(OUT_3, 1)],
      occurredAt: EARLIER,
    });
    spec
      .given([residual(A, SORTER, 2), residual(B, SORTER, 1)])
      .when(decide(command, SORTER))
      .thenSatisfies((event) =>
        expect(event.data.outputs.map((o) => o.parents)).toStrictEqual([[{ batchId: A, massGrams: 1 }], [{ batchId: A, massGrams: 1 }], [{ batchId: B, massGrams: 1 }]]),
      );
  });

  it('records a manufacturing product with its product type and application', () => {
    spec
      .given([residual(A, MANUFACTURER, 100_000)])
      .when(decide(single({ grade: 'product', productType: 'pillow', application: 'textile' }), MANUFACTURER))
      .thenSatisfies((event) =>
        expect(event.data.outputs).toStrictEqual([
          {
            batchId: OUT_1,
            massGrams: 100_000,
            grade: 'product',
            composition: [{ fibre: 'cotton', share: 10_000 }],
            productType: 'pillow',
            application: 'textile',
            parents: [{ batchId: A, massGrams: 100_000 }],
          },
        ]),
      );
  });

  describe('exact mass balance: inputs + external inputs = outputs + losses, in grams', () => {
    it.each([
      ['one gram too many out', 60_001, 1],
      ['one gram too few out', 59_999, -1],
    ])('refuses %s', (_what, firstOutput, excess) => {
      const command = sorting();
      const outputs = command.outputs.map((o, i) => (i === 0 ? { ...o, massGrams: firstOutput } : o));
      const error = spec
        .given(atSorter)
        .when(decide({ ...command, outputs }, SORTER))
        .thenThrows(InvalidCommandError, 'mass-does-not-balance');
      expect(error.details).toEqual({ inputGrams: 100_000, outputGrams: 100_000 + excess, differenceGrams: -excess });
    });

    it('counts the losses', () => {
      spec
        .given(atSorter)
        .when(decide(sorting({ losses: [] }), SORTER))
        .thenThrows(InvalidCommandError, 'mass-does-not-balance');
    });

    it('counts the external inputs', () => {
      const command = sorting({
        externalInputs: [{ description: 'thread', massGrams: 500, composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'untracked' }],
      });
      spec
        .given(atSorter)
        .when(decide(command, SORTER))
        .thenThrows(InvalidCommandError, 'mass-does-not-balance');
      spec
        .given(atSorter)
        .when(decide({ ...command, losses: [{ kind: 'moisture-dust', massGrams: 2_500 }] }, SORTER))
        .thenSatisfies((event) => expect(event.data.externalInputs).toHaveLength(1));
    });

    it('sums in exact integers where doubles would round: inputs stored before the bounds near 2^53 are refused as too heavy', () => {
      // 2^53 − 1 + 2 is not representable as a double: 9007199254740993 rounds to …992, which a
      // double sum would compare as equal to the outputs below the process maximum it must exceed.
      const big = Number.MAX_SAFE_INTEGER;
      const command = RecordProcess.parse({
        processId: PROCESS,
        processType: 'blending',
        inputs: [{ batchId: A }, { batchId: B }],
        outputs: [output(OUT_1, 2)],
        occurredAt: EARLIER,
      });
      const error = spec
        .given([residual(A, SORTER, big), residual(B, SORTER, 2)])
        .when(decide(command, SORTER))
        .thenThrows(InvalidCommandError, 'process-mass-above-maximum');
      expect(error.message).toContain('9007199254740993 g');
    });
  });

  describe('who may run it: only the custodian of every input, and only on available inputs', () => {
    it('refuses when another organisation holds one of the inputs', () => {
      const command = RecordProcess.parse({
        processId: PROCESS,
        processType: 'blending',
        inputs: [{ batchId: A }, { batchId: B }],
        outputs: [output(OUT_1, 150_000)],
        occurredAt: EARLIER,
      });
      spec
        .given([residual(A, SORTER, 100_000), residual(B, RECYCLER, 50_000)])
        .when(decide(command, SORTER))
        .thenThrows(ForbiddenError, 'not-custodian');
    });

    it('refuses the owner that handed custody on', () => {
      spec
        .given([residual(A, SORTER, 100_000), dispatched(A, SORTER, RECYCLER, 100_000, false), received(A, 100_000, 100_000)])
        .when(decide(sorting(), SORTER))
        .thenThrows(ForbiddenError, 'not-custodian');
    });

    it.each([
      ['in transit (its sender is still the custodian)', [...atSorter, dispatched(A, SORTER, RECYCLER, 100_000)]],
      ['consumed by another process', [...atSorter, consumed(A, 100_000, OTHER_PROCESS)]],
      ['closed', [...atSorter, landfilled(A)]],
    ])('refuses an input that is %s', (_status, given) => {
      spec
        .given(given)
        .when(decide(sorting(), SORTER))
        .thenThrows(ConflictError, 'batch-not-available');
    });

    it('accepts an input again once its consumption was reverted', () => {
      spec
        .given([...atSorter, consumed(A, 100_000, OTHER_PROCESS), reverted(A, OTHER_PROCESS)])
        .when(decide(sorting(), SORTER))
        .thenSatisfies((event) => expect(event.data.inputs).toStrictEqual([{ batchId: A, massGrams: 100_000, expectedRevision: 2 }]));
    });

    it('refuses an unknown input', () => {
      spec
        .given([])
        .when(decide(sorting(), SORTER))
        .thenThrows(NotFoundError, 'unknown-batch');
    });

    it.each([
      ['auditor', AUDITOR],
      ['operator', OPERATOR],
    ])('refuses an %s even when it holds the input', (_role, actor) => {
      spec
        .given([collected(A, 100_000), dispatched(A, COLLECTOR, actor, 100_000), received(A, 100_000, 100_000)])
        .when(decide(sorting(), actor))
        .thenThrows(ForbiddenError, 'role-not-permitted');
    });
  });

  describe('batch ids', () => {
    it('refuses an input listed twice', () => {
      spec
        .given(atSorter)
        .when(decide(sorting({ inputs: [{ batchId: A }, { batchId: A }] }), SORTER))
        .thenThrows(InvalidCommandError, 'duplicate-batch');
    });

    it('refuses an output listed twice', () => {
      const command = RecordProcess.parse({
        processId: PROCESS,
        processType: 'splitting',
        inputs: [{ batchId: A }],
        outputs: [output(OUT_1, 50_000), output(OUT_1, 50_000)],
        occurredAt: EARLIER,
      });
      spec
        .given(atSorter)
        .when(decide(command, SORTER))
        .thenThrows(InvalidCommandError, 'duplicate-batch');
    });

    it('refuses an output that reuses an input id', () => {
      spec
        .given(atSorter)
        .when(decide(single({ batchId: A }), SORTER))
        .thenThrows(InvalidCommandError, 'duplicate-batch');
    });

    it('refuses an output id that already names a batch', () => {
      spec
        .given([...atSorter, residual(OUT_1, RECYCLER, 5_000)])
        .when(decide(single({}), SORTER))
        .thenThrows(ConflictError, 'batch-exists');
    });
  });

  describe('products', () => {
    it.each([
      ['an application', { grade: 'product', productType: 'pillow' }],
      ['a product type', { grade: 'product', application: 'non-textile' }],
      ['either', { grade: 'product' }],
    ] as const)('refuses a product output without %s', (_missing, extra) => {
      spec
        .given([residual(A, MANUFACTURER, 100_000)])
        .when(decide(single(extra), MANUFACTURER))
        .thenThrows(InvalidCommandError, 'product-needs-application');
    });

    it.each(['sorting', 'splitting', 'blending', 'mechanical-recycling', 'chemical-recycling', 'repair'] as const)(
      'refuses a product output from a %s process: only manufacturing makes products',
      (processType) => {
        spec
          .given([residual(A, MANUFACTURER, 100_000)])
          .when(decide({ ...single({ grade: 'product', productType: 'pillow', application: 'textile' }), processType }, MANUFACTURER))
          .thenThrows(InvalidCommandError, 'product-only-from-manufacturing');
      },
    );

    it.each([
      ['an application', { grade: 'fibre', application: 'textile' }],
      ['a product type', { grade: 'recycling', productType: 'pillow' }],
      ['both', { grade: 'reuse', productType: 'pillow', application: 'textile' }],
    ] as const)('refuses a non-product output with %s', (_what, extra) => {
      spec
        .given([residual(A, MANUFACTURER, 100_000)])
        .when(decide(single(extra), MANUFACTURER))
        .thenThrows(InvalidCommandError, 'application-only-for-products');
    });
  });

  describe('occurredAt', () => {
    it('accepts a time within the clock skew', () => {
      spec
        .given(atSorter)
        .when(decide(sorting({ occurredAt: AT_SKEW_LIMIT }), SORTER))
        .thenSatisfies((event) => expect(event.data.occurredAt).toBe(AT_SKEW_LIMIT));
    });

    it('refuses a time beyond the clock skew', () => {
      spec
        .given(atSorter)
        .when(decide(sorting({ occurredAt: BEYOND_SKEW }), SORTER))
        .thenThrows(InvalidCommandError, 'time-in-future');
    });

    it('uses the skew of the policy in force', () => {
      spec
        .given(atSorter)
        .when(decide(sorting({ occurredAt: BEYOND_SKEW }), SORTER, { clockSkewMs: 6 * 60_000 }))
        .thenSatisfies((event) => expect(event.type).toBe('ProcessStarted'));
    });
  });
});

// ---- the parents allocation, as a property ----

interface GeneratedProcess {
  readonly inputs: number[];
  readonly externals: number[];
  readonly outputs: number[];
  readonly losses: number[];
}

const sumOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Random inputs and external inputs, and a random split of their total into outputs (≥ 1) and losses. */
const generatedProcess: fc.Arbitrary<GeneratedProcess> = fc
  .record({
    inputs: fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 4 }),
    externals: fc.array(fc.integer({ min: 1, max: 300_000 }), { maxLength: 2 }),
  })
  .chain(({ inputs, externals }) => {
    const total = sumOf(inputs) + sumOf(externals);
    const cuts = total > 1 ? fc.uniqueArray(fc.integer({ min: 1, max: total - 1 }), { maxLength: Math.min(7, total - 1) }) : fc.constant<number[]>([]);
    return fc.record({ cuts, outputCount: fc.integer({ min: 1, max: 8 }) }).map(({ cuts: points, outputCount }) => {
      const sorted = [...points].sort((a, b) => a - b);
      const pieces = [...sorted, total].map((p, i) => p - (i === 0 ? 0 : (sorted[i - 1] ?? 0)));
      const count = Math.min(outputCount, pieces.length);
      return { inputs, externals, outputs: pieces.slice(0, count), losses: pieces.slice(count) };
    });
  });

function commandOf(p: GeneratedProcess): RecordProcess {
  return RecordProcess.parse({
    processId: PROCESS,
    processType: 'blending',
    inputs: p.inputs.map((_, i) => ({ batchId: uuid(5000 + i) })),
    externalInputs: p.externals.map((massGrams, i) => ({
      description: `external ${i}`,
      massGrams,
      composition: [{ fibre: 'polyester', share: 10_000 }],
      originClass: i % 2 === 0 ? 'virgin' : 'untracked',
    })),
    outputs: p.outputs.map((massGrams, i) => output(uuid(6000 + i), massGrams)),
    losses: p.losses.map((massGrams) => ({ kind: 'process-waste', massGrams })),
    occurredAt: EARLIER,
  });
}

function streamsOf(p: GeneratedProcess): Streams {
  return p.inputs.reduce<Streams>((streams, massGrams, i) => appendTo(streams, residual(uuid(5000 + i), RECYCLER, massGrams)), new Map());
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? error.code : `not a domain error: ${String(error)}`;
  }
}

describe('parents allocation (property)', () => {
  it("each output's parents sum to at most its mass; over outputs + losses every input's grams are allocated exactly", () => {
    fc.assert(
      fc.property(generatedProcess, (p) => {
        const command = commandOf(p);
        const streams = streamsOf(p);
        const event = decideStartProcess(streams, new Set(), command, ctx(RECYCLER));
        expect(parseEvent(event.type, 1, event.data)).toStrictEqual(event);

        const inputIds = p.inputs.map((_, i) => uuid(5000 + i));
        const fromInput = new Map(inputIds.map((id): [string, number] => [id, 0]));
        let allParents = 0;
        event.data.outputs.forEach((o, j) => {
          const parentSum = sumOf(o.parents.map((parent) => parent.massGrams));
          expect(parentSum).toBeLessThanOrEqual(o.massGrams);
          // Without external inputs an output is made of tracked inputs only.
          if (p.externals.length === 0) expect(parentSum).toBe(o.massGrams);
          expect(o.massGrams).toBe(p.outputs[j]);
          for (const parent of o.parents) {
            expect(parent.massGrams).toBeGreaterThan(0);
            expect(fromInput.has(parent.batchId)).toBe(true);
            fromInput.set(parent.batchId, (fromInput.get(parent.batchId) ?? 0) + parent.massGrams);
          }
          allParents += parentSum;
        });
        p.inputs.forEach((massGrams, i) => expect(fromInput.get(inputIds[i] ?? '')).toBeLessThanOrEqual(massGrams));
        // What the outputs did not take from the inputs went to the losses, and vice versa for externals.
        expect(sumOf(p.inputs) - allParents).toBeLessThanOrEqual(sumOf(p.losses));
        expect(sumOf(p.outputs) - allParents).toBeLessThanOrEqual(sumOf(p.externals));
        if (p.losses.length === 0 && p.externals.length === 0) {
          p.inputs.forEach((massGrams, i) => expect(fromInput.get(inputIds[i] ?? '')).toBe(massGrams));
        }

        // The losses take the rest of the same sequential hand-out: with them, every input is whole.
        const pool = new Map<string, bigint>([
          ...inputIds.map((id, i): [string, bigint] => [`batch:${id}`, BigInt(p.inputs[i] ?? 0)]),
          ...p.externals.map((g, i): [string, bigint] => [`external:${i}`, BigInt(g)]),
        ]);
        const shares = allocateSequentially(pool, [...p.outputs, ...p.losses]);
        inputIds.forEach((id, i) => {
          const perItem = shares.map((share) => Number(share.get(`batch:${id}`) ?? 0n));
          expect(sumOf(perItem)).toBe(p.inputs[i]);
          event.data.outputs.forEach((o, j) => expect(o.parents.find((parent) => parent.batchId === id)?.massGrams ?? 0).toBe(perItem[j]));
        });

        // One gram off either way, anywhere, is refused.
        const first = command.outputs[0];
        if (first) {
          const off = (delta: number): RecordProcess => ({ ...command, outputs: [{ ...first, massGrams: first.massGrams + delta }, ...command.outputs.slice(1)] });
          expect(codeOf(() => decideStartProcess(streams, new Set(), off(1), ctx(RECYCLER)))).toBe('mass-does-not-balance');
          if (first.massGrams > 1) expect(codeOf(() => decideStartProcess(streams, new Set(), off(-1), ctx(RECYCLER)))).toBe('mass-does-not-balance');
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---- checkConsumption ----

describe('checkConsumption: the re-check right before BatchConsumed (docs/domain.md, decision 002)', () => {
  const input: ProcessInput = { batchId: A, massGrams: 100_000, expectedRevision: 0 };
  const check = (organisationId = SORTER.organisationId, processId = PROCESS) => (state: BatchState | undefined) =>
    checkConsumption(state, input, processId, organisationId);

  it('consumes an input that is still exactly what the intent validated', () => {
    batchSpec.given(atSorter).when(check()).then({ kind: 'consume' });
  });

  it('consumes an input whose stream moved on without changing what matters (a cancelled dispatch)', () => {
    batchSpec
      .given([...atSorter, dispatched(A, SORTER, RECYCLER, 100_000), { type: 'CustodyTransferCancelled', eventId: 'evt-cancelled', data: { batchId: A, transferId: TRANSFER, cancelledBy: 'sender', reason: 'no', occurredAt: EARLIER } }])
      .when(check())
      .then({ kind: 'consume' });
  });

  it('consumes an input again after its consumption by this process was reverted', () => {
    batchSpec.given([...atSorter, consumed(A, 100_000), reverted(A)]).when(check()).then({ kind: 'consume' });
  });

  it('reports an input this process already consumed (a resumed step is a no-op)', () => {
    batchSpec.given([...atSorter, consumed(A, 100_000)]).when(check()).then({ kind: 'already-consumed' });
  });

  const rejects = (pattern: RegExp) => (verdict: ReturnType<typeof checkConsumption>) => {
    expect(verdict.kind).toBe('reject');
    expect(verdict).toHaveProperty('reason', expect.stringMatching(pattern));
  };

  it('rejects a missing input', () => {
    batchSpec.given([]).when(check()).thenSatisfies(rejects(/does not exist/));
  });

  it.each([
    ['consumed by another process (no double consumption)', [...atSorter, consumed(A, 100_000, OTHER_PROCESS)], /no longer available \(consumed\)/],
    ['in transit', [...atSorter, dispatched(A, SORTER, RECYCLER, 100_000)], /no longer available \(in-transit\)/],
    ['closed', [...atSorter, landfilled(A)], /no longer available \(closed\)/],
  ])('rejects an input that is %s', (_status, given, pattern) => {
    batchSpec.given(given).when(check()).thenSatisfies(rejects(pattern));
  });

  it('rejects an input that another organisation now holds', () => {
    batchSpec
      .given([...atSorter, dispatched(A, SORTER, RECYCLER, 100_000), received(A, 100_000, 100_000)])
      .when(check())
      .thenSatisfies(rejects(/no longer the custodian/));
  });

  it('rejects an input whose mass changed since the process balanced', () => {
    batchSpec
      .given([...atSorter, corrected(A, `evt-${A}-origin`, 100_100, 100_000)])
      .when(check())
      .thenSatisfies(rejects(/now weighs 100100 g/));
  });

  it('lets only the first of two processes validated against the same input consume it', () => {
    const streams = [...atSorter].reduce<Streams>(appendTo, new Map());
    const first = decideStartProcess(streams, new Set(), sorting(), ctx(SORTER));
    const second = decideStartProcess(streams, new Set(), { ...sorting(), processId: OTHER_PROCESS, outputs: sorting().outputs.map((o, i) => ({ ...o, batchId: uuid(1201 + i) })) }, ctx(SORTER));
    const [firstInput] = first.data.inputs;
    const [secondInput] = second.data.inputs;
    if (!firstInput || !secondInput) throw new Error('both processes have an input');
    let state = streams.get(A)?.state;
    expect(checkConsumption(state, firstInput, PROCESS, SORTER.organisationId)).toEqual({ kind: 'consume' });
    state = evolveBatch(state, consumed(A, firstInput.massGrams), { eventId: 'evt-consumed' });
    expect(checkConsumption(state, secondInput, OTHER_PROCESS, SORTER.organisationId).kind).toBe('reject');
    expect(checkConsumption(state, firstInput, PROCESS, SORTER.organisationId)).toEqual({ kind: 'already-consumed' });
  });
});

// ---- evolveProcess ----

describe('evolveProcess', () => {
  const started = (): ProcessStarted => {
    const streams = [...atSorter].reduce<Streams>(appendTo, new Map());
    return decideStartProcess(streams, new Set(), sorting(), ctx(SORTER)).data;
  };

  it('ProcessStarted starts the process with the intent and the command id', () => {
    const data = started();
    expect(evolveProcess(undefined, { type: 'ProcessStarted', data }, { commandId: 'cmd-1' })).toStrictEqual({
      processId: PROCESS,
      status: 'started',
      started: data,
      commandId: 'cmd-1',
      voids: [],
    });
  });

  it('ProcessCompleted completes it; ProcessRejected rejects it with the reason', () => {
    const state = evolveProcess(undefined, { type: 'ProcessStarted', data: started() }, { commandId: 'cmd-1' });
    expect(evolveProcess(state, { type: 'ProcessCompleted', data: { processId: PROCESS } }, { commandId: 'cmd-1' })).toMatchObject({ status: 'completed' });
    expect(evolveProcess(state, { type: 'ProcessRejected', data: { processId: PROCESS, reason: 'input gone', batchId: A } }, { commandId: 'cmd-1' })).toMatchObject({
      status: 'rejected',
      rejectionReason: 'input gone',
    });
  });

  it('ignores an end event before a start, and batch events', () => {
    expect(evolveProcess(undefined, { type: 'ProcessCompleted', data: { processId: PROCESS } }, { commandId: 'cmd-1' })).toBeUndefined();
    const state = evolveProcess(undefined, { type: 'ProcessStarted', data: started() }, { commandId: 'cmd-1' });
    expect(evolveProcess(state, consumed(A, 100_000), { commandId: 'cmd-1' })).toBe(state);
  });
});

// ---- decision 020: the bounds of a process ----

describe('the bounds of a process (decision 020)', () => {
  const started = (intent: { type: string }) => expect(intent.type).toBe('ProcessStarted');
  const outputs = (count: number, massGrams: number): OutputInput[] => Array.from({ length: count }, (_, i) => output(uuid(10_000 + i), massGrams));
  const process = (overrides: Partial<ProcessCommandInput>): RecordProcess =>
    RecordProcess.parse({ processId: PROCESS, processType: 'blending', inputs: [{ batchId: A }], outputs: [output(OUT_1, 100_000)], occurredAt: EARLIER, ...overrides });
  const external = (massGrams: number) => ({ description: 'virgin polyester', massGrams, composition: [{ fibre: 'polyester' as const, share: 10_000 }], originClass: 'virgin' as const });

  it('lies not before the latest business time of any input: at it accepted, a second before refused', () => {
    const later = '2024-05-01T11:30:00.000Z';
    const given = [residual(A, SORTER, 60_000), { ...residual(B, SORTER, 40_000), data: { ...residual(B, SORTER, 40_000).data, occurredAt: later } } as Recorded];
    const command = (occurredAt: string) => process({ inputs: [{ batchId: A }, { batchId: B }], occurredAt });
    spec.given(given).when(decide(command(later), SORTER)).thenSatisfies(started);
    spec.given(given).when(decide(command('2024-05-01T11:29:59.000Z'), SORTER)).thenThrows(InvalidCommandError, 'time-before-previous-event');
  });

  it('refuses a business time before the earliest the ledger records', () => {
    spec.given(atSorter).when(decide(process({ occurredAt: '1999-12-31T23:59:59.999Z' }), SORTER)).thenThrows(InvalidCommandError, 'time-before-earliest');
  });

  it('outputs: MAX_PROCESS_ITEMS accepted, one more refused', () => {
    const given = [residual(A, SORTER, MAX_PROCESS_ITEMS + 1)];
    spec.given(given).when(decide(process({ outputs: outputs(MAX_PROCESS_ITEMS, 1), losses: [{ kind: 'unknown', massGrams: 1 }] }), SORTER)).thenSatisfies(started);
    spec.given(given).when(decide(process({ outputs: outputs(MAX_PROCESS_ITEMS + 1, 1) }), SORTER)).thenThrows(InvalidCommandError, 'too-many-items');
  });

  it('inputs: MAX_PROCESS_ITEMS accepted, one more refused', () => {
    const ids = Array.from({ length: MAX_PROCESS_ITEMS + 1 }, (_, i) => uuid(20_000 + i));
    const given = ids.map((id) => residual(id, SORTER, 1));
    const command = (count: number) => process({ inputs: ids.slice(0, count).map((batchId) => ({ batchId })), outputs: [output(OUT_1, count)] });
    spec.given(given).when(decide(command(MAX_PROCESS_ITEMS), SORTER)).thenSatisfies(started);
    spec.given(given).when(decide(command(MAX_PROCESS_ITEMS + 1), SORTER)).thenThrows(InvalidCommandError, 'too-many-items');
  });

  it('losses and external inputs: one more than MAX_PROCESS_ITEMS refused', () => {
    const many = MAX_PROCESS_ITEMS + 1;
    const losses = Array.from({ length: many }, () => ({ kind: 'unknown' as const, massGrams: 1 }));
    spec.given(atSorter).when(decide(process({ outputs: [output(OUT_1, 100_000 - many)], losses }), SORTER)).thenThrows(InvalidCommandError, 'too-many-items');
    const externalInputs = Array.from({ length: many }, () => external(1));
    spec.given(atSorter).when(decide(process({ outputs: [output(OUT_1, 100_000 + many)], externalInputs }), SORTER)).thenThrows(InvalidCommandError, 'too-many-items');
  });

  it('an output or an external input: the per-batch maximum accepted, one gram more refused', () => {
    const given = [residual(A, SORTER, 1)];
    spec.given(given).when(decide(process({ externalInputs: [external(MAX_BATCH_MASS_GRAMS - 1)], outputs: [output(OUT_1, MAX_BATCH_MASS_GRAMS)] }), SORTER)).thenSatisfies(started);
    spec.given(given).when(decide(process({ externalInputs: [external(MAX_BATCH_MASS_GRAMS)], outputs: [output(OUT_1, MAX_BATCH_MASS_GRAMS + 1)] }), SORTER)).thenThrows(InvalidCommandError, 'mass-above-maximum');
    spec
      .given(given)
      .when(decide(process({ externalInputs: [external(MAX_BATCH_MASS_GRAMS + 1)], outputs: [output(OUT_1, 1), output(OUT_2, MAX_BATCH_MASS_GRAMS)] }), SORTER))
      .thenThrows(InvalidCommandError, 'mass-above-maximum');
  });

  it('a loss: the process maximum accepted as far as the loss goes, one gram more refused', () => {
    spec.given(atSorter).when(decide(process({ outputs: [output(OUT_1, 1)], losses: [{ kind: 'unknown', massGrams: MAX_PROCESS_MASS_GRAMS + 1 }] }), SORTER)).thenThrows(InvalidCommandError, 'mass-above-maximum');
  });

  it('the whole process: MAX_PROCESS_MASS_GRAMS taken in accepted, one gram more refused', () => {
    const perBatch = MAX_BATCH_MASS_GRAMS;
    const externals = MAX_PROCESS_MASS_GRAMS / perBatch - 1;
    const command = (inputGrams: number) =>
      process({ externalInputs: Array.from({ length: externals }, () => external(perBatch)), outputs: [...outputs(externals, perBatch), output(OUT_1, inputGrams)] });
    spec.given([residual(A, SORTER, perBatch)]).when(decide(command(perBatch), SORTER)).thenSatisfies(started);
    // An input stored before the bounds may weigh more than a batch now can; the process sum still holds.
    spec.given([residual(A, SORTER, perBatch + 1)]).when(decide(command(perBatch), SORTER)).thenThrows(InvalidCommandError, 'process-mass-above-maximum');
  });

  it('refuses control characters in a product type or an external input description', () => {
    spec.given(atSorter).when(decide(single({ grade: 'product', application: 'textile', productType: 'pillow\u202e' }), MANUFACTURER)).thenThrows(InvalidCommandError, 'text-not-plain');
    spec
      .given(atSorter)
      .when(decide(process({ externalInputs: [{ ...external(1), description: 'virgin\u0007polyester' }], outputs: [output(OUT_1, 100_001)] }), SORTER))
      .thenThrows(InvalidCommandError, 'text-not-plain');
  });
});
