import type { CircularityQuery } from '#projections';

export class GetCircularityQuery {
  constructor(readonly query: CircularityQuery) {}
}

export class GetMunicipalReportQuery {
  constructor(
    readonly kommuneCode: string,
    readonly year: number,
    readonly quarter: number | undefined,
    readonly format: 'json' | 'csv',
  ) {}
}

export class GetInventoryQuery {
  constructor(
    readonly organisationId: string,
    readonly from: string | undefined,
    readonly to: string | undefined,
  ) {}
}
