import { sql } from 'kysely';
import { EWC_CODES, kommuneName, type EwcCodeValue } from '#domain';
import { BUCKET_LABELS, BUCKETS, type Bucket } from '../circularity/circularity.projection.js';
import { circularity, circularityRates, type RateName } from '../circularity/circularity.queries.js';
import { gramsFigure, gramsToKg, toBigIntValue } from '../provenance/projection-support.js';
import type { ReadDb } from '../runner/projection.js';
import { municipalFlows } from '../municipal-flows/municipal-flows.queries.js';
import { municipalReportDb } from './municipal-report.projection.js';
import { RATE_DEFINITIONS } from './rate-definitions.js';

export interface MassFigure {
  grams: number;
  /** kg with exactly three decimals, as a string so no float rounds it. */
  kg: string;
}

export interface CollectedLine extends MassFigure {
  ewcCode: string;
  ewcDescription: string | null;
  collectionScheme: string;
  batches: number;
}

export interface MunicipalReport {
  kommuneCode: string;
  kommuneName: string | null;
  year: number;
  quarter: number | null;
  /** `YYYY` or `YYYY-Qn`. */
  period: string;
  /** Months are Europe/Copenhagen local time, as everywhere in the ledger's reports. */
  collected: MassFigure & { batches: number };
  byEwcAndScheme: CollectedLine[];
  circularity: {
    collected: MassFigure;
    buckets: Record<Bucket, MassFigure>;
    rates: Record<RateName, number | null>;
  };
  /** The collectors the period's collections name, with their exact grams; Σ = collected (decision 036). */
  collectors: Array<MassFigure & { collectorOrgId: string }>;
  /** The organisations that first sorted the grams (decision 036's first sorter), exact; with notSorted, Σ = collected. */
  receivers: Array<MassFigure & { receiverOrgId: string }>;
  /** Grams no sorting has taken in, yet or ever. */
  notSorted: MassFigure;
  /** Each rate's definition under its key (docs/decisions/040-municipal-and-national-reports.md). */
  rateDefinitions: Readonly<Record<RateName, string>>;
}

function figure(grams: bigint): MassFigure {
  return { grams: gramsFigure(grams), kg: gramsToKg(grams) };
}

/**
 * Collected kg and batch counts by EWC code × collection scheme for one kommune and year (or
 * quarter), with that kommune's circularity buckets for the same period from the circularity tables.
 */
export async function municipalReport(db: ReadDb, kommuneCode: string, year: number, quarter?: number): Promise<MunicipalReport> {
  // Any year a month key can hold (decision 021): a store may hold collections dated 0999.
  if (!Number.isInteger(year) || year < 0 || year > 9999) throw new RangeError(`year must be 0–9999, got ${year}`);
  if (quarter !== undefined && (!Number.isInteger(quarter) || quarter < 1 || quarter > 4)) {
    throw new RangeError(`quarter must be 1–4, got ${quarter}`);
  }
  const yyyy = String(year).padStart(4, '0');
  const period = quarter === undefined ? yyyy : `${yyyy}-Q${quarter}`;

  let select = municipalReportDb(db)
    .selectFrom('municipal_report_batches')
    .select((eb) => [
      'ewc_code',
      'collection_scheme',
      // As text: a sum of safe-integer masses may pass 2^53, which neither driver returns exactly as a number (decision 021).
      sql<string>`cast(sum(mass_grams) as text)`.as('grams'),
      eb.fn.countAll<number | string | bigint>().as('batches'),
    ])
    .where('kommune_code', '=', kommuneCode);
  select = quarter === undefined ? select.where('year', '=', period) : select.where('quarter', '=', period);
  const rows = await select.groupBy(['ewc_code', 'collection_scheme']).orderBy('ewc_code').orderBy('collection_scheme').execute();

  let totalGrams = 0n;
  let totalBatches = 0n;
  const byEwcAndScheme = rows.map((row): CollectedLine => {
    const grams = toBigIntValue(row.grams);
    const batches = toBigIntValue(row.batches);
    totalGrams += grams;
    totalBatches += batches;
    return {
      ewcCode: row.ewc_code,
      ewcDescription: Object.prototype.hasOwnProperty.call(EWC_CODES, row.ewc_code) ? EWC_CODES[row.ewc_code as EwcCodeValue] : null,
      collectionScheme: row.collection_scheme,
      batches: Number(batches),
      ...figure(grams),
    };
  });

  const [circ] = await circularity(db, { kommuneCode, period: quarter === undefined ? 'year' : 'quarter', from: period, to: period });
  const bucketGrams = {} as Record<Bucket, bigint>;
  for (const b of BUCKETS) bucketGrams[b] = BigInt(circ?.buckets[b] ?? 0);
  const circCollected = BigInt(circ?.collectedGrams ?? 0);
  const buckets = {} as Record<Bucket, MassFigure>;
  for (const b of BUCKETS) buckets[b] = figure(bucketGrams[b]);

  // The same cohorts (kommune × collection month) as above: each list sums to what was collected.
  const flows = await municipalFlows(db, kommuneCode, year, quarter);
  const byReceiver = new Map<string, bigint>();
  let notSorted = 0n;
  for (const flow of flows.sorters) {
    if (flow.sorterOrgId === null) notSorted += BigInt(flow.grams);
    else byReceiver.set(flow.sorterOrgId, (byReceiver.get(flow.sorterOrgId) ?? 0n) + BigInt(flow.grams));
  }

  return {
    kommuneCode,
    kommuneName: kommuneName(kommuneCode) ?? null,
    year,
    quarter: quarter ?? null,
    period,
    collected: { ...figure(totalGrams), batches: Number(totalBatches) },
    byEwcAndScheme,
    circularity: {
      collected: figure(circCollected),
      buckets,
      rates: circularityRates(circCollected, bucketGrams),
    },
    collectors: flows.collectors.map((c) => ({ collectorOrgId: c.collectorOrgId, ...figure(BigInt(c.grams)) })),
    receivers: [...byReceiver].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([receiverOrgId, grams]) => ({ receiverOrgId, ...figure(grams) })),
    notSorted: figure(notSorted),
    rateDefinitions: RATE_DEFINITIONS,
  };
}

