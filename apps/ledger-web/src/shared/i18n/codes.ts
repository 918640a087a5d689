import type { Locale } from '../format.js';

/**
 * Names for the domain's codes (docs/domain.md), in Danish and English. The API speaks in codes
 * (`bring-bank`, `in-transit`, `mechanical-recycling`); a page shows `codeLabel(locale, group, code)`
 * instead. A code the list does not know yet (one the API adds later) is shown as written, so a
 * new code is never hidden. Both languages are typed by the same code lists, so a missing
 * translation is a type error.
 */
const CODES = {
  collectionScheme: ['kerbside', 'bring-bank', 'recycling-centre', 'charity-shop', 'other'],
  /** A batch's grade, plus the two the municipal flows use before and instead of one. */
  grade: ['reuse', 'recycling', 'fibre', 'product', 'residual', 'not-sorted', 'sorting-loss'],
  status: ['available', 'in-transit', 'consumed', 'closed'],
  processStatus: ['started', 'completed', 'rejected', 'voided'],
  /** The circularity buckets, by the API's keys (the fates of a kommune's textiles). */
  fate: [
    'reuse',
    'recycledTextile',
    'recycledOther',
    'exportRecycling',
    'exportUnknown',
    'energyRecovery',
    'incineration',
    'landfill',
    'processLoss',
    'weighingDifference',
    'inStock',
  ],
  processType: ['sorting', 'splitting', 'blending', 'mechanical-recycling', 'chemical-recycling', 'manufacturing', 'repair'],
  role: ['municipality', 'collector', 'sorter', 'recycler', 'manufacturer', 'brand', 'auditor', 'operator'],
  lossKind: ['moisture-dust', 'process-waste', 'unknown'],
  originClass: ['pre-consumer', 'post-consumer-business', 'virgin', 'untracked', 'kommune'],
  outcome: ['sold-for-reuse', 'incinerated', 'landfilled', 'exported', 'placed-on-market'],
  application: ['textile', 'non-textile'],
  market: ['domestic', 'export'],
  exportPurpose: ['reuse', 'recycling', 'unknown'],
  fibre: ['cotton', 'polyester', 'wool', 'viscose', 'polyamide', 'acrylic', 'elastane', 'linen', 'silk', 'other', 'unknown'],
  /** A programme member's size by the EU definition (decision 041); unknown is never an SME. */
  smeStatus: ['sme', 'not-sme', 'unknown'],
  /** Recycled-content claims (decisions 044, 045): the standard, the ISO 22095 model, an account's movements. */
  claimStandard: ['rcs', 'rcs-100', 'grs', 'grs-label'],
  chainOfCustodyModel: ['identity-preserved', 'segregated', 'controlled-blending', 'mass-balance'],
  massBalanceMovement: ['credit', 'credit-reversal', 'debit'],
  /** The EWC/EAK waste codes a textile batch may carry (docs/domain.md), named as the list names them. */
  ewcCode: ['20 01 10', '20 01 11', '19 12 08', '04 02 21', '04 02 22', '15 01 09'],
} as const;

export type CodeGroup = keyof typeof CODES;
type CodeLabels = { readonly [G in CodeGroup]: Readonly<Record<(typeof CODES)[G][number], string>> };

