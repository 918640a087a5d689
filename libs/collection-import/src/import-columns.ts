/** What a column of an import file means, whatever language its header is in. */
export type ImportField =
  | 'kommuneCode'
  | 'collectionScheme'
  | 'ewcCode'
  | 'kilograms'
  | 'grams'
  | 'date'
  | 'collectorOrgId'
  | 'reference'
  | 'programmeTags'
  | 'originClass'
  | 'description'
  | 'composition';

export type ImportKind = 'collections' | 'residuals';

/**
 * Header names as municipalities and firms write them, Danish and English. Matched after lower-casing,
 * trimming and collapsing spaces, so `Vægt (kg)`, `vægt(kg)` and `VÆGT  (KG)` are the same column.
 */
const ALIASES: Readonly<Record<ImportField, { readonly da: readonly string[]; readonly en: readonly string[] }>> = {
  kommuneCode: { da: ['kommunekode', 'kommune', 'kommunenr', 'kommunenummer', 'kommune nr'], en: ['kommune code', 'kommunecode', 'municipality code', 'kommuneCode'] },
  collectionScheme: { da: ['ordning', 'indsamlingsordning'], en: ['collection scheme', 'scheme', 'collectionScheme'] },
  ewcCode: { da: ['EAK-kode', 'eak kode', 'eak', 'eak-nr'], en: ['EWC code', 'ewc-code', 'ewc', 'ewcCode'] },
  kilograms: { da: ['vægt (kg)', 'vægt kg', 'vægt', 'kg'], en: ['weight (kg)', 'weight kg', 'weight', 'kilograms', 'mass (kg)'] },
  grams: { da: ['vægt (g)', 'vægt g', 'gram'], en: ['weight (g)', 'grams', 'mass (g)', 'massGrams'] },
  date: { da: ['dato', 'indsamlingsdato', 'registreringsdato'], en: ['date', 'collection date', 'occurred at', 'occurredAt'] },
  collectorOrgId: { da: ['indsamler', 'indsamler-id'], en: ['collector', 'collector id', 'collectorOrgId'] },
  reference: { da: ['reference', 'bilag', 'vejeseddel', 'løbenummer'], en: ['reference', 'ref', 'weighbridge ticket', 'ticket'] },
  programmeTags: { da: ['programmer', 'program', 'projekter'], en: ['programme tags', 'programmes', 'programme', 'tags', 'programmeTags'] },
  originClass: { da: ['oprindelse', 'oprindelsesklasse'], en: ['origin class', 'origin', 'originClass'] },
  description: { da: ['beskrivelse'], en: ['description'] },
  composition: { da: ['sammensætning', 'fibersammensætning'], en: ['composition', 'fibre composition', 'fiber composition'] },
};

export function normaliseHeader(header: string): string {
  return header.replace(/^\ufeff/, '').trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*\(\s*/g, ' (').replace(/\s*\)/g, ')');
}

const BY_HEADER = new Map<string, { field: ImportField; language: 'da' | 'en' }>();
for (const [field, names] of Object.entries(ALIASES) as Array<[ImportField, (typeof ALIASES)[ImportField]]>) {
  for (const language of ['da', 'en'] as const) {
    for (const name of names[language]) if (!BY_HEADER.has(normaliseHeader(name))) BY_HEADER.set(normaliseHeader(name), { field, language });
  }
}

export function fieldOfHeader(header: string): { field: ImportField; language: 'da' | 'en' } | undefined {
  return BY_HEADER.get(normaliseHeader(header));
}

/** The columns each kind of file must have; the weight in kilograms or in grams, one of them. */
export const REQUIRED_FIELDS: Readonly<Record<ImportKind, readonly ImportField[]>> = {
  collections: ['kommuneCode', 'collectionScheme', 'ewcCode', 'date'],
  residuals: ['originClass', 'ewcCode', 'description', 'date'],
};
export const OPTIONAL_FIELDS: Readonly<Record<ImportKind, readonly ImportField[]>> = {
  collections: ['kilograms', 'grams', 'collectorOrgId', 'reference', 'programmeTags'],
  residuals: ['kilograms', 'grams', 'composition', 'reference', 'programmeTags'],
};

/** The header a report names a field by, in the file's own language. */
export function headerName(field: ImportField, language: 'da' | 'en'): string {
  return ALIASES[field][language][0]!;
}

/** Collection schemes as Danish municipalities name them. */
export const SCHEME_ALIASES: Readonly<Record<string, string>> = {
  kantstensindsamling: 'kerbside',
  'husstandsindsamling': 'kerbside',
  indsamlingscontainer: 'bring-bank',
  tøjcontainer: 'bring-bank',
  container: 'bring-bank',
  genbrugsplads: 'recycling-centre',
  genbrugsstation: 'recycling-centre',
  genbrugsbutik: 'charity-shop',
  velgørenhedsbutik: 'charity-shop',
  andet: 'other',
  'bring bank': 'bring-bank',
  'recycling centre': 'recycling-centre',
  'charity shop': 'charity-shop',
};

export const ORIGIN_CLASS_ALIASES: Readonly<Record<string, string>> = {
  'før forbrug': 'pre-consumer',
  'præ-forbruger': 'pre-consumer',
  produktionsaffald: 'pre-consumer',
  'efter forbrug': 'post-consumer-business',
  'erhverv efter forbrug': 'post-consumer-business',
  'pre consumer': 'pre-consumer',
  'post consumer business': 'post-consumer-business',
};

/** Fibre names in Danish. */
export const FIBRE_ALIASES: Readonly<Record<string, string>> = {
  bomuld: 'cotton',
  uld: 'wool',
  hør: 'linen',
  silke: 'silk',
  elastan: 'elastane',
  ukendt: 'unknown',
};
