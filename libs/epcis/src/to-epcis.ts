import { castEvent, type DomainEvent, type EventOfType } from '#domain';
import type { StoredEvent } from '#event-store';
import type { EpcisIdentifiers } from './identifiers.js';
import { GS1_EPCIS_CONTEXT_URL } from './ledger-context.js';

/** An EPCIS 2.0 event as JSON: its members are GS1's, plus `tl:` extensions. */
export type EpcisEvent = Record<string, unknown>;

/** An exported event with the log position that orders it (the ledger event it was made from). */
export interface PositionedEpcisEvent {
  readonly position: number;
  /** The ledger event it was made from, and the batches and process it is about: for filtering and access. */
  readonly ledgerEventId: string;
  readonly batchIds: readonly string[];
  readonly processId?: string;
  /** Organisations the event names (actor, parties). */
  readonly organisationIds: readonly string[];
  readonly event: EpcisEvent;
}

/** Ledger events the mapping needs besides the ones it maps: a process's intent, a corrected event. */
export interface LedgerEventLookup {
  eventById(eventId: string): StoredEvent | undefined;
  processStarted(processId: string): StoredEvent | undefined;
}

export const KILOGRAM = 'KGM';

/**
 * Grams as the kilograms of an EPCIS quantity. Every batch mass is below 10^9 g (decision 020), so
 * grams/1000 is a double that rounds back to the same integer grams exactly (gramsOf).
 */
export function kilograms(grams: number): number {
  return grams / 1000;
}

/** The CBV business step of a ledger process type; CBV has words only for repair. */
const CBV_STEP_OF_PROCESS: Readonly<Record<string, string>> = { repair: 'repairing' };

/** `+01:00` of `2025-03-10T09:30:00+01:00`; `Z` is `+00:00`. */
export function timeZoneOffsetOf(instant: string): string {
  const match = /([+-]\d{2}:\d{2}|Z)$/i.exec(instant);
  return !match || match[1]!.toUpperCase() === 'Z' ? '+00:00' : match[1]!;
}

interface Quantity {
  epcClass: string;
  quantity?: number;
  uom?: string;
}

function quantityOf(ids: EpcisIdentifiers, batchId: string, grams?: number): Quantity {
  return grams === undefined ? { epcClass: ids.batch(batchId) } : { epcClass: ids.batch(batchId), quantity: kilograms(grams), uom: KILOGRAM };
}

function parties(kind: 'source' | 'destination', ids: EpcisIdentifiers, possessing: string, owning?: string): Array<Record<string, string>> {
  const list = [{ type: 'possessing_party', [kind]: ids.organisation(possessing) }];
  if (owning !== undefined) list.push({ type: 'owning_party', [kind]: ids.organisation(owning) });
  return list;
}

function location(ids: EpcisIdentifiers, siteId: string | undefined): Record<string, unknown> {
  return siteId === undefined ? {} : { readPoint: { id: ids.site(siteId) }, bizLocation: { id: ids.site(siteId) } };
}

function composition(list: ReadonlyArray<{ fibre: string; share: number }>): Array<{ fibre: string; share: number }> {
  return list.map(({ fibre, share }) => ({ fibre, share }));
}

/** The members every event has: time, zone, record time, id, and who recorded it. */
function common(type: 'ObjectEvent' | 'TransformationEvent', stored: StoredEvent, occurredAt: string, ids: EpcisIdentifiers): EpcisEvent {
  return {
    type,
    eventTime: occurredAt,
    eventTimeZoneOffset: timeZoneOffsetOf(occurredAt),
    recordTime: stored.recordedAt,
    eventID: ids.event(stored.eventId),
    'tl:recordedBy': ids.organisation(stored.metadata.actorOrgId),
  };
}

function optional<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [key]: value };
}

function tags(programmeTags: readonly string[] | undefined): Record<string, string[]> {
  return programmeTags && programmeTags.length > 0 ? { 'tl:programmeTags': [...programmeTags] } : {};
}

type Mapped = Omit<PositionedEpcisEvent, 'position' | 'ledgerEventId'>;

