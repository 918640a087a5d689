import type { AsOf } from '../ledger/as-of-replay.js';

export class GetMunicipalFlowsQuery {
  constructor(
    readonly kommuneCode: string,
    readonly year: number,
    readonly quarter: number | undefined,
    readonly asOf: AsOf | undefined,
  ) {}
}
