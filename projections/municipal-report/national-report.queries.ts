import { KOMMUNER } from '#domain';
import { BUCKET_LABELS, BUCKETS, type Bucket } from '../circularity/circularity.projection.js';
import { circularityRates } from '../circularity/circularity.queries.js';
import { gramsFigure, gramsToKg } from '../provenance/projection-support.js';
import type { ReadDb } from '../runner/projection.js';
import { csvField, municipalReport, type MassFigure, type MunicipalReport } from './municipal-report.queries.js';

/** One kommune's line of the national view: its municipal report for the year, in the figures a country reports. */
export interface NationalKommuneRow {
  kommuneCode: string;
  kommuneName: string;
  /** Separately collected textiles: the municipal report's `collected`. */
  collected: MassFigure & { batches: number };
  /** Prepared for re-use: the `reuse` bucket. */
  preparedForReuse: MassFigure;
  /** Recycled: `recycledTextile` + `recycledOther`. */
  recycled: MassFigure;
  /** The municipal report's circularity for the same year, bucket by bucket. */
  circularity: MunicipalReport['circularity'];
}

export interface NationalReport {
  year: number;
  period: string;
  /** All 98 kommuner of the reference data, in code order; one that collected nothing has zeros. */
  kommuner: NationalKommuneRow[];
  /** Σ of the rows, exactly; rates over the country's totals. */
  total: Omit<NationalKommuneRow, 'kommuneCode' | 'kommuneName'>;
}

function figure(grams: bigint): MassFigure {
  return { grams: gramsFigure(grams), kg: gramsToKg(grams) };
}

const KOMMUNER_BY_CODE = [...KOMMUNER].sort((a, b) => a.code.localeCompare(b.code));

/**
 * The national view for one calendar year: each kommune's municipal report reduced to the figures a
 * country reports on textiles (separately collected, prepared for re-use, recycled) and the other
 * buckets, and the country's totals summed in bigint, so the totals equal the sum of the municipal
 * reports to the gram.
 */
export async function nationalReport(db: ReadDb, year: number): Promise<NationalReport> {
  const kommuner: NationalKommuneRow[] = [];
  let collected = 0n;
  let batches = 0;
  let circCollected = 0n;
  const totals = Object.fromEntries(BUCKETS.map((b) => [b, 0n])) as Record<Bucket, bigint>;
  for (const { code, name } of KOMMUNER_BY_CODE) {
    const report = await municipalReport(db, code, year);
    const bucket = (b: Bucket): bigint => BigInt(report.circularity.buckets[b].grams);
    kommuner.push({
      kommuneCode: code,
      kommuneName: name,
      collected: report.collected,
      preparedForReuse: report.circularity.buckets.reuse,
      recycled: figure(bucket('recycledTextile') + bucket('recycledOther')),
      circularity: report.circularity,
    });
    collected += BigInt(report.collected.grams);
    batches += report.collected.batches;
    circCollected += BigInt(report.circularity.collected.grams);
    for (const b of BUCKETS) totals[b] += bucket(b);
  }
  const buckets = Object.fromEntries(BUCKETS.map((b) => [b, figure(totals[b])])) as Record<Bucket, MassFigure>;
  return {
    year,
    period: String(year).padStart(4, '0'),
    kommuner,
    total: {
      collected: { ...figure(collected), batches },
      preparedForReuse: buckets.reuse,
      recycled: figure(totals.recycledTextile + totals.recycledOther),
      circularity: { collected: figure(circCollected), buckets, rates: circularityRates(circCollected, totals) },
    },
  };
}

const NATIONAL_CSV_HEADER = ['kommune_code', 'kommune_name', 'period', 'collected_batches', 'collected_grams', 'prepared_for_reuse_grams', 'recycled_grams', ...BUCKETS.map((b) => `${BUCKET_LABELS[b]}_grams`), 'circularity_rate', 'fibre_to_fibre_rate', 'resolved_rate'];

/** The national view as RFC 4180 CSV, wide: one line per kommune, then `total` (kommune_code `DK`). */
export function nationalReportCsv(report: NationalReport): string {
  const lines: Array<Array<string | number | null>> = [NATIONAL_CSV_HEADER];
  const line = (code: string, name: string, row: NationalReport['total']): void => {
    const r = row.circularity.rates;
    lines.push([code, name, report.period, row.collected.batches, row.collected.grams, row.preparedForReuse.grams, row.recycled.grams, ...BUCKETS.map((b) => row.circularity.buckets[b].grams), r.circularity, r.fibreToFibre, r.resolved]);
  };
  for (const k of report.kommuner) line(k.kommuneCode, k.kommuneName, k);
  line('DK', 'total', report.total);
  return lines.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}
