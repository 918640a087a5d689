import { ApiError, path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { downloadButton } from '../../shared/download.js';
import { el, show } from '../../shared/dom.js';
import { formatInteger, formatTonnes, type Locale } from '../../shared/format.js';
import { hrefOf } from '../../shared/router.js';
import { table } from '../../shared/table.js';
import { SITES_MESSAGES, type SitesMessages } from './sites.messages.js';
import type { AdsExport, Me, Site, SiteList } from './sites.types.js';

/** The API's tonnes ("12.345") the Danish way ("12,345"); the figure itself is the API's, not re-rounded. */
function tonnesText(tonnes: string, locale: Locale): string {
  return locale === 'da' ? tonnes.replace('.', ',') : tonnes;
}

/**
 * `#/organisations/<id>/sites`: the organisation's sites, and a form to declare one for the
 * organisation itself or the operator. `#/organisations/<id>/sites/<siteId>/ads/<year>`: the site's
 * ADS export for a year, its reconciliation verdict and the downloads (decision 039).
 */
export async function sitesPage(context: PageContext, main: HTMLElement, params: { organisationId: string; siteId?: string; year?: number }): Promise<void> {
  const m = SITES_MESSAGES[context.locale];
  if (params.siteId !== undefined && params.year !== undefined) {
    await adsView(context, m, main, params.organisationId, params.siteId, params.year);
    return;
  }
  await sitesView(context, m, main, params.organisationId);
}

async function sitesView(context: PageContext, m: SitesMessages, main: HTMLElement, organisationId: string, notice?: HTMLElement): Promise<void> {
  const { api, organisations } = context;
  const [list, me] = await Promise.all([api.getJson<SiteList>(path`/organisations/${organisationId}/sites`), api.getJson<Me>('/me')]);
  const lastYear = new Date().getFullYear() - 1;
  const insider = list.sites.some((site) => site.address !== undefined) || me.organisationId === organisationId || me.operator;
  const headers = [m.name, m.kommune, m.pNumber, m.status, ...(insider ? [m.address] : []), m.adsExport];
  const rows = list.sites.map((site) => siteRow(site, m, insider, lastYear));
  const sitesTable =
    list.sites.length === 0
      ? el('p', {}, m.none)
      : el(
          'table',
          { attrs: { 'data-testid': 'sites' } },
          el('thead', {}, el('tr', {}, ...headers.map((header) => el('th', { attrs: { scope: 'col' } }, header)))),
          el('tbody', {}, ...rows),
        );
  const legacy =
    list.legacySites.length === 0
      ? null
      : el(
          'section',
          { attrs: { 'aria-labelledby': 'legacy-sites' } },
          el('h2', { attrs: { id: 'legacy-sites' } }, m.legacyTitle),
          el('p', {}, m.legacyIntro),
          el('ul', { attrs: { 'data-testid': 'legacy-sites' } }, ...list.legacySites.map((site) => el('li', {}, site.address ? `${site.name}, ${site.address}` : site.name))),
        );
  const mayDeclare = me.organisationId === organisationId || me.operator;
  show(
    main,
    el('h1', {}, m.title(organisations.nameOf(organisationId))),
    el('p', {}, m.intro),
    notice ?? null,
    sitesTable,
    legacy,
    mayDeclare ? declareForm(context, m, main, organisationId) : null,
  );
}

function siteRow(site: Site, m: SitesMessages, insider: boolean, year: number): HTMLTableRowElement {
  const ads = site.pNumber
    ? el('a', { attrs: { href: hrefOf({ page: 'sites', organisationId: site.organisationId, siteId: site.siteId, year }) } }, m.adsLink(year))
    : '—';
  return el(
    'tr',
    {},
    el('th', { attrs: { scope: 'row' } }, site.name),
    el('td', {}, site.kommuneName ? `${site.kommuneName} (${site.kommuneCode})` : site.kommuneCode),
    el('td', {}, site.pNumber ?? '—'),
    el('td', {}, site.open ? m.open : m.closed),
    insider ? el('td', {}, site.address ?? '—') : null,
    el('td', {}, ads),
  );
}

function field(id: string, label: string, attrs: Record<string, string> = {}): HTMLElement {
  return el('div', { class: 'site-field' }, el('label', { attrs: { for: id } }, label), el('input', { attrs: { id, name: id, type: 'text', ...attrs } }));
}

/** The declaration form: a write, after which the list is read again at the write's position (decision 024). */
function declareForm(context: PageContext, m: SitesMessages, main: HTMLElement, organisationId: string): HTMLElement {
  const status = el('p', { attrs: { role: 'status', 'data-testid': 'site-form-status' } });
  const form = el(
    'form',
    { class: 'site-form', attrs: { 'aria-labelledby': 'declare-site', novalidate: '' } },
    el('h2', { attrs: { id: 'declare-site' } }, m.declareTitle),
    el('p', {}, m.declareIntro),
    field('site-name', m.name, { required: '', autocomplete: 'organization' }),
    field('site-address', m.address, { required: '', autocomplete: 'street-address' }),
    field('site-kommune', m.kommune, { required: '', inputmode: 'numeric', pattern: '\\d{4}' }),
    field('site-p-number', `${m.pNumber} (${m.optional})`, { inputmode: 'numeric', pattern: '\\d{10}' }),
    field('site-latitude', `${m.latitude} (${m.optional})`, { inputmode: 'decimal' }),
    field('site-longitude', `${m.longitude} (${m.optional})`, { inputmode: 'decimal' }),
    el('button', { attrs: { type: 'submit' } }, m.declare),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void declare(context, m, main, organisationId, form, status);
  });
  return form;
}

