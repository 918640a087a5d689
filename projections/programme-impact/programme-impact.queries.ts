import { formatDecimal, kommuneName, setInForceOn } from '#domain';
import { BUCKETS, BUCKET_COLUMNS, type Bucket } from '../circularity/circularity.projection.js';
import type { EmissionFactorSetView } from '../emission-factors/emission-factors.queries.js';
import type { OrganisationTables } from '../organisations/organisations.projection.js';
import { programmeMembers, type ProgrammeView } from '../programmes/programmes.queries.js';
import type { MembershipRow, ProgrammeTables } from '../programmes/programmes.projection.js';
import { gramsFigure, toBigIntValue } from '../provenance/projection-support.js';
import type { ReadDb } from '../runner/projection.js';
import { programmeImpactDb } from './programme-impact.projection.js';
import { programmeSymbiosis, type ProgrammeSymbiosis } from './programme-symbiosis.queries.js';

export type OriginClass = 'kommune' | 'pre-consumer' | 'post-consumer-business';

export interface FactorSetRef {
  factorSetId: string;
  validFrom: string;
}

export interface RouteUnderSet {
  route: string;
  grams: number;
  kgCo2ePerKg: string | null;
  source: string | null;
  tonnesCo2e: string | null;
  known: boolean;
}

export interface ProgrammeImpactReport {
  scope: { programmeId: string; programmeName: string; programmeTag: string | null; valueChainId: string | null; valueChainName: string | null };
  period: { from: string; to: string };
  wasteUsedAsRawMaterial: {
    totalGrams: number;
    totalTonnes: string;
    memberGrams: number;
    taggedOnlyGrams: number;
    byOrigin: Array<{
      originKey: string;
      originClass: OriginClass;
      kommuneCode: string | null;
      kommuneName: string | null;
      organisationId: string | null;
      organisationName: string | null;
      grams: number;
      tonnes: string;
    }>;
    byMember: Array<{ organisationId: string; name: string | null; member: boolean; grams: number; tonnes: string }>;
  };
  reused: { grams: number; tonnes: string };
  avoidedCo2e: {
    basis: 'in-force-on-event-date' | 'named-set';
    factorSet: FactorSetRef | null;
    routes: RouteUnderSet[];
    parts: Array<{ factorSet: FactorSetRef | null; from: string; to: string; routes: RouteUnderSet[] }>;
    totalTonnes: string | null;
    knownTonnes: string;
  };
  organisations: { count: number; members: Array<{ organisationId: string; name: string | null; smeStatus: 'sme' | 'not-sme' | 'unknown' }> };
  smes: { count: number; organisations: Array<{ organisationId: string; name: string | null }>; unknownSize: number };
  circularity: { collectedGrams: number; buckets: Record<Bucket, number> };
  /** The symbiosis catalogue's deals the scope's members took part in: matched and traded, classic or via the market. */
  symbiosis: ProgrammeSymbiosis;
}

export interface ProgrammeImpactQuery {
  programme: ProgrammeView;
  /** One of the programme's value chains; the whole programme without it. */
  valueChainId?: string;
  /** Inclusive Copenhagen days, YYYY-MM-DD. */
  from: string;
  to: string;
  /**
   * Every event under this one set (to reproduce a report under a past set); without it, each event
   * under the set in force on its day, chosen from `factorSets`.
   */
  factorSet?: EmissionFactorSetView;
  factorSets: readonly EmissionFactorSetView[];
}

/** Tonnes of grams, exactly: grams / 10^6 written out in full. */
export function gramsToTonnes(grams: bigint): string {
  return formatDecimal(grams, 6);
}

/** CO2e is summed in units of 10^-12 t: a factor has at most 6 decimals and grams→tonnes adds 6 more. */
const CO2E_SCALE = 12;

function factorUnits(kgCo2ePerKg: string): bigint {
  const negative = kgCo2ePerKg.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? kgCo2ePerKg.slice(1) : kgCo2ePerKg).split('.');
  // kg CO2e per kg = t CO2e per t; grams × factor / 10^6 is tonnes, so the factor at 10^-6 is the unit.
  const units = BigInt(`${whole}${fraction.padEnd(CO2E_SCALE - 6, '0')}`);
  return negative ? -units : units;
}

const ROUTES = ['recycling', 'reuse'] as const;
type Route = (typeof ROUTES)[number];

interface Membership {
  from: string;
  until: string | null;
}

