/**
 * The batch decisions (docs/domain.md), given/when/then. Every rule has a spec
 * that fails when the rule is removed; refusals are asserted by error class and stable code.
 */
import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import { parseEvent, type DomainEvent } from '../events.js';
import type { Role } from '../organisation/organisation.events.js';
import { EARLIEST_OCCURRED_AT, EARLIEST_OCCURRED_AT_MS, MAX_BATCH_MASS_GRAMS } from '../shared/bounds.js';
import { DEFAULT_POLICY, type DecisionContext, type LedgerPolicy, type OrganisationFacts } from '../shared/decision-context.js';
import { DeciderSpecification } from '../testing/decider-specification.js';
import { CancelTransfer, CollectBatch, CorrectMass, DispatchTransfer, ReceiveTransfer, RegisterResidualBatch, type RecordOutcome } from './batch.commands.js';
import {
  assertProducerCompleted,
  decideCancelTransfer,
  decideCollectBatch,
  decideCorrectMass,
  decideDispatchTransfer,
  decideReceiveTransfer,
  decideRecordOutcome,
  decideRegisterResidualBatch,
} from './batch.decide.js';
import type { BatchCollected, BatchProduced, ResidualBatchRegistered } from './batch.events.js';
import { evolveBatch, type BatchState } from './batch.state.js';

// ---- fixtures ----

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;

const org = (n: number, name: string, roles: Role[], kommuneCode?: string): OrganisationFacts => ({
  organisationId: uuid(n),
  name,
  roles,
  ...(kommuneCode !== undefined ? { kommuneCode } : {}),
});

const HERNING = org(1, 'Herning Kommune', ['municipality'], '0657');
const IKAST = org(2, 'Ikast-Brande Kommune', ['municipality'], '0756');
const COLLECTOR = org(3, 'Tekstilindsamling ApS', ['collector']);
const OTHER_COLLECTOR = org(4, 'Genbrugstøj A/S', ['collector']);
const SORTER = org(5, 'Sortering A/S', ['sorter']);
const RECYCLER = org(6, 'Fibre Loop ApS', ['recycler']);
const MANUFACTURER = org(7, 'Puder & Poser ApS', ['manufacturer']);
const BRAND = org(8, 'Brand A/S', ['brand']);
const AUDITOR = org(9, 'Revision A/S', ['auditor']);
const OPERATOR = org(10, 'Ledger Operator', ['operator']);
const AUDITING_MANUFACTURER = org(11, 'Both A/S', ['auditor', 'manufacturer']);
const UNREGISTERED = uuid(99);

const DIRECTORY = new Map(
  [HERNING, IKAST, COLLECTOR, OTHER_COLLECTOR, SORTER, RECYCLER, MANUFACTURER, BRAND, AUDITOR, OPERATOR, AUDITING_MANUFACTURER].map(
    (o): [string, OrganisationFacts] => [o.organisationId, o],
  ),
);

const NOW = new Date('2024-05-01T12:00:00.000Z');
const EARLIER = '2024-05-01T11:00:00.000Z';
const AT_SKEW_LIMIT = '2024-05-01T12:05:00.000Z'; // now + 5 min, the default clock skew
const BEYOND_SKEW = '2024-05-01T12:05:00.001Z';

function ctx(actor: OrganisationFacts, policy: Partial<LedgerPolicy> = {}): DecisionContext {
  return { now: NOW, actor, organisation: (id) => DIRECTORY.get(id), policy: { ...DEFAULT_POLICY, ...policy } };
}

/** A context in which these `[kommuneCode, collector]` authorisations are in force. */
function authorisedCtx(actor: OrganisationFacts, authorisations: ReadonlyArray<readonly [string, OrganisationFacts]>): DecisionContext {
  const inForce = new Set(authorisations.map(([kommuneCode, collector]) => `${kommuneCode}/${collector.organisationId}`));
  return { ...ctx(actor), collectorAuthorised: (kommuneCode, collectorOrgId) => inForce.has(`${kommuneCode}/${collectorOrgId}`) };
}

const BATCH = uuid(1001);
const TRANSFER = uuid(2001);
const SECOND_TRANSFER = uuid(2002);
const PROCESS = uuid(3001);

/** A stored event: a domain event and the id the store gave it (evolve records it as massEventId). */
type Recorded = DomainEvent & { readonly eventId: string };

const spec = DeciderSpecification.for<BatchState | undefined, Recorded>({
  evolve: (state, event) => evolveBatch(state, event, { eventId: event.eventId }),
  initialState: () => undefined,
});

function collected(overrides: Partial<BatchCollected> = {}, eventId = 'evt-collected'): Recorded {
  return {
    type: 'BatchCollected',
    eventId,
    data: {
      batchId: BATCH,
      kommuneCode: '0657',
      collectionScheme: 'kerbside',
      ewcCode: '20 01 10',
      massGrams: 100_000,
      occurredAt: EARLIER,
      collectorOrgId: COLLECTOR.organisationId,
      programmeTags: [],
      ...overrides,
    },
  };
}

function residual(overrides: Partial<ResidualBatchRegistered> = {}, eventId = 'evt-residual'): Recorded {
  return {
    type: 'ResidualBatchRegistered',
    eventId,
    data: {
      batchId: BATCH,
      organisationId: MANUFACTURER.organisationId,
      originClass: 'pre-consumer',
      ewcCode: '04 02 21',
      massGrams: 20_000,
      composition: [{ fibre: 'cotton', share: 10_000 }],
      description: 'cutting waste',
      programmeTags: [],
      occurredAt: EARLIER,
      ...overrides,
    },
  };
}

function produced(overrides: Partial<BatchProduced> = {}, eventId = 'evt-produced'): Recorded {
  return {
    type: 'BatchProduced',
    eventId,
    data: {
      batchId: BATCH,
      processId: PROCESS,
      processType: 'manufacturing',
      organisationId: MANUFACTURER.organisationId,
      massGrams: 50_000,
      grade: 'product',
      composition: [{ fibre: 'polyester', share: 10_000 }],
      productType: 'pillow',
      application: 'textile',
      parents: [],
      occurredAt: EARLIER,
      ...overrides,
    },
  };
}

function dispatched(
  from: OrganisationFacts,
  to: OrganisationFacts,
  options: { massGrams?: number; ownershipTransferred?: boolean; transferId?: string } = {},
  eventId = 'evt-dispatched',
): Recorded {
  return {
    type: 'CustodyTransferDispatched',
    eventId,
    data: {
      batchId: BATCH,
      transferId: options.transferId ?? TRANSFER,
      fromOrgId: from.organisationId,
      toOrgId: to.organisationId,
      massGrams: options.massGrams ?? 100_000,
      ownershipTransferred: options.ownershipTransferred ?? true,
      occurredAt: EARLIER,
    },
  };
}

