import {
  addVectors,
  allocateSequentially,
  normaliseVector,
  parseCohortKey,
  rescale,
  subtractVectors,
  vectorFromJson,
  vectorSum,
  vectorToJson,
  type DomainEvent,
  type OriginVector,
  type ProcessType,
  type ReadonlyOriginVector,
} from '#domain';
import type { Kysely } from 'kysely';
import { closedBucket, openBucket, quarterOfMonth, type Bucket } from '../circularity/circularity.projection.js';
import { DeferredEvents } from '../processes/deferred-events.js';
import { FoldStore } from '../provenance/fold-store.js';
import { ProvenanceFold, ProvenanceInvariantError, type LossShare, type ProvenanceEffect, type TrackedBatch } from '../provenance/provenance.fold.js';
import { gramsText, gramsTotalType, toBigIntValue } from '../provenance/projection-support.js';
import { BaseProjection } from '../runner/base-projection.js';
import { ProcessGate, type ProcessContext } from '../runner/process-gate.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { RowBuffer, textType, type TableDef } from '../runner/sql-rows.js';

/**
 * The grade of a path before any sorting, and of the grams a sorting lost (they never got a grade).
 * Kept apart from the domain's grades (reuse, recycling, fibre, product, residual) by their names.
 */
export const NOT_SORTED = 'not-sorted';
export const SORTING_LOSS = 'sorting-loss';

/**
 * Where a kommune's grams went on their way: the collector named by the collection, the organisation
 * that first sorted them (empty until a sorting process completes) and the grade that sorting gave
 * them. Organisation ids are UUIDs and grades plain words, so `|` never occurs inside a part.
 */
export interface FlowPath {
  readonly collectorOrgId: string;
  readonly sorterOrgId: string | null;
  readonly grade: string;
}

export function pathKey(path: FlowPath): string {
  return `${path.collectorOrgId}|${path.sorterOrgId ?? ''}|${path.grade}`;
}

export function parsePathKey(key: string): FlowPath {
  const [collectorOrgId = '', sorter = '', grade = NOT_SORTED] = key.split('|');
  return { collectorOrgId, sorterOrgId: sorter === '' ? null : sorter, grade };
}

/** A batch's kommune grams split by path: cohort → (path → grams); each inner sum is the cohort's grams. */
type PathVectors = Map<string, OriginVector>;

export type MunicipalFlowRow = {
  /** cohort | path | bucket: one row per kommune, month, collector, sorter, grade and fate. */
  flow: string;
  kommune_code: string;
  month: string;
  quarter: string;
  year: string;
  collector_org_id: string;
  /** Empty while not sorted. */
  sorter_org_id: string;
  grade: string;
  bucket: string;
  /** Exact decimal text (decision 021); negative for a weighing gain. */
  grams: string;
};

export type MunicipalFlowPathsRow = {
  batch_id: string;
  /** open | consumed | closed | voided, as the fold's batch. */
  state: string;
  /** Deterministic JSON: [[cohort, vectorToJson(path → grams)], …] sorted by cohort. */
  paths: string;
};

export type MunicipalFlowTables = {
  municipal_flows: MunicipalFlowRow;
  municipal_flows_paths: MunicipalFlowPathsRow;
};

export function municipalFlowsDb(db: ReadDb): Kysely<MunicipalFlowTables> {
  return db.withTables<MunicipalFlowTables>();
}

const FLOWS: TableDef = {
  name: 'municipal_flows',
  columns: ['flow', 'kommune_code', 'month', 'quarter', 'year', 'collector_org_id', 'sorter_org_id', 'grade', 'bucket', 'grams'],
  primaryKey: ['flow'],
};

const PATHS: TableDef = {
  name: 'municipal_flows_paths',
  columns: ['batch_id', 'state', 'paths'],
  primaryKey: ['batch_id'],
};

const KOMMUNE_PREFIX = 'kommune:';

function isKommuneCohort(cohort: string): boolean {
  return cohort.startsWith(KOMMUNE_PREFIX);
}

function pathsToJson(paths: PathVectors): string {
  const entries = [...paths].filter(([, v]) => v.size > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries.map(([cohort, vector]) => [cohort, vectorToJson(vector)]));
}

function pathsFromJson(json: string): PathVectors {
  const parsed: unknown = JSON.parse(json);
  const out: PathVectors = new Map();
  if (!Array.isArray(parsed)) return out;
  for (const entry of parsed) {
    if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string') out.set(entry[0], vectorFromJson(entry[1]));
  }
  return out;
}

/** Gives every path not yet sorted the sorter and grade of the sorting that produced these grams. */
function relabel(vector: ReadonlyOriginVector, sorterOrgId: string, grade: string): OriginVector {
  const out: Array<[string, bigint]> = [];
  for (const [key, grams] of vector) {
    const path = parsePathKey(key);
    out.push([path.sorterOrgId === null ? pathKey({ collectorOrgId: path.collectorOrgId, sorterOrgId: sorterOrgId, grade }) : key, grams]);
  }
  return normaliseVector(out);
}

