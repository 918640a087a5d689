import { BaseProjection } from '../runner/base-projection.js';
import type { ProjectedEvent, ReadDb, ReadTx } from '../runner/projection.js';
import { insertIgnoreRows, textType, utcInstant, type SqlRow, type TableDef } from '../runner/sql-rows.js';

/**
 * Emission factor sets and their factors (docs/decisions/042-emission-factors-as-data.md). A set is
 * published once and never changes, so rows are only ever inserted; the first publication of a set
 * id wins, should a log ever hold two.
 *
 * - `emission_factor_set`: one row per set, with the date it is valid from.
 * - `emission_factor`: one row per route of a set; the factor is the exact decimal string of the
 *   event (never a float column), `null` when unknown.
 */
export type EmissionFactorSetRow = {
  factor_set_id: string;
  valid_from: string;
  published_by: string;
  published_at: string;
  position: number;
};

export type EmissionFactorRow = {
  factor_set_id: string;
  ordinal: number;
  route: string;
  kg_co2e_avoided_per_kg: string | null;
  baseline: string;
  source: string;
  note: string;
};

export type EmissionFactorTables = {
  emission_factor_set: EmissionFactorSetRow;
  emission_factor: EmissionFactorRow;
};

export const EMISSION_FACTOR_SET_TABLE: TableDef = {
  name: 'emission_factor_set',
  columns: ['factor_set_id', 'valid_from', 'published_by', 'published_at', 'position'],
  primaryKey: ['factor_set_id'],
};
export const EMISSION_FACTOR_TABLE: TableDef = {
  name: 'emission_factor',
  columns: ['factor_set_id', 'ordinal', 'route', 'kg_co2e_avoided_per_kg', 'baseline', 'source', 'note'],
  primaryKey: ['factor_set_id', 'ordinal'],
};

export class EmissionFactorsProjection extends BaseProjection {
  readonly name = 'emission-factors';
  readonly version = 1;
  readonly tables = [EMISSION_FACTOR_SET_TABLE.name, EMISSION_FACTOR_TABLE.name] as const;
  private sets: SqlRow[] = [];
  private factors: SqlRow[] = [];
  /** Set ids seen in this page, so a second publication in one page does not add its factors to the first. */
  private readonly pending = new Set<string>();

  async migrate(db: ReadDb): Promise<void> {
    const schema = db.withTables<EmissionFactorTables>().schema;
    const text = textType(db);
    await schema
      .createTable(EMISSION_FACTOR_SET_TABLE.name)
      .ifNotExists()
      .addColumn('factor_set_id', text, (c) => c.primaryKey())
      .addColumn('valid_from', text, (c) => c.notNull())
      .addColumn('published_by', text, (c) => c.notNull())
      .addColumn('published_at', text, (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .execute();
    await schema.createIndex('emission_factor_set_valid_from').ifNotExists().on(EMISSION_FACTOR_SET_TABLE.name).columns(['valid_from']).execute();
    await schema
      .createTable(EMISSION_FACTOR_TABLE.name)
      .ifNotExists()
      .addColumn('factor_set_id', text, (c) => c.notNull())
      .addColumn('ordinal', 'integer', (c) => c.notNull())
      .addColumn('route', text, (c) => c.notNull())
      .addColumn('kg_co2e_avoided_per_kg', text)
      .addColumn('baseline', text, (c) => c.notNull())
      .addColumn('source', text, (c) => c.notNull())
      .addColumn('note', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('emission_factor_pk', ['factor_set_id', 'ordinal'])
      .execute();
  }

  protected async loadState(): Promise<void> {
    // Nothing to remember between pages: rows are inserted once and never read back by the fold.
  }

  protected clearState(): void {
    this.sets = [];
    this.factors = [];
    this.pending.clear();
  }

  protected fold(event: ProjectedEvent): void {
    if (event.event.type !== 'EmissionFactorSetPublished') return;
    const e = event.event.data;
    if (this.pending.has(e.factorSetId)) return;
    this.pending.add(e.factorSetId);
    this.sets.push({ factor_set_id: e.factorSetId, valid_from: e.validFrom, published_by: e.publishedBy, published_at: utcInstant(e.occurredAt), position: event.position });
    e.factors.forEach((f, ordinal) => {
      this.factors.push({ factor_set_id: e.factorSetId, ordinal, route: f.route, kg_co2e_avoided_per_kg: f.kgCo2eAvoidedPerKg, baseline: f.baseline, source: f.source, note: f.note });
    });
  }

  async flush(tx: ReadTx): Promise<void> {
    const sets = this.sets;
    const factors = this.factors;
    this.clearState();
    if (sets.length === 0) return;
    // A set already in the table keeps its factors: only sets inserted now bring theirs.
    const existing = new Set(
      (await tx.withTables<EmissionFactorTables>().selectFrom('emission_factor_set').select('factor_set_id').where('factor_set_id', 'in', sets.map((s) => String(s.factor_set_id))).execute()).map((r) => r.factor_set_id),
    );
    const fresh = new Set(sets.map((s) => String(s.factor_set_id)).filter((id) => !existing.has(id)));
    if (fresh.size === 0) return;
    await insertIgnoreRows(tx, EMISSION_FACTOR_SET_TABLE, sets.filter((s) => fresh.has(String(s.factor_set_id))));
    await insertIgnoreRows(tx, EMISSION_FACTOR_TABLE, factors.filter((f) => fresh.has(String(f.factor_set_id))));
  }
}
