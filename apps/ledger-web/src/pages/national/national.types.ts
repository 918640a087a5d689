/** The parts of GET /reports/national/:year the page reads (apps/ledger-api/src/reports/reports.responses.ts). */
export interface MassFigure {
  readonly grams: number;
  readonly kg: string;
}

export interface NationalFigures {
  readonly collected: MassFigure & { readonly batches: number };
  readonly preparedForReuse: MassFigure;
  readonly recycled: MassFigure;
  readonly circularity: {
    readonly collected: MassFigure;
    readonly buckets: Readonly<Record<string, MassFigure>>;
    readonly rates: Readonly<Record<string, number | null>>;
    readonly ratesPercent: Readonly<Record<string, string | null>>;
  };
}

export interface NationalRow extends NationalFigures {
  readonly kommuneCode: string;
  readonly kommuneName: string;
}

export interface NationalReport {
  readonly year: number;
  readonly period: string;
  readonly kommuner: readonly NationalRow[];
  readonly total: NationalFigures;
  readonly rateDefinitions: Readonly<Record<string, string>>;
}
