import { isWasteOriginKey, parseCohortKey, type DomainEvent } from '#domain';
import type { Kysely } from 'kysely';
import { CircularityBuckets, closedBucket, emptyTotals } from '../circularity/circularity-buckets.js';
import { BUCKET_COLUMNS, BUCKETS, type BucketColumn } from '../circularity/circularity.projection.js';
import { DeferredEvents } from '../processes/deferred-events.js';
import { FoldStore, type FoldBatchRow } from '../provenance/fold-store.js';
import { gramsText, gramsTotalType, toBigIntValue } from '../provenance/projection-support.js';
import { ProvenanceFold, type ProvenanceEffect, type TrackedBatch } from '../provenance/provenance.fold.js';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, textType, type TableDef } from '../runner/sql-rows.js';

/**
 * Programme impact (docs/decisions/043-programme-impact.md): the grams of waste first used as raw
 * material, the grams reused, and where the waste each organisation brought in went, each row carrying
 * what a programme's scope is decided on at query time (the organisation and the day, the origin, the
 * programme tags given at origin). Memberships change over time and are read at query time, so a late
 * membership needs no rewrite here.
 *
 * It runs its own ProvenanceFold, as circularity does, but over *refined* origin keys: the origin key
 * of docs/domain.md followed by the organisation that brought the batch in, its day, and its programme
 * tags (`kommune:0657~<collector>~2024-03-05~closing-loops`). The allocation is the same largest-
 * remainder hand-out over finer keys, so every gram keeps its tags and its origin organisation
 * exactly through sorting, blending and recycling, at the price of one key per origin organisation
 * and day. Summed to plain cohorts, a figure can differ from the circularity model's by the rounding
 * of the finer keys (a gram or so per process); each model balances exactly on its own.
 */

/** Separates the parts of a refined origin key; origin keys, days, ids and tags never contain it. */
const SEP = '~';

export interface RefinedOrigin {
  /** The origin key of docs/domain.md: `kommune:<code>`, `<residual class>:<organisationId>`. */
  readonly originKey: string;
  /** The collector, or the organisation that registered the residual. */
  readonly originOrgId: string;
  /** The Copenhagen day of the origin event. */
  readonly originDay: string;
  /** The programme tags given at origin, sorted, without repeats. */
  readonly tags: readonly string[];
  readonly month: string;
}

/** Splits a refined cohort key (`<originKey>~<org>~<day>~<tags>|<month>`). */
export function parseRefinedCohort(cohort: string): RefinedOrigin {
  const { originKey: refined, month } = parseCohortKey(cohort);
  const [originKey = '', originOrgId = '', originDay = '', tags = ''] = refined.split(SEP);
  return { originKey, originOrgId, originDay, tags: tags === '' ? [] : tags.split(','), month };
}

function refinement(organisationId: string, occurredAt: string, tags: readonly string[]): string {
  return `${SEP}${organisationId}${SEP}${copenhagenDayOf(occurredAt)}${SEP}${[...new Set(tags)].sort().join(',')}`;
}

/**
 * The origin event as this projection's fold sees it: the kommune code (or the residual's
 * organisation) carries the refinement, so the fold's own `cohortKey` yields the refined key. Nothing
 * else of the event is read for the key; the fold stays the one shared implementation.
 */
function refineOrigin(event: DomainEvent): DomainEvent {
  if (event.type === 'BatchCollected') {
    const e = event.data;
    return { ...event, data: { ...e, kommuneCode: `${e.kommuneCode}${refinement(e.collectorOrgId, e.occurredAt, e.programmeTags)}` } };
  }
  if (event.type === 'ResidualBatchRegistered') {
    const e = event.data;
    return { ...event, data: { ...e, organisationId: `${e.organisationId}${refinement(e.organisationId, e.occurredAt, e.programmeTags)}` } };
  }
  return event;
}

const FIRST_DAY = '0000-01-01';
const LAST_DAY = '9999-12-31';
const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * `YYYY-MM-DD` of an instant in Europe/Copenhagen, the day a programme reports in. Copenhagen is 1 or
 * 2 hours ahead of UTC, so only an instant from 22:00 UTC on can fall on the next local day; the
 * rest skips Intl, which origin events would otherwise pay for one by one in a rebuild.
 */
