import { describe, expect, it } from '@jest/globals';
import type { StoredEvent } from '#event-store';
import { commandOfEpcisEvent, EpcisMappingError, gramsOf } from './from-epcis.js';
import { EpcisIdentifiers, isGln } from './identifiers.js';
import { ledgerContextDocument } from './ledger-context.js';
import { epcisDocument, narrowedTo, toEpcisEvents, type LedgerEventLookup } from './to-epcis.js';
import { validateEpcisDocument } from './epcis-validator.js';

const ORG = { municipality: '0190a000-0000-7000-8000-000000000001', collector: '0190a000-0000-7000-8000-000000000002', sorter: '0190a000-0000-7000-8000-000000000003', recycler: '0190a000-0000-7000-8000-000000000004' };
const BATCH = { collected: '0190b000-0000-7000-8000-000000000001', residual: '0190b000-0000-7000-8000-000000000002', reuse: '0190b000-0000-7000-8000-000000000003', fibre: '0190b000-0000-7000-8000-000000000004' };
const SITE = '0190c000-0000-7000-8000-000000000001';
const PROCESS = '0190d000-0000-7000-8000-000000000001';
const TRANSFER = '0190e000-0000-7000-8000-000000000001';
const COTTON_POLY = [{ fibre: 'cotton', share: 6_500 }, { fibre: 'polyester', share: 3_500 }];