function received(receivedMassGrams: number, dispatchedMassGrams = 100_000, eventId = 'evt-received', transferId = TRANSFER): Recorded {
  const differenceGrams = receivedMassGrams - dispatchedMassGrams;
  return {
    type: 'CustodyTransferReceived',
    eventId,
    data: {
      batchId: BATCH,
      transferId,
      receivedMassGrams,
      dispatchedMassGrams,
      differenceGrams,
      anomaly: Math.abs(differenceGrams) * 10_000 > 200 * dispatchedMassGrams,
      toleranceBasisPoints: 200,
      occurredAt: EARLIER,
    },
  };
}

function cancelled(cancelledBy: 'sender' | 'consignee', eventId = 'evt-cancelled'): Recorded {
  return { type: 'CustodyTransferCancelled', eventId, data: { batchId: BATCH, transferId: TRANSFER, cancelledBy, reason: 'lorry broke down', occurredAt: EARLIER } };
}

const consumed = (processId = PROCESS): Recorded => ({ type: 'BatchConsumed', eventId: 'evt-consumed', data: { batchId: BATCH, processId, massGrams: 100_000 } });
const landfilled = (): Recorded => ({ type: 'BatchLandfilled', eventId: 'evt-landfilled', data: { batchId: BATCH, occurredAt: EARLIER } });
const massCorrected = (correctedEventId: string, massGrams: number, previousMassGrams: number, eventId = 'evt-corrected'): Recorded => ({
  type: 'BatchMassCorrected',
  eventId,
  data: { batchId: BATCH, correctedEventId, massGrams, previousMassGrams, reason: 'scale recalibrated', occurredAt: EARLIER },
});

// ---- commands (parsed, so defaults apply exactly as at the API) ----

const collect = (overrides: Partial<z.input<typeof CollectBatch>> = {}): CollectBatch =>
  CollectBatch.parse({
    batchId: BATCH,
    kommuneCode: '0657',
    collectionScheme: 'kerbside',
    ewcCode: '20 01 10',
    massGrams: 100_000,
    occurredAt: EARLIER,
    collectorOrgId: COLLECTOR.organisationId,
    ...overrides,
  });

const registerResidual = (overrides: Partial<z.input<typeof RegisterResidualBatch>> = {}): RegisterResidualBatch =>
  RegisterResidualBatch.parse({
    batchId: BATCH,
    originClass: 'pre-consumer',
    ewcCode: '04 02 21',
    massGrams: 20_000,
    composition: [{ fibre: 'cotton', share: 10_000 }],
    description: 'cutting waste',
    occurredAt: EARLIER,
    ...overrides,
  });

const dispatch = (to: OrganisationFacts | string, overrides: Partial<z.input<typeof DispatchTransfer>> = {}): DispatchTransfer =>
  DispatchTransfer.parse({
    batchId: BATCH,
    transferId: SECOND_TRANSFER,
    toOrgId: typeof to === 'string' ? to : to.organisationId,
    occurredAt: EARLIER,
    ...overrides,
  });

const receive = (receivedMassGrams: number, occurredAt = EARLIER): ReceiveTransfer => ReceiveTransfer.parse({ batchId: BATCH, receivedMassGrams, occurredAt });
const cancel = (occurredAt = EARLIER): CancelTransfer => CancelTransfer.parse({ batchId: BATCH, reason: 'wrong address', occurredAt });
const correct = (correctedEventId: string, massGrams: number, occurredAt = EARLIER): CorrectMass =>
  CorrectMass.parse({ batchId: BATCH, correctedEventId, massGrams, reason: 'scale recalibrated', occurredAt });
const landfill = (occurredAt = EARLIER): RecordOutcome => ({ outcome: 'landfilled', batchId: BATCH, occurredAt });
const placeOnMarket = (): RecordOutcome => ({ outcome: 'placed-on-market', market: 'domestic', batchId: BATCH, occurredAt: EARLIER });

// ---- BatchCollected ----

describe('outputs of a process are usable only once it has completed (docs/domain.md)', () => {
  it('refuses an output while its producing process has not completed', () => {
    spec
      .given([produced()])
      .when((state) => {
        assertProducerCompleted(state, false);
        return [];
      })
      .thenThrows(ConflictError, 'process-not-completed');
  });

  it('accepts it once the process has completed, and never concerns origin batches', () => {
    spec
      .given([produced()])
      .when((state) => {
        assertProducerCompleted(state, true);
        return [];
      })
      .then([]);
    spec
      .given([collected()])
      .when((state) => {
        assertProducerCompleted(state, false);
        return [];
      })
      .then([]);
  });
});

