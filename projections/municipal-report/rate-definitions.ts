import type { RateName } from '../circularity/circularity.queries.js';

/**
 * Each rate's definition, in words, under the rate's key: the same key in the JSON (`rates`,
 * `ratesPercent`) and in the CSV (`measure`). The texts are part of the answer's contract: a change
 * of wording is a change of the report (docs/decisions/040-municipal-and-national-reports.md).
 */
export const RATE_DEFINITIONS: Readonly<Record<RateName, string>> = {
  reuse: 'Prepared for re-use: grams sold for reuse, divided by the grams collected in the period.',
  recycledTextile: 'Recycled into products for textile use (fibre to fibre), divided by the grams collected in the period.',
  recycledOther: 'Recycled into products for other uses, divided by the grams collected in the period.',
  energyRecovery: 'Burnt with energy recovery, divided by the grams collected in the period.',
  incineration: 'Incinerated without energy recovery, divided by the grams collected in the period.',
  landfill: 'Landfilled, divided by the grams collected in the period.',
  exportRecycling: 'Exported for recycling (fate abroad not recorded in the ledger), divided by the grams collected in the period.',
  exportUnknown: 'Exported for an undeclared purpose, divided by the grams collected in the period.',
  processLoss: 'Lost in a process (sorting or recycling losses), divided by the grams collected in the period.',
  weighingDifference: 'Lost (or, negative, gained) between two weighings of the same batch, divided by the grams collected in the period.',
  inStock: 'Still in stock somewhere in the chain, not yet reprocessed, divided by the grams collected in the period.',
  circularity: 'Reuse plus recycled into textiles plus recycled into other products, divided by the grams collected in the period. Export for recycling does not count: its fate is not known.',
  fibreToFibre: 'Recycled into products for textile use, divided by the grams collected in the period.',
  resolved: 'The grams collected minus those still in stock, divided by the grams collected: the share whose fate is settled.',
};
