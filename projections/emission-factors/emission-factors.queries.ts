import type { ReadDb } from '../runner/projection.js';
import type { EmissionFactorRow, EmissionFactorSetRow, EmissionFactorTables } from './emission-factors.projection.js';

/** One factor of a set, as published: the decimal string exactly, `null` when unknown. */
export interface EmissionFactorView {
  route: string;
  kgCo2eAvoidedPerKg: string | null;
  baseline: string;
  source: string;
  note: string;
}

export interface EmissionFactorSetView {
  factorSetId: string;
  validFrom: string;
  publishedBy: string;
  publishedAt: string;
  position: number;
  factors: EmissionFactorView[];
}

async function withFactors(db: ReadDb, sets: readonly EmissionFactorSetRow[]): Promise<EmissionFactorSetView[]> {
  if (sets.length === 0) return [];
  const rows = await db
    .withTables<EmissionFactorTables>()
    .selectFrom('emission_factor')
    .selectAll()
    .where('factor_set_id', 'in', sets.map((s) => s.factor_set_id))
    .orderBy('factor_set_id')
    .orderBy('ordinal')
    .execute();
  const bySet = new Map<string, EmissionFactorRow[]>();
  for (const row of rows) bySet.set(row.factor_set_id, [...(bySet.get(row.factor_set_id) ?? []), row]);
  return sets.map((set) => ({
    factorSetId: set.factor_set_id,
    validFrom: set.valid_from,
    publishedBy: set.published_by,
    publishedAt: set.published_at,
    position: Number(set.position),
    factors: (bySet.get(set.factor_set_id) ?? []).map((f) => ({ route: f.route, kgCo2eAvoidedPerKg: f.kg_co2e_avoided_per_kg, baseline: f.baseline, source: f.source, note: f.note })),
  }));
}

/** Every published set, the most recent valid from first (ties: the later set id first, as "in force" chooses). */
export async function listEmissionFactorSets(db: ReadDb): Promise<EmissionFactorSetView[]> {
  const sets = await db.withTables<EmissionFactorTables>().selectFrom('emission_factor_set').selectAll().orderBy('valid_from', 'desc').orderBy('factor_set_id', 'desc').execute();
  return withFactors(db, sets);
}

export async function getEmissionFactorSet(db: ReadDb, factorSetId: string): Promise<EmissionFactorSetView | undefined> {
  const set = await db.withTables<EmissionFactorTables>().selectFrom('emission_factor_set').selectAll().where('factor_set_id', '=', factorSetId).executeTakeFirst();
  return set && (await withFactors(db, [set]))[0];
}

/** The set in force on a date (YYYY-MM-DD): the latest valid from on or before it; the domain's `setInForceOn` in SQL. */
export async function emissionFactorSetInForce(db: ReadDb, on: string): Promise<EmissionFactorSetView | undefined> {
  const set = await db
    .withTables<EmissionFactorTables>()
    .selectFrom('emission_factor_set')
    .selectAll()
    .where('valid_from', '<=', on)
    .orderBy('valid_from', 'desc')
    .orderBy('factor_set_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return set && (await withFactors(db, [set]))[0];
}
