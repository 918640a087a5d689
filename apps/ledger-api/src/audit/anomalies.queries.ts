import type { AnomalyKind } from '#projections';

export interface ListAnomaliesFilter {
  readonly kind?: AnomalyKind;
  readonly organisationId?: string;
  /** occurredAt bounds, half-open [from, to). */
  readonly from?: string;
  readonly to?: string;
  /** Judge at this recorded time, with what the ledger had recorded by then; omitted: now, by the clock. */
  readonly asOf?: string;
  /** Judge as of this log position, at the time its event was recorded (an as-of replay). */
  readonly asOfPosition?: number;
  readonly limit?: number;
  readonly after?: number;
}

export class ListAnomaliesQuery {
  constructor(readonly filter: ListAnomaliesFilter) {}
}