/** The EPCIS form of one ledger event that starts, moves, transforms or ends material; undefined for the others. */
function mapOne(stored: StoredEvent, domain: DomainEvent, ids: EpcisIdentifiers, lookup: LedgerEventLookup): Mapped | undefined {
  const actor = stored.metadata.actorOrgId;
  switch (domain.type) {
    case 'BatchCollected': {
      const d = domain.data;
      return commissioning(stored, ids, d, d.collectorOrgId, {
        'tl:originClass': 'post-consumer-household',
        'tl:kommune': d.kommuneCode,
        'tl:collectionScheme': d.collectionScheme,
        'tl:ewcCode': d.ewcCode,
        ...tags(d.programmeTags),
        ...optional('tl:measurement', d.measurement),
      });
    }
    case 'ResidualBatchRegistered': {
      const d = domain.data;
      return commissioning(stored, ids, d, d.organisationId, {
        'tl:originClass': d.originClass,
        'tl:ewcCode': d.ewcCode,
        'tl:fibreComposition': composition(d.composition),
        'tl:description': d.description,
        ...tags(d.programmeTags),
        ...optional('tl:measurement', d.measurement),
      });
    }
    case 'CustodyTransferDispatched': {
      const d = domain.data;
      return {
        batchIds: [d.batchId],
        organisationIds: [actor, d.fromOrgId, d.toOrgId],
        event: {
          ...common('ObjectEvent', stored, d.occurredAt, ids),
          action: 'OBSERVE',
          bizStep: 'shipping',
          disposition: 'in_transit',
          quantityList: [quantityOf(ids, d.batchId, d.massGrams)],
          sourceList: parties('source', ids, d.fromOrgId, d.ownershipTransferred ? d.fromOrgId : undefined),
          destinationList: parties('destination', ids, d.toOrgId, d.ownershipTransferred ? d.toOrgId : undefined),
          'tl:transferId': d.transferId,
          ...optional('tl:transportDocument', d.transportDocument),
        },
      };
    }
    case 'CustodyTransferReceived': {
      const d = domain.data;
      return {
        batchIds: [d.batchId],
        organisationIds: [actor],
        event: {
          ...common('ObjectEvent', stored, d.occurredAt, ids),
          action: 'OBSERVE',
          bizStep: 'receiving',
          disposition: 'in_progress',
          quantityList: [quantityOf(ids, d.batchId, d.receivedMassGrams)],
          ...location(ids, d.siteId),
          destinationList: parties('destination', ids, actor),
          'tl:transferId': d.transferId,
          ...optional('tl:measurement', d.measurement),
        },
      };
    }
    case 'CustodyTransferCancelled': {
      const d = domain.data;
      return {
        batchIds: [d.batchId],
        organisationIds: [actor],
        event: {
          ...common('ObjectEvent', stored, d.occurredAt, ids),
          action: 'OBSERVE',
          bizStep: 'void_shipping',
          disposition: 'active',
          quantityList: [quantityOf(ids, d.batchId)],
          'tl:transferId': d.transferId,
          'tl:cancelledBy': d.cancelledBy,
          'tl:reason': d.reason,
        },
      };
    }
    case 'ProcessCompleted': {
      const intent = lookup.processStarted(domain.data.processId);
      return intent === undefined ? undefined : transformation(intent, ids);
    }
    case 'BatchSoldForReuse':
    case 'BatchIncinerated':
    case 'BatchLandfilled':
    case 'BatchExported':
    case 'ProductPlacedOnMarket':
      return outcome(stored, domain, ids);
    case 'BatchMassCorrected':
      return massCorrection(stored, domain.data, ids, lookup);
    case 'ProcessVoided': {
      const intent = lookup.processStarted(domain.data.processId);
      if (intent === undefined) return undefined;
      const original = transformation(intent, ids);
      return {
        ...original,
        organisationIds: [...original.organisationIds, actor],
        event: {
          ...original.event,
          recordTime: stored.recordedAt,
          'tl:recordedBy': ids.organisation(actor),
          errorDeclaration: { declarationTime: domain.data.occurredAt, reason: 'did_not_occur', 'tl:reason': domain.data.reason },
        },
      };
    }
    default:
      return undefined;
  }
}

/** The start of a batch (a collection, a residual): commissioned in KGM, held and owned by `holder`, its origin in ilmd. */
function commissioning(stored: StoredEvent, ids: EpcisIdentifiers, d: { batchId: string; massGrams: number; occurredAt: string; siteId?: string | undefined }, holder: string, ilmd: Record<string, unknown>): Mapped {
  return {
    batchIds: [d.batchId],
    organisationIds: [stored.metadata.actorOrgId, holder],
    event: {
      ...common('ObjectEvent', stored, d.occurredAt, ids),
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      quantityList: [quantityOf(ids, d.batchId, d.massGrams)],
      ...location(ids, d.siteId),
      destinationList: parties('destination', ids, holder, holder),
      ilmd,
    },
  };
}

