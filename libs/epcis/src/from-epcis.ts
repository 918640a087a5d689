import type { EpcisIdentifiers } from './identifiers.js';
import { KILOGRAM, type EpcisEvent } from './to-epcis.js';

/**
 * A captured EPCIS event read as the ledger command it stands for. The bodies are the HTTP bodies of
 * the endpoints that record the same thing, so the capture is validated and decided exactly like them.
 */
export type CapturedCommand =
  | { readonly kind: 'collect'; readonly body: Record<string, unknown> }
  | { readonly kind: 'register-residual'; readonly body: Record<string, unknown> }
  | { readonly kind: 'dispatch'; readonly batchId: string; readonly body: Record<string, unknown> }
  | { readonly kind: 'receive'; readonly batchId: string; readonly body: Record<string, unknown> }
  | { readonly kind: 'cancel'; readonly batchId: string; readonly body: Record<string, unknown> }
  | { readonly kind: 'process'; readonly body: Record<string, unknown> }
  | { readonly kind: 'outcome'; readonly batchId: string; readonly body: Record<string, unknown> }
  /** `correctedEventID` is the EPCIS eventID of the corrected event; the ledger finds its own event for it. */
  | { readonly kind: 'correct-mass'; readonly batchId: string; readonly correctedEventID: string; readonly body: Record<string, unknown> }
  | { readonly kind: 'void-process'; readonly processId: string; readonly body: Record<string, unknown> };

/** An event the ledger cannot read as one of its commands; `pointer` is a JSON pointer into the event. */
export class EpcisMappingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly pointer: string,
  ) {
    super(message);
    this.name = 'EpcisMappingError';
  }
}

/** Integer grams of an EPCIS quantity in kilograms (KGM) or grams (GRM); the inverse of kilograms(). */
export function gramsOf(quantity: unknown, uom: unknown, pointer: string): number {
  if (typeof quantity !== 'number' || !Number.isFinite(quantity)) throw new EpcisMappingError('missing-quantity', 'the ledger records mass: give a quantity', pointer);
  if (uom !== KILOGRAM && uom !== 'GRM') throw new EpcisMappingError('unsupported-unit', `quantities are taken in kilograms (KGM) or grams (GRM), not ${String(uom ?? 'none')}`, pointer);
  const grams = uom === 'GRM' ? quantity : Math.round(quantity * 1000);
  if (uom === 'GRM' ? !Number.isInteger(quantity) : Math.abs(quantity * 1000 - grams) > 1e-6 * Math.max(1, Math.abs(grams))) {
    throw new EpcisMappingError('mass-not-whole-grams', 'the ledger records whole grams: a kilogram quantity has at most three decimals', pointer);
  }
  return grams;
}