describe('CollectBatch (docs/domain.md)', () => {
  it("records the kommune's municipality collecting, naming its collector", () => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect(), ctx(HERNING)))
      .then([{ type: 'BatchCollected', data: { ...collect(), programmeTags: [] } }]);
  });

  it('keeps programme tags', () => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect({ programmeTags: ['tekstilsymbiose-herning'] }), ctx(HERNING)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'BatchCollected', data: { programmeTags: ['tekstilsymbiose-herning'] } }]));
  });

  it('lets the municipality name itself as the collecting organisation', () => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect({ collectorOrgId: HERNING.organisationId }), ctx(HERNING)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'BatchCollected', data: { collectorOrgId: HERNING.organisationId } }]));
  });

  it('records a collector collecting for the kommune, naming itself', () => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect({ kommuneCode: '0756' }), authorisedCtx(COLLECTOR, [['0756', COLLECTOR]])))
      .then([{ type: 'BatchCollected', data: collect({ kommuneCode: '0756' }) }]);
  });

  describe("a collector records only for a kommune whose municipality authorised it", () => {
    it('refuses a collector no municipality authorised, naming the kommune', () => {
      const error = spec
        .given([])
        .when((state) => decideCollectBatch(state, collect(), ctx(COLLECTOR)))
        .thenThrows(ForbiddenError, 'collector-not-authorised');
      expect(error.message).toContain('Herning Kommune (0657)');
      expect(error.details).toEqual({ kommuneCode: '0657', collectorOrgId: COLLECTOR.organisationId });
    });

    it('refuses a collector whose authorisation was revoked (the lookup answers false again)', () => {
      spec
        .given([])
        .when((state) => decideCollectBatch(state, collect(), authorisedCtx(COLLECTOR, [])))
        .thenThrows(ForbiddenError, 'collector-not-authorised');
    });

    it('refuses a collector authorised by another kommune only', () => {
      spec
        .given([])
        .when((state) => decideCollectBatch(state, collect({ kommuneCode: '0657' }), authorisedCtx(COLLECTOR, [['0756', COLLECTOR]])))
        .thenThrows(ForbiddenError, 'collector-not-authorised');
    });

    it("refuses a collector on another collector's authorisation", () => {
      spec
        .given([])
        .when((state) => decideCollectBatch(state, collect(), authorisedCtx(COLLECTOR, [['0657', OTHER_COLLECTOR]])))
        .thenThrows(ForbiddenError, 'collector-not-authorised');
    });

    it('asks about the kommune of the collection and the acting collector', () => {
      const asked: Array<[string, string]> = [];
      const context: DecisionContext = { ...ctx(COLLECTOR), collectorAuthorised: (k, c) => (asked.push([k, c]), true) };
      spec
        .given([])
        .when((state) => decideCollectBatch(state, collect({ kommuneCode: '0661' }), context))
        .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'BatchCollected', data: { kommuneCode: '0661', collectorOrgId: COLLECTOR.organisationId } }]));
      expect(asked).toEqual([['0661', COLLECTOR.organisationId]]);
    });

    it('lets the municipality record its own collection naming a collector it never authorised', () => {
      spec
        .given([])
        .when((state) => decideCollectBatch(state, collect({ collectorOrgId: OTHER_COLLECTOR.organisationId }), authorisedCtx(HERNING, [])))
        .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'BatchCollected', data: { collectorOrgId: OTHER_COLLECTOR.organisationId } }]));
    });

    it("refuses a municipality that is also a collector in another kommune, unless that kommune's municipality authorised it", () => {
      const herningCollecting = org(12, 'Herning Kommune Indsamling', ['municipality', 'collector'], '0657');
      const withIt = (context: DecisionContext): DecisionContext => ({
        ...context,
        organisation: (id) => (id === herningCollecting.organisationId ? herningCollecting : DIRECTORY.get(id)),
      });
      const inIkast = collect({ kommuneCode: '0756', collectorOrgId: herningCollecting.organisationId });
      spec
        .given([])
        .when((state) => decideCollectBatch(state, inIkast, withIt(ctx(herningCollecting))))
        .thenThrows(ForbiddenError, 'collector-not-authorised');
      spec
        .given([])
        .when((state) => decideCollectBatch(state, inIkast, withIt(authorisedCtx(herningCollecting, [['0756', herningCollecting]]))))
        .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'BatchCollected', data: { kommuneCode: '0756' } }]));
    });
  });

  it("refuses another kommune's municipality", () => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect(), ctx(IKAST)))
      .thenThrows(ForbiddenError, 'not-collecting-party');
  });

  it.each([
    ['sorter', SORTER],
    ['recycler', RECYCLER],
    ['manufacturer', MANUFACTURER],
    ['brand', BRAND],
    ['auditor', AUDITOR],
    ['operator', OPERATOR],
  ])('refuses a %s, which neither is the municipality nor collects', (_role, actor) => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect(), ctx(actor)))
      .thenThrows(ForbiddenError, 'not-collecting-party');
  });

  it.each(['0000', '9999', '0658', '1000'])('refuses the unknown kommune code %s', (kommuneCode) => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect({ kommuneCode }), ctx(COLLECTOR)))
      .thenThrows(InvalidCommandError, 'unknown-kommune');
  });

  it('refuses an unregistered collecting organisation', () => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect({ collectorOrgId: UNREGISTERED }), ctx(HERNING)))
      .thenThrows(NotFoundError, 'unknown-organisation');
  });

  it.each([
    ['a sorter', SORTER],
    ['an auditor', AUDITOR],
    ["another kommune's municipality", IKAST],
  ])('refuses %s as the collecting organisation', (_what, collector) => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect({ collectorOrgId: collector.organisationId }), ctx(HERNING)))
      .thenThrows(InvalidCommandError, 'not-a-collector');
  });

  it('refuses a collector recording a collection made by another collector', () => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect({ collectorOrgId: OTHER_COLLECTOR.organisationId }), ctx(COLLECTOR)))
      .thenThrows(ForbiddenError, 'collector-mismatch');
  });

  it('refuses a collector naming the municipality as the collecting organisation', () => {
    spec
      .given([])
      .when((state) => decideCollectBatch(state, collect({ collectorOrgId: HERNING.organisationId }), ctx(COLLECTOR)))
      .thenThrows(ForbiddenError, 'collector-mismatch');
  });

  it.each([
    ['a collection', collected()],
    ['a residual', residual()],
    ['a process output', produced()],
  ])('refuses a batch id that already names %s', (_what, origin) => {
    spec
      .given([origin])
      .when((state) => decideCollectBatch(state, collect(), ctx(HERNING)))
      .thenThrows(ConflictError, 'batch-exists');
  });
});

// ---- ResidualBatchRegistered ----

describe('RegisterResidualBatch (docs/domain.md)', () => {
  it('records the residual of the registering organisation, which becomes its custodian', () => {
    const command = registerResidual({ programmeTags: ['closing-loops'] });
    spec
      .given([])
      .when((state) => decideRegisterResidualBatch(state, command, ctx(MANUFACTURER)))
      .then([{ type: 'ResidualBatchRegistered', data: { ...command, organisationId: MANUFACTURER.organisationId } }]);
  });

  it.each([
    ['municipality', HERNING],
    ['collector', COLLECTOR],
    ['sorter', SORTER],
    ['recycler', RECYCLER],
    ['manufacturer', MANUFACTURER],
    ['brand', BRAND],
    ['auditor that is also a manufacturer', AUDITING_MANUFACTURER],
  ])('accepts a %s, a role that handles material', (_role, actor) => {
    spec
      .given([])
      .when((state) => decideRegisterResidualBatch(state, registerResidual(), ctx(actor)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'ResidualBatchRegistered', data: { organisationId: actor.organisationId } }]));
  });

  it.each([
    ['auditor', AUDITOR],
    ['operator', OPERATOR],
  ])('refuses an %s, which never handles material', (_role, actor) => {
    spec
      .given([])
      .when((state) => decideRegisterResidualBatch(state, registerResidual(), ctx(actor)))
      .thenThrows(ForbiddenError, 'role-not-permitted');
  });

  it('refuses a batch id that already exists', () => {
    spec
      .given([collected()])
      .when((state) => decideRegisterResidualBatch(state, registerResidual(), ctx(MANUFACTURER)))
      .thenThrows(ConflictError, 'batch-exists');
  });
});

// ---- custody ----

