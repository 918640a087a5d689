/**
 * evolveBatch: each event's effect on a batch's state (docs/domain.md). Origin events start a stream;
 * every other event changes an existing state and is ignored before one.
 */
import { describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '../events.js';
import { evolveBatch, foldBatch, type BatchState } from './batch.state.js';

const uuid = (n: number): string => `0190a000-0000-7000-8000-${n.toString().padStart(12, '0')}`;

const BATCH = uuid(1001);
const COLLECTOR = uuid(3);
const SORTER = uuid(5);
const MANUFACTURER = uuid(7);
const TRANSFER = uuid(2001);
const PROCESS = uuid(3001);
const OTHER_PROCESS = uuid(3002);
const T = '2024-05-01T11:00:00.000Z';

type Recorded = DomainEvent & { readonly eventId: string };

function fold(events: readonly Recorded[]): BatchState | undefined {
  return events.reduce<BatchState | undefined>((state, event) => evolveBatch(state, event, { eventId: event.eventId }), undefined);
}

const collected: Recorded = {
  type: 'BatchCollected',
  eventId: 'evt-collected',
  data: {
    batchId: BATCH,
    kommuneCode: '0657',
    collectionScheme: 'bring-bank',
    ewcCode: '20 01 11',
    massGrams: 100_000,
    occurredAt: T,
    collectorOrgId: COLLECTOR,
    programmeTags: ['tekstilsymbiose-herning'],
  },
};

const dispatched = (ownershipTransferred: boolean, massGrams = 100_000, toOrgId = SORTER): Recorded => ({
  type: 'CustodyTransferDispatched',
  eventId: 'evt-dispatched',
  data: { batchId: BATCH, transferId: TRANSFER, fromOrgId: COLLECTOR, toOrgId, massGrams, ownershipTransferred, occurredAt: T },
});

const received = (receivedMassGrams: number, anomaly: boolean, eventId = 'evt-received'): Recorded => ({
  type: 'CustodyTransferReceived',
  eventId,
  data: {
    batchId: BATCH,
    transferId: TRANSFER,
    receivedMassGrams,
    dispatchedMassGrams: 100_000,
    differenceGrams: receivedMassGrams - 100_000,
    anomaly,
    toleranceBasisPoints: 200,
    occurredAt: T,
  },
});

const cancelled = (cancelledBy: 'sender' | 'consignee'): Recorded => ({
  type: 'CustodyTransferCancelled',
  eventId: 'evt-cancelled',
  data: { batchId: BATCH, transferId: TRANSFER, cancelledBy, reason: 'refused at the gate', occurredAt: T },
});

const consumed = (processId = PROCESS): Recorded => ({ type: 'BatchConsumed', eventId: 'evt-consumed', data: { batchId: BATCH, processId, massGrams: 100_000 } });
const reverted = (processId = PROCESS): Recorded => ({ type: 'BatchConsumptionReverted', eventId: 'evt-reverted', data: { batchId: BATCH, processId } });
const corrected = (correctedEventId: string, massGrams: number, previousMassGrams: number, eventId = 'evt-corrected'): Recorded => ({
  type: 'BatchMassCorrected',
  eventId,
  data: { batchId: BATCH, correctedEventId, massGrams, previousMassGrams, reason: 'scale recalibrated', occurredAt: T },
});

const COLLECTED_STATE: BatchState = {
  batchId: BATCH,
  origin: { kind: 'collected', kommuneCode: '0657' },
  massGrams: 100_000,
  grade: 'unsorted',
  composition: [{ fibre: 'unknown', share: 10_000 }],
  custodianOrgId: COLLECTOR,
  ownerOrgId: COLLECTOR,
  status: 'available',
  massEventId: 'evt-collected',
  massFromOrigin: true,
  anomalies: 0,
  programmeTags: ['tekstilsymbiose-herning'],
  latestOccurredAt: T,
};

describe('evolveBatch: origin events start the state', () => {
  it('BatchCollected: available with the collecting organisation as custodian and owner, composition unknown, mass from origin', () => {
    expect(fold([collected])).toStrictEqual(COLLECTED_STATE);
  });

  it('ResidualBatchRegistered: available with the registering organisation, its composition, mass from origin', () => {
    const composition = [
      { fibre: 'cotton' as const, share: 8_000 },
      { fibre: 'polyester' as const, share: 2_000 },
    ];
    expect(
      fold([
        {
          type: 'ResidualBatchRegistered',
          eventId: 'evt-residual',
          data: {
            batchId: BATCH,
            organisationId: MANUFACTURER,
            originClass: 'post-consumer-business',
            ewcCode: '20 01 11',
            massGrams: 20_000,
            composition,
            description: 'discarded hospital linen',
            programmeTags: [],
            occurredAt: T,
          },
        },
      ]),
    ).toStrictEqual({
      batchId: BATCH,
      origin: { kind: 'residual', originClass: 'post-consumer-business' },
      massGrams: 20_000,
      grade: 'unsorted',
      composition,
      custodianOrgId: MANUFACTURER,
      ownerOrgId: MANUFACTURER,
      status: 'available',
      massEventId: 'evt-residual',
      massFromOrigin: true,
      anomalies: 0,
      programmeTags: [],
      latestOccurredAt: T,
    } satisfies BatchState);
  });

  it('BatchProduced: a product with its grade, type and application; the mass is not from an origin event', () => {
    const state = fold([
      {
        type: 'BatchProduced',
        eventId: 'evt-produced',
        data: {
          batchId: BATCH,
          processId: PROCESS,
          processType: 'manufacturing',
          organisationId: MANUFACTURER,
          massGrams: 50_000,
          grade: 'product',
          composition: [{ fibre: 'polyester', share: 10_000 }],
          productType: 'pillow',
          application: 'textile',
          parents: [{ batchId: uuid(1002), massGrams: 50_000 }],
          occurredAt: T,
        },
      },
    ]);
    expect(state).toStrictEqual({
      batchId: BATCH,
      origin: { kind: 'produced', processId: PROCESS },
      massGrams: 50_000,
      grade: 'product',
      composition: [{ fibre: 'polyester', share: 10_000 }],
      application: 'textile',
      productType: 'pillow',
      custodianOrgId: MANUFACTURER,
      ownerOrgId: MANUFACTURER,
      status: 'available',
      massEventId: 'evt-produced',
      massFromOrigin: false,
      anomalies: 0,
      programmeTags: [],
      latestOccurredAt: T,
    } satisfies BatchState);
  });

  it('BatchProduced: a non-product carries no application or product type at all', () => {
    const state = fold([
      {
        type: 'BatchProduced',
        eventId: 'evt-produced',
        data: {
          batchId: BATCH,
          processId: PROCESS,
          processType: 'sorting',
          organisationId: SORTER,
          massGrams: 50_000,
          grade: 'reuse',
          composition: [{ fibre: 'unknown', share: 10_000 }],
          parents: [],
          occurredAt: T,
        },
      },
    ]);
    expect(state).toMatchObject({ grade: 'reuse', origin: { kind: 'produced', processId: PROCESS }, custodianOrgId: SORTER });
    expect(state).not.toHaveProperty('application');
    expect(state).not.toHaveProperty('productType');
  });

  it('copies programme tags rather than sharing the event array', () => {
    const state = fold([collected]);
    expect(state?.programmeTags).not.toBe(collected.type === 'BatchCollected' ? collected.data.programmeTags : undefined);
  });
});

describe('evolveBatch: events on an existing batch', () => {
  it('CustodyTransferDispatched: in transit with the pending transfer; custodian, owner and mass unchanged', () => {
    expect(fold([collected, dispatched(false, 99_000)])).toStrictEqual({
      ...COLLECTED_STATE,
      status: 'in-transit',
      pendingTransfer: { transferId: TRANSFER, fromOrgId: COLLECTOR, toOrgId: SORTER, massGrams: 99_000, ownershipTransferred: false },
    } satisfies BatchState);
  });

  it('CustodyTransferReceived with ownership: custodian and owner become the consignee, mass is re-weighed', () => {
    expect(fold([collected, dispatched(true), received(99_000, false)])).toStrictEqual({
      ...COLLECTED_STATE,
      status: 'available',
      custodianOrgId: SORTER,
      ownerOrgId: SORTER,
      massGrams: 99_000,
      massEventId: 'evt-received',
      massFromOrigin: false,
    } satisfies BatchState);
  });

  it('CustodyTransferReceived without ownership: custody moves, ownership stays', () => {
    expect(fold([collected, dispatched(false), received(100_000, false)])).toMatchObject({
      status: 'available',
      custodianOrgId: SORTER,
      ownerOrgId: COLLECTOR,
    });
  });

  it('CustodyTransferReceived clears the pending transfer and counts an anomaly', () => {
    const state = fold([collected, dispatched(true), received(90_000, true)]);
    expect(state).not.toHaveProperty('pendingTransfer');
    expect(state?.anomalies).toBe(1);
    const twice = fold([collected, dispatched(true), received(90_000, true), { ...dispatched(true, 90_000, COLLECTOR), eventId: 'evt-dispatched-2' }, received(80_000, true, 'evt-received-2')]);
    expect(twice).toMatchObject({ anomalies: 2, custodianOrgId: COLLECTOR, massGrams: 80_000, massEventId: 'evt-received-2' });
  });

  it('CustodyTransferReceived without a pending transfer changes nothing', () => {
    expect(fold([collected, received(90_000, true)])).toStrictEqual(COLLECTED_STATE);
    const closed: Recorded = { type: 'BatchLandfilled', eventId: 'evt-landfilled', data: { batchId: BATCH, occurredAt: T } };
    expect(fold([collected, closed, received(90_000, true)])).toStrictEqual(fold([collected, closed]));
  });

  it.each(['sender', 'consignee'] as const)('CustodyTransferCancelled by the %s: available again with the sender, transfer cleared', (by) => {
    const state = fold([collected, dispatched(true), cancelled(by)]);
    expect(state).toStrictEqual(COLLECTED_STATE);
  });

  it('BatchConsumed: consumed by the process', () => {
    expect(fold([collected, consumed()])).toStrictEqual({ ...COLLECTED_STATE, status: 'consumed', consumedByProcessId: PROCESS } satisfies BatchState);
  });

  it('BatchConsumptionReverted by the consuming process: available again, consumer cleared', () => {
    expect(fold([collected, consumed(), reverted()])).toStrictEqual(COLLECTED_STATE);
  });

  it('BatchConsumptionReverted by another process changes nothing', () => {
    expect(fold([collected, consumed(), reverted(OTHER_PROCESS)])).toStrictEqual({ ...COLLECTED_STATE, status: 'consumed', consumedByProcessId: PROCESS } satisfies BatchState);
  });

  it.each<[string, Recorded, BatchState['outcome']]>([
    ['BatchSoldForReuse', { type: 'BatchSoldForReuse', eventId: 'e', data: { batchId: BATCH, market: 'domestic', occurredAt: T } }, 'sold-for-reuse'],
    ['BatchIncinerated', { type: 'BatchIncinerated', eventId: 'e', data: { batchId: BATCH, energyRecovery: true, occurredAt: T } }, 'incinerated'],
    ['BatchLandfilled', { type: 'BatchLandfilled', eventId: 'e', data: { batchId: BATCH, occurredAt: T } }, 'landfilled'],
    ['BatchExported', { type: 'BatchExported', eventId: 'e', data: { batchId: BATCH, destinationCountry: 'DE', purpose: 'unknown', occurredAt: T } }, 'exported'],
    ['ProductPlacedOnMarket', { type: 'ProductPlacedOnMarket', eventId: 'e', data: { batchId: BATCH, market: 'export', occurredAt: T } }, 'placed-on-market'],
  ])('%s closes the batch with its outcome, nothing else changes', (_type, event, outcome) => {
    expect(fold([collected, event])).toStrictEqual({ ...COLLECTED_STATE, status: 'closed', outcome } satisfies BatchState);
  });

  it('BatchMassCorrected of the origin event: new mass and mass event, still the mass from origin', () => {
    expect(fold([collected, corrected('evt-collected', 100_400, 100_000)])).toStrictEqual({
      ...COLLECTED_STATE,
      massGrams: 100_400,
      massEventId: 'evt-corrected',
    } satisfies BatchState);
  });

  it('BatchMassCorrected of a receipt: new mass and mass event, still a weighed mass', () => {
    expect(fold([collected, dispatched(true), received(99_000, false), corrected('evt-received', 99_500, 99_000)])).toMatchObject({
      massGrams: 99_500,
      massEventId: 'evt-corrected',
      massFromOrigin: false,
    });
  });

  it('ignores every non-origin event before the stream exists', () => {
    for (const event of [dispatched(true), received(1, false), cancelled('sender'), consumed(), reverted(), corrected('x', 1, 2)]) {
      expect(evolveBatch(undefined, event, { eventId: event.eventId })).toBeUndefined();
    }
  });

  it('ignores process and organisation events', () => {
    const state = fold([collected]);
    const processCompleted: DomainEvent = { type: 'ProcessCompleted', data: { processId: PROCESS } };
    expect(evolveBatch(state, processCompleted, { eventId: 'evt-x' })).toBe(state);
  });

  it('never mutates the state it is given', () => {
    const events = [collected, dispatched(true), received(99_000, true), corrected('evt-received', 99_100, 99_000), consumed(), reverted(), cancelled('sender')];
    let state: BatchState | undefined;
    for (const event of events) {
      const before = structuredClone(state);
      const next = evolveBatch(state, event, { eventId: event.eventId });
      expect(state).toStrictEqual(before);
      state = next;
    }
  });
});

describe('foldBatch', () => {
  it('folds a whole stream like evolveBatch one by one', () => {
    const events = [collected, dispatched(false), received(98_000, false), corrected('evt-received', 98_500, 98_000), consumed()];
    expect(foldBatch(events.map((event) => ({ event, meta: { eventId: event.eventId } })))).toStrictEqual(fold(events));
    expect(foldBatch([])).toBeUndefined();
  });
});