/** The word of a CBV business step or disposition, whichever form names it (bare, URN or Web URI). */
export function cbvWord(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const web = /^https?:\/\/(?:ref\.gs1\.org|ns\.gs1\.org)\/cbv\/(?:BizStep|Disp)-(.+)$/.exec(value);
  if (web) return web[1];
  const urn = /^urn:epcglobal:cbv:(?:bizstep|disp):(.+)$/.exec(value);
  if (urn) return urn[1];
  return value;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(
    private readonly event: Json,
    private readonly ids: EpcisIdentifiers,
  ) {}

  value(path: string): unknown {
    return path.split('/').reduce<unknown>((node, key) => (isObject(node) ? node[key] : Array.isArray(node) ? node[Number(key)] : undefined), this.event);
  }

  string(path: string, required = true): string | undefined {
    const value = this.value(path);
    if (typeof value === 'string') return value;
    if (required) throw new EpcisMappingError('missing-member', `the ledger needs ${path.split('/').pop()} here`, `/${path}`);
    return undefined;
  }

  /** The one batch an ObjectEvent is about, with its mass if it gave one. */
  batch(): { batchId: string; grams?: number } {
    const quantities = this.value('quantityList');
    if (Array.isArray(quantities) && quantities.length === 1 && isObject(quantities[0])) {
      const q = quantities[0];
      const batchId = this.ids.idOf('batch', q['epcClass']);
      if (!batchId) throw new EpcisMappingError('unknown-identifier', 'the epcClass is not a batch URI of this ledger', '/quantityList/0/epcClass');
      return q['quantity'] === undefined ? { batchId } : { batchId, grams: gramsOf(q['quantity'], q['uom'], '/quantityList/0/quantity') };
    }
    const epcs = this.value('epcList');
    if (Array.isArray(epcs) && epcs.length === 1) {
      const batchId = this.ids.idOf('batch', epcs[0]);
      if (!batchId) throw new EpcisMappingError('unknown-identifier', 'the EPC is not a batch URI of this ledger', '/epcList/0');
      return { batchId };
    }
    throw new EpcisMappingError('one-batch-per-event', 'the ledger records an ObjectEvent about exactly one batch (one quantityList element)', '/quantityList');
  }

  grams(): number {
    const { grams } = this.batch();
    if (grams === undefined) throw new EpcisMappingError('missing-quantity', 'the ledger records mass: give a quantity in KGM', '/quantityList/0/quantity');
    return grams;
  }

  /** The organisation of a source or destination list entry of the given type. */
  party(list: 'sourceList' | 'destinationList', type: 'possessing_party' | 'owning_party'): string | undefined {
    const entries = this.value(list);
    if (!Array.isArray(entries)) return undefined;
    const member = list === 'sourceList' ? 'source' : 'destination';
    const index = entries.findIndex((e) => isObject(e) && (e['type'] === type || cbvWord(e['type']) === type || String(e['type']).endsWith(`SDT-${type}`)));
    if (index < 0) return undefined;
    const uri = (entries[index] as Json)[member];
    const id = this.ids.idOf('organisation', uri);
    if (!id) throw new EpcisMappingError('unknown-identifier', `the ${type} is not an organisation this ledger knows`, `/${list}/${index}/${member}`);
    return id;
  }

  site(): string | undefined {
    const uri = this.value('bizLocation/id') ?? this.value('readPoint/id');
    if (uri === undefined) return undefined;
    const id = this.ids.idOf('site', uri);
    if (!id) throw new EpcisMappingError('unknown-identifier', 'the location is not a site of this ledger', this.value('bizLocation/id') !== undefined ? '/bizLocation/id' : '/readPoint/id');
    return id;
  }

  ext(name: string, where: 'event' | 'ilmd' = 'event'): unknown {
    const holder = where === 'ilmd' ? this.value('ilmd') : this.event;
    return isObject(holder) ? holder[`tl:${name}`] : undefined;
  }

  time(): string {
    return this.string('eventTime')!;
  }
}

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

function compositionOf(value: unknown): unknown {
  return Array.isArray(value) ? value.map((c) => (isObject(c) ? { fibre: c['fibre'], share: c['share'] } : c)) : value;
}

/**
 * Reads a captured event as a ledger command. What the ledger cannot express (an event about many
 * batches, an unknown business step, an identifier that names nothing of this ledger) is an
 * EpcisMappingError with a JSON pointer; everything else is left to the command's own validation
 * and decision, so a capture is refused exactly where the API would refuse the same command.
 */