let position = 0;
function stored(type: string, data: Record<string, unknown>, actorOrgId: string, streamId = `batch-${String(data['batchId'])}`): StoredEvent {
  position += 1;
  return {
    eventId: `0190f000-0000-7000-8000-${String(position).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    data,
    metadata: { actorOrgId, commandId: `c-${position}`, correlationId: `c-${position}`, causationId: `c-${position}` },
    streamId,
    revision: 0,
    position,
    recordedAt: `2025-03-1${position % 10}T10:00:00.000Z`,
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
  };
}

const collected = stored('BatchCollected', { batchId: BATCH.collected, kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 10', massGrams: 1_234_567, occurredAt: '2025-03-10T09:30:00+01:00', collectorOrgId: ORG.collector, programmeTags: ['tekstilsymbiose-herning'], measurement: 'estimated' }, ORG.municipality);
const residual = stored('ResidualBatchRegistered', { batchId: BATCH.residual, organisationId: ORG.sorter, originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 500_000, composition: COTTON_POLY, description: 'Cutting waste from denim', programmeTags: [], occurredAt: '2025-03-10T10:00:00+01:00', siteId: SITE }, ORG.sorter);
const dispatched = stored('CustodyTransferDispatched', { batchId: BATCH.collected, transferId: TRANSFER, fromOrgId: ORG.collector, toOrgId: ORG.sorter, massGrams: 1_234_567, transportDocument: 'CMR 4711', ownershipTransferred: true, occurredAt: '2025-03-11T08:00:00+01:00' }, ORG.collector);
const received = stored('CustodyTransferReceived', { batchId: BATCH.collected, transferId: TRANSFER, receivedMassGrams: 1_230_000, dispatchedMassGrams: 1_234_567, differenceGrams: -4_567, anomaly: false, toleranceBasisPoints: 200, occurredAt: '2025-03-11T15:00:00+01:00', siteId: SITE }, ORG.sorter);
const cancelled = stored('CustodyTransferCancelled', { batchId: BATCH.residual, transferId: TRANSFER, cancelledBy: 'consignee', reason: 'wrong load', occurredAt: '2025-03-12T08:00:00+01:00' }, ORG.recycler);
const started = stored(
  'ProcessStarted',
  {
    processId: PROCESS,
    organisationId: ORG.sorter,
    processType: 'sorting',
    inputs: [{ batchId: BATCH.collected, massGrams: 1_230_000, expectedRevision: 2 }],
    externalInputs: [{ description: 'Thread', massGrams: 1_000, composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'virgin' }],
    outputs: [
      { batchId: BATCH.reuse, massGrams: 600_000, grade: 'reuse', composition: COTTON_POLY, parents: [] },
      { batchId: BATCH.fibre, massGrams: 600_000, grade: 'product', composition: COTTON_POLY, productType: 'pillow', application: 'textile', ewcCode: '04 02 22', parents: [] },
    ],
    losses: [{ kind: 'moisture-dust', massGrams: 31_000 }],
    occurredAt: '2025-03-13T09:00:00+01:00',
    siteId: SITE,
  },
  ORG.sorter,
  `process-${PROCESS}`,
);
const completed = stored('ProcessCompleted', { processId: PROCESS }, ORG.sorter, `process-${PROCESS}`);
const corrected = stored('BatchMassCorrected', { batchId: BATCH.collected, correctedEventId: received.eventId, massGrams: 1_231_000, previousMassGrams: 1_230_000, reason: 'scale recalibrated', occurredAt: '2025-03-12T09:00:00+01:00' }, ORG.sorter);
const outcomes = [
  stored('BatchSoldForReuse', { batchId: BATCH.reuse, market: 'export', destinationCountry: 'PL', occurredAt: '2025-03-14T09:00:00+01:00', siteId: SITE }, ORG.sorter),
  stored('BatchIncinerated', { batchId: BATCH.reuse, energyRecovery: true, occurredAt: '2025-03-14T09:00:00+01:00' }, ORG.sorter),
  stored('BatchLandfilled', { batchId: BATCH.reuse, occurredAt: '2025-03-14T09:00:00+01:00' }, ORG.sorter),
  stored('BatchExported', { batchId: BATCH.reuse, destinationCountry: 'DE', purpose: 'recycling', occurredAt: '2025-03-14T09:00:00+01:00' }, ORG.sorter),
  stored('ProductPlacedOnMarket', { batchId: BATCH.fibre, market: 'domestic', occurredAt: '2025-03-14T09:00:00Z' }, ORG.sorter),
];
const voided = stored(
  'ProcessVoided',
  { processId: PROCESS, attempt: 0, correctedEventId: completed.eventId, reason: 'recorded twice', organisationId: ORG.sorter, processType: 'sorting', processOccurredAt: '2025-03-13T09:00:00+01:00', inputs: [{ batchId: BATCH.collected, massGrams: 1_230_000 }], outputs: [{ batchId: BATCH.reuse, massGrams: 600_000 }], externalInputs: [], losses: [], occurredAt: '2025-03-15T09:00:00+01:00' },
  ORG.sorter,
  `process-${PROCESS}`,
);
const everything = [collected, residual, dispatched, received, cancelled, started, completed, corrected, ...outcomes, voided];
const lookup: LedgerEventLookup = {
  eventById: (id) => everything.find((e) => e.eventId === id),
  processStarted: (id) => (id === PROCESS ? started : undefined),
};

describe('EPCIS 2.0 mapping of the ledger', () => {
  const ids = new EpcisIdentifiers();
  const exported = toEpcisEvents(everything, ids, lookup);
  const document = epcisDocument(exported.map((e) => e.event), { ledgerContextUrl: 'https://ledger.example.org/epcis/context/v1.jsonld', creationDate: '2025-04-01T00:00:00Z' });

  it('given every kind of ledger event, when exported, then the document validates against GS1’s EPCIS 2.0 JSON schema', () => {
    expect(validateEpcisDocument(document)).toEqual({ valid: true });
    // 13 events: the process manager's own steps (ProcessStarted) give none of their own.
    expect(exported).toHaveLength(13);
    for (const one of exported) expect(validateEpcisDocument(epcisDocument([one.event], { ledgerContextUrl: 'https://l.example/c.jsonld', creationDate: '2025-04-01T00:00:00Z' }))).toEqual({ valid: true });
  });

  it('given a collection, then it is an ObjectEvent ADD commissioning in KGM with the ledger’s extensions', () => {
    expect(exported[0]!.event).toMatchObject({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      eventTime: '2025-03-10T09:30:00+01:00',
      eventTimeZoneOffset: '+01:00',
      quantityList: [{ epcClass: `urn:textile-ledger:batch:${BATCH.collected}`, quantity: 1234.567, uom: 'KGM' }],
      ilmd: { 'tl:kommune': '0657', 'tl:ewcCode': '20 01 10', 'tl:originClass': 'post-consumer-household' },
    });
  });

  it('given a dispatch with ownership, then source and destination name owning and possessing party', () => {
    expect(exported[2]!.event).toMatchObject({
      bizStep: 'shipping',
      disposition: 'in_transit',
      sourceList: [{ type: 'possessing_party', source: `urn:textile-ledger:organisation:${ORG.collector}` }, { type: 'owning_party', source: `urn:textile-ledger:organisation:${ORG.collector}` }],
      destinationList: [{ type: 'possessing_party', destination: `urn:textile-ledger:organisation:${ORG.sorter}` }, { type: 'owning_party', destination: `urn:textile-ledger:organisation:${ORG.sorter}` }],
    });
  });

  it('given a process, then it is a TransformationEvent with the process as transformationID and KGM input and output lists', () => {
    const t = exported.find((e) => e.event['type'] === 'TransformationEvent' && e.event['errorDeclaration'] === undefined)!;
    expect(t.position).toBe(completed.position);
    expect(t.event).toMatchObject({ transformationID: `urn:textile-ledger:process:${PROCESS}`, bizStep: 'urn:textile-ledger:voc:BizStep-sorting', inputQuantityList: [{ quantity: 1230, uom: 'KGM' }] });
  });

  it('given a mass correction and a void, then each is an error declaration on the event it corrects', () => {
    const correction = exported.find((e) => e.ledgerEventId === corrected.eventId)!;
    expect(correction.event['eventID']).toBe(`urn:textile-ledger:event:${received.eventId}`);
    expect(correction.event['errorDeclaration']).toMatchObject({ reason: 'incorrect_data', correctiveEventIDs: [`urn:textile-ledger:event:${corrected.eventId}`], 'tl:correctedQuantity': { quantity: 1231, uom: 'KGM' } });
    const voidDeclaration = exported.find((e) => e.ledgerEventId === voided.eventId)!;
    expect(voidDeclaration.event['eventID']).toBe(`urn:textile-ledger:event:${started.eventId}`);
    expect(voidDeclaration.event['errorDeclaration']).toMatchObject({ reason: 'did_not_occur', declarationTime: '2025-03-15T09:00:00+01:00' });
  });

  it('given outcomes, then each has its CBV business step and disposition', () => {
    const steps = exported.filter((e) => e.event['tl:outcome'] !== undefined).map((e) => [e.event['tl:outcome'], e.event['bizStep'], e.event['disposition']]);
    expect(steps).toEqual([
      ['sold-for-reuse', 'retail_selling', 'retail_sold'],
      ['incinerated', 'destroying', 'destroyed'],
      ['landfilled', 'destroying', 'disposed'],
      ['exported', 'shipping', 'in_transit'],
      ['placed-on-market', 'retail_selling', 'retail_sold'],
    ]);
  });

  it('when every exported event is read back, then it is the command that recorded it', () => {
    const commands = exported.map((e) => commandOfEpcisEvent(e.event, ids));
    expect(commands.map((c) => c.kind)).toEqual(['collect', 'register-residual', 'dispatch', 'receive', 'cancel', 'process', 'correct-mass', 'outcome', 'outcome', 'outcome', 'outcome', 'outcome', 'void-process']);
    expect(commands[0]).toEqual({ kind: 'collect', body: { batchId: BATCH.collected, massGrams: 1_234_567, ewcCode: '20 01 10', programmeTags: ['tekstilsymbiose-herning'], occurredAt: '2025-03-10T09:30:00+01:00', measurement: 'estimated', kommuneCode: '0657', collectionScheme: 'bring-bank', collectorOrgId: ORG.collector } });
    expect(commands[2]).toEqual({ kind: 'dispatch', batchId: BATCH.collected, body: { transferId: TRANSFER, toOrgId: ORG.sorter, massGrams: 1_234_567, transportDocument: 'CMR 4711', ownershipTransferred: true, occurredAt: '2025-03-11T08:00:00+01:00' } });
    expect(commands[5]).toEqual({
      kind: 'process',
      body: {
        processId: PROCESS,
        processType: 'sorting',
        inputs: [{ batchId: BATCH.collected }],
        outputs: [
          { batchId: BATCH.reuse, massGrams: 600_000, grade: 'reuse', composition: COTTON_POLY },
          { batchId: BATCH.fibre, massGrams: 600_000, grade: 'product', composition: COTTON_POLY, productType: 'pillow', application: 'textile', ewcCode: '04 02 22' },
        ],
        externalInputs: [{ description: 'Thread', massGrams: 1_000, composition: [{ fibre: 'polyester', share: 10_000 }], originClass: 'virgin' }],
        losses: [{ kind: 'moisture-dust', massGrams: 31_000 }],
        occurredAt: '2025-03-13T09:00:00+01:00',
        siteId: SITE,
      },
    });
    expect(commands[6]).toEqual({ kind: 'correct-mass', batchId: BATCH.collected, correctedEventID: `urn:textile-ledger:event:${received.eventId}`, body: { massGrams: 1_231_000, reason: 'scale recalibrated', occurredAt: '2025-03-12T09:00:00+01:00' } });
    expect(commands[8]).toEqual({ kind: 'outcome', batchId: BATCH.reuse, body: { outcome: 'incinerated', energyRecovery: true, occurredAt: '2025-03-14T09:00:00+01:00' } });
    expect(commands[12]).toEqual({ kind: 'void-process', processId: PROCESS, body: { reason: 'recorded twice', occurredAt: '2025-03-15T09:00:00+01:00' } });
  });

  it('given an https base and GS1 ids, then parties are GS1 Digital Links and everything else lives under the base, both ways', () => {
    const gln = '5790000000005';
    expect(isGln(gln)).toBe(true);
    expect(isGln('5790000000006')).toBe(false);
    const https = new EpcisIdentifiers('https://ledger.example.org/id', { organisations: new Map([[ORG.collector, gln]]) });
    const event = toEpcisEvents([dispatched], https, lookup)[0]!.event;
    expect(event['sourceList']).toEqual([{ type: 'possessing_party', source: `https://id.gs1.org/417/${gln}` }, { type: 'owning_party', source: `https://id.gs1.org/417/${gln}` }]);
    expect(event['quantityList']).toEqual([{ epcClass: `https://ledger.example.org/id/batch/${BATCH.collected}`, quantity: 1234.567, uom: 'KGM' }]);
    expect(https.parse(`https://id.gs1.org/417/${gln}`)).toEqual({ thing: 'organisation', id: ORG.collector });
    expect(validateEpcisDocument(epcisDocument([event], { ledgerContextUrl: 'https://l.example/c.jsonld', creationDate: '2025-04-01T00:00:00Z' }))).toEqual({ valid: true });
  });

  it('given kilograms with more than three decimals or another unit, then the mass is refused rather than rounded', () => {
    expect(gramsOf(1234.567, 'KGM', '/q')).toBe(1_234_567);
    expect(gramsOf(999_999.999, 'KGM', '/q')).toBe(999_999_999);
    expect(() => gramsOf(1.0005, 'KGM', '/q')).toThrow(EpcisMappingError);
    expect(() => gramsOf(1, 'LBR', '/q')).toThrow(/KGM/);
  });

  it('given an event about something that is not the ledger’s, then it is refused with a JSON pointer', () => {
    const foreign = { ...exported[0]!.event, quantityList: [{ epcClass: 'https://id.gs1.org/01/09506000134352/10/ABC', quantity: 1, uom: 'KGM' }] };
    expect(() => commandOfEpcisEvent(foreign, ids)).toThrow(expect.objectContaining({ code: 'unknown-identifier', pointer: '/quantityList/0/epcClass' }) as unknown as Error);
    expect(() => commandOfEpcisEvent({ ...exported[0]!.event, type: 'AggregationEvent' }, ids)).toThrow(expect.objectContaining({ pointer: '/type' }) as unknown as Error);
  });

  it('given an invalid document, then the schema errors are JSON pointers', () => {
    const broken = epcisDocument([{ ...exported[0]!.event, action: 'MOVE', eventTimeZoneOffset: '1 hour' }], { ledgerContextUrl: 'https://l.example/c.jsonld', creationDate: 'yesterday' });
    const result = validateEpcisDocument(broken);
    expect(result.valid).toBe(false);
    const pointers = result.valid ? [] : result.errors.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/creationDate', '/epcisBody/eventList/0/action', '/epcisBody/eventList/0/eventTimeZoneOffset']));
  });

  it('serves a context that defines every tl: term it uses', () => {
    const context = ledgerContextDocument()['@context'] as Record<string, unknown>;
    const used = new Set(JSON.stringify(document).match(/"tl:([A-Za-z]+)"/g)!.map((m) => m.slice(4, -1)));
    for (const term of used) expect(context).toHaveProperty(term);
  });
});

describe('an event narrowed to what a viewer sees', () => {
  const ids = new EpcisIdentifiers();
  const [transformation] = toEpcisEvents([completed], ids, lookup);

  it('given a viewer who sees one output of a process, then the other output is not named, and the event still validates', () => {
    const narrowed = narrowedTo(transformation!, (id) => id === BATCH.fibre, ids)!;
    const text = JSON.stringify(narrowed.event);
    expect(text).not.toContain(BATCH.reuse);
    expect(text).not.toContain(BATCH.collected);
    expect(narrowed.event['outputQuantityList']).toEqual([{ epcClass: `urn:textile-ledger:batch:${BATCH.fibre}`, quantity: 600, uom: 'KGM' }]);
    expect(validateEpcisDocument(epcisDocument([narrowed.event], { ledgerContextUrl: 'https://l.example/c.jsonld', creationDate: '2025-04-01T00:00:00Z' }))).toEqual({ valid: true });
  });

  it('given a viewer who sees none of its batches, then nothing is left', () => {
    expect(narrowedTo(transformation!, () => false, ids)).toBeUndefined();
  });
});
