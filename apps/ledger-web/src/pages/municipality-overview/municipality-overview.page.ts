import { path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatMonth, formatPercent, formatTonnes } from '../../shared/format.js';
import { downloadButton } from '../../shared/download.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { hrefOf } from '../../shared/router.js';
import { table } from '../../shared/table.js';
import { fateFlows } from './fate-flows.js';
import { drawableLinks, FLOW_LEVELS, flowGraph, type FlowGraph } from './flow-graph.js';
import { flowsSankey } from './flows-sankey.view.js';
import { MUNICIPALITY_MESSAGES } from './municipality.messages.js';
import type { CircularityReport, MunicipalFlows, MunicipalReport } from './municipality.types.js';

const HEADLINE_RATES = ['circularity', 'fibreToFibre', 'resolved'] as const;
type Quarter = 1 | 2 | 3 | 4;
const QUARTERS: readonly Quarter[] = [1, 2, 3, 4];

/**
 * A kommune's year or quarter: what was collected (by month and by collection scheme), its
 * circularity rates with their definitions, where the textiles went (kommune → collectors → first
 * sorters → grades → fates, from the flows answer), and the report to download. Every figure is
 * the API's own, only formatted here.
 */
export async function municipalityOverviewPage(context: PageContext, main: HTMLElement, params: { kommuneCode?: string; year?: number; quarter?: Quarter }): Promise<void> {
  const { t, locale, api } = context;
  const m = MUNICIPALITY_MESSAGES[locale];
  // A municipality sees its own kommune first; anyone else the first one the ledger knows.
  const kommuneCode = params.kommuneCode ?? context.viewer?.kommuneCode ?? context.organisations.municipalities()[0]?.kommuneCode ?? '';
  const year = params.year ?? new Date().getFullYear();
  const quarter = params.quarter;
  const form = choiceForm(context, kommuneCode, year, quarter);
  if (!/^\d{4}$/.test(kommuneCode)) {
    show(main, el('h1', {}, t.navMunicipality), form);
    return;
  }

  const query = quarter === undefined ? '' : `?quarter=${quarter}`;
  const [report, flows, monthly] = await Promise.all([
    api.getJson<MunicipalReport>(`${path`/reports/municipal/${kommuneCode}/${year}`}${query}`),
    api.getJson<MunicipalFlows>(`${path`/reports/municipal/${kommuneCode}/${year}/flows`}${query}`),
    api.getJson<CircularityReport>(`${path`/reports/circularity?kommuneCode=${kommuneCode}`}&period=month`),
  ]);
  const name = report.kommuneName ?? kommuneCode;
  const tonnes = (grams: number) => formatTonnes(grams, locale);
  const inPeriod = (period: string): boolean => {
    if (!period.startsWith(`${year}-`)) return false;
    return quarter === undefined || Math.floor((Number(period.slice(5, 7)) - 1) / 3) + 1 === quarter;
  };

  const months = monthly.rows.filter((row) => inPeriod(row.period)).sort((a, b) => a.period.localeCompare(b.period));
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
        report.byEwcAndScheme.map((row) => [codeLabel(locale, 'collectionScheme', row.collectionScheme), row.ewcCode, String(row.batches), tonnes(row.grams)]),
      )
    : el('p', {}, t.noCollections);

  // The report's rates are the period's: the circularity report's definitions over the same cohorts.
  const rates = report.circularity.rates;
  const rateList = el(
    'dl',
    { class: 'rates', attrs: { 'data-testid': 'rates' } },
    ...HEADLINE_RATES.flatMap((rate) => [
      el('dt', {}, t.rateNames[rate] ?? rate),
      el(
        'dd',
        {},
        el('span', { class: 'rate-value', attrs: { 'data-rate': rate } }, rates[rate] === null || rates[rate] === undefined ? '—' : formatPercent(rates[rate], locale)),
        // <details> opens with Enter or Space on its summary: the definition is one key press away.
        el('details', { class: 'definition', attrs: { 'data-definition': rate } }, el('summary', {}, t.whatIsThis), el('p', {}, m.definitions[rate])),
      ),
    ]),
  );

  const buckets = Object.fromEntries(Object.entries(report.circularity.buckets).map(([bucket, mass]) => [bucket, mass.grams]));
  const collectedGrams = report.circularity.collected.grams;
  const fateLabel = (bucket: string) => codeLabel(locale, 'fate', bucket);
  const fates = fateFlows(buckets);
  const fateTable = table(
    'fate-table',
    [t.destination, t.tonnes, t.share],
    [...fates.map((flow) => flow.bucket), ...Object.keys(buckets).filter((bucket) => !fates.some((flow) => flow.bucket === bucket) && buckets[bucket] !== 0)].map((bucket) => [
      fateLabel(bucket),
      tonnes(buckets[bucket] ?? 0),
      formatPercent(collectedGrams ? (buckets[bucket] ?? 0) / collectedGrams : 0, locale),
    ]),
    t.fateTable,
  );

  const graph = flowGraph(flows, {
    kommune: name,
    organisation: (id, known) => known ?? context.organisations.nameOf(id),
    notSorted: m.notSorted,
    grade: (grade) => codeLabel(locale, 'grade', grade),
    fate: fateLabel,
  });
  const drawn = drawableLinks(graph);
  const title = quarter === undefined ? t.overviewTitle(name, year) : m.periodTitle(name, year, quarter);
  const periodLabel = quarter === undefined ? String(year) : `${m.quarterShort(quarter)} ${year}`;

  show(
    main,
    el('h1', {}, title),
    form,
    periodNav(context, kommuneCode, year, quarter),
    el('p', { class: 'headline' }, `${t.collectedTotal}: `, el('strong', { attrs: { 'data-testid': 'collected-total' } }, tonnes(report.collected.grams))),
    el('section', { attrs: { 'aria-labelledby': 'rates-heading' } }, el('h2', { attrs: { id: 'rates-heading' } }, t.rates), rateList),
    el(
      'section',
      { attrs: { 'aria-labelledby': 'fate-heading' } },
      el('h2', { attrs: { id: 'fate-heading' } }, t.fate),
      drawn.length ? el('figure', { class: 'sankey-figure' }, flowsSankey({ nodes: graph.nodes, links: drawn, describe: tonnes, title: m.flowsDiagram(name) })) : el('p', {}, t.noCollections),
      flowTable(context, graph, tonnes),
      graph.links.some((link) => link.grams < 0) ? el('p', { class: 'note' }, m.negativeNote) : null,
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
      el('h2', { attrs: { id: 'downloads-heading' } }, `${t.downloads} (${periodLabel})`),
      el(
        'p',
        { class: 'downloads' },
        downloadButton(context, t.downloadCsv, `${path`/reports/municipal/${kommuneCode}/${year}`}?format=csv${quarter ? `&quarter=${quarter}` : ''}`, 'text/csv', reportFilename(kommuneCode, year, quarter, 'csv')),
        downloadButton(context, t.downloadJson, `${path`/reports/municipal/${kommuneCode}/${year}`}?format=json${quarter ? `&quarter=${quarter}` : ''}`, 'application/json', reportFilename(kommuneCode, year, quarter, 'json')),
      ),
    ),
  );
}