export function commandOfEpcisEvent(event: EpcisEvent, ids: EpcisIdentifiers): CapturedCommand {
  const r = new Reader(event, ids);
  const type = event['type'];
  const declaration = event['errorDeclaration'];
  if (isObject(declaration)) return errorDeclarationCommand(r, type, declaration, ids);
  if (type === 'TransformationEvent') return processCommand(r, ids);
  if (type !== 'ObjectEvent') throw new EpcisMappingError('unsupported-event-type', `the ledger captures ObjectEvent and TransformationEvent, not ${String(type)}`, '/type');

  const step = cbvWord(event['bizStep']);
  const outcomeName = r.ext('outcome');
  const action = event['action'];
  if (action === 'ADD' && step === 'commissioning') {
    const { batchId, grams } = r.batch();
    const originClass = r.ext('originClass', 'ilmd');
    const owner = r.party('destinationList', 'possessing_party') ?? r.party('destinationList', 'owning_party');
    const common = {
      batchId,
      massGrams: grams,
      ewcCode: r.ext('ewcCode', 'ilmd'),
      programmeTags: r.ext('programmeTags', 'ilmd'),
      occurredAt: r.time(),
      siteId: r.site(),
      measurement: r.ext('measurement', 'ilmd'),
    };
    if (originClass === 'post-consumer-household' || r.ext('kommune', 'ilmd') !== undefined) {
      return { kind: 'collect', body: defined({ ...common, kommuneCode: r.ext('kommune', 'ilmd'), collectionScheme: r.ext('collectionScheme', 'ilmd'), collectorOrgId: owner }) };
    }
    return {
      kind: 'register-residual',
      body: defined({ ...common, originClass, composition: compositionOf(r.ext('fibreComposition', 'ilmd')), description: r.ext('description', 'ilmd') }),
    };
  }
  if (step === 'shipping' && outcomeName !== 'exported') {
    const { batchId, grams } = r.batch();
    const toOrgId = r.party('destinationList', 'possessing_party');
    if (!toOrgId) throw new EpcisMappingError('missing-destination', 'a shipment names its consignee as the possessing_party of destinationList', '/destinationList');
    const newOwner = r.party('destinationList', 'owning_party');
    return {
      kind: 'dispatch',
      batchId,
      body: defined({ transferId: r.ext('transferId'), toOrgId, massGrams: grams, transportDocument: r.ext('transportDocument'), ownershipTransferred: newOwner !== undefined && newOwner === toOrgId, occurredAt: r.time() }),
    };
  }
  if (step === 'receiving') {
    return { kind: 'receive', batchId: r.batch().batchId, body: defined({ receivedMassGrams: r.grams(), occurredAt: r.time(), siteId: r.site(), measurement: r.ext('measurement') }) };
  }
  if (step === 'void_shipping') {
    return { kind: 'cancel', batchId: r.batch().batchId, body: defined({ reason: r.ext('reason'), occurredAt: r.time() }) };
  }
  const disposition = cbvWord(event['disposition']);
  const outcomeKind =
    typeof outcomeName === 'string'
      ? outcomeName
      : step === 'retail_selling'
        ? 'sold-for-reuse'
        : step === 'destroying'
          ? disposition === 'disposed'
            ? 'landfilled'
            : 'incinerated'
          : undefined;
  if (outcomeKind !== undefined) {
    const at = { occurredAt: r.time(), siteId: r.site() };
    const details =
      outcomeKind === 'incinerated'
        ? { energyRecovery: r.ext('energyRecovery') ?? false }
        : outcomeKind === 'exported'
          ? { destinationCountry: r.ext('destinationCountry'), purpose: r.ext('purpose') ?? 'unknown' }
          : outcomeKind === 'landfilled'
            ? {}
            : { market: r.ext('market') ?? 'domestic', destinationCountry: r.ext('destinationCountry') };
    return { kind: 'outcome', batchId: r.batch().batchId, body: defined({ outcome: outcomeKind, ...details, ...at }) };
  }
  throw new EpcisMappingError('unsupported-business-step', `the ledger has no command for an ObjectEvent with business step ${String(event['bizStep'] ?? 'none')} and action ${String(action)}`, '/bizStep');
}

