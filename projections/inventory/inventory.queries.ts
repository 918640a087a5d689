import { sql, type RawBuilder } from 'kysely';
import type { Grade } from '#domain';
import type { BatchSummaryTables } from '../batch-summary/batch-summary.projection.js';
import type { ReadDb } from '../runner/projection.js';
import { BALANCE_KINDS, type MovementKind } from './inventory.projection.js';

export interface InventoryPeriod {
  /** Inclusive start (business time, any ISO-8601 offset); omitted = from the beginning. */
  from?: string;
  /** Exclusive end; omitted = up to now. */
  to?: string;
}

export interface GradeStock {
  grade: Grade | 'unsorted';
  availableGrams: number;
  availableBatches: number;
  /** Dispatch weight of this organisation's batches on their way to a consignee (still in its custody). */
  inTransitGrams: number;
  inTransitBatches: number;
}

export interface CurrentStock {
  availableGrams: number;
  availableBatches: number;
  inTransitGrams: number;
  inTransitBatches: number;
  byGrade: GradeStock[];
}

export interface InventoryReport {
  organisationId: string;
  /** Half-open [from, to) on business time (occurredAt), normalised to UTC; null = unbounded. */
  period: { axis: 'occurredAt'; from: string | null; to: string | null };
  openingGrams: number;
  collectedGrams: number;
  registeredGrams: number;
  receivedGrams: number;
  producedGrams: number;
  /** Signed: weighing differences booked by this organisation (dispatch vs. book mass, corrections). */
  adjustmentGrams: number;
  dispatchedGrams: number;
  consumedGrams: number;
  outcomeGrams: number;
  closingGrams: number;
  /** Informational: losses of this organisation's completed processes in the period. */
  processLossGrams: number;
  /** Informational: material from outside the ledger that its completed processes took in. */
  externalInputGrams: number;
  /** Informational, signed: receipt − dispatch weight of shipments it received. */
  transitDifferenceGrams: number;
  /**
   * opening + collected + registered + received + produced + adjustment
   *   = dispatched + consumed + outcome + closing, exactly; and, for an open-ended period, closing
   * equals the available stock in the batch summary (a cross-check between two read models).
   */
  balanced: boolean;
  /** The stock right now (not at `to`), from the batch summary: available and in-transit batches in its custody. */
  stock: CurrentStock;
}

/** The name the API uses for the report. */
export type Inventory = InventoryReport;

function instant(value: string | undefined, name: string): string | null {
  if (value === undefined) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`${name} is not an ISO-8601 instant: ${value}`);
  return date.toISOString();
}

/** The mass balance of one organisation over a period, plus its current stock by grade. */
export async function inventory(db: ReadDb, organisationId: string, period: InventoryPeriod = {}): Promise<InventoryReport> {
  const from = instant(period.from, 'from');
  const to = instant(period.to, 'to');
  const before: RawBuilder<unknown> = from === null ? sql`0` : sql`case when occurred_at < ${from} then grams else 0 end`;
  const within: RawBuilder<unknown> = from === null ? sql`grams` : sql`case when occurred_at >= ${from} then grams else 0 end`;
  const upper: RawBuilder<unknown> = to === null ? sql`` : sql`and occurred_at < ${to}`;
  const { rows } = await sql<{ kind: MovementKind; before: number | null; within: number | null }>`
    select kind, sum(${before}) as before, sum(${within}) as within
    from inventory_movement
    where organisation_id = ${organisationId} ${upper}
    group by kind`.execute(db);

  const flows = new Map<MovementKind, { before: number; within: number }>();
  for (const row of rows) flows.set(row.kind, { before: Number(row.before ?? 0), within: Number(row.within ?? 0) });
  const inPeriod = (kind: MovementKind): number => flows.get(kind)?.within ?? 0;
  const balanceKinds: readonly MovementKind[] = BALANCE_KINDS;
  let openingGrams = 0;
  let closingGrams = 0;
  for (const kind of balanceKinds) {
    const flow = flows.get(kind);
    if (!flow) continue;
    openingGrams += flow.before;
    closingGrams += flow.before + flow.within;
  }

  const report = {
    collectedGrams: inPeriod('collected'),
    registeredGrams: inPeriod('registered'),
    receivedGrams: inPeriod('received'),
    producedGrams: inPeriod('produced'),
    adjustmentGrams: inPeriod('adjustment'),
    // Outflows are stored negative; the report shows them as positive amounts.
    // (0 - x, not -x, so that nothing shows as -0).
    dispatchedGrams: 0 - inPeriod('dispatched'),
    consumedGrams: 0 - inPeriod('consumed'),
    outcomeGrams: 0 - inPeriod('outcome'),
  };
  const stock = await currentStock(db, organisationId);
  const equation =
    openingGrams + report.collectedGrams + report.registeredGrams + report.receivedGrams + report.producedGrams + report.adjustmentGrams ===
    report.dispatchedGrams + report.consumedGrams + report.outcomeGrams + closingGrams;
  const unknownKinds = rows.some((r) => !balanceKinds.includes(r.kind) && !['process-loss', 'external-input', 'transit-difference'].includes(r.kind));
  const matchesStock = to !== null || closingGrams === stock.availableGrams;

  return {
    organisationId,
    period: { axis: 'occurredAt', from, to },
    openingGrams,
    ...report,
    closingGrams,
    processLossGrams: inPeriod('process-loss'),
    externalInputGrams: inPeriod('external-input'),
    transitDifferenceGrams: inPeriod('transit-difference'),
    balanced: equation && !unknownKinds && Number.isSafeInteger(closingGrams) && matchesStock,
    stock,
  };
}

/** Available and in-transit batches in the organisation's custody now, by grade (batch summary rows). */
export async function currentStock(db: ReadDb, organisationId: string): Promise<CurrentStock> {
  const rows = await db
    .withTables<BatchSummaryTables>()
    .selectFrom('batch_summary_batch')
    .select((eb) => [
      'grade',
      'status',
      eb.fn.countAll<number>().as('batches'),
      eb.fn.sum<number>('mass_grams').as('mass'),
      eb.fn.sum<number | null>('pending_mass_grams').as('dispatched'),
    ])
    .where('custodian_org_id', '=', organisationId)
    .where('status', 'in', ['available', 'in-transit'])
    .groupBy(['grade', 'status'])
    .orderBy('grade')
    .execute();
  const byGrade = new Map<string, GradeStock>();
  for (const row of rows) {
    const grade = row.grade as GradeStock['grade'];
    const entry = byGrade.get(grade) ?? { grade, availableGrams: 0, availableBatches: 0, inTransitGrams: 0, inTransitBatches: 0 };
    if (row.status === 'available') {
      entry.availableGrams += Number(row.mass);
      entry.availableBatches += Number(row.batches);
    } else {
      entry.inTransitGrams += Number(row.dispatched ?? 0);
      entry.inTransitBatches += Number(row.batches);
    }
    byGrade.set(grade, entry);
  }
  const grades = [...byGrade.values()];
  return {
    availableGrams: grades.reduce((s, g) => s + g.availableGrams, 0),
    availableBatches: grades.reduce((s, g) => s + g.availableBatches, 0),
    inTransitGrams: grades.reduce((s, g) => s + g.inTransitGrams, 0),
    inTransitBatches: grades.reduce((s, g) => s + g.inTransitBatches, 0),
    byGrade: grades,
  };
}
