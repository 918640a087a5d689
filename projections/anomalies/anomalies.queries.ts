import { PROCESS_TYPES, type ProcessLoss, type ProcessType } from '#domain';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { ReadDb } from '../runner/projection.js';
import type { AnomalyProcessRow, AnomalyTables, AnomalyTransferRow } from './anomalies.projection.js';

export const ANOMALY_KINDS = ['transit-discrepancy', 'process-loss', 'custody-gap', 'unfinished-process'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/**
 * Loss norms per process type, in basis points of the process's input mass (inputs + external
 * inputs); a completed process whose losses are strictly above its norm is an anomaly. Losses are
 * material that went nowhere (moisture, dust, process waste, unknown): anything that went somewhere
 * is an output, e.g. grade `residual` (docs/domain.md). The reasoning for each figure is in
 * docs/decisions/012-anomaly-norms.md.
 */
export const DEFAULT_LOSS_NORMS_BASIS_POINTS: Readonly<Record<ProcessType, number>> = {
  sorting: 1_000,
  splitting: 200,
  blending: 300,
  'mechanical-recycling': 1_500,
  'chemical-recycling': 3_000,
  manufacturing: 500,
  repair: 500,
};

/** A shipment neither received nor cancelled for longer than this is a custody gap: a Friday-to-Monday delivery fits. */
export const DEFAULT_CUSTODY_GAP_HOURS = 72;

/**
 * A process started and not ended for longer than this is stuck. Recovery finishes an interrupted
 * process within two recovery intervals (30 s each by default); the API raises this floor to three
 * intervals when LEDGER_RECOVERY_INTERVAL_MS is longer.
 */
export const DEFAULT_UNFINISHED_PROCESS_GRACE_MINUTES = 10;

export interface AnomalySettings {
  readonly lossNormsBasisPoints: Readonly<Record<ProcessType, number>>;
  readonly custodyGapHours: number;
  readonly unfinishedProcessGraceMinutes: number;
}

export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = {
  lossNormsBasisPoints: DEFAULT_LOSS_NORMS_BASIS_POINTS,
  custodyGapHours: DEFAULT_CUSTODY_GAP_HOURS,
  unfinishedProcessGraceMinutes: DEFAULT_UNFINISHED_PROCESS_GRACE_MINUTES,
};

export interface AnomalyFilter {
  /** The instant the time-dependent kinds (custody gaps, unfinished processes) are judged at (UTC ISO). */
  readonly judgedAt: string;
  /**
   * When set, only events recorded at or before this instant count: the anomalies as the ledger knew
   * them then. Omitted: everything in the read model.
   */
  readonly knownAt?: string;
  readonly kind?: AnomalyKind;
  /** Anomalies involving this organisation (either party of a transfer, or the process's organisation). */
  readonly organisationId?: string;
  /** Inclusive lower bound on the anomaly's occurredAt (business time). */
  readonly from?: string;
  /** Exclusive upper bound on occurredAt. */
  readonly to?: string;
  /** Default 50, at most 500. */
  readonly limit?: number;
  /** Cursor: the position of the last anomaly of the previous page. */
  readonly after?: number;
}

export interface EventRef {
  type: string;
  eventId: string;
  position: number;
  recordedAt: string;
}

interface AnomalyCommon {
  /** Log position of the event that shows the anomaly; the list is in this order, and pages by it. */
  position: number;
  eventId: string;
  eventType: string;
  /** Business time of what is anomalous (UTC): the receipt, the process, the dispatch. */
  occurredAt: string;
  /** When the ledger recorded the event that shows it. */
  recordedAt: string;
  batchIds: string[];
  processId: string | null;
  transferId: string | null;
  organisationIds: string[];
  /** The other events that make up the evidence, in log order. */
  relatedEvents: EventRef[];
}

export interface TransitDiscrepancy extends AnomalyCommon {
  kind: 'transit-discrepancy';
  figures: {
    dispatchedMassGrams: number;
    receivedMassGrams: number;
    /** received − dispatched: negative is a loss in transit, positive a gain. */
    differenceGrams: number;
    differencePercent: number;
    /** The tolerance in force when the receipt was recorded (LEDGER_TRANSIT_TOLERANCE_BP then). */
    toleranceBasisPoints: number;
    tolerancePercent: number;
  };
}

export interface ProcessLossAnomaly extends AnomalyCommon {
  kind: 'process-loss';
  figures: {
    processType: string;
    inputMassGrams: number;
    lossMassGrams: number;
    lossPercent: number;
    normBasisPoints: number;
    normPercent: number;
    losses: ProcessLoss[];
  };
}

export interface CustodyGap extends AnomalyCommon {
  kind: 'custody-gap';
  figures: {
    massGrams: number;
    fromOrgId: string;
    toOrgId: string;
    /** Business time of the dispatch. */
    dispatchedAt: string;
    /** At the judging time: still in transit, or received/cancelled too late. */
    status: 'in-transit' | 'received' | 'cancelled';
    endedAt: string | null;
    hoursOpen: number;
    gapHours: number;
  };
}

export interface UnfinishedProcess extends AnomalyCommon {
  kind: 'unfinished-process';
  figures: {
    processType: string;
    /** `started`: neither completed nor rejected; `reverting`: rejected, but still holds inputs. */
    stage: 'started' | 'reverting';
    startedRecordedAt: string;
    /** Since the ledger recorded ProcessStarted (recovery judges by that time too). */
    hoursOpen: number;
    graceMinutes: number;
    /** Inputs the process holds now (BatchConsumed − BatchConsumptionReverted). */
    heldInputs: number;
  };
}

export type Anomaly = TransitDiscrepancy | ProcessLossAnomaly | CustodyGap | UnfinishedProcess;

export interface AnomalyPage {
  /** The instant custody gaps and unfinished processes were judged at. */
  judgedAt: string;
  /** Set when only events recorded up to it were considered. */
  knownAt: string | null;
  /** `from`/`to` bound the anomalies' occurredAt. */
  axis: 'occurredAt';
  settings: {
    lossNormsPercent: Record<ProcessType, number>;
    custodyGapHours: number;
    unfinishedProcessGraceMinutes: number;
  };
  items: Anomaly[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

const HOUR_MS = 3_600_000;

/**
 * The anomalies, oldest first by the log position of the event that shows each.
 * Transit discrepancies are the receipts' own verdicts; losses are judged against the norms in
 * `settings`; custody gaps and unfinished processes against `filter.judgedAt`.
 */
export async function anomalies(db: ReadDb, filter: AnomalyFilter, settings: AnomalySettings = DEFAULT_ANOMALY_SETTINGS): Promise<AnomalyPage> {
  const limit = Math.max(1, Math.min(500, Math.trunc(filter.limit ?? 50)));
  const scope: Scope = { ...filter, knownAt: filter.knownAt === undefined ? undefined : instant(filter.knownAt), from: optionalInstant(filter.from), to: optionalInstant(filter.to), fetch: limit + 1 };
  const judgedAt = instant(filter.judgedAt);
  const wanted = (kind: AnomalyKind) => filter.kind === undefined || filter.kind === kind;
  const found: Anomaly[] = [];
  if (wanted('transit-discrepancy')) found.push(...(await transitDiscrepancies(db, scope)));
  if (wanted('process-loss')) found.push(...(await processLosses(db, scope, settings)));
  if (wanted('custody-gap')) found.push(...(await custodyGaps(db, scope, judgedAt, settings.custodyGapHours)));
  if (wanted('unfinished-process')) found.push(...(await unfinishedProcesses(db, scope, judgedAt, settings.unfinishedProcessGraceMinutes)));
  // Each kind's query returned its first limit+1 by position, so the first limit+1 of the merge are right.
  found.sort((a, b) => a.position - b.position);
  const items = found.slice(0, limit);
  return {
    judgedAt,
    knownAt: scope.knownAt ?? null,
    axis: 'occurredAt',
    settings: {
      lossNormsPercent: Object.fromEntries(PROCESS_TYPES.map((t) => [t, settings.lossNormsBasisPoints[t] / 100])) as Record<ProcessType, number>,
      custodyGapHours: settings.custodyGapHours,
      unfinishedProcessGraceMinutes: settings.unfinishedProcessGraceMinutes,
    },
    items,
    nextCursor: found.length > limit ? String(items[items.length - 1]!.position) : null,
  };
}

interface Scope {
  readonly knownAt: string | undefined;
  readonly organisationId?: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly after?: number;
  readonly fetch: number;
}

type TransferEb = ExpressionBuilder<AnomalyTables, 'anomalies_transfer'>;
type ProcessEb = ExpressionBuilder<AnomalyTables, 'anomalies_process'>;

async function transitDiscrepancies(db: ReadDb, scope: Scope): Promise<TransitDiscrepancy[]> {
  const rows = await db
    .withTables<AnomalyTables>()
    .selectFrom('anomalies_transfer')
    .selectAll()
    .where('anomaly', '=', 1)
    .where('status', '=', 'received')
    .where((eb) => eb.and(transferConditions(eb, scope, 'ended_at', 'ended_position', 'ended_recorded_at')))
    .orderBy('ended_position')
    .limit(scope.fetch)
    .execute();
  return rows.map((row) => {
    const dispatched = Number(row.dispatched_mass_grams);
    const difference = Number(row.difference_grams);
    const tolerance = Number(row.tolerance_basis_points);
    return {
      kind: 'transit-discrepancy',
      ...transferCommon(row, 'CustodyTransferReceived', Number(row.ended_position), row.ended_event_id ?? '', row.ended_at ?? '', row.ended_recorded_at ?? ''),
      relatedEvents: [dispatchRef(row)],
      figures: {
        dispatchedMassGrams: dispatched,
        receivedMassGrams: Number(row.received_mass_grams),
        differenceGrams: difference,
        differencePercent: percent(difference, dispatched),
        toleranceBasisPoints: tolerance,
        tolerancePercent: tolerance / 100,
      },
    };
  });
}

async function custodyGaps(db: ReadDb, scope: Scope, judgedAt: string, gapHours: number): Promise<CustodyGap[]> {
  const gapMs = gapHours * HOUR_MS;
  // Open for more than gapHours at judgedAt <=> dispatched before judgedAt − gapHours.
  const cutoff = new Date(Date.parse(judgedAt) - gapMs).toISOString();
  const { knownAt } = scope;
  const rows = await db
    .withTables<AnomalyTables>()
    .selectFrom('anomalies_transfer')
    .selectAll()
    .where((eb) => {
      const endedByThen = knownAt === undefined ? eb('status', '!=', 'in-transit') : eb.and([eb('status', '!=', 'in-transit'), eb('ended_recorded_at', '<=', knownAt)]);
      const openThen = knownAt === undefined ? eb('status', '=', 'in-transit') : eb.or([eb('status', '=', 'in-transit'), eb('ended_recorded_at', '>', knownAt)]);
      return eb.and([
        ...transferConditions(eb, scope, 'dispatched_at', 'dispatched_position', 'dispatched_recorded_at'),
        eb.or([eb.and([openThen, eb('dispatched_at', '<', cutoff)]), eb.and([endedByThen, eb('open_ms', '>', gapMs)])]),
      ]);
    })
    .orderBy('dispatched_position')
    .limit(scope.fetch)
    .execute();
  return rows.map((row) => {
    const ended = row.status !== 'in-transit' && (knownAt === undefined || (row.ended_recorded_at ?? '') <= knownAt);
    const openMs = ended ? Number(row.open_ms) : Date.parse(judgedAt) - Date.parse(row.dispatched_at);
    const endRef: EventRef[] = ended ? [{ type: row.status === 'received' ? 'CustodyTransferReceived' : 'CustodyTransferCancelled', eventId: row.ended_event_id ?? '', position: Number(row.ended_position), recordedAt: row.ended_recorded_at ?? '' }] : [];
    return {
      kind: 'custody-gap',
      ...transferCommon(row, 'CustodyTransferDispatched', Number(row.dispatched_position), row.dispatched_event_id, row.dispatched_at, row.dispatched_recorded_at),
      relatedEvents: endRef,
      figures: {
        massGrams: Number(row.dispatched_mass_grams),
        fromOrgId: row.from_org_id,
        toOrgId: row.to_org_id,
        dispatchedAt: row.dispatched_at,
        status: ended ? row.status : 'in-transit',
        endedAt: ended ? row.ended_at : null,
        hoursOpen: hours(openMs),
        gapHours,
      },
    };
  });
}

async function processLosses(db: ReadDb, scope: Scope, settings: AnomalySettings): Promise<ProcessLossAnomaly[]> {
  const { knownAt } = scope;
  const rows = await db
    .withTables<AnomalyTables>()
    .selectFrom('anomalies_process')
    .selectAll()
    .where('status', '=', 'completed')
    .where((eb) =>
      eb.and([
        ...processConditions(eb, scope, 'ended_position', 'ended_recorded_at'),
        // A voided process counts no more (decision 011), from when the void was recorded.
        eb.not(eb.exists(voidOf(eb, knownAt))),
        // loss / input > norm / 10000 <=> loss * 10000 > norm * input, in numeric: exact on PostgreSQL; on
        // SQLite exact while the products fit 64 bits, as doubles beyond (the columns are text, decision 021).
        eb.or(PROCESS_TYPES.map((type) => eb.and([eb('process_type', '=', type), sql<SqlBool>`cast(loss_mass_grams as numeric) * 10000 > cast(${settings.lossNormsBasisPoints[type]} as numeric) * cast(input_mass_grams as numeric)`]))),
      ]),
    )
    .orderBy('ended_position')
    .limit(scope.fetch)
    .execute();
  return rows.map((row) => {
    const input = Number(row.input_mass_grams);
    const loss = Number(row.loss_mass_grams);
    const norm = settings.lossNormsBasisPoints[row.process_type as ProcessType];
    return {
      kind: 'process-loss',
      ...processCommon(row, 'ProcessCompleted', Number(row.ended_position), row.ended_event_id ?? '', row.ended_recorded_at ?? ''),
      relatedEvents: [startedRef(row)],
      figures: {
        processType: row.process_type,
        inputMassGrams: input,
        lossMassGrams: loss,
        lossPercent: percent(loss, input),
        normBasisPoints: norm,
        normPercent: norm / 100,
        losses: JSON.parse(row.losses) as ProcessLoss[],
      },
    };
  });
}

async function unfinishedProcesses(db: ReadDb, scope: Scope, judgedAt: string, graceMinutes: number): Promise<UnfinishedProcess[]> {
  const graceMs = graceMinutes * 60_000;
  const cutoff = new Date(Date.parse(judgedAt) - graceMs).toISOString();
  const { knownAt } = scope;
  const rows = await db
    .withTables<AnomalyTables>()
    .selectFrom('anomalies_process')
    .selectAll()
    .where((eb) =>
      eb.and([
        ...processConditions(eb, scope, 'started_position', 'started_recorded_at'),
        eb('started_recorded_at', '<', cutoff),
        // Unsettled then: nothing settled it yet, or what settled it was recorded after knownAt.
        knownAt === undefined ? eb.and([eb('status', '!=', 'completed'), eb('settled_at', 'is', null)]) : eb.or([eb('settled_at', 'is', null), eb('settled_at', '>', knownAt)]),
      ]),
    )
    .orderBy('started_position')
    .limit(scope.fetch)
    .execute();
  return rows.map((row) => {
    const rejectedThen = row.status === 'rejected' && (knownAt === undefined || (row.ended_recorded_at ?? '') <= knownAt);
    return {
      kind: 'unfinished-process',
      ...processCommon(row, 'ProcessStarted', Number(row.started_position), row.started_event_id, row.started_recorded_at),
      relatedEvents: rejectedThen ? [{ type: 'ProcessRejected', eventId: row.ended_event_id ?? '', position: Number(row.ended_position), recordedAt: row.ended_recorded_at ?? '' }] : [],
      figures: {
        processType: row.process_type,
        stage: rejectedThen ? 'reverting' : 'started',
        startedRecordedAt: row.started_recorded_at,
        hoursOpen: hours(Date.parse(judgedAt) - Date.parse(row.started_recorded_at)),
        graceMinutes,
        heldInputs: Number(row.held_inputs),
      },
    };
  });
}

function voidOf(eb: ProcessEb, knownAt: string | undefined) {
  const voids = eb.selectFrom('anomalies_void').select('anomalies_void.process_id').whereRef('anomalies_void.process_id', '=', 'anomalies_process.process_id');
  return knownAt === undefined ? voids : voids.where('anomalies_void.voided_recorded_at', '<=', knownAt);
}

function transferConditions(
  eb: TransferEb,
  scope: Scope,
  occurredColumn: 'ended_at' | 'dispatched_at',
  positionColumn: 'ended_position' | 'dispatched_position',
  recordedColumn: 'ended_recorded_at' | 'dispatched_recorded_at',
): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (scope.knownAt !== undefined) conditions.push(eb(recordedColumn, '<=', scope.knownAt));
  if (scope.organisationId !== undefined) conditions.push(eb.or([eb('from_org_id', '=', scope.organisationId), eb('to_org_id', '=', scope.organisationId)]));
  if (scope.from !== undefined) conditions.push(eb(occurredColumn, '>=', scope.from));
  if (scope.to !== undefined) conditions.push(eb(occurredColumn, '<', scope.to));
  if (scope.after !== undefined) conditions.push(eb(positionColumn, '>', scope.after));
  return conditions;
}

function processConditions(eb: ProcessEb, scope: Scope, positionColumn: 'ended_position' | 'started_position', recordedColumn: 'ended_recorded_at' | 'started_recorded_at'): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (scope.knownAt !== undefined) conditions.push(eb(recordedColumn, '<=', scope.knownAt));
  if (scope.organisationId !== undefined) conditions.push(eb('organisation_id', '=', scope.organisationId));
  if (scope.from !== undefined) conditions.push(eb('occurred_at', '>=', scope.from));
  if (scope.to !== undefined) conditions.push(eb('occurred_at', '<', scope.to));
  if (scope.after !== undefined) conditions.push(eb(positionColumn, '>', scope.after));
  return conditions;
}

function transferCommon(row: AnomalyTransferRow, eventType: string, position: number, eventId: string, occurredAt: string, recordedAt: string): Omit<AnomalyCommon, 'relatedEvents'> {
  return {
    position,
    eventId,
    eventType,
    occurredAt,
    recordedAt,
    batchIds: [row.batch_id],
    processId: null,
    transferId: row.transfer_id,
    organisationIds: [row.from_org_id, row.to_org_id],
  };
}

function processCommon(row: AnomalyProcessRow, eventType: string, position: number, eventId: string, recordedAt: string): Omit<AnomalyCommon, 'relatedEvents'> {
  return {
    position,
    eventId,
    eventType,
    occurredAt: row.occurred_at,
    recordedAt,
    batchIds: JSON.parse(row.input_batch_ids) as string[],
    processId: row.process_id,
    transferId: null,
    organisationIds: [row.organisation_id],
  };
}

function dispatchRef(row: AnomalyTransferRow): EventRef {
  return { type: 'CustodyTransferDispatched', eventId: row.dispatched_event_id, position: Number(row.dispatched_position), recordedAt: row.dispatched_recorded_at };
}

function startedRef(row: AnomalyProcessRow): EventRef {
  return { type: 'ProcessStarted', eventId: row.started_event_id, position: Number(row.started_position), recordedAt: row.started_recorded_at };
}

/** A share as a percentage with two decimals, for reading; the verdicts themselves compare integers. */
function percent(part: number, whole: number): number {
  return Math.round((part * 10_000) / whole) / 100;
}

function hours(ms: number): number {
  return Math.round(ms / 36_000) / 100;
}

function instant(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`${iso} is not an ISO-8601 instant`);
  return new Date(t).toISOString();
}

function optionalInstant(iso: string | undefined): string | undefined {
  return iso === undefined ? undefined : instant(iso);
}
