/**
 * The ledger's own JSON-LD context: the user extensions its EPCIS events carry (fibre composition,
 * origin class, kommune, EWC code …) under the `tl:` prefix. Versioned by its URL: a change of
 * meaning gets a new version (v2), and v1 stays served as it is.
 */

export const GS1_EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
export const LEDGER_CONTEXT_VERSION = 'v1';
export const LEDGER_CONTEXT_PATH = `/epcis/context/${LEDGER_CONTEXT_VERSION}.jsonld`;
/** The namespace of the extension terms: fixed, so that a term means the same whoever serves the context. */
export const LEDGER_NAMESPACE = 'https://textile-ledger.org/epcis/v1#';

/** Every extension term, with what it holds. */
export const EXTENSION_TERMS: Readonly<Record<string, string>> = {
  recordedBy: 'The organisation that recorded the event in the ledger (its actor), as a URI',
  originClass: 'post-consumer-household (a municipal collection), pre-consumer or post-consumer-business',
  kommune: 'The official 4-digit Danish kommune code of a municipal collection, e.g. 0657',
  collectionScheme: 'kerbside, bring-bank, recycling-centre, charity-shop or other',
  ewcCode: 'The European Waste Catalogue (EWC/EAK) code, e.g. "20 01 11"',
  fibreComposition: 'A list of {fibre, share}: share in basis points, summing to 10,000',
  description: 'Free text describing a residual or an external input',
  programmeTags: 'Programme tags given at origin, e.g. tekstilsymbiose-herning',
  measurement: 'weighed or estimated',
  transferId: 'The ledger id of a custody transfer',
  transportDocument: 'The transport document (CMR, waybill) number of a shipment',
  cancelledBy: 'sender or consignee: who cancelled a shipment',
  reason: 'Why a shipment was cancelled, a mass corrected or a process voided',
  processType: 'sorting, splitting, blending, mechanical-recycling, chemical-recycling, manufacturing or repair',
  outputs: 'What a process made of each output batch: grade, composition, product type, application, EWC code',
  externalInputs: 'Material entering a process from outside the ledger: description, quantity, composition, origin class (virgin or untracked)',
  losses: 'Losses of a process: kind (moisture-dust, process-waste, unknown) and quantity',
  grade: 'reuse, recycling, fibre, product or residual',
  productType: 'Free text naming a product, e.g. pillow',
  application: 'textile or non-textile',
  outcome: 'sold-for-reuse, incinerated, landfilled, exported or placed-on-market',
  market: 'domestic or export',
  destinationCountry: 'ISO 3166-1 alpha-2 country code',
  purpose: 'Purpose of an export: reuse, recycling or unknown',
  energyRecovery: 'Whether incineration recovered energy (R1) or not (D10)',
  batch: 'The batch a mass correction is about',
  correctedQuantity: 'The corrected mass of a batch, as {quantity, uom}',
};

/** The context document served at LEDGER_CONTEXT_PATH. */
export function ledgerContextDocument(): Record<string, unknown> {
  const terms: Record<string, unknown> = {};
  for (const term of Object.keys(EXTENSION_TERMS)) terms[term] = { '@id': `tl:${term}` };
  return {
    '@context': {
      '@version': 1.1,
      tl: LEDGER_NAMESPACE,
      rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
      ...terms,
    },
    'tl:terms': Object.entries(EXTENSION_TERMS).map(([term, comment]) => ({ '@id': `tl:${term}`, 'rdfs:comment': comment })),
  };
}
