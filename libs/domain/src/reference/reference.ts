import { KOMMUNER } from './kommuner.data.js';

export { KOMMUNER };

export type KommuneCode = (typeof KOMMUNER)[number]['code'];

const kommuneByCode = new Map<string, (typeof KOMMUNER)[number]>(KOMMUNER.map((k) => [k.code, k]));

export function isKnownKommune(code: string): boolean {
  return kommuneByCode.has(code);
}

export function kommuneName(code: string): string | undefined {
  return kommuneByCode.get(code)?.name;
}

/** The fixed fibre list of docs/domain.md */
export const FIBRES = [
  'cotton',
  'polyester',
  'wool',
  'viscose',
  'polyamide',
  'acrylic',
  'elastane',
  'linen',
  'silk',
  'other',
  'unknown',
] as const;
export type Fibre = (typeof FIBRES)[number];

/** EWC/EAK waste codes that textile batches may carry (docs/domain.md). */
export const EWC_CODES = {
  '20 01 10': 'clothes',
  '20 01 11': 'textiles',
  '19 12 08': 'textiles from mechanical treatment of waste',
  '04 02 21': 'unprocessed textile fibre waste',
  '04 02 22': 'processed textile fibre waste',
  '15 01 09': 'textile packaging',
} as const;
export type EwcCodeValue = keyof typeof EWC_CODES;
export const EWC_CODE_LIST = Object.keys(EWC_CODES) as [EwcCodeValue, ...EwcCodeValue[]];
