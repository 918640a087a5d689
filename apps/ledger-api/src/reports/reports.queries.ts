import type { CircularityQuery } from '#projections';
import type { AsOf } from '../ledger/as-of-replay.js';

export class GetCircularityQuery {
  constructor(
    readonly query: CircularityQuery,
    readonly asOf: AsOf | undefined,
  ) {}
}

export class GetMunicipalReportQuery {
  constructor(
    readonly kommuneCode: string,
    readonly year: number,
    readonly quarter: number | undefined,
    readonly format: 'json' | 'csv',
    readonly asOf: AsOf | undefined,
  ) {}
}

export class GetInventoryQuery {
  constructor(
    readonly organisationId: string,
    readonly from: string | undefined,
    readonly to: string | undefined,
    readonly asOf: AsOf | undefined,
  ) {}
}

export class GetNationalReportQuery {
  constructor(
    readonly year: number,
    readonly format: 'json' | 'csv',
    readonly asOf: AsOf | undefined,
  ) {}
}