const da: CodeLabels = {
  collectionScheme: {
    kerbside: 'Husstandsindsamling',
    'bring-bank': 'Tøjcontainer',
    'recycling-centre': 'Genbrugsplads',
    'charity-shop': 'Genbrugsbutik',
    other: 'Anden ordning',
  },
  grade: {
    reuse: 'Til genbrug',
    recycling: 'Til genanvendelse',
    fibre: 'Fiber',
    product: 'Produkt',
    residual: 'Restfraktion',
    'not-sorted': 'Ikke sorteret',
    'sorting-loss': 'Tab ved sortering',
  },
  status: { available: 'Tilgængelig', 'in-transit': 'Under transport', consumed: 'Forbrugt', closed: 'Afsluttet' },
  processStatus: { started: 'Påbegyndt', completed: 'Gennemført', rejected: 'Afvist', voided: 'Annulleret' },
  fate: {
    reuse: 'Genbrug',
    recycledTextile: 'Genanvendt til tekstil',
    recycledOther: 'Genanvendt til andre produkter',
    exportRecycling: 'Eksporteret til genanvendelse',
    exportUnknown: 'Eksporteret, ukendt skæbne',
    energyRecovery: 'Energiudnyttelse',
    incineration: 'Forbrænding',
    landfill: 'Deponi',
    processLoss: 'Procestab',
    weighingDifference: 'Vejedifference',
    inStock: 'Stadig på lager',
  },
  processType: {
    sorting: 'Sortering',
    splitting: 'Opdeling',
    blending: 'Blanding',
    'mechanical-recycling': 'Mekanisk genanvendelse',
    'chemical-recycling': 'Kemisk genanvendelse',
    manufacturing: 'Fremstilling',
    repair: 'Reparation',
  },
  role: {
    municipality: 'Kommune',
    collector: 'Indsamler',
    sorter: 'Sorteringsvirksomhed',
    recycler: 'Genanvender',
    manufacturer: 'Producent',
    brand: 'Brand',
    auditor: 'Revisor',
    operator: 'Operatør',
  },
  lossKind: { 'moisture-dust': 'Fugt og støv', 'process-waste': 'Procesaffald', unknown: 'Ukendt' },
  originClass: { 'pre-consumer': 'Produktionsrest', 'post-consumer-business': 'Brugt tekstil fra virksomhed', virgin: 'Jomfrueligt materiale', untracked: 'Ikke sporet materiale', kommune: 'Indsamlet af kommune' },
  outcome: { 'sold-for-reuse': 'Solgt til genbrug', incinerated: 'Forbrændt', landfilled: 'Deponeret', exported: 'Eksporteret', 'placed-on-market': 'Markedsført som produkt' },
  application: { textile: 'Tekstil', 'non-textile': 'Andet end tekstil' },
  market: { domestic: 'Danmark', export: 'Eksport' },
  exportPurpose: { reuse: 'Genbrug', recycling: 'Genanvendelse', unknown: 'Ukendt formål' },
  fibre: {
    cotton: 'Bomuld',
    polyester: 'Polyester',
    wool: 'Uld',
    viscose: 'Viskose',
    polyamide: 'Polyamid',
    acrylic: 'Akryl',
    elastane: 'Elastan',
    linen: 'Hør',
    silk: 'Silke',
    other: 'Anden fiber',
    unknown: 'Ukendt fiber',
  },
  smeStatus: { sme: 'SMV', 'not-sme': 'Ikke SMV', unknown: 'Ukendt (ingen størrelse oplyst)' },
  claimStandard: { rcs: 'Recycled Claim Standard (RCS)', 'rcs-100': 'RCS 100', grs: 'Global Recycled Standard (GRS)', 'grs-label': 'GRS-produktmærke' },
  chainOfCustodyModel: { 'identity-preserved': 'Identitetsbevarende', segregated: 'Adskilt', 'controlled-blending': 'Kontrolleret blanding', 'mass-balance': 'Massebalance' },
  massBalanceMovement: { credit: 'Kredit', 'credit-reversal': 'Tilbageført kredit', debit: 'Debet' },
  ewcCode: {
    '20 01 10': 'Tøj',
    '20 01 11': 'Tekstiler',
    '19 12 08': 'Tekstiler fra mekanisk affaldsbehandling',
    '04 02 21': 'Uforarbejdet tekstilfiberaffald',
    '04 02 22': 'Forarbejdet tekstilfiberaffald',
    '15 01 09': 'Tekstilemballage',
  },
};