function processCommand(r: Reader, ids: EpcisIdentifiers): CapturedCommand {
  const processId = ids.idOf('process', r.value('transformationID'));
  if (!processId) throw new EpcisMappingError('unknown-identifier', 'the transformationID is not a process URI of this ledger', '/transformationID');
  const listOf = (name: 'inputQuantityList' | 'outputQuantityList') => {
    const list = r.value(name);
    if (!Array.isArray(list) || list.length === 0) throw new EpcisMappingError('missing-member', `a process has a ${name}`, `/${name}`);
    return list.map((q, i) => {
      const batchId = isObject(q) ? ids.idOf('batch', q['epcClass']) : undefined;
      if (!batchId) throw new EpcisMappingError('unknown-identifier', 'the epcClass is not a batch URI of this ledger', `/${name}/${i}/epcClass`);
      return { batchId, massGrams: gramsOf((q as Json)['quantity'], (q as Json)['uom'], `/${name}/${i}/quantity`) };
    });
  };
  const inputs = listOf('inputQuantityList');
  const outputs = listOf('outputQuantityList');
  const described = r.ext('outputs', 'ilmd');
  const details = new Map<string, Json>();
  if (Array.isArray(described)) for (const o of described) if (isObject(o)) details.set(ids.idOf('batch', o['batch']) ?? '', o);
  const processType = r.ext('processType') ?? processTypeOfStep(r.value('bizStep'), ids);
  const external = r.ext('externalInputs', 'ilmd');
  const losses = r.ext('losses', 'ilmd');
  return {
    kind: 'process',
    body: defined({
      processId,
      processType,
      inputs: inputs.map(({ batchId }) => ({ batchId })),
      outputs: outputs.map(({ batchId, massGrams }) => {
        const o = details.get(batchId) ?? {};
        return defined({ batchId, massGrams, grade: o['grade'], composition: compositionOf(o['fibreComposition']), productType: o['productType'], application: o['application'], ewcCode: o['ewcCode'] });
      }),
      externalInputs: Array.isArray(external)
        ? external.map((x, i) => (isObject(x) ? { description: x['description'], massGrams: gramsOf(x['quantity'], x['uom'], `/ilmd/tl:externalInputs/${i}/quantity`), composition: compositionOf(x['fibreComposition']), originClass: x['originClass'] } : x))
        : undefined,
      losses: Array.isArray(losses) ? losses.map((l, i) => (isObject(l) ? { kind: l['kind'], massGrams: gramsOf(l['quantity'], l['uom'], `/ilmd/tl:losses/${i}/quantity`) } : l)) : undefined,
      occurredAt: r.time(),
      siteId: r.site(),
    }),
  };
}

function processTypeOfStep(step: unknown, ids: EpcisIdentifiers): string | undefined {
  if (cbvWord(step) === 'repairing') return 'repair';
  const prefix = ids.vocabulary('BizStep-');
  return typeof step === 'string' && step.startsWith(prefix) ? step.slice(prefix.length) : undefined;
}

function errorDeclarationCommand(r: Reader, type: unknown, declaration: Json, ids: EpcisIdentifiers): CapturedCommand {
  const eventID = r.string('eventID')!;
  const occurredAt = declaration['declarationTime'];
  const reason = declaration['tl:reason'];
  const corrected = declaration['tl:correctedQuantity'];
  if (isObject(corrected)) {
    const batchId = ids.idOf('batch', declaration['tl:batch']);
    if (!batchId) throw new EpcisMappingError('unknown-identifier', 'a mass correction names its batch (tl:batch) by a batch URI of this ledger', '/errorDeclaration/tl:batch');
    const massGrams = gramsOf(corrected['quantity'], corrected['uom'], '/errorDeclaration/tl:correctedQuantity/quantity');
    return { kind: 'correct-mass', batchId, correctedEventID: eventID, body: defined({ massGrams, reason, occurredAt }) };
  }
  if (type === 'TransformationEvent') {
    const processId = ids.idOf('process', r.value('transformationID'));
    if (!processId) throw new EpcisMappingError('unknown-identifier', 'the transformationID is not a process URI of this ledger', '/transformationID');
    return { kind: 'void-process', processId, body: defined({ reason: reason ?? declaration['reason'], occurredAt }) };
  }
  throw new EpcisMappingError(
    'unsupported-error-declaration',
    'the ledger takes an error declaration as the void of a process (a TransformationEvent) or a mass correction (with tl:batch and tl:correctedQuantity)',
    '/errorDeclaration',
  );
}
