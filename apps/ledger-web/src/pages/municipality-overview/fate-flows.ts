/**
 * The fate of a kommune's collected textiles as flows for the Sankey diagram, one per circularity
 * bucket that holds mass, in a fixed reading order (the good fates first). Buckets the API adds
 * later still show, after the known ones, under their own key.
 */
export const FATE_ORDER = [
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
] as const;

export interface FateFlow {
  readonly bucket: string;
  readonly grams: number;
}

export function fateFlows(buckets: Readonly<Record<string, number>>): FateFlow[] {
  const known: readonly string[] = FATE_ORDER;
  const keys = [...FATE_ORDER.filter((bucket) => bucket in buckets), ...Object.keys(buckets).filter((bucket) => !known.includes(bucket)).sort()];
  // A Sankey band cannot be zero or negative wide; a weighing gain (negative difference) stays in
  // the table beside the diagram.
  return keys.map((bucket) => ({ bucket, grams: buckets[bucket] ?? 0 })).filter((flow) => flow.grams > 0);
}
