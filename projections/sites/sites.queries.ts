import { adsFraction, adsTreatmentCode, kommuneName, type AdsTreatmentCode } from '#domain';
import { sql } from 'kysely';
import type { ReadDb } from '../runner/projection.js';
import type { SiteRow, SiteTables } from './sites.projection.js';

/** A site as the read model holds it; `address` and the position are left out for outsiders (decision 039). */
export interface SiteView {
  siteId: string;
  organisationId: string;
  name: string;
  kommuneCode: string;
  kommuneName: string | null;
  pNumber: string | null;
  open: boolean;
  declaredAt: string;
  closedAt: string | null;
  address?: string;
  latitude?: number | null;
  longitude?: number | null;
}

function toView(row: SiteRow): SiteView {
  return {
    siteId: row.site_id,
    organisationId: row.organisation_id,
    name: row.name,
    kommuneCode: row.kommune_code,
    kommuneName: kommuneName(row.kommune_code) ?? null,
    pNumber: row.p_number,
    open: Number(row.open) === 1,
    declaredAt: row.declared_at,
    closedAt: row.closed_at,
    address: row.address,
    latitude: row.latitude === null ? null : Number(row.latitude),
    longitude: row.longitude === null ? null : Number(row.longitude),
  };
}

/** What anyone may see of a site: enough to find a partner, not where to knock. */
export function publicSiteView(site: SiteView): SiteView {
  const { address: _address, latitude: _latitude, longitude: _longitude, ...rest } = site;
  return rest;
}

/** An organisation's sites in the order they were declared. */
export async function listSites(db: ReadDb, organisationId: string): Promise<SiteView[]> {
  const rows = await db.withTables<SiteTables>().selectFrom('site').selectAll().where('organisation_id', '=', organisationId).orderBy('declared_position').execute();
  return rows.map(toView);
}

export async function getSite(db: ReadDb, siteId: string): Promise<SiteView | undefined> {
  const row = await db.withTables<SiteTables>().selectFrom('site').selectAll().where('site_id', '=', siteId).executeTakeFirst();
  return row && toView(row);
}

/** The site holding a P-number; the first declared, should two have raced past the uniqueness check. */
export async function findSiteByPNumber(db: ReadDb, pNumber: string): Promise<SiteView | undefined> {
  const row = await db.withTables<SiteTables>().selectFrom('site').selectAll().where('p_number', '=', pNumber).orderBy('declared_position').executeTakeFirst();
  return row && toView(row);
}

export const SITE_BALANCE_KINDS = ['collected', 'registered', 'received', 'produced', 'adjustment', 'dispatched', 'consumed', 'outcome'] as const;

export interface SiteBalance {
  siteId: string;
  /** Half-open [from, to) on business time, UTC. */
  period: { from: string; to: string };
  openingGrams: number;
  collectedGrams: number;
  registeredGrams: number;
  receivedGrams: number;
  producedGrams: number;
  adjustmentGrams: number;
  dispatchedGrams: number;
  consumedGrams: number;
  outcomeGrams: number;
  closingGrams: number;
  /** opening + collected + registered + received + produced + adjustment = dispatched + consumed + outcome + closing. */
  balanced: boolean;
}

/** The mass balance of one site over [from, to) (UTC instants). */
export async function siteBalance(db: ReadDb, siteId: string, from: string, to: string): Promise<SiteBalance> {
  const { rows } = await sql<{ kind: string; before: number | null; within: number | null }>`
    select kind,
      sum(case when occurred_at < ${from} then grams else 0 end) as before,
      sum(case when occurred_at >= ${from} then grams else 0 end) as within
    from site_movement
    where site_id = ${siteId} and occurred_at < ${to}
    group by kind`.execute(db);
  const flows = new Map(rows.map((row) => [row.kind, { before: Number(row.before ?? 0), within: Number(row.within ?? 0) }]));
  const within = (kind: string): number => flows.get(kind)?.within ?? 0;
  let openingGrams = 0;
  let closingGrams = 0;
  for (const [, flow] of flows) {
    openingGrams += flow.before;
    closingGrams += flow.before + flow.within;
  }
  const figures = {
    collectedGrams: within('collected'),
    registeredGrams: within('registered'),
    receivedGrams: within('received'),
    producedGrams: within('produced'),
    adjustmentGrams: within('adjustment'),
    dispatchedGrams: 0 - within('dispatched'),
    consumedGrams: 0 - within('consumed'),
    outcomeGrams: 0 - within('outcome'),
  };
  const known = rows.every((row) => (SITE_BALANCE_KINDS as readonly string[]).includes(row.kind));
  const equation =
    openingGrams + figures.collectedGrams + figures.registeredGrams + figures.receivedGrams + figures.producedGrams + figures.adjustmentGrams ===
    figures.dispatchedGrams + figures.consumedGrams + figures.outcomeGrams + closingGrams;
  return { siteId, period: { from, to }, openingGrams, ...figures, closingGrams, balanced: known && equation && Number.isSafeInteger(closingGrams) };
}

export type MeasurementKey = 'weighed' | 'estimated';

export interface AdsRow {
  originKommuneCode: string | null;
  originKommuneName: string | null;
  eakCode: string | null;
  fractionCode: string;
  fraction: string;
  treatmentCode: AdsTreatmentCode;
  measurement: MeasurementKey;
  /** Exact integer grams; `tonnes` is the same mass rounded half up to whole kilograms, as t with three decimals. */
  grams: number;
  tonnes: string;
  batches: number;
}

