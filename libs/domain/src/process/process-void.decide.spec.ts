/**
 * Voiding a completed process (docs/domain.md, decision 011), given/when/then: the intent decision
 * `decideStartVoid`, the driver's re-check `checkVoidOutput`, and what the void events do to batch
 * and process state. The given events are folded into the process stream and every batch stream they
 * name, with the revisions a store would report.
 */
import { describe, expect, it } from '@jest/globals';
import { evolveBatch, type BatchState } from '../batch/batch.state.js';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import type { Role } from '../organisation/organisation.events.js';
import { DEFAULT_POLICY, type DecisionContext, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { RecordProcess, VoidProcess } from './process.commands.js';
import { decideStartProcess } from './process.decide.js';
import type { ProcessStarted, ProcessVoidStarted } from './process.events.js';
import { checkVoidOutput, decideStartVoid, type VoidTarget } from './process-void.decide.js';
import { evolveProcess, isVoided, lastVoid, type ProcessState } from './process.state.js';

// ---- fixtures ----

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const org = (n: number, name: string, roles: Role[]): OrganisationFacts => ({ organisationId: uuid(n), name, roles });
const SORTER = org(5, 'Sortering A/S', ['sorter']);
const RECYCLER = org(6, 'Fibre Loop ApS', ['recycler']);
const OPERATOR = org(10, 'Ledger Operator', ['operator']);

const NOW = new Date('2024-05-01T12:00:00.000Z');
const EARLIER = '2024-05-01T11:00:00.000Z';
const BEYOND_SKEW = '2024-05-01T12:05:00.001Z';

function ctx(actor: OrganisationFacts): DecisionContext {
  return { now: NOW, actor, organisation: () => undefined, policy: DEFAULT_POLICY };
}

const A = uuid(1001);
const OUT_1 = uuid(1101);
const OUT_2 = uuid(1102);
const PROCESS = uuid(3001);
const OTHER_PROCESS = uuid(3002);
const TRANSFER = uuid(2001);

/** A stored event: what it says, the id the store gave it, and the command that wrote it. */
type Recorded = DomainEvent & { readonly eventId: string; readonly commandId?: string };

interface Stream {
  readonly state: BatchState | undefined;
  readonly revision: number;
  readonly firstEventId: string;
}

/** The process stream and every batch stream, as a store would hold them. */
interface World {
  readonly process: ProcessState | undefined;
  readonly completedEventId: string | undefined;
  readonly batches: ReadonlyMap<string, Stream>;
  readonly consumedEventIds: ReadonlyMap<string, string>;
}

function record(world: World, event: Recorded): World {
  if (event.type.startsWith('Process')) {
    return {
      ...world,
      process: evolveProcess(world.process, event, { commandId: event.commandId ?? 'cmd-process' }),
      completedEventId: event.type === 'ProcessCompleted' ? event.eventId : world.completedEventId,
    };
  }
  const batchId = (event.data as { batchId: string }).batchId;
  const previous = world.batches.get(batchId);
  const batches = new Map(world.batches).set(batchId, {
    state: evolveBatch(previous?.state, event, { eventId: event.eventId }),
    revision: previous ? previous.revision + 1 : 0,
    firstEventId: previous?.firstEventId ?? event.eventId,
  });
  const consumedEventIds = event.type === 'BatchConsumed' && event.data.processId === PROCESS ? new Map(world.consumedEventIds).set(batchId, event.eventId) : world.consumedEventIds;
  return { ...world, batches, consumedEventIds };
}

function emptyWorld(): World {
  return { process: undefined, completedEventId: undefined, batches: new Map(), consumedEventIds: new Map() };
}

const spec = DeciderSpecification.for<World, Recorded>({ evolve: record, initialState: emptyWorld });

/** What the void handler reads: the process, and each of its outputs with its BatchProduced. */
function target(world: World): VoidTarget {
  const outputs = new Map(
    (world.process?.started.outputs ?? []).map(({ batchId }) => {
      const stream = world.batches.get(batchId);
      return [batchId, { state: stream?.state, revision: stream?.revision ?? -1, producedEventId: stream?.firstEventId }] as const;
    }),
  );
  return { process: world.process, completedEventId: world.completedEventId, outputs, consumedEventIds: world.consumedEventIds };
}

const voidCommand = (overrides: Partial<VoidProcess> = {}): VoidProcess =>
  VoidProcess.parse({ processId: PROCESS, reason: 'recorded against the wrong lot', occurredAt: EARLIER, ...overrides });

const decide = (actor: OrganisationFacts, command: VoidProcess = voidCommand()) => (world: World) => decideStartVoid(target(world), command, ctx(actor));

const residual: Recorded = {
  type: 'ResidualBatchRegistered',
  eventId: 'evt-a-origin',
  data: {
    batchId: A,
    organisationId: SORTER.organisationId,
    originClass: 'pre-consumer',
    ewcCode: '04 02 21',
    massGrams: 100_000,
    composition: [{ fibre: 'cotton', share: 10_000 }],
    description: 'cutting waste',
    programmeTags: [],
    occurredAt: EARLIER,
  },
};

/** Sorting 100 kg of A at the sorter: 60 kg reuse, 38 kg recycling, 2 kg moisture and dust. */
const started: ProcessStarted = decideStartProcess(
  new Map([[A, { state: evolveBatch(undefined, residual, { eventId: residual.eventId }), revision: 0 }]]),
  new Set(),
  RecordProcess.parse({
    processId: PROCESS,
    processType: 'sorting',
    inputs: [{ batchId: A }],
    outputs: [
      { batchId: OUT_1, massGrams: 60_000, grade: 'reuse', composition: [{ fibre: 'cotton', share: 10_000 }] },
      { batchId: OUT_2, massGrams: 38_000, grade: 'recycling', composition: [{ fibre: 'cotton', share: 10_000 }] },
    ],
    losses: [{ kind: 'moisture-dust', massGrams: 2_000 }],
    occurredAt: EARLIER,
  }),
  ctx(SORTER),
).data;

const processStarted: Recorded = { type: 'ProcessStarted', eventId: 'evt-started', commandId: 'cmd-process', data: started };
const consumedA: Recorded = { type: 'BatchConsumed', eventId: 'evt-a-consumed', data: { batchId: A, processId: PROCESS, massGrams: 100_000 } };
const produced = (index: number): Recorded => {
  const output = started.outputs[index]!;
  return {
    type: 'BatchProduced',
    eventId: `evt-out-${index}-produced`,
    data: {
      batchId: output.batchId,
      processId: PROCESS,
      processType: 'sorting',
      organisationId: SORTER.organisationId,
      massGrams: output.massGrams,
      grade: output.grade,
      composition: output.composition,
      parents: output.parents,
      occurredAt: EARLIER,
    },
  };
};
const completed: Recorded = { type: 'ProcessCompleted', eventId: 'evt-completed', data: { processId: PROCESS } };
const sorted: Recorded[] = [residual, processStarted, consumedA, produced(0), produced(1), completed];

function voidIntent(attempt: number): ProcessVoidStarted {
  return { ...decideStartVoid(target(sorted.reduce(record, emptyWorld())), voidCommand(), ctx(SORTER)).data, attempt };
}
const intentOf = (attempt: number, commandId = `cmd-void-${attempt}`): Recorded => ({ type: 'ProcessVoidStarted', eventId: `evt-void-${attempt}`, commandId, data: voidIntent(attempt) });
const voidedOutput = (batchId: string, attempt: number, processId = PROCESS): Recorded => ({
  type: 'BatchVoided',
  eventId: `evt-${batchId}-voided-${attempt}`,
  data: { batchId, processId, attempt, correctedEventId: 'evt-produced', reason: 'wrong lot', occurredAt: EARLIER },
});
const voidReverted = (batchId: string, attempt: number): Recorded => ({ type: 'BatchVoidReverted', eventId: `evt-${batchId}-void-reverted-${attempt}`, data: { batchId, processId: PROCESS, attempt } });
const voidRejected = (attempt: number): Recorded => ({ type: 'ProcessVoidRejected', eventId: `evt-void-rejected-${attempt}`, data: { processId: PROCESS, attempt, reason: 'an output was used', batchId: OUT_2 } });
const processVoided = (attempt: number): Recorded => ({
  type: 'ProcessVoided',
  eventId: `evt-voided-${attempt}`,
  data: {
    processId: PROCESS,
    attempt,
    correctedEventId: 'evt-completed',
    reason: 'wrong lot',
    organisationId: SORTER.organisationId,
    processType: 'sorting',
    processOccurredAt: EARLIER,
    inputs: [{ batchId: A, massGrams: 100_000 }],
    outputs: started.outputs.map(({ batchId, massGrams }) => ({ batchId, massGrams })),
    externalInputs: [],
    losses: started.losses,
    occurredAt: EARLIER,
  },
});

const dispatched = (batchId: string, to: OrganisationFacts = RECYCLER): Recorded => ({
  type: 'CustodyTransferDispatched',
  eventId: `evt-${batchId}-dispatched`,
  data: { batchId, transferId: TRANSFER, fromOrgId: SORTER.organisationId, toOrgId: to.organisationId, massGrams: 38_000, ownershipTransferred: true, occurredAt: EARLIER },
});
const cancelled = (batchId: string): Recorded => ({
  type: 'CustodyTransferCancelled',
  eventId: `evt-${batchId}-cancelled`,
  data: { batchId, transferId: TRANSFER, cancelledBy: 'sender', reason: 'truck broke down', occurredAt: EARLIER },
});
const received = (batchId: string, massGrams = 38_000): Recorded => ({
  type: 'CustodyTransferReceived',
  eventId: `evt-${batchId}-received`,
  data: { batchId, transferId: TRANSFER, receivedMassGrams: massGrams, dispatchedMassGrams: 38_000, differenceGrams: massGrams - 38_000, anomaly: false, toleranceBasisPoints: 200, occurredAt: EARLIER },
});
const consumedBy = (batchId: string, processId: string, massGrams = 38_000): Recorded => ({ type: 'BatchConsumed', eventId: `evt-${batchId}-consumed-by-${processId}`, data: { batchId, processId, massGrams } });
const landfilled = (batchId: string): Recorded => ({ type: 'BatchLandfilled', eventId: `evt-${batchId}-landfilled`, data: { batchId, occurredAt: EARLIER } });
const massCorrected = (batchId: string, correctedEventId: string, massGrams: number): Recorded => ({
  type: 'BatchMassCorrected',
  eventId: `evt-${batchId}-corrected`,
  data: { batchId, correctedEventId, massGrams, previousMassGrams: 38_000, reason: 'scale recalibrated', occurredAt: EARLIER },
});

// ---- decideStartVoid ----

describe('decideStartVoid: the intent of a void (docs/domain.md)', () => {
  it('names the ProcessCompleted it corrects, each output at its revision with its BatchProduced, and each input with its BatchConsumed', () => {
    spec
      .given(sorted)
      .when(decide(SORTER))
      .then({
        type: 'ProcessVoidStarted',
        data: {
          processId: PROCESS,
          attempt: 0,
          correctedEventId: 'evt-completed',
          reason: 'recorded against the wrong lot',
          organisationId: SORTER.organisationId,
          outputs: [
            { batchId: OUT_1, massGrams: 60_000, producedEventId: 'evt-out-0-produced', expectedRevision: 0 },
            { batchId: OUT_2, massGrams: 38_000, producedEventId: 'evt-out-1-produced', expectedRevision: 0 },
          ],
          inputs: [{ batchId: A, massGrams: 100_000, consumedEventId: 'evt-a-consumed' }],
          occurredAt: EARLIER,
        },
      });
  });

  it('accepts the completion event when the client names it, and refuses any other event', () => {
    spec
      .given(sorted)
      .when(decide(SORTER, voidCommand({ correctedEventId: 'evt-completed' })))
      .thenSatisfies((intent) => expect(intent.data.correctedEventId).toBe('evt-completed'));
    const error = spec.given(sorted).when(decide(SORTER, voidCommand({ correctedEventId: 'evt-started' }))).thenThrows(InvalidCommandError, 'not-the-completion-event');
    expect(error.details).toEqual({ expectedEventId: 'evt-completed' });
  });

  it('refuses an unknown process', () => {
    spec.given([residual]).when(decide(SORTER)).thenThrows(NotFoundError, 'unknown-process');
  });

  it('refuses a time beyond the clock skew', () => {
    spec.given(sorted).when(decide(SORTER, voidCommand({ occurredAt: BEYOND_SKEW }))).thenThrows(InvalidCommandError, 'time-in-future');
  });

  describe('who may void: only the organisation that ran the process', () => {
    it.each([
      ['another organisation', RECYCLER],
      ['the operator', OPERATOR],
    ])('refuses %s', (_who, actor) => {
      spec.given(sorted).when(decide(actor)).thenThrows(ForbiddenError, 'not-process-organisation');
    });
  });

  describe('which processes: only a completed one, once', () => {
    it('refuses a process that has not completed', () => {
      spec.given([residual, processStarted, consumedA, produced(0)]).when(decide(SORTER)).thenThrows(ConflictError, 'process-not-completed');
    });

    it('refuses a rejected process (it counted nothing)', () => {
      spec
        .given([residual, processStarted, { type: 'ProcessRejected', eventId: 'evt-rejected', data: { processId: PROCESS, reason: 'input gone', batchId: A } }])
        .when(decide(SORTER))
        .thenThrows(ConflictError, 'process-rejected');
    });

    it('refuses a process that is already voided', () => {
      spec
        .given([...sorted, intentOf(0), voidedOutput(OUT_1, 0), voidedOutput(OUT_2, 0), processVoided(0)])
        .when(decide(SORTER))
        .thenThrows(ConflictError, 'process-already-voided');
    });

    it('refuses while another void of the process is under way', () => {
      spec.given([...sorted, intentOf(0)]).when(decide(SORTER)).thenThrows(ConflictError, 'process-void-in-progress');
    });

    it('tries again after a rejected void whose outputs were reverted, as attempt 1', () => {
      spec
        .given([...sorted, intentOf(0), voidedOutput(OUT_1, 0), voidRejected(0), voidReverted(OUT_1, 0)])
        .when(decide(SORTER))
        .thenSatisfies((intent) => {
          expect(intent.data.attempt).toBe(1);
          expect(intent.data.outputs.map((o) => o.expectedRevision)).toEqual([2, 0]);
        });
    });

    it('refuses a process whose input carries no consumption by it (a broken stream)', () => {
      spec.given([residual, processStarted, produced(0), produced(1), completed]).when(decide(SORTER)).thenThrows(ConflictError, 'input-not-held');
    });
  });

  describe('every output must still be what the process made', () => {
    it.each([
      ['consumed by another process', [consumedBy(OUT_2, OTHER_PROCESS)], 'output-not-available'],
      ['in transit', [dispatched(OUT_2)], 'output-not-available'],
      ['closed', [landfilled(OUT_2)], 'output-not-available'],
      ['held by another organisation', [dispatched(OUT_2), received(OUT_2)], 'output-not-held'],
      ['re-weighed by a mass correction', [massCorrected(OUT_2, 'evt-out-1-produced', 37_500)], 'output-reweighed'],
    ])('refuses an output %s', (_what, after, code) => {
      const error = spec.given([...sorted, ...after]).when(decide(SORTER)).thenThrows(ConflictError, code);
      expect(error.details).toEqual({ processId: PROCESS, batchId: OUT_2 });
    });

    it('accepts an output whose shipment was cancelled (same holder, same mass), at its new revision', () => {
      spec
        .given([...sorted, dispatched(OUT_2), cancelled(OUT_2)])
        .when(decide(SORTER))
        .thenSatisfies((intent) => expect(intent.data.outputs[1]).toEqual({ batchId: OUT_2, massGrams: 38_000, producedEventId: 'evt-out-1-produced', expectedRevision: 2 }));
    });
  });
});

// ---- checkVoidOutput ----

describe('checkVoidOutput: the re-check right before BatchVoided (decision 011)', () => {
  const output = { batchId: OUT_2, producedEventId: 'evt-out-1-produced' };
  const batchSpec = DeciderSpecification.for<BatchState | undefined, Recorded>({
    evolve: (state, event) => evolveBatch(state, event, { eventId: event.eventId }),
    initialState: () => undefined,
  });
  const check = (attempt = 0) => (state: BatchState | undefined) => checkVoidOutput(state, output, PROCESS, attempt, SORTER.organisationId);

  it('voids an output that is still what the process made', () => {
    batchSpec.given([produced(1)]).when(check()).then({ kind: 'void' });
  });

  it('reports an output this attempt already voided (a resumed step is a no-op)', () => {
    batchSpec.given([produced(1), voidedOutput(OUT_2, 0)]).when(check()).then({ kind: 'already-voided' });
  });

  it('refuses an output still voided by another attempt (its revert is unfinished)', () => {
    batchSpec.given([produced(1), voidedOutput(OUT_2, 0)]).when(check(1)).then({ kind: 'reject', code: 'output-not-available', reason: `output batch ${OUT_2} is voided, not available` });
  });

  it('refuses a missing output', () => {
    batchSpec.given([]).when(check()).then({ kind: 'reject', code: 'output-not-available', reason: `output batch ${OUT_2} does not exist` });
  });

  it('lets only one of a void and a process validated against the same output use it', () => {
    let state = evolveBatch(undefined, produced(1), { eventId: 'evt-out-1-produced' });
    expect(checkVoidOutput(state, output, PROCESS, 0, SORTER.organisationId)).toEqual({ kind: 'void' });
    state = evolveBatch(state, consumedBy(OUT_2, OTHER_PROCESS), { eventId: 'evt-consumed' });
    expect(checkVoidOutput(state, output, PROCESS, 0, SORTER.organisationId)).toMatchObject({ kind: 'reject', code: 'output-not-available' });
  });
});

// ---- the void events on batches ----

describe('evolveBatch: the void events', () => {
  const fold = (events: readonly Recorded[]) => events.reduce<BatchState | undefined>((s, e) => evolveBatch(s, e, { eventId: e.eventId }), undefined);

  it('BatchVoided makes an output voided, by this attempt; BatchVoidReverted of that attempt makes it available again', () => {
    expect(fold([produced(1), voidedOutput(OUT_2, 0)])).toMatchObject({ status: 'voided', voidedBy: { processId: PROCESS, attempt: 0 } });
    const reverted = fold([produced(1), voidedOutput(OUT_2, 0), voidReverted(OUT_2, 0)]);
    expect(reverted?.status).toBe('available');
    expect(reverted).not.toHaveProperty('voidedBy');
  });

  it('ignores the revert of another attempt', () => {
    expect(fold([produced(1), voidedOutput(OUT_2, 1), voidReverted(OUT_2, 0)])).toMatchObject({ status: 'voided', voidedBy: { attempt: 1 } });
  });

  it('BatchRestored returns an input consumed by the voided process to its custodian, with its mass', () => {
    const restored: Recorded = { type: 'BatchRestored', eventId: 'evt-a-restored', data: { batchId: A, processId: PROCESS, correctedEventId: 'evt-a-consumed', massGrams: 100_000, reason: 'wrong lot', occurredAt: EARLIER } };
    const state = fold([residual, consumedA, restored]);
    expect(state).toMatchObject({ status: 'available', custodianOrgId: SORTER.organisationId, massGrams: 100_000, massEventId: 'evt-a-origin' });
    expect(state).not.toHaveProperty('consumedByProcessId');
    // Only the process that consumed it can give it back.
    expect(fold([residual, consumedBy(A, OTHER_PROCESS, 100_000), restored])).toMatchObject({ status: 'consumed', consumedByProcessId: OTHER_PROCESS });
  });
});

// ---- the void on the process stream ----

describe('evolveProcess: void attempts', () => {
  const fold = (events: readonly Recorded[]) => events.reduce<ProcessState | undefined>((s, e) => evolveProcess(s, e, { commandId: e.commandId ?? 'cmd-process' }), undefined);

  it('records each attempt with its command; the process stays completed, and is voided once ProcessVoided is recorded', () => {
    const voiding = fold([processStarted, completed, intentOf(0, 'cmd-void')]);
    expect(lastVoid(voiding)).toMatchObject({ attempt: 0, commandId: 'cmd-void', status: 'started' });
    expect(isVoided(voiding)).toBe(false);
    const voided = fold([processStarted, completed, intentOf(0), processVoided(0)]);
    expect(voided?.status).toBe('completed');
    expect(isVoided(voided)).toBe(true);
  });

  it('a rejected attempt keeps its reason and leaves the process counted', () => {
    const state = fold([processStarted, completed, intentOf(0), voidRejected(0)]);
    expect(lastVoid(state)).toMatchObject({ status: 'rejected', rejectionReason: 'an output was used' });
    expect(isVoided(state)).toBe(false);
  });

  it('an end event only ends its own attempt', () => {
    const state = fold([processStarted, completed, intentOf(0), voidRejected(0), intentOf(1), processVoided(0)]);
    expect(state?.voids.map((v) => v.status)).toEqual(['rejected', 'started']);
  });
});


// ---- decision 020: a void follows what it undoes ----

describe('decideStartVoid: business time and text bounds (decision 020)', () => {
  const A_SECOND_EARLIER = '2024-05-01T10:59:59.000Z';
  const LATER = '2024-05-01T11:30:00.000Z';
  const out1 = started.outputs[0]!.batchId;
  const sentAndCalledBack: Recorded[] = [
    { type: 'CustodyTransferDispatched', eventId: 'evt-out-0-dispatched', data: { batchId: out1, transferId: TRANSFER, fromOrgId: SORTER.organisationId, toOrgId: RECYCLER.organisationId, massGrams: started.outputs[0]!.massGrams, ownershipTransferred: true, occurredAt: EARLIER } },
    { type: 'CustodyTransferCancelled', eventId: 'evt-out-0-cancelled', data: { batchId: out1, transferId: TRANSFER, cancelledBy: 'sender', reason: 'wrong address', occurredAt: LATER } },
  ];

  it('at the time of the process accepted, a second before it refused', () => {
    spec.given(sorted).when(decide(SORTER)).thenSatisfies((intent) => expect(intent.type).toBe('ProcessVoidStarted'));
    spec.given(sorted).when(decide(SORTER, voidCommand({ occurredAt: A_SECOND_EARLIER }))).thenThrows(InvalidCommandError, 'time-before-previous-event');
  });

  it('not before the latest business time of any output', () => {
    spec.given([...sorted, ...sentAndCalledBack]).when(decide(SORTER, voidCommand({ occurredAt: EARLIER }))).thenThrows(InvalidCommandError, 'time-before-previous-event');
    spec.given([...sorted, ...sentAndCalledBack]).when(decide(SORTER, voidCommand({ occurredAt: LATER }))).thenSatisfies((intent) => expect(intent.type).toBe('ProcessVoidStarted'));
  });

  it('refuses a reason with a control character and a time before the earliest', () => {
    spec.given(sorted).when(decide(SORTER, voidCommand({ reason: 'wrong\u0000lot' }))).thenThrows(InvalidCommandError, 'text-not-plain');
    spec.given(sorted).when(decide(SORTER, voidCommand({ occurredAt: '1970-01-01T00:00:00Z' }))).thenThrows(InvalidCommandError, 'time-before-earliest');
  });
});
