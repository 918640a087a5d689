import { ApiError, path } from '../../shared/api-client.js';
import { anomalyTable, type AnomalyPage } from '../../shared/anomaly-list.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { copenhagenStartOfDay, formatInteger, formatTonnes } from '../../shared/format.js';
import { epcisOrganisationExport } from './epcis-export.view.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { hrefOf } from '../../shared/router.js';
import { table } from '../../shared/table.js';
import { massBalanceSection } from './mass-balance.view.js';
import { ACTIVITY_ROWS, processesSection, shipmentsSection } from './organisation-activity.view.js';
import { ORGANISATION_ACTIVITY_MESSAGES } from './organisation.messages.js';
import type { Inventory, ProcessList, ShipmentList } from './organisation.types.js';

/** An answer, or the refusal the viewer's role earns (403), which the page explains instead of failing. */
async function unlessForbidden<T>(answer: Promise<T>): Promise<T | 'forbidden'> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return 'forbidden';
    throw error;
  }
}

/**
 * One organisation: its stock now by grade, the mass balance of a calendar year in Copenhagen
 * (the API's exact figures, with the equation written out), its processes and shipments in that
 * year, and the anomalies it is party to.
 * Only the organisation itself, auditors and the operator may see these; anyone else is told so.
 */
export async function organisationPage(context: PageContext, main: HTMLElement, params: { organisationId: string; year?: number }): Promise<void> {
  const { t, api, organisations } = context;
  const year = params.year ?? new Date().getFullYear();
  const from = copenhagenStartOfDay(`${year}-01-01`);
  const to = copenhagenStartOfDay(`${year + 1}-01-01`);
  const period = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const [inventory, processes, shipments, anomalies] = await Promise.all([
    unlessForbidden(api.getJson<Inventory>(`${path`/reports/inventory/${params.organisationId}`}?${period}`)),
    unlessForbidden(api.getJson<ProcessList>(`${path`/organisations/${params.organisationId}/processes`}?${period}&limit=${ACTIVITY_ROWS}`)),
    unlessForbidden(api.getJson<ShipmentList>(`${path`/organisations/${params.organisationId}/shipments`}?${period}&limit=${ACTIVITY_ROWS}`)),
    unlessForbidden(api.getJson<AnomalyPage>(`${path`/audit/anomalies?organisationId=${params.organisationId}`}&${period}&limit=500`)),
  ]);
  const name = organisations.nameOf(params.organisationId);
  const credits = await massBalanceSection(context, params.organisationId);
  show(
    main,
    el('h1', {}, t.organisationTitle(name, year)),
    el('p', { class: 'batch-id' }, `${t.organisationId}: `, el('code', {}, params.organisationId)),
    el('p', {}, el('a', { attrs: { href: hrefOf({ page: 'sites', organisationId: params.organisationId }), 'data-testid': 'sites-link' } }, ORGANISATION_ACTIVITY_MESSAGES[context.locale].sitesLink)),
    yearForm(context, params.organisationId, year),
    epcisOrganisationExport(context, params.organisationId, year, from, to),
    ...(inventory === 'forbidden' ? [el('p', { class: 'notice', attrs: { 'data-testid': 'inventory-forbidden' } }, t.inventoryForbidden)] : [stockSection(context, inventory), balanceSection(context, inventory, year)]),
    credits,
    processesSection(context, processes),
    shipmentsSection(context, shipments),
    el(
      'section',
      { attrs: { 'aria-labelledby': 'anomalies-heading' } },
      el('h2', { attrs: { id: 'anomalies-heading' } }, t.anomalies),
      anomalies === 'forbidden' ? el('p', { class: 'notice', attrs: { 'data-testid': 'anomalies-forbidden' } }, t.anomaliesForbidden) : anomalyTable(context, anomalies, 'organisation-anomalies'),
    ),
  );
}

function yearForm(context: PageContext, organisationId: string, year: number): HTMLFormElement {
  const { t } = context;
  const yearInput = el('input', { attrs: { id: 'balance-year', name: 'year', type: 'number', min: '2000', max: '2100', required: '', value: String(year) } });
  const form = el('form', { class: 'inline-form', attrs: { 'aria-label': t.massBalance(year) } }, el('label', { attrs: { for: 'balance-year' } }, t.year), yearInput, el('button', { attrs: { type: 'submit' } }, t.show));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = hrefOf({ page: 'organisation', organisationId, year: Number(yearInput.value) });
  });
  return form;
}