describe('DispatchTransfer (docs/domain.md)', () => {
  it('records the custodian dispatching, with the mass weighed at dispatch', () => {
    spec
      .given([collected()])
      .when((state) => decideDispatchTransfer(state, dispatch(SORTER, { massGrams: 99_200, transportDocument: 'CMR-7' }), ctx(COLLECTOR)))
      .then([
        {
          type: 'CustodyTransferDispatched',
          data: {
            batchId: BATCH,
            transferId: SECOND_TRANSFER,
            fromOrgId: COLLECTOR.organisationId,
            toOrgId: SORTER.organisationId,
            massGrams: 99_200,
            transportDocument: 'CMR-7',
            ownershipTransferred: true,
            occurredAt: EARLIER,
          },
        },
      ]);
  });

  it('defaults the dispatched mass to the current mass (after a receipt re-weighed it), and leaves out an absent transport document', () => {
    spec
      .given([collected(), dispatched(COLLECTOR, SORTER), received(98_700)])
      .when((state) => decideDispatchTransfer(state, dispatch(RECYCLER, { ownershipTransferred: false }), ctx(SORTER)))
      .then([
        {
          type: 'CustodyTransferDispatched',
          data: {
            batchId: BATCH,
            transferId: SECOND_TRANSFER,
            fromOrgId: SORTER.organisationId,
            toOrgId: RECYCLER.organisationId,
            massGrams: 98_700,
            ownershipTransferred: false,
            occurredAt: EARLIER,
          },
        },
      ]);
  });

  it('defaults the dispatched mass to a corrected mass', () => {
    spec
      .given([collected(), massCorrected('evt-collected', 101_000, 100_000)])
      .when((state) => decideDispatchTransfer(state, dispatch(SORTER), ctx(COLLECTOR)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ data: { massGrams: 101_000 } }]));
  });

  it('refuses anyone but the custodian', () => {
    spec
      .given([collected()])
      .when((state) => decideDispatchTransfer(state, dispatch(SORTER), ctx(OTHER_COLLECTOR)))
      .thenThrows(ForbiddenError, 'not-custodian');
  });

  it('refuses the owner that is no longer the custodian (ownership kept on a toll transfer)', () => {
    spec
      .given([collected(), dispatched(COLLECTOR, SORTER, { ownershipTransferred: false }), received(100_000)])
      .when((state) => decideDispatchTransfer(state, dispatch(RECYCLER), ctx(COLLECTOR)))
      .thenThrows(ForbiddenError, 'not-custodian');
  });

  it.each([
    ['in transit (the sender is still the custodian)', [collected(), dispatched(COLLECTOR, SORTER)]],
    ['consumed', [collected(), consumed()]],
    ['closed', [collected(), landfilled()]],
  ])('refuses a batch that is %s', (_status, given) => {
    spec
      .given(given)
      .when((state) => decideDispatchTransfer(state, dispatch(RECYCLER), ctx(COLLECTOR)))
      .thenThrows(ConflictError, 'batch-not-available');
  });

  it('lets a custodian that does not own the batch pass on custody but not ownership', () => {
    const given = [collected(), dispatched(COLLECTOR, SORTER, { ownershipTransferred: false }), received(100_000)];
    spec
      .given(given)
      .when((state) => decideDispatchTransfer(state, dispatch(RECYCLER, { ownershipTransferred: true }), ctx(SORTER)))
      .thenThrows(ForbiddenError, 'not-owner');
    spec
      .given(given)
      .when((state) => decideDispatchTransfer(state, { ...dispatch(RECYCLER), ownershipTransferred: undefined }, ctx(SORTER)))
      .thenSatisfies((events) => expect(events[0]?.data).toMatchObject({ ownershipTransferred: false, fromOrgId: SORTER.organisationId }));
  });

  it('refuses a dispatch to the custodian itself', () => {
    spec
      .given([collected()])
      .when((state) => decideDispatchTransfer(state, dispatch(COLLECTOR), ctx(COLLECTOR)))
      .thenThrows(InvalidCommandError, 'transfer-to-self');
  });

  it('refuses an unregistered consignee', () => {
    spec
      .given([collected()])
      .when((state) => decideDispatchTransfer(state, dispatch(UNREGISTERED), ctx(COLLECTOR)))
      .thenThrows(NotFoundError, 'unknown-organisation');
  });

  it('refuses an unknown batch', () => {
    spec
      .given([])
      .when((state) => decideDispatchTransfer(state, dispatch(SORTER), ctx(COLLECTOR)))
      .thenThrows(NotFoundError, 'unknown-batch');
  });
});

describe('ReceiveTransfer (docs/domain.md)', () => {
  const inTransit = [collected(), dispatched(COLLECTOR, SORTER)];

  it('records the consignee receiving, with the transit difference', () => {
    spec
      .given(inTransit)
      .when((state) => decideReceiveTransfer(state, receive(99_000), ctx(SORTER)))
      .then([
        {
          type: 'CustodyTransferReceived',
          data: {
            batchId: BATCH,
            transferId: TRANSFER,
            receivedMassGrams: 99_000,
            dispatchedMassGrams: 100_000,
            differenceGrams: -1_000,
            anomaly: false,
            toleranceBasisPoints: 200,
            occurredAt: EARLIER,
          },
        },
      ]);
  });

  it('records a transit gain as a positive difference', () => {
    spec
      .given(inTransit)
      .when((state) => decideReceiveTransfer(state, receive(100_500), ctx(SORTER)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ data: { differenceGrams: 500, anomaly: false } }]));
  });

  it('compares with the mass weighed at dispatch, not the mass the batch had before', () => {
    spec
      .given([collected(), dispatched(COLLECTOR, SORTER, { massGrams: 90_000 })])
      .when((state) => decideReceiveTransfer(state, receive(90_000), ctx(SORTER)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ data: { dispatchedMassGrams: 90_000, differenceGrams: 0, anomaly: false } }]));
  });

  describe('anomaly above the tolerance (default 2 %); the receipt is recorded, not refused', () => {
    it.each([
      [98_000, -2_000, false, 'a loss of exactly 2 %'],
      [97_999, -2_001, true, 'a loss 1 g above 2 %'],
      [102_000, 2_000, false, 'a gain of exactly 2 %'],
      [102_001, 2_001, true, 'a gain 1 g above 2 %'],
      [100_000, 0, false, 'no difference'],
    ])('received %d g (difference %d g): anomaly %s, %s', (receivedMassGrams, differenceGrams, anomaly) => {
      spec
        .given(inTransit)
        .when((state) => decideReceiveTransfer(state, receive(receivedMassGrams), ctx(SORTER)))
        .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'CustodyTransferReceived', data: { differenceGrams, anomaly } }]));
    });

    it('compares in integers when 2 % is not a whole number of grams (12,345 g → 246.9 g)', () => {
      const given = [collected({ massGrams: 12_345 }), dispatched(COLLECTOR, SORTER, { massGrams: 12_345 })];
      const anomalyOf = (receivedMassGrams: number) => {
        const [event] = decideReceiveTransfer(foldOf(given), receive(receivedMassGrams), ctx(SORTER));
        return event?.type === 'CustodyTransferReceived' ? event.data.anomaly : undefined;
      };
      expect(anomalyOf(12_345 - 246)).toBe(false);
      expect(anomalyOf(12_345 - 247)).toBe(true);
      expect(anomalyOf(12_345 + 246)).toBe(false);
      expect(anomalyOf(12_345 + 247)).toBe(true);
    });

    it('uses the tolerance of the policy in force, and records it', () => {
      spec
        .given(inTransit)
        .when((state) => decideReceiveTransfer(state, receive(95_000), ctx(SORTER, { transitToleranceBasisPoints: 500 })))
        .thenSatisfies((events) => expect(events).toMatchObject([{ data: { differenceGrams: -5_000, anomaly: false, toleranceBasisPoints: 500 } }]));
      spec
        .given(inTransit)
        .when((state) => decideReceiveTransfer(state, receive(99_999), ctx(SORTER, { transitToleranceBasisPoints: 0 })))
        .thenSatisfies((events) => expect(events).toMatchObject([{ data: { anomaly: true, toleranceBasisPoints: 0 } }]));
    });
  });

  it.each([
    ['the sender', COLLECTOR],
    ['a third party', RECYCLER],
  ])('refuses %s: only the consignee receives', (_who, actor) => {
    spec
      .given(inTransit)
      .when((state) => decideReceiveTransfer(state, receive(100_000), ctx(actor)))
      .thenThrows(ForbiddenError, 'not-consignee');
  });

  it.each([
    ['available (never dispatched)', [collected()]],
    ['already received', [...inTransit, received(100_000)]],
    ['cancelled', [...inTransit, cancelled('sender')]],
    ['consumed', [collected(), consumed()]],
    ['closed', [collected(), landfilled()]],
  ])('refuses a batch that is not in transit: %s', (_status, given) => {
    spec
      .given(given)
      .when((state) => decideReceiveTransfer(state, receive(100_000), ctx(SORTER)))
      .thenThrows(ConflictError, 'not-in-transit');
  });

  it('refuses an unknown batch', () => {
    spec
      .given([])
      .when((state) => decideReceiveTransfer(state, receive(100_000), ctx(SORTER)))
      .thenThrows(NotFoundError, 'unknown-batch');
  });

  describe('ownership', () => {
    it('passes to the consignee with the transfer by default: the consignee may then dispatch, the sender not', () => {
      const given = [collected(), dispatched(COLLECTOR, SORTER), received(100_000)];
      expect(foldOf(given)).toMatchObject({ custodianOrgId: SORTER.organisationId, ownerOrgId: SORTER.organisationId, status: 'available' });
      spec
        .given(given)
        .when((state) => decideDispatchTransfer(state, dispatch(RECYCLER), ctx(SORTER)))
        .thenSatisfies((events) => expect(events).toMatchObject([{ data: { fromOrgId: SORTER.organisationId } }]));
    });

    it('stays with the sender when the transfer keeps it, while custody moves', () => {
      const given = [collected(), dispatched(COLLECTOR, SORTER, { ownershipTransferred: false }), received(100_000)];
      expect(foldOf(given)).toMatchObject({ custodianOrgId: SORTER.organisationId, ownerOrgId: COLLECTOR.organisationId });
    });
  });
});