function reportFilename(kommuneCode: string, year: number, quarter: Quarter | undefined, extension: 'csv' | 'json'): string {
  return `municipal-report-${kommuneCode}-${year}${quarter ? `-q${quarter}` : ''}.${extension}`;
}

/** Every flow of every step, with the negative ones the diagram cannot draw. */
function flowTable(context: PageContext, graph: FlowGraph, tonnes: (grams: number) => string): HTMLTableElement {
  const m = MUNICIPALITY_MESSAGES[context.locale];
  const labelOf = new Map(graph.nodes.map((node) => [node.id, node.label]));
  const rows = FLOW_LEVELS.flatMap((level) =>
    graph.links.filter((link) => link.level === level && link.grams !== 0).map((link) => [m.levels[level], labelOf.get(link.source) ?? link.source, labelOf.get(link.target) ?? link.target, tonnes(link.grams)]),
  );
  return table('flow-table', [m.flowLevel, m.from, m.to, context.t.tonnes], rows, m.flowTable);
}

/** Links to the whole year and each quarter, the current one marked for screen readers. */
function periodNav(context: PageContext, kommuneCode: string, year: number, quarter: Quarter | undefined): HTMLElement {
  const m = MUNICIPALITY_MESSAGES[context.locale];
  const link = (label: string, fullLabel: string, q: Quarter | undefined) =>
    el(
      'li',
      {},
      el(
        'a',
        {
          attrs: {
            href: hrefOf({ page: 'municipality', kommuneCode, year, ...(q ? { quarter: q } : {}) }),
            'data-quarter': q ? String(q) : 'year',
            'aria-label': fullLabel,
            ...(q === quarter ? { 'aria-current': 'page' } : {}),
          },
        },
        label,
      ),
    );
  return el(
    'nav',
    { class: 'period-nav', attrs: { 'aria-label': m.period, 'data-testid': 'period-nav' } },
    el('ul', {}, link(m.wholeYear, `${m.wholeYear} ${year}`, undefined), ...QUARTERS.map((q) => link(m.quarterShort(q), `${m.quarterLong(q)} ${year}`, q))),
  );
}

function choiceForm(context: PageContext, kommuneCode: string, year: number, quarter: Quarter | undefined): HTMLFormElement {
  const { t } = context;
  const m = MUNICIPALITY_MESSAGES[context.locale];
  const kommuneInput = el('input', { attrs: { id: 'kommune-code', name: 'kommune', inputmode: 'numeric', pattern: '\\d{4}', required: '', value: kommuneCode, autocomplete: 'off', list: 'known-kommuner' } });
  const yearInput = el('input', { attrs: { id: 'report-year', name: 'year', type: 'number', min: '2000', max: '2100', required: '', value: String(year) } });
  const quarterSelect = el(
    'select',
    { attrs: { id: 'report-quarter', name: 'quarter' } },
    el('option', { attrs: { value: '', ...(quarter === undefined ? { selected: '' } : {}) } }, m.wholeYear),
    ...QUARTERS.map((q) => el('option', { attrs: { value: String(q), ...(quarter === q ? { selected: '' } : {}) } }, m.quarterLong(q))),
  );
  const known = el('datalist', { attrs: { id: 'known-kommuner' } }, ...context.organisations.municipalities().map((municipality) => el('option', { attrs: { value: municipality.kommuneCode ?? '' } }, municipality.name)));
  const form = el(
    'form',
    { class: 'inline-form', attrs: { 'aria-label': t.navMunicipality } },
    el('label', { attrs: { for: 'kommune-code' } }, t.kommune),
    kommuneInput,
    known,
    el('label', { attrs: { for: 'report-year' } }, t.year),
    yearInput,
    el('label', { attrs: { for: 'report-quarter' } }, m.period),
    quarterSelect,
    el('button', { attrs: { type: 'submit' } }, t.show),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = Number(quarterSelect.value);
    const q = QUARTERS.find((candidate) => candidate === chosen);
    location.hash = hrefOf({ page: 'municipality', kommuneCode: kommuneInput.value.trim(), year: Number(yearInput.value), ...(q ? { quarter: q } : {}) });
  });
  return form;
}