function stockSection(context: PageContext, inventory: Inventory): HTMLElement {
  const { t, locale } = context;
  const tonnes = (grams: number) => formatTonnes(grams, locale);
  const { stock } = inventory;
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'stock-heading' } },
    el('h2', { attrs: { id: 'stock-heading' } }, t.stock),
    el('p', { class: 'headline', attrs: { 'data-testid': 'stock-total' } }, t.stockTotal(tonnes(stock.availableGrams), formatInteger(stock.availableBatches, locale), tonnes(stock.inTransitGrams))),
    stock.byGrade.length
      ? table(
          'stock-by-grade',
          [t.grade, t.available, t.batches, t.inTransit, t.batches],
          stock.byGrade.map((row) => [codeLabel(locale, 'grade', row.grade), tonnes(row.availableGrams), formatInteger(row.availableBatches, locale), tonnes(row.inTransitGrams), formatInteger(row.inTransitBatches, locale)]),
        )
      : el('p', {}, t.noStock),
  );
}

/**
 * The balance as the API defines it: what came in (opening stock, collections and residuals
 * registered, receipts, process outputs, signed weighing adjustments) equals what went out plus
 * the closing stock. The sums are the page's, the verdict is the API's `balanced`.
 */
function balanceSection(context: PageContext, inventory: Inventory, year: number): HTMLElement {
  const { t, locale } = context;
  const tonnes = (grams: number) => formatTonnes(grams, locale);
  const incoming: [string, string, number][] = [
    ['opening', t.opening, inventory.openingGrams],
    ['collected', t.collected, inventory.collectedGrams],
    ['registered', t.registered, inventory.registeredGrams],
    ['received', t.received, inventory.receivedGrams],
    ['produced', t.produced, inventory.producedGrams],
    ['adjustment', t.adjustment, inventory.adjustmentGrams],
  ];
  const outgoing: [string, string, number][] = [
    ['dispatched', t.dispatched, inventory.dispatchedGrams],
    ['consumed', t.consumed, inventory.consumedGrams],
    ['outcomes', t.outcomes, inventory.outcomeGrams],
    ['closing', t.closing, inventory.closingGrams],
  ];
  const sum = (terms: [string, string, number][]) => terms.reduce((total, [, , grams]) => total + grams, 0);
  const side = (heading: string, terms: [string, string, number][], testId: string) =>
    el(
      'table',
      { attrs: { 'data-testid': testId } },
      el('caption', {}, heading),
      el('thead', {}, el('tr', {}, el('th', { attrs: { scope: 'col' } }, heading), el('th', { attrs: { scope: 'col' } }, t.tonnes))),
      el('tbody', {}, ...terms.map(([term, label, grams]) => el('tr', { attrs: { 'data-term': term } }, el('th', { attrs: { scope: 'row' } }, label), el('td', {}, tonnes(grams))))),
      el('tfoot', {}, el('tr', { attrs: { 'data-term': 'total' } }, el('th', { attrs: { scope: 'row' } }, t.total), el('td', {}, tonnes(sum(terms))))),
    );
  const collectedOrRegistered = inventory.collectedGrams + inventory.registeredGrams;
  const equation = [
    tonnes(inventory.openingGrams),
    tonnes(collectedOrRegistered),
    tonnes(inventory.receivedGrams),
    tonnes(inventory.producedGrams),
    tonnes(inventory.adjustmentGrams),
  ].join(' + ') + ' = ' + [tonnes(inventory.dispatchedGrams), tonnes(inventory.consumedGrams), tonnes(inventory.outcomeGrams), tonnes(inventory.closingGrams)].join(' + ');
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'balance-heading' } },
    el('h2', { attrs: { id: 'balance-heading' } }, t.massBalance(year)),
    el('p', { class: 'equation-terms' }, t.equationTerms),
    el('p', { class: 'equation' }, el('code', { attrs: { 'data-testid': 'balance-equation' } }, equation)),
    el(
      'p',
      { class: inventory.balanced ? 'verdict balanced' : 'verdict unbalanced', attrs: { 'data-testid': 'balance-verdict', 'data-balanced': String(inventory.balanced) } },
      inventory.balanced ? t.balances : t.doesNotBalance,
    ),
    el('div', { class: 'balance-sides' }, side(t.balanceIn, incoming, 'balance-in'), side(t.balanceOut, outgoing, 'balance-out')),
  );
}