const en: CodeLabels = {
  collectionScheme: {
    kerbside: 'Kerbside collection',
    'bring-bank': 'Bring bank',
    'recycling-centre': 'Recycling centre',
    'charity-shop': 'Charity shop',
    other: 'Other scheme',
  },
  grade: {
    reuse: 'For reuse',
    recycling: 'For recycling',
    fibre: 'Fibre',
    product: 'Product',
    residual: 'Residual',
    'not-sorted': 'Not sorted',
    'sorting-loss': 'Lost in sorting',
  },
  status: { available: 'Available', 'in-transit': 'In transit', consumed: 'Consumed', closed: 'Closed' },
  processStatus: { started: 'Started', completed: 'Completed', rejected: 'Rejected', voided: 'Voided' },
  fate: {
    reuse: 'Reuse',
    recycledTextile: 'Recycled into textiles',
    recycledOther: 'Recycled into other products',
    exportRecycling: 'Exported for recycling',
    exportUnknown: 'Exported, fate unknown',
    energyRecovery: 'Energy recovery',
    incineration: 'Incineration',
    landfill: 'Landfill',
    processLoss: 'Process loss',
    weighingDifference: 'Weighing difference',
    inStock: 'Still in stock',
  },
  processType: {
    sorting: 'Sorting',
    splitting: 'Splitting',
    blending: 'Blending',
    'mechanical-recycling': 'Mechanical recycling',
    'chemical-recycling': 'Chemical recycling',
    manufacturing: 'Manufacturing',
    repair: 'Repair',
  },
  role: {
    municipality: 'Municipality',
    collector: 'Collector',
    sorter: 'Sorter',
    recycler: 'Recycler',
    manufacturer: 'Manufacturer',
    brand: 'Brand',
    auditor: 'Auditor',
    operator: 'Operator',
  },
  lossKind: { 'moisture-dust': 'Moisture and dust', 'process-waste': 'Process waste', unknown: 'Unknown' },
  originClass: { 'pre-consumer': 'Pre-consumer residual', 'post-consumer-business': 'Post-consumer, from a business', virgin: 'Virgin material', untracked: 'Untracked material', kommune: 'Collected by a kommune' },
  outcome: { 'sold-for-reuse': 'Sold for reuse', incinerated: 'Incinerated', landfilled: 'Landfilled', exported: 'Exported', 'placed-on-market': 'Placed on the market as a product' },
  application: { textile: 'Textile', 'non-textile': 'Non-textile' },
  market: { domestic: 'Denmark', export: 'Export' },
  exportPurpose: { reuse: 'Reuse', recycling: 'Recycling', unknown: 'Unknown purpose' },
  fibre: {
    cotton: 'Cotton',
    polyester: 'Polyester',
    wool: 'Wool',
    viscose: 'Viscose',
    polyamide: 'Polyamide',
    acrylic: 'Acrylic',
    elastane: 'Elastane',
    linen: 'Linen',
    silk: 'Silk',
    other: 'Other fibre',
    unknown: 'Unknown fibre',
  },
  smeStatus: { sme: 'SME', 'not-sme': 'Not an SME', unknown: 'Unknown (no size declared)' },
  claimStandard: { rcs: 'Recycled Claim Standard (RCS)', 'rcs-100': 'RCS 100', grs: 'Global Recycled Standard (GRS)', 'grs-label': 'GRS product label' },
  chainOfCustodyModel: { 'identity-preserved': 'Identity preserved', segregated: 'Segregated', 'controlled-blending': 'Controlled blending', 'mass-balance': 'Mass balance' },
  massBalanceMovement: { credit: 'Credit', 'credit-reversal': 'Credit reversed', debit: 'Debit' },
  ewcCode: {
    '20 01 10': 'Clothes',
    '20 01 11': 'Textiles',
    '19 12 08': 'Textiles from mechanical treatment of waste',
    '04 02 21': 'Unprocessed textile fibre waste',
    '04 02 22': 'Processed textile fibre waste',
    '15 01 09': 'Textile packaging',
  },
};

const LABELS: Readonly<Record<Locale, CodeLabels>> = { da, en };

/** The name of a domain code in the reader's language; an unknown code (or group) as written. */
export function codeLabel(locale: Locale, group: CodeGroup, code: string): string {
  const labels: Readonly<Record<string, string>> | undefined = LABELS[locale]?.[group];
  return labels !== undefined && Object.prototype.hasOwnProperty.call(labels, code) ? (labels[code] ?? code) : code;
}

/** The codes of a group in their documented order, for choices and legends. */
export function codesOf(group: CodeGroup): readonly string[] {
  return CODES[group];
}