interface ItemLabel {
  /** Where the sorting sends the item's not-yet-sorted grams; undefined for other process types. */
  readonly grade: string | undefined;
}

/**
 * Mass flows of each kommune's collected textiles: kommune → collector → first sorter → grade → fate
 * (docs/decisions/036-municipal-flows.md). It runs the circularity's own origin-vector fold, so its
 * fates per kommune cohort are the circularity's buckets to the gram, and splits each kommune cohort
 * of each batch further by path with the same largest-remainder rule, nested inside the cohort's
 * share: a process first hands out each cohort as the fold does, then the cohort's share is shared
 * out over its paths. Paths therefore never move grams between cohorts, and for every cohort
 * Σ paths × buckets = collected, exactly.
 */
export class MunicipalFlowsProjection extends BaseProjection {
  readonly name = 'municipal_flows';
  readonly version = 1;
  private readonly origins = new ProvenanceFold();
  private readonly store = new FoldStore('municipal_flows');
  private readonly gate = new ProcessGate('municipal_flows');
  private readonly deferred = new DeferredEvents();
  /** Open batches' paths (and a voided process's consumed inputs, read back for its void). */
  private readonly paths = new Map<string, PathVectors>();
  private readonly flows = new Map<string, bigint>();
  private readonly dirtyFlows = new Set<string>();
  private readonly dirtyPaths = new Map<string, { state: string; paths: PathVectors }>();
  private readonly flowRows = new RowBuffer(FLOWS);
  private readonly pathRows = new RowBuffer(PATHS);
  private readonly sink = (event: ProjectedEvent, process: ProcessContext | undefined): void => this.take(event, process);

  readonly tables = [FLOWS.name, PATHS.name, this.store.table, this.gate.table] as const;

  async migrate(db: ReadDb): Promise<void> {
    await db.schema
      .createTable(FLOWS.name)
      .ifNotExists()
      .addColumn('flow', textType(db), (c) => c.primaryKey())
      .addColumn('kommune_code', textType(db), (c) => c.notNull())
      .addColumn('month', textType(db), (c) => c.notNull())
      .addColumn('quarter', textType(db), (c) => c.notNull())
      .addColumn('year', textType(db), (c) => c.notNull())
      .addColumn('collector_org_id', textType(db), (c) => c.notNull())
      .addColumn('sorter_org_id', textType(db), (c) => c.notNull())
      .addColumn('grade', textType(db), (c) => c.notNull())
      .addColumn('bucket', textType(db), (c) => c.notNull())
      .addColumn('grams', gramsTotalType(db), (c) => c.notNull())
      .execute();
    await db.schema.createIndex('municipal_flows_kommune_month').ifNotExists().on(FLOWS.name).columns(['kommune_code', 'month']).execute();
    await db.schema
      .createTable(PATHS.name)
      .ifNotExists()
      .addColumn('batch_id', textType(db), (c) => c.primaryKey())
      .addColumn('state', textType(db), (c) => c.notNull())
      .addColumn('paths', textType(db), (c) => c.notNull())
      .execute();
    await this.store.migrate(db);
    await this.gate.migrate(db);
  }

  protected async loadState(db: ReadDb): Promise<void> {
    const rows = await municipalFlowsDb(db).selectFrom('municipal_flows').select(['flow', 'grams']).execute();
    for (const row of rows) this.flows.set(row.flow, toBigIntValue(row.grams));
    const open = await municipalFlowsDb(db).selectFrom('municipal_flows_paths').selectAll().where('state', '=', 'open').execute();
    for (const row of open) this.paths.set(row.batch_id, pathsFromJson(row.paths));
    await this.store.load(db, this.origins);
    await this.gate.load(db);
  }

  protected clearState(): void {
    this.origins.reset();
    this.store.reset();
    this.gate.reset();
    this.deferred.clear();
    this.paths.clear();
    this.flows.clear();
    this.dirtyFlows.clear();
    this.dirtyPaths.clear();
    this.flowRows.clear();
    this.pathRows.clear();
  }

  protected fold(projected: ProjectedEvent): void {
    if (this.deferred.defer(projected, (e) => e.event.type === 'ProcessVoided')) return;
    this.gate.route(projected, this.sink);
  }

  private take(projected: ProjectedEvent, process: ProcessContext | undefined): void {
    for (const effect of this.origins.apply(projected.event, process)) {
      this.store.record(effect);
      this.book(effect, projected.event);
    }
  }