async function declare(context: PageContext, m: SitesMessages, main: HTMLElement, organisationId: string, form: HTMLFormElement, status: HTMLElement): Promise<void> {
  const value = (id: string): string => (form.querySelector<HTMLInputElement>(`#${id}`)?.value ?? '').trim();
  const number = (id: string): number | undefined => (value(id) === '' ? undefined : Number(value(id).replace(',', '.')));
  const body = {
    name: value('site-name'),
    address: value('site-address'),
    kommuneCode: value('site-kommune'),
    ...(value('site-p-number') ? { pNumber: value('site-p-number') } : {}),
    ...(number('site-latitude') !== undefined ? { latitude: number('site-latitude') } : {}),
    ...(number('site-longitude') !== undefined ? { longitude: number('site-longitude') } : {}),
  };
  try {
    await context.api.postJson(path`/organisations/${organisationId}/sites`, body);
  } catch (error) {
    status.setAttribute('role', 'alert');
    status.textContent = m.refused(error instanceof ApiError || error instanceof Error ? error.message : String(error));
    return;
  }
  // The client sends the write's position with the reads that follow, so the list includes the site.
  await sitesView(context, m, main, organisationId, el('p', { attrs: { role: 'status', 'data-testid': 'site-declared' } }, m.declared(body.name)));
}

async function adsView(context: PageContext, m: SitesMessages, main: HTMLElement, organisationId: string, siteId: string, year: number): Promise<void> {
  const { api, locale } = context;
  const list = await api.getJson<SiteList>(path`/organisations/${organisationId}/sites`);
  const site = list.sites.find((s) => s.siteId === siteId);
  if (!site?.pNumber) {
    show(main, el('p', { class: 'form-error', attrs: { role: 'alert' } }, m.none), el('a', { attrs: { href: hrefOf({ page: 'sites', organisationId }) } }, m.backToSites));
    return;
  }
  const url = path`/reports/ads/${site.pNumber}/${year}`;
  const report = await api.getJson<AdsExport>(url);
  const { reconciliation } = report;
  const verdict = reconciliation.balanced
    ? el('p', { class: 'verdict balanced', attrs: { 'data-testid': 'ads-verdict' } }, m.reconciled(formatTonnes(reconciliation.rowsGrams, locale)))
    : el('p', { class: 'verdict unbalanced', attrs: { role: 'alert', 'data-testid': 'ads-verdict' } }, m.notReconciled(formatTonnes(reconciliation.differenceGrams, locale)));
  const b = reconciliation.balance;
  const balance = el(
    'p',
    { attrs: { 'data-testid': 'ads-balance' } },
    m.balanceLine(
      formatTonnes(b.openingGrams, locale),
      formatTonnes(reconciliation.intakeGrams, locale),
      formatTonnes(b.producedGrams + b.adjustmentGrams, locale),
      formatTonnes(b.dispatchedGrams + b.consumedGrams + b.outcomeGrams, locale),
      formatTonnes(b.closingGrams, locale),
    ),
  );
  const rows = report.rows.map((row) => [
    row.originKommuneCode ? `${row.originKommuneCode} ${row.originKommuneName ?? ''}`.trim() : m.unknown,
    row.eakCode ?? m.unknown,
    row.fraction,
    row.treatmentCode,
    row.measurement === 'weighed' ? m.weighed : m.estimated,
    tonnesText(row.tonnes, locale),
    formatInteger(row.batches, locale),
  ]);
  rows.push([m.total, '', '', '', '', tonnesText(report.totals.tonnes, locale), formatInteger(report.totals.batches, locale)]);
  const downloads = el(
    'p',
    { class: 'downloads' },
    downloadButton(context, m.downloadCsv, `${url}?format=csv`, 'text/csv', `ads-${site.pNumber}-${year}.csv`),
    ' ',
    downloadButton(context, m.downloadJson, url, 'application/json', `ads-${site.pNumber}-${year}.json`),
  );
  show(
    main,
    el('h1', {}, m.adsTitle(`${site.name} (P ${site.pNumber})`, year)),
    el('p', {}, m.adsIntro),
    el(
      'nav',
      { class: 'year-nav', attrs: { 'aria-label': m.adsExport } },
      el('a', { attrs: { href: hrefOf({ page: 'sites', organisationId, siteId, year: year - 1 }) } }, m.previousYear),
      ' ',
      el('a', { attrs: { href: hrefOf({ page: 'sites', organisationId, siteId, year: year + 1 }) } }, m.nextYear),
      ' ',
      el('a', { attrs: { href: hrefOf({ page: 'sites', organisationId }) } }, m.backToSites),
    ),
    verdict,
    balance,
    report.rows.length === 0 ? el('p', {}, m.noRows) : table('ads-rows', [m.originKommune, m.eakCode, m.fraction, m.treatment, m.measurement, m.tonnes, m.batches], rows),
    downloads,
  );
}