describe('CancelTransfer (docs/domain.md)', () => {
  const inTransit = [collected(), dispatched(COLLECTOR, SORTER)];

  it('records the sender withdrawing the shipment', () => {
    spec
      .given(inTransit)
      .when((state) => decideCancelTransfer(state, cancel(), ctx(COLLECTOR)))
      .then([
        { type: 'CustodyTransferCancelled', data: { batchId: BATCH, transferId: TRANSFER, cancelledBy: 'sender', reason: 'wrong address', occurredAt: EARLIER } },
      ]);
  });

  it('records the consignee refusing the shipment', () => {
    spec
      .given(inTransit)
      .when((state) => decideCancelTransfer(state, cancel(), ctx(SORTER)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ type: 'CustodyTransferCancelled', data: { cancelledBy: 'consignee' } }]));
  });

  it('refuses anyone but the sender or the consignee', () => {
    spec
      .given(inTransit)
      .when((state) => decideCancelTransfer(state, cancel(), ctx(RECYCLER)))
      .thenThrows(ForbiddenError, 'not-party-to-transfer');
  });

  it.each([
    ['available', [collected()]],
    ['received', [...inTransit, received(100_000)]],
    ['cancelled already', [...inTransit, cancelled('consignee')]],
  ])('refuses a batch that is not in transit: %s', (_status, given) => {
    spec
      .given(given)
      .when((state) => decideCancelTransfer(state, cancel(), ctx(COLLECTOR)))
      .thenThrows(ConflictError, 'not-in-transit');
  });

  it('refuses an unknown batch', () => {
    spec
      .given([])
      .when((state) => decideCancelTransfer(state, cancel(), ctx(COLLECTOR)))
      .thenThrows(NotFoundError, 'unknown-batch');
  });

  it.each(['sender', 'consignee'] as const)('returns the batch to available with the sender after the %s cancels', (by) => {
    const given = [...inTransit, cancelled(by)];
    expect(foldOf(given)).toMatchObject({ status: 'available', custodianOrgId: COLLECTOR.organisationId, ownerOrgId: COLLECTOR.organisationId, massGrams: 100_000 });
    expect(foldOf(given)).not.toHaveProperty('pendingTransfer');
    // The sender may act on it again; the consignee may neither receive nor dispatch it.
    spec
      .given(given)
      .when((state) => decideDispatchTransfer(state, dispatch(RECYCLER), ctx(COLLECTOR)))
      .thenSatisfies((events) => expect(events).toHaveLength(1));
    spec
      .given(given)
      .when((state) => decideReceiveTransfer(state, receive(100_000), ctx(SORTER)))
      .thenThrows(ConflictError, 'not-in-transit');
    spec
      .given(given)
      .when((state) => decideDispatchTransfer(state, dispatch(RECYCLER), ctx(SORTER)))
      .thenThrows(ForbiddenError, 'not-custodian');
  });
});

// ---- outcomes ----