  private book(effect: ProvenanceEffect, event: DomainEvent): void {
    switch (effect.kind) {
      case 'originated': {
        if (event.type !== 'BatchCollected' || effect.batch.originCohort === undefined) return;
        const path = pathKey({ collectorOrgId: event.data.collectorOrgId, sorterOrgId: null, grade: NOT_SORTED });
        const paths: PathVectors = new Map([[effect.batch.originCohort, new Map([[path, BigInt(event.data.massGrams)]])]]);
        this.setPaths(effect.batch, paths);
        this.add(openBucket(effect.batch), paths, 1n);
        break;
      }
      case 'origin-corrected': {
        const before = this.paths.get(effect.batch.batchId);
        const cohort = effect.batch.originCohort;
        if (!before || cohort === undefined) return;
        const [path] = [...(before.get(cohort)?.keys() ?? [])];
        if (path === undefined) throw new ProvenanceInvariantError(`collected batch ${effect.batch.batchId} has no path`);
        const after: PathVectors = new Map([[cohort, new Map([[path, effect.batch.vector.get(cohort) ?? 0n]])]]);
        this.add(openBucket(effect.batch), before, -1n);
        this.add(openBucket(effect.batch), after, 1n);
        this.setPaths(effect.batch, after);
        break;
      }
      case 'reweighed': {
        const before = this.paths.get(effect.batch.batchId);
        if (!before) return;
        // Each cohort's paths are rescaled to the cohort's new grams by the same rule the fold used
        // for the cohorts; what a path lost (or gained, negative) is its weighing difference.
        const after: PathVectors = new Map();
        const difference: PathVectors = new Map();
        for (const [cohort, sub] of before) {
          const grams = effect.batch.vector.get(cohort) ?? 0n;
          const scaled = vectorSum(sub) === 0n ? new Map<string, bigint>() : rescale(sub, grams).vector;
          after.set(cohort, scaled);
          difference.set(cohort, subtractVectors(scaled, sub));
        }
        this.add(openBucket(effect.batch), difference, 1n);
        this.add('weighingDifference', difference, -1n);
        this.setPaths(effect.batch, after);
        break;
      }
      case 'closed': {
        const paths = this.paths.get(effect.batch.batchId);
        if (!paths) return;
        const from = openBucket(effect.batch);
        const to = closedBucket(effect.batch, effect.outcome);
        if (from !== to) {
          this.add(from, paths, -1n);
          this.add(to, paths, 1n);
        }
        this.setPaths(effect.batch, paths);
        break;
      }
      case 'process-completed': {
        const labels = effect.process.outputs.map((o): ItemLabel => ({ grade: effect.process.processType === 'sorting' ? o.grade : undefined }));
        const { outputs, losses } = this.share(effect.process.processType, effect.process.organisationId, effect.inputs, effect.outputs, effect.losses, labels);
        for (const input of effect.inputs) {
          const paths = this.paths.get(input.batchId);
          if (!paths) continue;
          this.add(openBucket(input), paths, -1n);
          this.setPaths(input, paths);
        }
        effect.outputs.forEach((output, i) => {
          const paths = outputs[i]!;
          this.add(openBucket(output), paths, 1n);
          this.setPaths(output, paths);
        });
        for (const loss of losses) this.add('processLoss', loss, 1n);
        break;
      }
      case 'process-voided': {
        // The fold checked that the outputs still hold what the process gave them; the losses'
        // paths are shared out again from the restored inputs, exactly as at completion.
        const labels = effect.outputs.map((): ItemLabel => ({ grade: undefined }));
        const { losses } = this.share(effect.voided.processType, effect.voided.organisationId, effect.inputs, effect.outputs, effect.losses, labels);
        for (const output of effect.outputs) {
          const paths = this.paths.get(output.batchId);
          if (!paths) continue;
          this.add(openBucket(output), paths, -1n);
          this.setPaths(output, paths);
        }
        for (const loss of losses) this.add('processLoss', loss, -1n);
        for (const input of effect.inputs) {
          const paths = this.paths.get(input.batchId);
          if (!paths) continue;
          this.add(openBucket(input), paths, 1n);
          this.setPaths(input, paths);
        }
        break;
      }
      case 'updated':
        break;
    }
  }