/** Who was a member of the scope on which days: the rows of the programmes read model. */
async function membershipsOf(db: ReadDb, programmeId: string, valueChainId: string | undefined): Promise<Map<string, Membership[]>> {
  let select = db.withTables<ProgrammeTables>().selectFrom('programmes_membership').selectAll().where('programme_id', '=', programmeId);
  if (valueChainId !== undefined) select = select.where('value_chain_id', '=', valueChainId);
  const out = new Map<string, Membership[]>();
  for (const row of (await select.orderBy('added_position').execute()) as MembershipRow[]) {
    out.set(row.organisation_id, [...(out.get(row.organisation_id) ?? []), { from: row.member_from, until: row.member_until }]);
  }
  return out;
}

async function namesOf(db: ReadDb, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let start = 0; start < ids.length; start += 500) {
    const found = await db
      .withTables<OrganisationTables>()
      .selectFrom('organisations_organisation')
      .select(['organisation_id', 'name'])
      .where('organisation_id', 'in', ids.slice(start, start + 500))
      .execute();
    for (const f of found) names.set(f.organisation_id, f.name);
  }
  return names;
}

function originClassOf(originKey: string): OriginClass {
  if (originKey.startsWith('kommune:')) return 'kommune';
  return originKey.startsWith('pre-consumer:') ? 'pre-consumer' : 'post-consumer-business';
}

interface Counted {
  day: string;
  grams: bigint;
}

/**
 * The impact figures of a programme, or of one value chain, over inclusive days
 * (docs/decisions/043-programme-impact.md). A row counts when the organisation it is attributed to was
 * a member of the scope on its day, or, for a programme with a tag, when its material was tagged with
 * that tag at origin. Grams are summed as BigInt; tonnes are exact decimal strings.
 */