describe('RecordOutcome (docs/domain.md)', () => {
  it.each<[string, RecordOutcome, DomainEvent]>([
    [
      'sold for reuse (domestic)',
      { outcome: 'sold-for-reuse', market: 'domestic', batchId: BATCH, occurredAt: EARLIER },
      { type: 'BatchSoldForReuse', data: { batchId: BATCH, market: 'domestic', occurredAt: EARLIER } },
    ],
    [
      'sold for reuse (export, with a country)',
      { outcome: 'sold-for-reuse', market: 'export', destinationCountry: 'PL', batchId: BATCH, occurredAt: EARLIER },
      { type: 'BatchSoldForReuse', data: { batchId: BATCH, market: 'export', destinationCountry: 'PL', occurredAt: EARLIER } },
    ],
    [
      'incinerated with energy recovery (R1)',
      { outcome: 'incinerated', energyRecovery: true, batchId: BATCH, occurredAt: EARLIER },
      { type: 'BatchIncinerated', data: { batchId: BATCH, energyRecovery: true, occurredAt: EARLIER } },
    ],
    [
      'incinerated without energy recovery (D10)',
      { outcome: 'incinerated', energyRecovery: false, batchId: BATCH, occurredAt: EARLIER },
      { type: 'BatchIncinerated', data: { batchId: BATCH, energyRecovery: false, occurredAt: EARLIER } },
    ],
    ['landfilled (D1)', landfill(), { type: 'BatchLandfilled', data: { batchId: BATCH, occurredAt: EARLIER } }],
    [
      'exported for recycling',
      { outcome: 'exported', destinationCountry: 'DE', purpose: 'recycling', batchId: BATCH, occurredAt: EARLIER },
      { type: 'BatchExported', data: { batchId: BATCH, destinationCountry: 'DE', purpose: 'recycling', occurredAt: EARLIER } },
    ],
  ])('records the custodian closing a collected batch: %s', (_what, command, expected) => {
    spec
      .given([collected()])
      .when((state) => decideRecordOutcome(state, command, ctx(COLLECTOR)))
      .then([expected]);
  });

  it('records a product placed on the market', () => {
    spec
      .given([produced()])
      .when((state) => decideRecordOutcome(state, { outcome: 'placed-on-market', market: 'export', destinationCountry: 'SE', batchId: BATCH, occurredAt: EARLIER }, ctx(MANUFACTURER)))
      .then([{ type: 'ProductPlacedOnMarket', data: { batchId: BATCH, market: 'export', destinationCountry: 'SE', occurredAt: EARLIER } }]);
  });

  it.each([
    ['a collected batch', [collected()], COLLECTOR],
    ['a residual', [residual()], MANUFACTURER],
    ['a process output that is not a product', [produced({ grade: 'fibre', productType: undefined, application: undefined })], MANUFACTURER],
    ['a product output without an application', [produced({ application: undefined })], MANUFACTURER],
  ])('refuses to place %s on the market: only products are', (_what, given, actor) => {
    spec
      .given(given)
      .when((state) => decideRecordOutcome(state, placeOnMarket(), ctx(actor)))
      .thenThrows(InvalidCommandError, 'not-a-product');
  });

  it('refuses anyone but the custodian', () => {
    spec
      .given([collected()])
      .when((state) => decideRecordOutcome(state, landfill(), ctx(HERNING)))
      .thenThrows(ForbiddenError, 'not-custodian');
  });

  it.each([
    ['in transit', [collected(), dispatched(COLLECTOR, SORTER)]],
    ['consumed', [collected(), consumed()]],
    ['closed already', [collected(), landfilled()]],
  ])('refuses a batch that is %s', (_status, given) => {
    spec
      .given(given)
      .when((state) => decideRecordOutcome(state, landfill(), ctx(COLLECTOR)))
      .thenThrows(ConflictError, 'batch-not-available');
  });

  it('refuses an unknown batch', () => {
    spec
      .given([])
      .when((state) => decideRecordOutcome(state, landfill(), ctx(COLLECTOR)))
      .thenThrows(NotFoundError, 'unknown-batch');
  });
});

// ---- corrections ----

describe('CorrectMass (docs/domain.md)', () => {
  it('records the custodian correcting the mass the origin event recorded', () => {
    spec
      .given([collected()])
      .when((state) => decideCorrectMass(state, correct('evt-collected', 100_400), ctx(COLLECTOR)))
      .then([
        {
          type: 'BatchMassCorrected',
          data: { batchId: BATCH, correctedEventId: 'evt-collected', massGrams: 100_400, previousMassGrams: 100_000, reason: 'scale recalibrated', occurredAt: EARLIER },
        },
      ]);
  });

  it('must name the event that last set the mass: after a receipt, the receipt', () => {
    const given = [collected(), dispatched(COLLECTOR, SORTER), received(99_000)];
    spec
      .given(given)
      .when((state) => decideCorrectMass(state, correct('evt-received', 99_500), ctx(SORTER)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ data: { correctedEventId: 'evt-received', massGrams: 99_500, previousMassGrams: 99_000 } }]));
    const error = spec
      .given(given)
      .when((state) => decideCorrectMass(state, correct('evt-collected', 99_500), ctx(SORTER)))
      .thenThrows(InvalidCommandError, 'not-the-mass-event');
    expect(error.details).toEqual({ expectedEventId: 'evt-received' });
  });

  it('must name the event that last set the mass: after a correction, that correction', () => {
    const given = [collected(), massCorrected('evt-collected', 100_400, 100_000, 'evt-corrected-1')];
    spec
      .given(given)
      .when((state) => decideCorrectMass(state, correct('evt-collected', 100_300), ctx(COLLECTOR)))
      .thenThrows(InvalidCommandError, 'not-the-mass-event');
    spec
      .given(given)
      .when((state) => decideCorrectMass(state, correct('evt-corrected-1', 100_300), ctx(COLLECTOR)))
      .thenSatisfies((events) => expect(events).toMatchObject([{ data: { correctedEventId: 'evt-corrected-1', previousMassGrams: 100_400 } }]));
  });

  it('refuses naming an event that did not set the mass', () => {
    spec
      .given([collected(), dispatched(COLLECTOR, SORTER), cancelled('sender')])
      .when((state) => decideCorrectMass(state, correct('evt-dispatched', 99_000), ctx(COLLECTOR)))
      .thenThrows(InvalidCommandError, 'not-the-mass-event');
  });

  it('refuses a correction that changes nothing', () => {
    spec
      .given([collected()])
      .when((state) => decideCorrectMass(state, correct('evt-collected', 100_000), ctx(COLLECTOR)))
      .thenThrows(InvalidCommandError, 'correction-changes-nothing');
  });

  it('refuses anyone but the custodian', () => {
    spec
      .given([collected()])
      .when((state) => decideCorrectMass(state, correct('evt-collected', 99_000), ctx(HERNING)))
      .thenThrows(ForbiddenError, 'not-custodian');
  });

  it.each([
    ['in transit', [collected(), dispatched(COLLECTOR, SORTER)]],
    ['consumed', [collected(), consumed()]],
    ['closed', [collected(), landfilled()]],
  ])('refuses a batch that is %s: only an available batch is corrected', (_status, given) => {
    spec
      .given(given)
      .when((state) => decideCorrectMass(state, correct('evt-collected', 99_000), ctx(COLLECTOR)))
      .thenThrows(ConflictError, 'batch-not-available');
  });

  it('refuses an unknown batch', () => {
    spec
      .given([])
      .when((state) => decideCorrectMass(state, correct('evt-collected', 99_000), ctx(COLLECTOR)))
      .thenThrows(NotFoundError, 'unknown-batch');
  });

  it('tells a correction of the origin (what was collected) from one of a weighing (massFromOrigin)', () => {
    expect(foldOf([collected(), massCorrected('evt-collected', 100_400, 100_000)])).toMatchObject({ massFromOrigin: true, massGrams: 100_400 });
    expect(
      foldOf([collected(), dispatched(COLLECTOR, SORTER), received(99_000), massCorrected('evt-received', 99_500, 99_000)]),
    ).toMatchObject({ massFromOrigin: false, massGrams: 99_500 });
  });
});

// ---- time, for every batch decision ----

