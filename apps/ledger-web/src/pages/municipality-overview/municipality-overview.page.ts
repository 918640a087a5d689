import { path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatMonth, formatPercent, formatTonnes } from '../../shared/format.js';
import { hrefOf } from '../../shared/router.js';
import { table } from '../../shared/table.js';
import { fateFlows } from './fate-flows.js';
import { fateSankey } from './fate-sankey.view.js';
import type { CircularityReport, MunicipalReport } from './municipality.types.js';

const HEADLINE_RATES = ['circularity', 'fibreToFibre', 'resolved'] as const;

/**
 * A kommune's year: what was collected (by month and by collection scheme), its circularity
 * rates with their definitions, where the textiles went, and the report to download. Every
 * figure is the API's own, only formatted here.
 */
export async function municipalityOverviewPage(context: PageContext, main: HTMLElement, params: { kommuneCode?: string; year?: number }): Promise<void> {
  const { t, locale, api } = context;
  const kommuneCode = params.kommuneCode ?? context.organisations.municipalities()[0]?.kommuneCode ?? '';
  const year = params.year ?? new Date().getFullYear();
  const form = choiceForm(context, kommuneCode, year);
  if (!/^\d{4}$/.test(kommuneCode)) {
    show(main, el('h1', {}, t.navMunicipality), form);
    return;
  }

  const [report, monthly, yearly] = await Promise.all([
    api.getJson<MunicipalReport>(path`/reports/municipal/${kommuneCode}/${year}`),
    api.getJson<CircularityReport>(`${path`/reports/circularity?kommuneCode=${kommuneCode}`}&period=month`),
    api.getJson<CircularityReport>(`${path`/reports/circularity?kommuneCode=${kommuneCode}`}&period=year`),
  ]);
  const yearRow = yearly.rows.find((row) => row.period === String(year));
  const name = report.kommuneName ?? kommuneCode;
  const tonnes = (grams: number) => formatTonnes(grams, locale);

  const months = monthly.rows.filter((row) => row.period.startsWith(`${year}-`)).sort((a, b) => a.period.localeCompare(b.period));
  const byMonth = months.length
    ? table(
        'collected-by-month',
        [t.month, t.tonnes],
        months.map((row) => [formatMonth(row.period, locale), tonnes(row.collectedGrams)]),
      )
    : el('p', {}, t.noCollections);
  const byScheme = report.byEwcAndScheme.length
    ? table(
        'collected-by-scheme',
        [t.scheme, t.ewc, t.batches, t.tonnes],
        report.byEwcAndScheme.map((row) => [row.collectionScheme, row.ewcCode, String(row.batches), tonnes(row.grams)]),
      )
    : el('p', {}, t.noCollections);

  // The rates of the year come from the circularity report, the endpoint that defines them.
  const rates = yearRow?.rates ?? report.circularity.rates;
  const rateList = el(
    'dl',
    { class: 'rates', attrs: { 'data-testid': 'rates' } },
    ...HEADLINE_RATES.flatMap((rate) => [
      el('dt', {}, t.rateNames[rate] ?? rate),
      el(
        'dd',
        {},
        el('span', { class: 'rate-value', attrs: { 'data-rate': rate } }, formatPercent(rates[rate] ?? 0, locale)),
        el('details', { class: 'definition' }, el('summary', {}, t.whatIsThis), el('p', {}, t.rateDefinitions[rate] ?? '')),
      ),
    ]),
  );

  const buckets = yearRow?.buckets ?? Object.fromEntries(Object.entries(report.circularity.buckets).map(([bucket, mass]) => [bucket, mass.grams]));
  const collectedGrams = yearRow?.collectedGrams ?? report.collected.grams;
  const flows = fateFlows(buckets);
  const labelOf = (bucket: string) => t.buckets[bucket] ?? bucket;
  const fateTable = table(
    'fate-table',
    [t.destination, t.tonnes, t.share],
    Object.keys(buckets).length
      ? [...flows.map((flow) => flow.bucket), ...Object.keys(buckets).filter((bucket) => !flows.some((flow) => flow.bucket === bucket) && buckets[bucket] !== 0)].map((bucket) => [
          labelOf(bucket),
          tonnes(buckets[bucket] ?? 0),
          formatPercent(collectedGrams ? (buckets[bucket] ?? 0) / collectedGrams : 0, locale),
        ])
      : [],
    t.fateTable,
  );

  show(
    main,
    el('h1', {}, t.overviewTitle(name, year)),
    form,
    el('p', { class: 'headline' }, `${t.collectedTotal}: `, el('strong', { attrs: { 'data-testid': 'collected-total' } }, tonnes(report.collected.grams))),
    el('section', { attrs: { 'aria-labelledby': 'rates-heading' } }, el('h2', { attrs: { id: 'rates-heading' } }, t.rates), rateList),
    el(
      'section',
      { attrs: { 'aria-labelledby': 'fate-heading' } },
      el('h2', { attrs: { id: 'fate-heading' } }, t.fate),
      flows.length ? el('figure', { class: 'sankey-figure' }, fateSankey({ source: name, flows, labelOf, describe: tonnes, title: t.fateDiagram(name) })) : el('p', {}, t.noCollections),
      fateTable,
    ),
    el(
      'section',
      { attrs: { 'aria-labelledby': 'collected-heading' } },
      el('h2', { attrs: { id: 'collected-heading' } }, t.collectedByMonth),
      byMonth,
      el('h2', {}, t.collectedByScheme),
      byScheme,
    ),
    el(
      'section',
      { attrs: { 'aria-labelledby': 'downloads-heading' } },
      el('h2', { attrs: { id: 'downloads-heading' } }, t.downloads),
      el(
        'p',
        { class: 'downloads' },
        downloadButton(context, t.downloadCsv, `${path`/reports/municipal/${kommuneCode}/${year}`}?format=csv`, 'text/csv', `municipal-report-${kommuneCode}-${year}.csv`),
        downloadButton(context, t.downloadJson, `${path`/reports/municipal/${kommuneCode}/${year}`}?format=json`, 'application/json', `municipal-report-${kommuneCode}-${year}.json`),
      ),
    ),
  );
}