export async function programmeImpact(db: ReadDb, query: ProgrammeImpactQuery): Promise<ProgrammeImpactReport> {
  const { programme, from, to } = query;
  const chain = query.valueChainId === undefined ? undefined : programme.valueChains.find((c) => c.valueChainId === query.valueChainId);
  // A tag names a programme, not a value chain: a chain's figures are its members' alone.
  const tag = chain === undefined ? programme.tag : null;
  const memberships = await membershipsOf(db, programme.programmeId, query.valueChainId);
  const isMember = (organisationId: string, day: string): boolean =>
    (memberships.get(organisationId) ?? []).some((m) => m.from <= day && (m.until === null || day < m.until));
  const isTagged = (tags: string): boolean => tag !== null && tags.split(',').includes(tag);

  // Only the rows a scope can count are read: its members' (by organisation, in chunks) and, for a
  // programme with a tag, the tagged ones (LIKE narrows; isTagged decides exactly). A ledger's year
  // holds every organisation's rows, most of them in no programme.
  const impact = programmeImpactDb(db);
  const memberIds = [...memberships.keys()].sort();
  const chunks = Array.from({ length: Math.ceil(memberIds.length / 500) }, (_, i) => memberIds.slice(i * 500, i * 500 + 500));
  const like = tag === null ? null : `%${tag}%`;
  const scoped = async <R extends { tags: string }>(read: (filter: { orgs?: string[]; like?: string }) => Promise<R[]>, key: (row: R) => string): Promise<R[]> => {
    const rows = new Map<string, R>();
    for (const orgs of chunks) for (const row of await read({ orgs })) rows.set(key(row), row);
    if (like !== null) for (const row of await read({ like })) rows.set(key(row), row);
    return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  };
  const usedRows = await scoped(
    ({ orgs, like: l }) => {
      const q = impact.selectFrom('programme_impact_used').selectAll().where('day', '>=', from).where('day', '<=', to);
      return (orgs ? q.where('organisation_id', 'in', orgs) : q.where('tags', 'like', l ?? '')).execute();
    },
    (r) => r.id,
  );
  const reusedRows = await scoped(
    ({ orgs, like: l }) => {
      const q = impact.selectFrom('programme_impact_reused').selectAll().where('day', '>=', from).where('day', '<=', to);
      return (orgs ? q.where('organisation_id', 'in', orgs) : q.where('tags', 'like', l ?? '')).execute();
    },
    (r) => r.id,
  );
  const originRows = await scoped(
    ({ orgs, like: l }) => {
      const q = impact.selectFrom('programme_impact_origins').selectAll().where('origin_day', '>=', from).where('origin_day', '<=', to);
      return (orgs ? q.where('origin_org_id', 'in', orgs) : q.where('tags', 'like', l ?? '')).execute();
    },
    (r) => r.cohort,
  );

  let total = 0n;
  let memberGrams = 0n;
  const byOrigin = new Map<string, bigint>();
  const byOrganisation = new Map<string, { grams: bigint; member: boolean }>();
  const used: Counted[] = [];
  for (const row of usedRows) {
    const member = isMember(row.organisation_id, row.day);
    if (!member && !isTagged(row.tags)) continue;
    const grams = toBigIntValue(row.grams);
    total += grams;
    if (member) memberGrams += grams;
    byOrigin.set(row.origin_key, (byOrigin.get(row.origin_key) ?? 0n) + grams);
    const org = byOrganisation.get(row.organisation_id) ?? { grams: 0n, member: false };
    byOrganisation.set(row.organisation_id, { grams: org.grams + grams, member: org.member || member });
    used.push({ day: row.day, grams });
  }
  const reused: Counted[] = [];
  let reusedTotal = 0n;
  for (const row of reusedRows) {
    if (!isMember(row.organisation_id, row.day) && !isTagged(row.tags)) continue;
    const grams = toBigIntValue(row.grams);
    reusedTotal += grams;
    reused.push({ day: row.day, grams });
  }
  const buckets = Object.fromEntries(BUCKETS.map((b) => [b, 0n])) as Record<Bucket, bigint>;
  let collected = 0n;
  for (const row of originRows) {
    if (!isMember(row.origin_org_id, row.origin_day) && !isTagged(row.tags)) continue;
    collected += toBigIntValue(row.collected_grams);
    for (const b of BUCKETS) buckets[b] += toBigIntValue(row[BUCKET_COLUMNS[b]]);
  }

  const members = await programmeMembers(db, { programmeId: programme.programmeId, from, to, ...(query.valueChainId !== undefined ? { valueChainId: query.valueChainId } : {}) });
  const originOrgIds = [...byOrigin.keys()].filter((k) => originClassOf(k) !== 'kommune').map((k) => k.slice(k.indexOf(':') + 1));
  const names = await namesOf(db, [...new Set([...byOrganisation.keys(), ...originOrgIds])].sort());
  // Deals count by membership alone: a programme tag marks material at origin, not who traded it.
  const symbiosis = await programmeSymbiosis(db, { memberIds, isMember, from, to });

  return {
    scope: {
      programmeId: programme.programmeId,
      programmeName: programme.name,
      programmeTag: programme.tag,
      valueChainId: chain?.valueChainId ?? null,
      valueChainName: chain?.name ?? null,
    },
    period: { from, to },
    wasteUsedAsRawMaterial: {
      totalGrams: gramsFigure(total),
      totalTonnes: gramsToTonnes(total),
      memberGrams: gramsFigure(memberGrams),
      taggedOnlyGrams: gramsFigure(total - memberGrams),
      byOrigin: [...byOrigin.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([originKey, grams]) => {
          const originClass = originClassOf(originKey);
          const rest = originKey.slice(originKey.indexOf(':') + 1);
          const kommune = originClass === 'kommune';
          return {
            originKey,
            originClass,
            kommuneCode: kommune ? rest : null,
            kommuneName: kommune ? (kommuneName(rest) ?? null) : null,
            organisationId: kommune ? null : rest,
            organisationName: kommune ? null : (names.get(rest) ?? null),
            grams: gramsFigure(grams),
            tonnes: gramsToTonnes(grams),
          };
        }),
      byMember: [...byOrganisation.entries()]
        .map(([organisationId, o]) => ({ organisationId, name: names.get(organisationId) ?? null, member: o.member, grams: gramsFigure(o.grams), tonnes: gramsToTonnes(o.grams) }))
        .sort((a, b) => (a.grams === b.grams ? a.organisationId.localeCompare(b.organisationId) : b.grams - a.grams)),
    },
    reused: { grams: gramsFigure(reusedTotal), tonnes: gramsToTonnes(reusedTotal) },
    avoidedCo2e: avoided(query, used, reused),
    organisations: {
      count: members.counts.organisations,
      members: members.members.map((m) => ({ organisationId: m.organisationId, name: m.name, smeStatus: m.smeStatus })),
    },
    smes: {
      count: members.counts.smes,
      organisations: members.members.filter((m) => m.smeStatus === 'sme').map((m) => ({ organisationId: m.organisationId, name: m.name })),
      unknownSize: members.counts.unknown,
    },
    circularity: {
      collectedGrams: gramsFigure(collected),
      buckets: Object.fromEntries(BUCKETS.map((b) => [b, gramsFigure(buckets[b])])) as Record<Bucket, number>,
    },
    symbiosis,
  };
}

