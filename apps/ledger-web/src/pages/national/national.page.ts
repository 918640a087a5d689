import { ApiError, path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatPercent, formatTonnes } from '../../shared/format.js';
import { hrefOf } from '../../shared/router.js';
import { downloadButton } from '../../shared/download.js';
import { NATIONAL_MESSAGES, RATE_KEYS, type NationalMessages, type RateKey } from './national.messages.js';
import type { NationalFigures, NationalReport, NationalRow } from './national.types.js';

/** A column of the table: its heading and its grams, summed from the API's buckets (integers, so exact). */
interface Column {
  readonly measure: string;
  readonly heading: (m: NationalMessages) => string;
  readonly grams: (figures: NationalFigures) => number;
}

const bucket = (figures: NationalFigures, name: string): number => figures.circularity.buckets[name]?.grams ?? 0;

/** Every bucket lands in exactly one column, so a row's columns after `collected` add up to it. */
const COLUMNS: readonly Column[] = [
  { measure: 'collected', heading: (m) => m.collected, grams: (f) => f.collected.grams },
  { measure: 'preparedForReuse', heading: (m) => m.preparedForReuse, grams: (f) => f.preparedForReuse.grams },
  { measure: 'recycled', heading: (m) => m.recycled, grams: (f) => f.recycled.grams },
  { measure: 'exported', heading: (m) => m.exported, grams: (f) => bucket(f, 'exportRecycling') + bucket(f, 'exportUnknown') },
  { measure: 'energyRecovery', heading: (m) => m.energyRecovery, grams: (f) => bucket(f, 'energyRecovery') },
  { measure: 'disposed', heading: (m) => m.disposed, grams: (f) => bucket(f, 'incineration') + bucket(f, 'landfill') },
  { measure: 'losses', heading: (m) => m.losses, grams: (f) => bucket(f, 'processLoss') + bucket(f, 'weighingDifference') },
  { measure: 'inStock', heading: (m) => m.inStock, grams: (f) => bucket(f, 'inStock') },
];

function rateOf(figures: NationalFigures, rate: RateKey): number | null {
  const rates = figures.circularity.rates;
  if (rate !== 'recycled') return rates[rate] ?? null;
  const collected = figures.circularity.collected.grams;
  return collected === 0 ? null : figures.recycled.grams / collected;
}

/**
 * The national view for the operator and auditors (`#/national/<year>`, decision 040): every
 * kommune's collected, prepared-for-re-use and recycled tonnes and the rest of its fates, the
 * country's totals and rates with their definitions, and the report as CSV or JSON. Every figure is
 * the API's; the page only adds buckets together for its columns and formats.
 */