describe('occurredAt may not lie in the future beyond the clock skew (docs/domain.md)', () => {
  const inTransit = [collected(), dispatched(COLLECTOR, SORTER)];
  const cases: Array<[string, Recorded[], (state: BatchState | undefined, occurredAt: string) => DomainEvent[]]> = [
    ['collect', [], (s, t) => decideCollectBatch(s, collect({ occurredAt: t }), ctx(HERNING))],
    ['register a residual', [], (s, t) => decideRegisterResidualBatch(s, registerResidual({ occurredAt: t }), ctx(MANUFACTURER))],
    ['dispatch', [collected()], (s, t) => decideDispatchTransfer(s, dispatch(SORTER, { occurredAt: t }), ctx(COLLECTOR))],
    ['receive', inTransit, (s, t) => decideReceiveTransfer(s, receive(100_000, t), ctx(SORTER))],
    ['cancel', inTransit, (s, t) => decideCancelTransfer(s, cancel(t), ctx(COLLECTOR))],
    ['record an outcome', [collected()], (s, t) => decideRecordOutcome(s, landfill(t), ctx(COLLECTOR))],
    ['correct a mass', [collected()], (s, t) => decideCorrectMass(s, correct('evt-collected', 99_000, t), ctx(COLLECTOR))],
  ];

  it.each(cases)('%s: accepted at now + skew', (_what, given, decide) => {
    spec
      .given(given)
      .when((state) => decide(state, AT_SKEW_LIMIT))
      .thenSatisfies((events) => expect(events).toMatchObject([{ data: { occurredAt: AT_SKEW_LIMIT } }]));
  });

  it.each(cases)('%s: refused 1 ms beyond now + skew', (_what, given, decide) => {
    spec
      .given(given)
      .when((state) => decide(state, BEYOND_SKEW))
      .thenThrows(InvalidCommandError, 'time-in-future');
  });

  it('uses the skew of the policy in force', () => {
    spec
      .given([collected()])
      .when((state) => decideRecordOutcome(state, landfill('2024-05-01T12:00:00.001Z'), ctx(COLLECTOR, { clockSkewMs: 0 })))
      .thenThrows(InvalidCommandError, 'time-in-future');
    spec
      .given([collected()])
      .when((state) => decideRecordOutcome(state, landfill('2024-05-01T12:00:00.000Z'), ctx(COLLECTOR, { clockSkewMs: 0 })))
      .thenSatisfies((events) => expect(events).toHaveLength(1));
  });

  it('refuses an occurredAt that is no instant', () => {
    spec
      .given([collected()])
      .when((state) => decideRecordOutcome(state, landfill('not a time'), ctx(COLLECTOR)))
      .thenThrows(InvalidCommandError, 'invalid-time');
  });
});

// ---- the events decided are valid events ----

describe('decided events', () => {
  it('match the schema of their type along a whole life: collect, dispatch, receive, correct, cancel, close', () => {
    const stored: Recorded[] = [];
    const step = (decide: (state: BatchState | undefined) => DomainEvent[]): void => {
      const state = foldOf(stored);
      decide(state).forEach((event, index) => stored.push({ ...event, eventId: `evt-${stored.length + index}` }));
    };
    step((s) => decideCollectBatch(s, collect({ programmeTags: ['tekstilsymbiose-herning'] }), ctx(HERNING)));
    step((s) => decideDispatchTransfer(s, dispatch(SORTER, { transferId: TRANSFER }), ctx(COLLECTOR)));
    step((s) => decideReceiveTransfer(s, receive(97_000), ctx(SORTER)));
    step((s) => decideCorrectMass(s, correct('evt-2', 97_100), ctx(SORTER)));
    step((s) => decideDispatchTransfer(s, dispatch(RECYCLER), ctx(SORTER)));
    step((s) => decideCancelTransfer(s, cancel(), ctx(RECYCLER)));
    step((s) => decideRecordOutcome(s, { outcome: 'exported', destinationCountry: 'LT', purpose: 'reuse', batchId: BATCH, occurredAt: EARLIER }, ctx(SORTER)));
    expect(stored.map((e) => e.type)).toEqual([
      'BatchCollected',
      'CustodyTransferDispatched',
      'CustodyTransferReceived',
      'BatchMassCorrected',
      'CustodyTransferDispatched',
      'CustodyTransferCancelled',
      'BatchExported',
    ]);
    for (const { type, data } of stored) expect(parseEvent(type, 1, data)).toStrictEqual({ type, data });
    expect(foldOf(stored)).toMatchObject({ status: 'closed', outcome: 'exported', custodianOrgId: SORTER.organisationId, massGrams: 97_100, anomalies: 1 });
  });
});

function foldOf(events: readonly Recorded[]): BatchState | undefined {
  return events.reduce<BatchState | undefined>((state, event) => evolveBatch(state, event, { eventId: event.eventId }), undefined);
}

// ---- decision 020: the bounds of every input ----