interface Part {
  set: EmissionFactorSetView | undefined;
  from: string;
  to: string;
  grams: Record<Route, bigint>;
}

function routeUnder(set: EmissionFactorSetView | undefined, route: Route, grams: bigint): RouteUnderSet & { units: bigint | null } {
  const factor = set?.factors.find((f) => f.route === route);
  const kgCo2ePerKg = factor?.kgCo2eAvoidedPerKg ?? null;
  // A route with grams and no factor is unknown, never zero; no grams credit nothing under any factor.
  const units = kgCo2ePerKg !== null ? grams * factorUnits(kgCo2ePerKg) : grams === 0n ? 0n : null;
  return {
    route,
    grams: gramsFigure(grams),
    kgCo2ePerKg,
    source: factor?.source ?? null,
    tonnesCo2e: units === null ? null : formatDecimal(units, CO2E_SCALE),
    known: units !== null,
    units,
  };
}

function avoided(query: ProgrammeImpactQuery, used: readonly Counted[], reused: readonly Counted[]): ProgrammeImpactReport['avoidedCo2e'] {
  const named = query.factorSet;
  const setOn = new Map<string, EmissionFactorSetView | undefined>();
  const setFor = (day: string): EmissionFactorSetView | undefined => {
    if (named) return named;
    if (!setOn.has(day)) setOn.set(day, setInForceOn(query.factorSets, day));
    return setOn.get(day);
  };
  const parts = new Map<string, Part>();
  const book = (route: Route, rows: readonly Counted[]) => {
    for (const row of rows) {
      const set = setFor(row.day);
      const key = set?.factorSetId ?? '';
      const part = parts.get(key) ?? { set, from: row.day, to: row.day, grams: { recycling: 0n, reuse: 0n } };
      part.grams[route] += row.grams;
      if (row.day < part.from) part.from = row.day;
      if (row.day > part.to) part.to = row.day;
      parts.set(key, part);
    }
  };
  book('recycling', used);
  book('reuse', reused);
  const ordered = [...parts.values()].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const ref = (set: EmissionFactorSetView | undefined): FactorSetRef | null => (set ? { factorSetId: set.factorSetId, validFrom: set.validFrom } : null);
  const single = named ?? (ordered.length === 1 ? ordered[0]?.set : undefined);
  const oneSet = named !== undefined || ordered.length === 1;

  const partAnswers = ordered.map((part) => ({ part, routes: ROUTES.map((route) => routeUnder(part.set, route, part.grams[route])) }));
  let knownUnits = 0n;
  let allKnown = true;
  const routes = ROUTES.map((route): RouteUnderSet => {
    let grams = 0n;
    let units: bigint | null = 0n;
    for (const { routes: rs } of partAnswers) {
      const r = rs.find((x) => x.route === route);
      if (!r) continue;
      grams += BigInt(r.grams);
      if (r.units === null) units = null;
      else if (units !== null) units += r.units;
      if (r.units !== null) knownUnits += r.units;
    }
    if (units === null) allKnown = false;
    const factor = oneSet ? single?.factors.find((f) => f.route === route) : undefined;
    return {
      route,
      grams: gramsFigure(grams),
      kgCo2ePerKg: factor?.kgCo2eAvoidedPerKg ?? null,
      source: factor?.source ?? null,
      tonnesCo2e: units === null ? null : formatDecimal(units, CO2E_SCALE),
      known: units !== null,
    };
  });
  return {
    basis: named ? 'named-set' : 'in-force-on-event-date',
    factorSet: oneSet ? ref(single) : null,
    routes,
    parts: partAnswers.map(({ part, routes: rs }) => ({
      factorSet: ref(part.set),
      from: part.from,
      to: part.to,
      routes: rs.map(({ units: _units, ...r }) => r),
    })),
    totalTonnes: allKnown ? formatDecimal(knownUnits, CO2E_SCALE) : null,
    knownTonnes: formatDecimal(knownUnits, CO2E_SCALE),
  };
}

