import { BUCKET_LABELS, BUCKETS } from '../circularity/circularity.projection.js';
import { csvField } from '../municipal-report/municipal-report.queries.js';
import { gramsToTonnes, type ProgrammeImpactReport } from './programme-impact.queries.js';

const HEADER = ['programme_id', 'value_chain_id', 'from', 'to', 'measure', 'key', 'name', 'grams', 'tonnes', 'factor_set_id', 'kg_co2e_per_kg', 'tonnes_co2e'];

type Cell = string | number | null;

/**
 * The impact report as RFC 4180 CSV in long format, one figure per line, as the municipal report
 * writes its own: waste used as raw material (total, by origin, by organisation), reuse, CO2e per
 * route and per factor set, organisations and SMEs, the circularity buckets, and the catalogue's deals
 * (classic symbiosis and via the market: deals, matched and traded). Tonnes stay exact
 * decimal text; an unknown CO2e is an empty cell, never 0.
 */
export function programmeImpactCsv(report: ProgrammeImpactReport): string {
  const base = [report.scope.programmeId, report.scope.valueChainId, report.period.from, report.period.to];
  const lines: Cell[][] = [HEADER];
  const line = (measure: string, key: Cell, name: Cell, grams: number | null, co2e: [Cell, Cell, Cell] = [null, null, null]) =>
    lines.push([...base, measure, key, name, grams, grams === null ? null : gramsToTonnes(BigInt(grams)), ...co2e]);
  const used = report.wasteUsedAsRawMaterial;
  line('waste-used-as-raw-material', null, null, used.totalGrams);
  line('waste-used-by-members', null, null, used.memberGrams);
  line('waste-used-tagged-only', null, null, used.taggedOnlyGrams);
  for (const o of used.byOrigin) line('waste-used-by-origin', o.originKey, o.kommuneName ?? o.organisationName, o.grams);
  for (const m of used.byMember) line(m.member ? 'waste-used-by-member' : 'waste-used-by-non-member-tagged', m.organisationId, m.name, m.grams);
  line('reused', null, null, report.reused.grams);
  const co2 = report.avoidedCo2e;
  for (const part of co2.parts) {
    for (const r of part.routes) line(`co2e-avoided-${r.route}`, `${part.from}..${part.to}`, r.source, r.grams, [part.factorSet?.factorSetId ?? null, r.kgCo2ePerKg, r.tonnesCo2e]);
  }
  for (const r of co2.routes) line(`co2e-avoided-${r.route}-total`, co2.basis, null, r.grams, [co2.factorSet?.factorSetId ?? null, r.kgCo2ePerKg, r.tonnesCo2e]);
  line('co2e-avoided-total', co2.basis, null, null, [co2.factorSet?.factorSetId ?? null, null, co2.totalTonnes]);
  line('co2e-avoided-known', co2.basis, null, null, [co2.factorSet?.factorSetId ?? null, null, co2.knownTonnes]);
  line('organisations', String(report.organisations.count), null, null);
  for (const m of report.organisations.members) line(`member-${m.smeStatus === 'unknown' ? 'unknown-size' : m.smeStatus}`, m.organisationId, m.name, null);
  line('smes', String(report.smes.count), null, null);
  line('unknown-size', String(report.smes.unknownSize), null, null);
  line('circularity-collected', null, null, report.circularity.collectedGrams);
  for (const b of BUCKETS) line(`circularity-${BUCKET_LABELS[b]}`, null, null, report.circularity.buckets[b]);
  // The deal count is the key, as for organisations; matched and traded are weighed apart.
  for (const [kind, f] of [['classic', report.symbiosis.classic], ['via-market', report.symbiosis.viaMarket]] as const) {
    line(`symbiosis-${kind}-deals`, String(f.deals), null, null);
    line(`symbiosis-${kind}-matched`, String(f.matchedDeals), null, f.matchedGrams);
    line(`symbiosis-${kind}-traded`, String(f.tradedDeals), null, f.tradedGrams);
  }
  line('symbiosis-recurring-matched', String(report.symbiosis.recurring.matchedDeals), null, null);
  return lines.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}