/** A completed process, from its intent: inputs consumed whole, outputs, external inputs and losses. */
function transformation(intent: StoredEvent, ids: EpcisIdentifiers): Mapped {
  const started = castEvent(intent.type, intent.schemaVersion, intent.data) as EventOfType<'ProcessStarted'>;
  const d = started.data;
  const cbvStep = CBV_STEP_OF_PROCESS[d.processType];
  return {
    batchIds: [...d.inputs.map((i) => i.batchId), ...d.outputs.map((o) => o.batchId)],
    processId: d.processId,
    organisationIds: [intent.metadata.actorOrgId, d.organisationId],
    event: {
      ...common('TransformationEvent', intent, d.occurredAt, ids),
      inputQuantityList: d.inputs.map((i) => quantityOf(ids, i.batchId, i.massGrams)),
      outputQuantityList: d.outputs.map((o) => quantityOf(ids, o.batchId, o.massGrams)),
      transformationID: ids.process(d.processId),
      bizStep: cbvStep ?? ids.vocabulary(`BizStep-${d.processType}`),
      ...location(ids, d.siteId),
      sourceList: parties('source', ids, d.organisationId),
      destinationList: parties('destination', ids, d.organisationId),
      'tl:processType': d.processType,
      ilmd: {
        'tl:outputs': d.outputs.map((o) => ({
          batch: ids.batch(o.batchId),
          grade: o.grade,
          fibreComposition: composition(o.composition),
          ...optional('productType', o.productType),
          ...optional('application', o.application),
          ...optional('ewcCode', o.ewcCode),
        })),
        ...(d.externalInputs.length > 0
          ? {
              'tl:externalInputs': d.externalInputs.map((x) => ({
                description: x.description,
                quantity: kilograms(x.massGrams),
                uom: KILOGRAM,
                fibreComposition: composition(x.composition),
                originClass: x.originClass,
              })),
            }
          : {}),
        ...(d.losses.length > 0 ? { 'tl:losses': d.losses.map((l) => ({ kind: l.kind, quantity: kilograms(l.massGrams), uom: KILOGRAM })) } : {}),
      },
    },
  };
}

/**
 * Outcomes: the CBV step and disposition that fit each, and `tl:outcome` to tell apart the ones CBV
 * names alike (a reuse sale and a product placed on the market are both retail sales).
 */
function outcome(stored: StoredEvent, domain: Extract<DomainEvent, { type: 'BatchSoldForReuse' | 'BatchIncinerated' | 'BatchLandfilled' | 'BatchExported' | 'ProductPlacedOnMarket' }>, ids: EpcisIdentifiers): Mapped {
  const d = domain.data;
  const actor = stored.metadata.actorOrgId;
  const head = { ...common('ObjectEvent', stored, d.occurredAt, ids), action: 'OBSERVE' };
  const tail = { quantityList: [quantityOf(ids, d.batchId)], ...location(ids, d.siteId), sourceList: parties('source', ids, actor) };
  const step = (bizStep: string, disposition: string, outcomeName: string, extra: Record<string, unknown>): Mapped => ({
    batchIds: [d.batchId],
    organisationIds: [actor],
    event: { ...head, bizStep, disposition, ...tail, 'tl:outcome': outcomeName, ...extra },
  });
  switch (domain.type) {
    case 'BatchSoldForReuse':
      return step('retail_selling', 'retail_sold', 'sold-for-reuse', { 'tl:market': domain.data.market, ...optional('tl:destinationCountry', domain.data.destinationCountry) });
    case 'ProductPlacedOnMarket':
      return step('retail_selling', 'retail_sold', 'placed-on-market', { 'tl:market': domain.data.market, ...optional('tl:destinationCountry', domain.data.destinationCountry) });
    case 'BatchIncinerated':
      return step('destroying', 'destroyed', 'incinerated', { 'tl:energyRecovery': domain.data.energyRecovery });
    case 'BatchLandfilled':
      return step('destroying', 'disposed', 'landfilled', {});
    case 'BatchExported':
      return step('shipping', 'in_transit', 'exported', { 'tl:destinationCountry': domain.data.destinationCountry, 'tl:purpose': domain.data.purpose });
  }
}

/**
 * A mass correction is EPCIS's error declaration: the corrected event again, under its own eventID,
 * with an errorDeclaration that gives the corrected mass, the reason, and the correction's own id.
 */
function massCorrection(stored: StoredEvent, d: EventOfType<'BatchMassCorrected'>['data'], ids: EpcisIdentifiers, lookup: LedgerEventLookup): Mapped | undefined {
  const corrected = lookup.eventById(d.correctedEventId);
  if (corrected === undefined) return undefined;
  const correctedDomain = castEvent(corrected.type, corrected.schemaVersion, corrected.data);
  const original = correctedDomain.type === 'BatchProduced' ? (lookup.processStarted(correctedDomain.data.processId) ?? undefined) : undefined;
  const base = original !== undefined ? transformation(original, ids) : mapOne(corrected, correctedDomain, ids, lookup);
  if (base === undefined) return undefined;
  return {
    ...base,
    batchIds: [d.batchId, ...base.batchIds.filter((id) => id !== d.batchId)],
    organisationIds: [...base.organisationIds, stored.metadata.actorOrgId],
    event: {
      ...base.event,
      recordTime: stored.recordedAt,
      'tl:recordedBy': ids.organisation(stored.metadata.actorOrgId),
      errorDeclaration: {
        declarationTime: d.occurredAt,
        reason: 'incorrect_data',
        correctiveEventIDs: [ids.event(stored.eventId)],
        'tl:batch': ids.batch(d.batchId),
        'tl:correctedQuantity': { quantity: kilograms(d.massGrams), uom: KILOGRAM },
        'tl:reason': d.reason,
      },
    },
  };
}