function choiceForm(context: PageContext, kommuneCode: string, year: number): HTMLFormElement {
  const { t } = context;
  const kommuneInput = el('input', { attrs: { id: 'kommune-code', name: 'kommune', inputmode: 'numeric', pattern: '\\d{4}', required: '', value: kommuneCode, autocomplete: 'off', list: 'known-kommuner' } });
  const yearInput = el('input', { attrs: { id: 'report-year', name: 'year', type: 'number', min: '2000', max: '2100', required: '', value: String(year) } });
  const known = el('datalist', { attrs: { id: 'known-kommuner' } }, ...context.organisations.municipalities().map((municipality) => el('option', { attrs: { value: municipality.kommuneCode ?? '' } }, municipality.name)));
  const form = el(
    'form',
    { class: 'inline-form', attrs: { 'aria-label': t.navMunicipality } },
    el('label', { attrs: { for: 'kommune-code' } }, t.kommune),
    kommuneInput,
    known,
    el('label', { attrs: { for: 'report-year' } }, t.year),
    yearInput,
    el('button', { attrs: { type: 'submit' } }, t.show),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = hrefOf({ page: 'municipality', kommuneCode: kommuneInput.value.trim(), year: Number(yearInput.value) });
  });
  return form;
}

/**
 * The report downloads through the API with the key as a bearer token, which a plain link cannot
 * carry; the file is handed to the browser as a blob.
 */
function downloadButton(context: PageContext, label: string, url: string, accept: string, filename: string): HTMLSpanElement {
  const button = el('button', { class: 'download', attrs: { type: 'button', 'data-download': filename } }, label);
  const status = el('span', { class: 'download-status', attrs: { role: 'status' } });
  button.addEventListener('click', () => {
    status.textContent = '';
    context.api.getBlob(url, accept).then(
      (blob) => {
        const link = el('a', { attrs: { href: URL.createObjectURL(blob), download: filename } });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      },
      (error: unknown) => {
        status.textContent = context.t.failed(error instanceof Error ? error.message : String(error));
      },
    );
  });
  return el('span', { class: 'download-item' }, button, status);
}