export async function nationalPage(context: PageContext, main: HTMLElement, params: { year?: number }): Promise<void> {
  const { locale, api } = context;
  const m = NATIONAL_MESSAGES[locale];
  const year = params.year ?? new Date().getFullYear();
  const form = yearForm(m, year);
  let report: NationalReport;
  try {
    report = await api.getJson<NationalReport>(path`/reports/national/${String(year)}`);
  } catch (error) {
    // A municipality or a sorter is told who may see it, not shown an error.
    if (error instanceof ApiError && error.status === 403) {
      show(main, el('h1', {}, m.title(year)), el('p', { class: 'note', attrs: { role: 'status', 'data-testid': 'national-refused' } }, m.refused));
      return;
    }
    throw error;
  }
  const tonnes = (grams: number): string => formatTonnes(grams, locale);
  const percent = (value: number | null): string => (value === null ? '—' : formatPercent(value, locale));

  const totals = el(
    'dl',
    { class: 'national-totals', attrs: { 'data-testid': 'national-totals' } },
    ...COLUMNS.flatMap((column) => [el('dt', {}, column.heading(m)), el('dd', { attrs: { 'data-measure': column.measure, 'data-grams': String(column.grams(report.total)) } }, tonnes(column.grams(report.total)))]),
  );

  const rates = el(
    'dl',
    { class: 'rates', attrs: { 'data-testid': 'national-rates' } },
    ...RATE_KEYS.flatMap((rate) => [
      el('dt', {}, m.rateNames[rate]),
      el(
        'dd',
        {},
        el('span', { class: 'rate-value', attrs: { 'data-rate': rate } }, percent(rateOf(report.total, rate))),
        // <details> opens with Enter or Space on its summary: the definition is one key press away.
        el('details', { class: 'definition', attrs: { 'data-definition': rate } }, el('summary', {}, m.whatIsThis), el('p', {}, m.definitions[rate])),
      ),
    ]),
  );

  const collectedAny = report.kommuner.filter((row) => row.collected.grams !== 0 || row.collected.batches !== 0);
  // Focusable, so a keyboard can scroll the wide table (the region is named by its caption's words).
  const tableHolder = el('div', { class: 'national-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': m.tableCaption(year) } });
  let showAll = collectedAny.length === 0;
  const toggle = el('button', { class: 'link-button', attrs: { type: 'button', 'data-testid': 'national-toggle' } });
  const renderTable = (): void => {
    toggle.textContent = showAll ? m.onlyCollected : m.allKommuner;
    show(tableHolder, kommuneTable(m, year, showAll ? report.kommuner : collectedAny, report.total, tonnes, percent));
  };
  toggle.addEventListener('click', () => {
    showAll = !showAll;
    renderTable();
  });
  renderTable();

  show(
    main,
    el('h1', {}, m.title(year)),
    form,
    el('p', {}, m.intro),
    el('section', { attrs: { 'aria-labelledby': 'national-totals-heading' } }, el('h2', { attrs: { id: 'national-totals-heading' } }, m.totals), totals),
    el('section', { attrs: { 'aria-labelledby': 'national-rates-heading' } }, el('h2', { attrs: { id: 'national-rates-heading' } }, m.rates), rates),
    el('section', { attrs: { 'aria-labelledby': 'national-kommuner-heading' } }, el('h2', { attrs: { id: 'national-kommuner-heading' } }, m.kommuner), el('p', {}, toggle), tableHolder),
    el(
      'section',
      { attrs: { 'aria-labelledby': 'national-downloads-heading' } },
      el('h2', { attrs: { id: 'national-downloads-heading' } }, m.downloads),
      el(
        'p',
        { class: 'downloads' },
        downloadButton(context, m.downloadCsv, `${path`/reports/national/${String(year)}`}?format=csv`, 'text/csv', `national-${year}.csv`),
        downloadButton(context, m.downloadJson, `${path`/reports/national/${String(year)}`}?format=json`, 'application/json', `national-${year}.json`),
      ),
    ),
  );
}

function kommuneTable(m: NationalMessages, year: number, rows: readonly NationalRow[], total: NationalFigures, tonnes: (grams: number) => string, percent: (value: number | null) => string): HTMLTableElement {
  const cells = (figures: NationalFigures) => [
    ...COLUMNS.map((column) => el('td', { class: 'number', attrs: { 'data-measure': column.measure, 'data-grams': String(column.grams(figures)) } }, tonnes(column.grams(figures)))),
    el('td', { class: 'number', attrs: { 'data-measure': 'circularity' } }, percent(figures.circularity.rates['circularity'] ?? null)),
  ];
  return el(
    'table',
    { class: 'national-table', attrs: { 'data-testid': 'national-table' } },
    el('caption', {}, m.tableCaption(year)),
    el('thead', {}, el('tr', {}, el('th', { attrs: { scope: 'col' } }, m.kommune), el('th', { attrs: { scope: 'col' } }, m.code), ...COLUMNS.map((column) => el('th', { attrs: { scope: 'col' } }, column.heading(m))), el('th', { attrs: { scope: 'col' } }, m.circularity))),
    el(
      'tbody',
      {},
      ...rows.map((row) =>
        el(
          'tr',
          { attrs: { 'data-kommune': row.kommuneCode } },
          el('th', { attrs: { scope: 'row' } }, el('a', { attrs: { href: hrefOf({ page: 'municipality', kommuneCode: row.kommuneCode, year }) } }, row.kommuneName)),
          el('td', {}, row.kommuneCode),
          ...cells(row),
        ),
      ),
    ),
    el('tfoot', {}, el('tr', { attrs: { 'data-kommune': 'total' } }, el('th', { attrs: { scope: 'row' } }, m.country), el('td', {}, ''), ...cells(total))),
  );
}

function yearForm(m: NationalMessages, year: number): HTMLFormElement {
  const yearInput = el('input', { attrs: { id: 'national-year', name: 'year', type: 'number', min: '2000', max: '2100', required: '', value: String(year) } });
  const form = el('form', { class: 'inline-form', attrs: { 'aria-label': m.year } }, el('label', { attrs: { for: 'national-year' } }, m.year), yearInput, el('button', { attrs: { type: 'submit' } }, m.show));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = hrefOf({ page: 'national', year: Number(yearInput.value) });
  });
  return form;
}