const CSV_HEADER = ['kommune_code', 'period', 'measure', 'ewc_code', 'collection_scheme', 'batches', 'grams', 'kg', 'rate'];

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** An organisation the kommune's collected grams went through, with its name (decision 034) and exact grams. */
export interface MunicipalParty {
  organisationId: string | null;
  organisationName: string | null;
  grams: number;
}

/** Who handled the period's collection: collectors, first sorters (receivers) and what no one sorted (decision 036). */
export interface MunicipalParties {
  collectors: MunicipalParty[];
  receivers: MunicipalParty[];
  notSortedGrams: number;
  definitions: Readonly<Record<RateName, string>>;
}

function reportLines(report: MunicipalReport, parties?: MunicipalParties): Array<Array<string | number | null>> {
  const named = parties !== undefined;
  const extra = (organisationId: string | null = null, organisationName: string | null = null, definition: string | null = null): Array<string | null> =>
    named ? [organisationId, organisationName, definition] : [];
  const define = (rate: RateName): string | null => parties?.definitions[rate] ?? null;
  const lines: Array<Array<string | number | null>> = [[...CSV_HEADER, ...(named ? ['organisation_id', 'organisation_name', 'definition'] : [])]];
  const base = [report.kommuneCode, report.period];
  for (const line of report.byEwcAndScheme) {
    lines.push([...base, 'collected', line.ewcCode, line.collectionScheme, line.batches, line.grams, line.kg, null, ...extra()]);
  }
  lines.push([...base, 'collected-total', null, null, report.collected.batches, report.collected.grams, report.collected.kg, null, ...extra()]);
  for (const b of BUCKETS) {
    const f = report.circularity.buckets[b];
    lines.push([...base, BUCKET_LABELS[b], null, null, null, f.grams, f.kg, report.circularity.rates[b], ...extra(null, null, define(b))]);
  }
  lines.push([...base, 'circularity', null, null, null, null, null, report.circularity.rates.circularity, ...extra(null, null, define('circularity'))]);
  lines.push([...base, 'fibre-to-fibre', null, null, null, null, null, report.circularity.rates.fibreToFibre, ...extra(null, null, define('fibreToFibre'))]);
  lines.push([...base, 'resolved', null, null, null, null, null, report.circularity.rates.resolved, ...extra(null, null, define('resolved'))]);
  if (parties) {
    for (const c of parties.collectors) lines.push([...base, 'collector', null, null, null, c.grams, gramsToKg(c.grams), null, ...extra(c.organisationId, c.organisationName)]);
    for (const r of parties.receivers) lines.push([...base, 'receiver', null, null, null, r.grams, gramsToKg(r.grams), null, ...extra(r.organisationId, r.organisationName)]);
    lines.push([...base, 'not-sorted', null, null, null, parties.notSortedGrams, gramsToKg(parties.notSortedGrams), null, ...extra()]);
  }
  return lines;
}

const toCsv = (lines: Array<Array<string | number | null>>): string => lines.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';

/**
 * The same report as RFC 4180 CSV in long format, one measure per line: `collected` per EWC code ×
 * scheme, `collected-total`, one line per circularity bucket (with its rate), then the headline rates.
 */
export async function municipalReportCsv(db: ReadDb, kommuneCode: string, year: number, quarter?: number): Promise<string> {
  return toCsv(reportLines(await municipalReport(db, kommuneCode, year, quarter)));
}

/**
 * The report's CSV with the parties (docs/decisions/040-municipal-and-national-reports.md): the same
 * lines, three more columns (`organisation_id`, `organisation_name`, `definition`: each rate's
 * definition on its line), then one `collector` and one `receiver` line per organisation and a
 * `not-sorted` line. The columns are appended, so a reader of the first nine reads what it read before.
 */
export function municipalReportCsvWithParties(report: MunicipalReport, parties: MunicipalParties): string {
  return toCsv(reportLines(report, parties));
}