  /**
   * The nested allocation: for each kommune cohort, the inputs' paths are pooled and the cohort's
   * share of each output, then each loss (as the fold gave them), is handed out over the paths by
   * largest remainder. A sorting then names itself and the output's grade on the grams not yet
   * sorted; its losses become `sorting-loss`.
   */
  private share(
    processType: ProcessType,
    organisationId: string,
    inputs: readonly TrackedBatch[],
    outputs: readonly TrackedBatch[],
    losses: readonly LossShare[],
    labels: readonly ItemLabel[],
  ): { outputs: PathVectors[]; losses: PathVectors[] } {
    const pools: PathVectors = new Map();
    for (const input of inputs) {
      for (const [cohort, sub] of this.paths.get(input.batchId) ?? []) pools.set(cohort, addVectors(pools.get(cohort) ?? new Map(), sub));
    }
    const items = [...outputs.map((o) => o.vector), ...losses.map((l) => l.vector)];
    const shares: PathVectors[] = items.map(() => new Map());
    for (const [cohort, pool] of pools) {
      const cohortItems = items.map((vector) => vector.get(cohort) ?? 0n);
      const total = cohortItems.reduce((s, g) => s + g, 0n);
      if (total !== vectorSum(pool)) {
        throw new ProvenanceInvariantError(`paths of ${cohort} hold ${vectorSum(pool)} g, the process hands out ${total} g`);
      }
      allocateSequentially(pool, cohortItems).forEach((share, i) => {
        if (share.size === 0) return;
        let labelled: OriginVector = share;
        if (processType === 'sorting') {
          const grade = i < outputs.length ? (labels[i]?.grade ?? NOT_SORTED) : SORTING_LOSS;
          labelled = relabel(share, organisationId, grade);
        }
        shares[i]!.set(cohort, labelled);
      });
    }
    return { outputs: shares.slice(0, outputs.length), losses: shares.slice(outputs.length) };
  }

  /**
   * Open and consumed batches stay in memory until the flush (a void in the same page needs the
   * consumed ones); after it only open ones do, and a void reads consumed ones back. Batches that
   * never held kommune grams (residuals, what was made only from them) get no row.
   */
  private setPaths(batch: TrackedBatch, paths: PathVectors): void {
    if (paths.size === 0 && !this.paths.has(batch.batchId)) return;
    if (batch.state === 'open' || batch.state === 'consumed') this.paths.set(batch.batchId, paths);
    else this.paths.delete(batch.batchId);
    this.dirtyPaths.set(batch.batchId, { state: batch.state, paths });
  }

  private add(bucket: Bucket, paths: PathVectors, sign: bigint): void {
    for (const [cohort, sub] of paths) {
      if (!isKommuneCohort(cohort)) continue;
      for (const [path, grams] of sub) {
        if (grams === 0n) continue;
        const flow = `${cohort}|${path}|${bucket}`;
        this.flows.set(flow, (this.flows.get(flow) ?? 0n) + sign * grams);
        this.dirtyFlows.add(flow);
      }
    }
  }

  async flush(tx: ReadTx): Promise<void> {
    await this.deferred.drain(tx, {
      write: (t) => this.writeRows(t),
      load: async (event, t) => {
        await this.store.loadFor(event, t, this.origins);
        if (event.event.type === 'ProcessVoided') await this.loadConsumedPaths(t, event.event.data.inputs.map((i) => i.batchId));
      },
      fold: (event) => this.fold(event),
    });
    await this.writeRows(tx);
  }

  private async loadConsumedPaths(tx: ReadTx, batchIds: readonly string[]): Promise<void> {
    const rows = await municipalFlowsDb(tx).selectFrom('municipal_flows_paths').selectAll().where('batch_id', 'in', [...batchIds]).where('state', '=', 'consumed').execute();
    for (const row of rows) this.paths.set(row.batch_id, pathsFromJson(row.paths));
  }

  private async writeRows(tx: ReadTx): Promise<void> {
    for (const flow of this.dirtyFlows) {
      const grams = this.flows.get(flow) ?? 0n;
      // flow = kommune:<code>|<month>|<collector>|<sorter>|<grade>|<bucket>
      const parts = flow.split('|');
      const cohort = `${parts[0]}|${parts[1]}`;
      const { originKey, month } = parseCohortKey(cohort);
      this.flowRows.put(flow, {
        flow,
        kommune_code: originKey.slice(KOMMUNE_PREFIX.length),
        month,
        quarter: quarterOfMonth(month),
        year: month.slice(0, 4),
        collector_org_id: parts[2] ?? '',
        sorter_org_id: parts[3] ?? '',
        grade: parts[4] ?? NOT_SORTED,
        bucket: parts[5] ?? '',
        grams: gramsText(grams),
      });
    }
    this.dirtyFlows.clear();
    for (const [batchId, { state, paths }] of this.dirtyPaths) {
      this.pathRows.put(batchId, { batch_id: batchId, state, paths: pathsToJson(paths) });
      // Only open batches can still change; a consumed one comes back only for a void.
      if (state !== 'open') this.paths.delete(batchId);
    }
    this.dirtyPaths.clear();
    await this.flowRows.flush(tx);
    await this.pathRows.flush(tx);
    await this.store.flush(tx);
    await this.gate.flush(tx);
  }

  /** In-memory flows, for invariant checks: `cohort|collector|sorter|grade|bucket` → grams. */
  snapshot(): Map<string, bigint> {
    return new Map([...this.flows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