describe('business times the ledger can carry (decision 020)', () => {
  const onlyEvent = (type: string) => (events: DomainEvent[]) => expect(events.map((e) => e.type)).toEqual([type]);
  const JUST_BEFORE_EARLIEST = new Date(EARLIEST_OCCURRED_AT_MS - 1).toISOString();
  const A_SECOND_EARLIER = '2024-05-01T10:59:59.000Z';

  it('accepts a collection at the earliest business time, and refuses one a millisecond before it', () => {
    spec.given([]).when((state) => decideCollectBatch(state, collect({ occurredAt: EARLIEST_OCCURRED_AT }), ctx(HERNING))).thenSatisfies(onlyEvent('BatchCollected'));
    spec.given([]).when((state) => decideCollectBatch(state, collect({ occurredAt: JUST_BEFORE_EARLIEST }), ctx(HERNING))).thenThrows(InvalidCommandError, 'time-before-earliest');
  });

  it('refuses the year 0999 that once broke the provenance projection', () => {
    spec.given([]).when((state) => decideCollectBatch(state, collect({ occurredAt: '0999-12-31T12:00:00Z' }), ctx(HERNING))).thenThrows(InvalidCommandError, 'time-before-earliest');
    spec.given([]).when((state) => decideRegisterResidualBatch(state, registerResidual({ occurredAt: '1999-12-31T23:59:59+00:00' }), ctx(MANUFACTURER))).thenThrows(InvalidCommandError, 'time-before-earliest');
  });

  it('refuses a business time of 1900 on every later step of a batch collected now', () => {
    const in1900 = '1900-01-01T00:00:00Z';
    spec.given([collected()]).when((state) => decideDispatchTransfer(state, dispatch(SORTER, { occurredAt: in1900 }), ctx(COLLECTOR))).thenThrows(InvalidCommandError, 'time-before-earliest');
    spec.given([collected(), dispatched(COLLECTOR, SORTER)]).when((state) => decideReceiveTransfer(state, receive(100_000, in1900), ctx(SORTER))).thenThrows(InvalidCommandError, 'time-before-earliest');
    spec.given([collected()]).when((state) => decideRecordOutcome(state, landfill(in1900), ctx(COLLECTOR))).thenThrows(InvalidCommandError, 'time-before-earliest');
    spec.given([collected()]).when((state) => decideCorrectMass(state, correct('evt-collected', 99_000, in1900), ctx(COLLECTOR))).thenThrows(InvalidCommandError, 'time-before-earliest');
  });

  describe('a command never lies before the latest business time of its batch', () => {
    it('dispatch: at the collection time accepted, a second before refused', () => {
      spec.given([collected()]).when((state) => decideDispatchTransfer(state, dispatch(SORTER), ctx(COLLECTOR))).thenSatisfies(onlyEvent('CustodyTransferDispatched'));
      spec.given([collected()]).when((state) => decideDispatchTransfer(state, dispatch(SORTER, { occurredAt: A_SECOND_EARLIER }), ctx(COLLECTOR))).thenThrows(InvalidCommandError, 'time-before-previous-event');
    });

    it('receive: at the dispatch time accepted, a second before refused', () => {
      const given = [collected(), dispatched(COLLECTOR, SORTER)];
      spec.given(given).when((state) => decideReceiveTransfer(state, receive(100_000), ctx(SORTER))).thenSatisfies(onlyEvent('CustodyTransferReceived'));
      spec.given(given).when((state) => decideReceiveTransfer(state, receive(100_000, A_SECOND_EARLIER), ctx(SORTER))).thenThrows(InvalidCommandError, 'time-before-previous-event');
    });

    it('cancel: a second before the dispatch refused', () => {
      spec.given([collected(), dispatched(COLLECTOR, SORTER)]).when((state) => decideCancelTransfer(state, cancel(A_SECOND_EARLIER), ctx(COLLECTOR))).thenThrows(InvalidCommandError, 'time-before-previous-event');
    });

    it('outcome and correction: a second before the last receipt refused', () => {
      const given = [collected(), dispatched(COLLECTOR, SORTER), received(100_000)];
      spec.given(given).when((state) => decideRecordOutcome(state, landfill(A_SECOND_EARLIER), ctx(SORTER))).thenThrows(InvalidCommandError, 'time-before-previous-event');
      spec.given(given).when((state) => decideCorrectMass(state, correct('evt-received', 99_000, A_SECOND_EARLIER), ctx(SORTER))).thenThrows(InvalidCommandError, 'time-before-previous-event');
      spec.given(given).when((state) => decideRecordOutcome(state, landfill(EARLIER), ctx(SORTER))).thenSatisfies(onlyEvent('BatchLandfilled'));
    });

    it('follows the latest time on the stream, not the last event: a stream that once ran backwards keeps its maximum', () => {
      const late = '2024-05-01T11:30:00.000Z';
      const backwards = { ...dispatched(COLLECTOR, SORTER), data: { ...dispatched(COLLECTOR, SORTER).data, occurredAt: late } } as Recorded;
      spec.given([collected(), backwards, cancelled('sender')]).when((state) => decideRecordOutcome(state, landfill(EARLIER), ctx(COLLECTOR))).thenThrows(InvalidCommandError, 'time-before-previous-event');
    });

    it('tells an outsider nothing about the batch: who may act is checked first', () => {
      spec.given([collected()]).when((state) => decideDispatchTransfer(state, dispatch(RECYCLER, { occurredAt: A_SECOND_EARLIER }), ctx(SORTER))).thenThrows(ForbiddenError, 'not-custodian');
    });
  });
});

describe('masses below the per-batch maximum (decision 020)', () => {
  it('collect: exactly the maximum accepted, one gram more refused, MAX_SAFE_INTEGER refused', () => {
    spec.given([]).when((state) => decideCollectBatch(state, collect({ massGrams: MAX_BATCH_MASS_GRAMS }), ctx(HERNING))).thenSatisfies((events) => expect(events).toHaveLength(1));
    spec.given([]).when((state) => decideCollectBatch(state, collect({ massGrams: MAX_BATCH_MASS_GRAMS + 1 }), ctx(HERNING))).thenThrows(InvalidCommandError, 'mass-above-maximum');
    spec.given([]).when((state) => decideCollectBatch(state, collect({ massGrams: Number.MAX_SAFE_INTEGER }), ctx(HERNING))).thenThrows(InvalidCommandError, 'mass-above-maximum');
  });

  it('residual, dispatch, receive and correction: one gram above the maximum refused', () => {
    spec.given([]).when((state) => decideRegisterResidualBatch(state, registerResidual({ massGrams: MAX_BATCH_MASS_GRAMS + 1 }), ctx(MANUFACTURER))).thenThrows(InvalidCommandError, 'mass-above-maximum');
    spec.given([collected()]).when((state) => decideDispatchTransfer(state, dispatch(SORTER, { massGrams: MAX_BATCH_MASS_GRAMS + 1 }), ctx(COLLECTOR))).thenThrows(InvalidCommandError, 'mass-above-maximum');
    spec.given([collected(), dispatched(COLLECTOR, SORTER)]).when((state) => decideReceiveTransfer(state, receive(MAX_BATCH_MASS_GRAMS + 1), ctx(SORTER))).thenThrows(InvalidCommandError, 'mass-above-maximum');
    spec.given([collected()]).when((state) => decideCorrectMass(state, correct('evt-collected', MAX_BATCH_MASS_GRAMS + 1), ctx(COLLECTOR))).thenThrows(InvalidCommandError, 'mass-above-maximum');
    spec.given([collected()]).when((state) => decideCorrectMass(state, correct('evt-collected', MAX_BATCH_MASS_GRAMS), ctx(COLLECTOR))).thenSatisfies((events) => expect(events).toHaveLength(1));
  });
});

describe('free text is plain text (decision 020)', () => {
  it.each([
    ['a line break', 'cutting\nwaste'],
    ['a NUL', 'cutting\u0000waste'],
    ['DEL', 'cutting\u007fwaste'],
    ['a C1 control', 'cutting\u0085waste'],
    ['a right-to-left override', 'invoice \u202egpj.exe'],
    ['a left-to-right embedding', '\u202acutting waste'],
    ['a first-strong isolate', 'cutting \u2068waste\u2069'],
    ['a lone surrogate', 'cutting \ud800waste'],
  ])('refuses a residual description with %s', (_what, description) => {
    spec.given([]).when((state) => decideRegisterResidualBatch(state, registerResidual({ description }), ctx(MANUFACTURER))).thenThrows(InvalidCommandError, 'text-not-plain');
  });

  it('accepts Danish letters, other scripts and emoji', () => {
    spec
      .given([])
      .when((state) => decideRegisterResidualBatch(state, registerResidual({ description: 'Afklip fra Ærø — bomuld/økologisk, 東京 🧵' }), ctx(MANUFACTURER)))
      .thenSatisfies((events) => expect(events).toHaveLength(1));
  });

  it('refuses control characters in a transport document and a cancellation reason', () => {
    spec.given([collected()]).when((state) => decideDispatchTransfer(state, dispatch(SORTER, { transportDocument: 'CMR 123\r\nX-Forged: 1' }), ctx(COLLECTOR))).thenThrows(InvalidCommandError, 'text-not-plain');
    spec
      .given([collected(), dispatched(COLLECTOR, SORTER)])
      .when((state) => decideCancelTransfer(state, CancelTransfer.parse({ batchId: BATCH, reason: 'wrong\taddress', occurredAt: EARLIER }), ctx(COLLECTOR)))
      .thenThrows(InvalidCommandError, 'text-not-plain');
  });
});
