/**
 * The standards a recycled-content claim names, with the smallest recycled share each accepts: a
 * typed copy of claim-standards.csv beside this file (see SOURCE.md). The spec checks the two agree.
 */
export const CLAIM_STANDARD_IDS = ['rcs', 'rcs-100', 'grs', 'grs-label'] as const;
export type ClaimStandardId = (typeof CLAIM_STANDARD_IDS)[number];

export interface ClaimStandard {
  readonly standard: ClaimStandardId;
  readonly name: string;
  /** The claimed recycled share must be at least this, in basis points of the batch's mass. */
  readonly minimumRecycledBasisPoints: number;
  readonly source: string;
}

export const CLAIM_STANDARDS: readonly ClaimStandard[] = [
  {
    standard: 'rcs',
    name: 'Recycled Claim Standard (RCS)',
    minimumRecycledBasisPoints: 500,
    source: 'Textile Exchange Recycled Claim Standard: a product carries at least 5 % recycled material',
  },
  {
    standard: 'rcs-100',
    name: 'Recycled Claim Standard 100 (RCS 100)',
    minimumRecycledBasisPoints: 9500,
    source: 'Textile Exchange Recycled Claim Standard: the RCS 100 label needs at least 95 % recycled material',
  },
  {
    standard: 'grs',
    name: 'Global Recycled Standard (GRS)',
    minimumRecycledBasisPoints: 2000,
    source: 'Textile Exchange Global Recycled Standard: a product carries at least 20 % recycled material',
  },
  {
    standard: 'grs-label',
    name: 'Global Recycled Standard product label (GRS label)',
    minimumRecycledBasisPoints: 5000,
    source: 'Textile Exchange Global Recycled Standard: a product with the GRS label carries at least 50 % recycled material',
  },
];

export function claimStandard(standard: ClaimStandardId): ClaimStandard {
  const found = CLAIM_STANDARDS.find((s) => s.standard === standard);
  if (!found) throw new Error(`no claim standard ${standard}`);
  return found;
}