/**
 * The EPCIS events of ledger events, in log order. Only what starts, moves, transforms or ends
 * material is exported: a process once it completed (from its intent), its void and mass
 * corrections as error declarations; the steps of the process manager, rejected processes and the
 * organisations' own streams (registrations, keys, sites) are not supply-chain events.
 */
export function toEpcisEvents(events: readonly StoredEvent[], ids: EpcisIdentifiers, lookup: LedgerEventLookup): PositionedEpcisEvent[] {
  const out: PositionedEpcisEvent[] = [];
  for (const stored of [...events].sort((a, b) => a.position - b.position)) {
    const mapped = mapOne(stored, castEvent(stored.type, stored.schemaVersion, stored.data), ids, lookup);
    if (mapped) out.push({ ...mapped, position: stored.position, ledgerEventId: stored.eventId, organisationIds: [...new Set(mapped.organisationIds)] });
  }
  return out;
}

/** The ledger event types that give an EPCIS event, and the ones whose mapping needs another stream. */
export const EXPORTED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'BatchCollected',
  'ResidualBatchRegistered',
  'CustodyTransferDispatched',
  'CustodyTransferReceived',
  'CustodyTransferCancelled',
  'ProcessCompleted',
  'BatchSoldForReuse',
  'BatchIncinerated',
  'BatchLandfilled',
  'BatchExported',
  'ProductPlacedOnMarket',
  'BatchMassCorrected',
  'ProcessVoided',
]);

export interface EpcisDocumentOptions {
  readonly ledgerContextUrl: string;
  readonly creationDate: string;
  readonly sender?: string;
}

/** An EPCISDocument of events, with GS1's context and the ledger's own. */
export function epcisDocument(events: readonly EpcisEvent[], options: EpcisDocumentOptions): Record<string, unknown> {
  return {
    '@context': [GS1_EPCIS_CONTEXT_URL, options.ledgerContextUrl],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: options.creationDate,
    ...(options.sender ? { sender: options.sender } : {}),
    epcisBody: { eventList: [...events] },
  };
}

/**
 * An event as a viewer who does not see every batch it names may see it: the batches it may not see
 * are left out of the quantity lists and of `tl:outputs`, so a process shows the viewer's own side of
 * it (what its batch was made from, or what it was made into) and nothing of a sibling's. Undefined
 * when nothing of the event is left to show.
 */
export function narrowedTo(positioned: PositionedEpcisEvent, visible: (batchId: string) => boolean, ids: EpcisIdentifiers): PositionedEpcisEvent | undefined {
  if (positioned.batchIds.every(visible)) return positioned;
  if (!positioned.batchIds.some(visible)) return undefined;
  const keep = (q: unknown): boolean => {
    const uri = typeof q === 'object' && q !== null ? ((q as Quantity).epcClass ?? (q as { batch?: string }).batch) : undefined;
    const batchId = ids.idOf('batch', uri);
    return batchId === undefined || visible(batchId);
  };
  const event: EpcisEvent = { ...positioned.event };
  for (const list of ['quantityList', 'inputQuantityList', 'outputQuantityList']) {
    const items = event[list];
    if (!Array.isArray(items)) continue;
    const kept = items.filter(keep);
    if (kept.length > 0) event[list] = kept;
    else delete event[list];
  }
  const ilmd = event['ilmd'];
  if (typeof ilmd === 'object' && ilmd !== null && Array.isArray((ilmd as EpcisEvent)['tl:outputs'])) {
    event['ilmd'] = { ...(ilmd as EpcisEvent), 'tl:outputs': ((ilmd as EpcisEvent)['tl:outputs'] as unknown[]).filter(keep) };
  }
  const declaration = event['errorDeclaration'];
  if (typeof declaration === 'object' && declaration !== null) {
    const batchId = ids.idOf('batch', (declaration as EpcisEvent)['tl:batch']);
    if (batchId !== undefined && !visible(batchId)) return undefined;
  }
  return { ...positioned, batchIds: positioned.batchIds.filter(visible), event };
}