export function copenhagenDayOf(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${iso}`);
  const instant = new Date(ms);
  const year = instant.getUTCFullYear();
  // An offset can carry an instant just past either end of the four-digit years (decision 021).
  if (year < 0) return FIRST_DAY;
  if (year > 9999) return LAST_DAY;
  const utcDay = (d: Date) => `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
  if (instant.getUTCHours() < 22 || year < 1900 || year > 9998) return utcDay(instant);
  const parts = Object.fromEntries(DAY_FORMAT.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${String(parts.year).padStart(4, '0')}-${parts.month}-${parts.day}`;
}

/** Columns every row shares: where the grams came from. */
type OriginColumns = {
  /** The refined cohort key. */
  cohort: string;
  origin_key: string;
  origin_org_id: string;
  origin_day: string;
  /** Comma-separated, sorted; '' without tags. */
  tags: string;
  month: string;
};

export type ImpactUsedRow = OriginColumns & {
  /** `<processId>|<cohort>` */
  id: string;
  process_id: string;
  /** The organisation that ran the process. */
  organisation_id: string;
  /** The Copenhagen day of the process's occurredAt. */
  day: string;
  grams: string;
};

export type ImpactReusedRow = OriginColumns & {
  /** `<batchId>|<cohort>` */
  id: string;
  batch_id: string;
  /** The organisation that recorded the outcome. */
  organisation_id: string;
  day: string;
  grams: string;
};

export type ImpactOriginRow = OriginColumns & { collected_grams: string } & Record<BucketColumn, string>;

export type ProgrammeImpactTables = {
  programme_impact_used: ImpactUsedRow;
  programme_impact_reused: ImpactReusedRow;
  programme_impact_origins: ImpactOriginRow;
  programme_impact_batches: FoldBatchRow;
};

export function programmeImpactDb(db: ReadDb): Kysely<ProgrammeImpactTables> {
  return db.withTables<ProgrammeImpactTables>();
}

const ORIGIN_COLUMNS = ['cohort', 'origin_key', 'origin_org_id', 'origin_day', 'tags', 'month'] as const;
const USED: TableDef = { name: 'programme_impact_used', columns: ['id', 'process_id', 'organisation_id', 'day', ...ORIGIN_COLUMNS, 'grams'], primaryKey: ['id'] };
const REUSED: TableDef = { name: 'programme_impact_reused', columns: ['id', 'batch_id', 'organisation_id', 'day', ...ORIGIN_COLUMNS, 'grams'], primaryKey: ['id'] };
const ORIGINS: TableDef = { name: 'programme_impact_origins', columns: [...ORIGIN_COLUMNS, 'collected_grams', ...BUCKETS.map((b) => BUCKET_COLUMNS[b])], primaryKey: ['cohort'] };

function originColumns(cohort: string): OriginColumns {
  const o = parseRefinedCohort(cohort);
  return { cohort, origin_key: o.originKey, origin_org_id: o.originOrgId, origin_day: o.originDay, tags: o.tags.join(','), month: o.month };
}

/** Waste grams per refined cohort of the inputs a completed process used as raw material. */
export function wasteUsedAsRawMaterial(inputs: readonly TrackedBatch[], outputs: readonly TrackedBatch[]): Map<string, bigint> {
  const used = new Map<string, bigint>();
  // The fold marks every output reprocessed, or none: the process is a reprocessing one, or an input was.
  if (!outputs.some((o) => o.reprocessed)) return used;
  for (const input of inputs) {
    if (input.reprocessed) continue;
    for (const [cohort, grams] of input.vector) {
      if (!isWasteOriginKey(parseCohortKey(cohort).originKey)) continue;
      used.set(cohort, (used.get(cohort) ?? 0n) + grams);
    }
  }
  return used;
}

export class ProgrammeImpactProjection extends BaseProjection {
  readonly name = 'programme-impact';
  readonly version = 1;
  private readonly origins = new ProvenanceFold();
  private readonly store = new FoldStore('programme_impact');
  private readonly gate = new ProcessGate('programme_impact');
  private readonly deferred = new DeferredEvents();
  private readonly buckets = new CircularityBuckets();
  private readonly usedRows = new RowBuffer(USED);
  private readonly reusedRows = new RowBuffer(REUSED);
  private readonly originRows = new RowBuffer(ORIGINS);
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);

  readonly tables = [USED.name, REUSED.name, ORIGINS.name, this.store.table, this.gate.table] as const;

  async migrate(db: ReadDb): Promise<void> {
    for (const def of [USED, REUSED]) {
      await db.schema
        .createTable(def.name)
        .ifNotExists()
        .addColumn('id', textType(db), (c) => c.primaryKey())
        .addColumn(def === USED ? 'process_id' : 'batch_id', textType(db), (c) => c.notNull())
        .addColumn('organisation_id', textType(db), (c) => c.notNull())
        .addColumn('day', textType(db), (c) => c.notNull())
        .addColumn('cohort', textType(db), (c) => c.notNull())
        .addColumn('origin_key', textType(db), (c) => c.notNull())
        .addColumn('origin_org_id', textType(db), (c) => c.notNull())
        .addColumn('origin_day', textType(db), (c) => c.notNull())
        .addColumn('tags', textType(db), (c) => c.notNull())
        .addColumn('month', textType(db), (c) => c.notNull())
        .addColumn('grams', gramsTotalType(db), (c) => c.notNull())
        .execute();
      await db.schema.createIndex(`${def.name}_day`).ifNotExists().on(def.name).columns(['day', 'id']).execute();
      await db.schema.createIndex(`${def.name}_organisation`).ifNotExists().on(def.name).columns(['organisation_id', 'day']).execute();
    }
    let origins = db.schema
      .createTable(ORIGINS.name)
      .ifNotExists()
      .addColumn('cohort', textType(db), (c) => c.primaryKey())
      .addColumn('origin_key', textType(db), (c) => c.notNull())
      .addColumn('origin_org_id', textType(db), (c) => c.notNull())
      .addColumn('origin_day', textType(db), (c) => c.notNull())
      .addColumn('tags', textType(db), (c) => c.notNull())
      .addColumn('month', textType(db), (c) => c.notNull())
      .addColumn('collected_grams', gramsTotalType(db), (c) => c.notNull());
    for (const bucket of BUCKETS) origins = origins.addColumn(BUCKET_COLUMNS[bucket], gramsTotalType(db), (c) => c.notNull());
    await origins.execute();
    await db.schema.createIndex(`${ORIGINS.name}_day`).ifNotExists().on(ORIGINS.name).columns(['origin_day', 'cohort']).execute();
    await db.schema.createIndex(`${ORIGINS.name}_organisation`).ifNotExists().on(ORIGINS.name).columns(['origin_org_id', 'origin_day']).execute();
    await this.store.migrate(db);
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    for (const row of await programmeImpactDb(db).selectFrom('programme_impact_origins').selectAll().execute()) {
      const totals = emptyTotals();
      totals.collected = toBigIntValue(row.collected_grams);
      for (const bucket of BUCKETS) totals.buckets[bucket] = toBigIntValue(row[BUCKET_COLUMNS[bucket]]);
      this.buckets.restore(row.cohort, totals);
    }
    await this.store.load(db, this.origins);
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.origins.reset();
    this.store.reset();
    this.gate.reset();
    this.deferred.clear();
    this.buckets.clear();
    this.usedRows.clear();
    this.reusedRows.clear();
    this.originRows.clear();
  }

  protected fold(projected: ProjectedEvent): void {
    if (this.deferred.defer(projected, (e) => e.event.type === 'ProcessVoided')) return;
    this.gate.route(projected, this.sink);
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    for (const effect of this.origins.apply(refineOrigin(projected.event), process)) {
      this.store.record(effect);
      this.book(effect, projected);
    }
  }

  /** The circularity buckets as circularity books them, plus the rows only programme impact keeps. */
  private book(effect: ProvenanceEffect, projected: ProjectedEvent): void {
    this.buckets.book(effect);
    switch (effect.kind) {
      case 'closed':
        if (closedBucket(effect.batch, effect.outcome) === 'reuse') this.reused(effect.batch, projected);
        break;
      case 'process-completed': {
        const { processId, organisationId, occurredAt } = effect.process;
        const day = copenhagenDayOf(occurredAt);
        for (const [cohort, grams] of wasteUsedAsRawMaterial(effect.inputs, effect.outputs)) {
          const id = `${processId}|${cohort}`;
          this.usedRows.put(id, { id, process_id: processId, organisation_id: organisationId, day, ...originColumns(cohort), grams: gramsText(grams) });
        }
        break;
      }
      case 'process-voided': {
        // The inputs come back as they were consumed and the outputs as they were made, so the rows
        // the completion wrote are named again, and go.
        const processId = effect.voided.processId;
        for (const cohort of wasteUsedAsRawMaterial(effect.inputs, effect.outputs).keys()) {
          const id = `${processId}|${cohort}`;
          this.usedRows.remove(id, id);
        }
        break;
      }
      default:
        break;
    }
  }

  /** A closed batch whose grams went to the reuse bucket: who recorded it, on which day. */
  private reused(batch: TrackedBatch, projected: ProjectedEvent): void {
    const occurredAt = 'occurredAt' in projected.event.data ? String(projected.event.data.occurredAt) : projected.recordedAt;
    const day = copenhagenDayOf(occurredAt);
    for (const [cohort, grams] of batch.vector) {
      if (!isWasteOriginKey(parseCohortKey(cohort).originKey)) continue;
      const id = `${batch.batchId}|${cohort}`;
      this.reusedRows.put(id, { id, batch_id: batch.batchId, organisation_id: projected.actorOrgId, day, ...originColumns(cohort), grams: gramsText(grams) });
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.deferred.drain(tx, {
      write: (t) => this.writeRows(t),
      load: (event, t) => this.store.loadFor(event, t, this.origins),
      fold: (event) => this.fold(event),
    });
    await this.writeRows(tx);
  }

  private async writeRows(tx: ReadTx): Promise<void> {
    for (const cohort of this.buckets.takeDirty()) {
      const totals = this.buckets.get(cohort);
      const row: Record<string, string> = { ...originColumns(cohort), collected_grams: gramsText(totals.collected) };
      for (const bucket of BUCKETS) row[BUCKET_COLUMNS[bucket]] = gramsText(totals.buckets[bucket]);
      this.originRows.put(cohort, row);
    }
    await this.originRows.flush(tx);
    await this.usedRows.flush(tx);
    await this.reusedRows.flush(tx);
    await this.store.flush(tx);
    await this.gate.flush(tx);
  }
}
