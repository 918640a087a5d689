import type { AnomalyKind } from '#projections';

export interface ListAnomaliesFilter {
  readonly kind?: AnomalyKind;
  readonly organisationId?: string;
  /** occurredAt bounds, half-open [from, to). */
  readonly from?: string;
  readonly to?: string;
  /** Judge at this recorded time, with what the ledger had recorded by then; omitted: now, by the clock. */
  readonly asOf?: string;
  readonly limit?: number;
  readonly after?: number;
}

export class ListAnomaliesQuery {
  constructor(readonly filter: ListAnomaliesFilter) {}
}