export interface AdsExport {
  pNumber: string;
  year: number;
  site: SiteView;
  period: { from: string; to: string };
  rows: AdsRow[];
  totals: { grams: number; tonnes: string; batches: number };
  reconciliation: {
    /** The rows hold exactly what the site took in over the year, and the site's balance closes. */
    balanced: boolean;
    rowsGrams: number;
    /** collected + registered + received at the site in the year, from the site's movements. */
    intakeGrams: number;
    differenceGrams: number;
    balance: SiteBalance;
  };
}

/** Grams as tonnes with three decimals: whole kilograms, half up, in integer arithmetic. */
export function tonnesOf(grams: number): string {
  const sign = grams < 0 ? '-' : '';
  const kg = Math.floor((Math.abs(grams) + 500) / 1000);
  return `${sign}${Math.floor(kg / 1000)}.${String(kg % 1000).padStart(3, '0')}`;
}

/** 1 January 00:00 in Copenhagen (always CET, UTC+1) of `year`, as a UTC instant. */
export function copenhagenYearStart(year: number): string {
  return new Date(Date.UTC(year, 0, 1) - 3_600_000).toISOString();
}

/**
 * The ADS-ready annual report of a receiving site: what it took in over the calendar year (in
 * Copenhagen), one row per origin kommune, EAK code, fraction, treatment and measurement method.
 * A batch's treatment is the first thing that became of it at the site before the year ended; one
 * still there at the end of the year is stored (R13). Reconciled against the site's mass balance.
 */
export async function adsExport(db: ReadDb, site: SiteView, year: number): Promise<AdsExport> {
  const from = copenhagenYearStart(year);
  const to = copenhagenYearStart(year + 1);
  const { rows } = await sql<{
    grams: number;
    measurement: string;
    treatment: string | null;
    treated_at: string | null;
    origin_kommune_code: string | null;
    site_kommune_code: string | null;
    ewc_code: string | null;
  }>`
    select i.grams, i.measurement, i.treatment, i.treated_at, b.origin_kommune_code, o.kommune_code as site_kommune_code, b.ewc_code
    from site_intake i
    left join batch_summary_batch b on b.batch_id = i.batch_id
    left join site_batch_origin o on o.batch_id = i.batch_id
    where i.site_id = ${site.siteId} and i.occurred_at >= ${from} and i.occurred_at < ${to}`.execute(db);

  const groups = new Map<string, AdsRow>();
  for (const row of rows) {
    const kommune = row.origin_kommune_code ?? row.site_kommune_code ?? null;
    const fraction = adsFraction(row.ewc_code);
    const treatment = row.treatment !== null && row.treated_at !== null && row.treated_at < to ? row.treatment : 'held';
    const treatmentCode = adsTreatmentCode(treatment);
    const measurement: MeasurementKey = row.measurement === 'estimated' ? 'estimated' : 'weighed';
    const key = [kommune ?? '', row.ewc_code ?? '', fraction.code, treatmentCode, measurement].join('|');
    const group = groups.get(key) ?? {
      originKommuneCode: kommune,
      originKommuneName: kommune === null ? null : (kommuneName(kommune) ?? null),
      eakCode: row.ewc_code,
      fractionCode: fraction.code,
      fraction: fraction.name,
      treatmentCode,
      measurement,
      grams: 0,
      tonnes: '0.000',
      batches: 0,
    };
    group.grams += Number(row.grams);
    group.batches += 1;
    groups.set(key, group);
  }
  const adsRows = [...groups.values()]
    .map((row) => ({ ...row, tonnes: tonnesOf(row.grams) }))
    .sort(
      (a, b) =>
        (a.originKommuneCode ?? '~').localeCompare(b.originKommuneCode ?? '~') ||
        (a.eakCode ?? '~').localeCompare(b.eakCode ?? '~') ||
        a.treatmentCode.localeCompare(b.treatmentCode) ||
        a.measurement.localeCompare(b.measurement),
    );
  const rowsGrams = adsRows.reduce((sum, row) => sum + row.grams, 0);
  const batches = adsRows.reduce((sum, row) => sum + row.batches, 0);
  const balance = await siteBalance(db, site.siteId, from, to);
  const intakeGrams = balance.collectedGrams + balance.registeredGrams + balance.receivedGrams;
  return {
    pNumber: site.pNumber ?? '',
    year,
    site,
    period: { from, to },
    rows: adsRows,
    totals: { grams: rowsGrams, tonnes: tonnesOf(rowsGrams), batches },
    reconciliation: { balanced: rowsGrams === intakeGrams && balance.balanced, rowsGrams, intakeGrams, differenceGrams: rowsGrams - intakeGrams, balance },
  };
}

const MEASUREMENT_DA: Readonly<Record<MeasurementKey, string>> = { weighed: 'Vejet', estimated: 'Estimeret' };

/**
 * A cell a spreadsheet would run as a formula (leading =, +, -, @, or a tab or carriage return) is
 * prefixed with an apostrophe, since names and free text reach these files; then RFC 4180 quoting.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The export as CSV in ADS's field order (libs/domain/src/reference/ads/SOURCE.md): `;`, decimal comma, CRLF. */
export function adsExportCsv(report: AdsExport, columns: readonly string[]): string {
  const lines: Array<Array<string | number | null>> = [[...columns]];
  for (const row of report.rows) {
    lines.push([
      report.pNumber,
      report.year,
      row.originKommuneCode,
      row.eakCode,
      row.fraction,
      row.treatmentCode,
      row.tonnes.replace('.', ','),
      MEASUREMENT_DA[row.measurement],
    ]);
  }
  return lines.map((fields) => fields.map(csvCell).join(';')).join('\r\n') + '\r\n';
}
