/**
 * The mapping tables behind the ADS-ready annual export, as data (their sources and the doubts about
 * them are in SOURCE.md beside this file, and in docs/decisions/039-sites-and-ads-export.md).
 * Change a code here and every export changes with it: the read model stores what happened (a
 * process type, an outcome), never the code, so no rebuild is needed.
 */

/** A recovery (R1–R13) or disposal (D1–D15) operation of the Waste Framework Directive's annexes. */
export type AdsTreatmentCode = `R${number}` | `D${number}`;

/** What became of material a site received, as the site-balance read model records it. */
export const ADS_TREATMENT_KEYS = [
  'process:sorting',
  'process:splitting',
  'process:blending',
  'process:mechanical-recycling',
  'process:chemical-recycling',
  'process:manufacturing',
  'process:repair',
  'outcome:sold-for-reuse',
  'outcome:incinerated-with-energy-recovery',
  'outcome:incinerated-without-energy-recovery',
  'outcome:landfilled',
  'outcome:exported',
  'outcome:placed-on-market',
  'dispatched',
  'held',
] as const;
export type AdsTreatmentKey = (typeof ADS_TREATMENT_KEYS)[number];

export const ADS_TREATMENT_CODES: Readonly<Record<AdsTreatmentKey, AdsTreatmentCode>> = {
  // Sorting, splitting and blending prepare material for recovery elsewhere: R12.
  'process:sorting': 'R12',
  'process:splitting': 'R12',
  'process:blending': 'R12',
  // Fibre recovery of textiles (organic substances not used as solvents): R3.
  'process:mechanical-recycling': 'R3',
  'process:chemical-recycling': 'R3',
  'process:manufacturing': 'R3',
  // Repair and resale are preparing for re-use; reported as R3 (see SOURCE.md: uncertain).
  'process:repair': 'R3',
  'outcome:sold-for-reuse': 'R3',
  'outcome:incinerated-with-energy-recovery': 'R1',
  'outcome:incinerated-without-energy-recovery': 'D10',
  'outcome:landfilled': 'D1',
  // Handed on (exported, or dispatched to another firm) or still in store: storage pending recovery.
  'outcome:exported': 'R13',
  'outcome:placed-on-market': 'R3',
  dispatched: 'R13',
  held: 'R13',
};

/** ADS waste fraction of each EAK (EWC) code the ledger accepts. */
export interface AdsFraction {
  readonly code: string;
  readonly name: string;
}

export const ADS_FRACTIONS: Readonly<Record<string, AdsFraction>> = {
  '20 01 10': { code: 'TEKSTIL', name: 'Tekstilaffald' },
  '20 01 11': { code: 'TEKSTIL', name: 'Tekstilaffald' },
  '19 12 08': { code: 'TEKSTIL', name: 'Tekstilaffald' },
  '04 02 21': { code: 'TEKSTIL', name: 'Tekstilaffald' },
  '04 02 22': { code: 'TEKSTIL', name: 'Tekstilaffald' },
  '15 01 09': { code: 'EMBALLAGE-TEKSTIL', name: 'Emballage af tekstil' },
};

/** The fraction of a batch whose EAK code is unknown (a process output recorded without one). */
export const ADS_UNKNOWN_FRACTION: AdsFraction = { code: 'UKENDT', name: 'Ukendt fraktion' };

export function adsTreatmentCode(key: string): AdsTreatmentCode {
  return (ADS_TREATMENT_CODES as Record<string, AdsTreatmentCode>)[key] ?? ADS_TREATMENT_CODES.held;
}

export function adsFraction(ewcCode: string | null): AdsFraction {
  return (ewcCode !== null ? ADS_FRACTIONS[ewcCode] : undefined) ?? ADS_UNKNOWN_FRACTION;
}

/**
 * The export's columns, in ADS's order for a receiving site's annual report (SOURCE.md): the
 * production unit, the year, where the waste came from, what it is, what was done with it, how
 * much and how it was measured.
 */
export const ADS_CSV_COLUMNS = ['P-nummer', 'År', 'Oprindelseskommune', 'EAK-kode', 'Fraktion', 'Behandling', 'Mængde (ton)', 'Opgørelsesmetode'] as const;
