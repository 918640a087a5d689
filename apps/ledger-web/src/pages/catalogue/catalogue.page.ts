import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { codeLabel, codesOf } from '../../shared/i18n/codes.js';
import type { CatalogueSection } from '../../shared/router.js';
import { KOMMUNE_CHOICES, REGION_CHOICES } from './catalogue-places.js';
import { ewcText, field, gradeText, input, select, valueOf } from './catalogue-describe.js';
import { noticeLine, offerRow, offerTable, OFFER_GRADES, requestCell, sectionNav } from './catalogue-entries.view.js';
import { gramsToTonnesText, percentToBasisPoints, tonnesToGrams } from './catalogue-text.js';
import { dealPage, dealsView } from './catalogue-deals.view.js';
import { offeringView } from './catalogue-offering.view.js';
import { wantingView } from './catalogue-wanting.view.js';
import { CATALOGUE_MESSAGES, type CatalogueMessages } from './catalogue.messages.js';
import type { Offer } from './catalogue.types.js';

/**
 * `#/catalogue[/mine|/wants|/deals]` and `#/catalogue/deals/<id>`: the symbiosis catalogue
 * (docs/decisions/046-symbiosis-catalogue.md). What an offer or want shows is the API's to decide:
 * the page writes in words only what the answer discloses.
 */
export async function cataloguePage(context: PageContext, main: HTMLElement, route: { section?: CatalogueSection; dealId?: string }): Promise<void> {
  const m = CATALOGUE_MESSAGES[context.locale];
  if (route.dealId !== undefined) return dealPage(context, m, main, route.dealId);
  switch (route.section) {
    case 'mine':
      return offeringView(context, m, main);
    case 'wants':
      return wantingView(context, m, main);
    case 'deals':
      return dealsView(context, m, main);
    case undefined:
      return offersView(context, m, main, new URLSearchParams({ limit: '200' }));
  }
}

/** The filters, read into the list's query; a figure the form cannot read exactly is refused, not guessed. */
function filterForm(context: PageContext, m: CatalogueMessages, query: URLSearchParams, apply: (next: URLSearchParams) => void): HTMLFormElement {
  const { locale } = context;
  const any: [string, string] = ['', m.any];
  const error = el('p', { class: 'form-error', attrs: { id: 'catalogue-filter-error', 'data-testid': 'catalogue-filter-error' } });
  const tonnesValue = (param: string): string => {
    const grams = query.get(param);
    return grams === null || !/^\d+$/.test(grams) ? '' : gramsToTonnesText(Number(grams), locale);
  };
  const form = el(
    'form',
    { class: 'catalogue-filters', attrs: { 'aria-labelledby': 'catalogue-filters-heading', novalidate: '', 'data-testid': 'catalogue-filters' } },
    el('h2', { attrs: { id: 'catalogue-filters-heading' } }, m.filtersHeading),
    field('filter-fibre', m.fibre, select('filter-fibre', [any, ...codesOf('fibre').map((f): [string, string] => [f, codeLabel(locale, 'fibre', f)])], query.get('fibre') ?? '')),
    field('filter-min-share', m.minShare, input('filter-min-share', { inputmode: 'decimal', value: query.has('minShare') ? String(Number(query.get('minShare')) / 100) : '', 'aria-describedby': 'catalogue-filter-error' })),
    field('filter-grade', m.grade, select('filter-grade', [any, ...OFFER_GRADES.map((g): [string, string] => [g, gradeText(m, locale, g)])], query.get('grade') ?? '')),
    field('filter-ewc', m.ewc, select('filter-ewc', [any, ...codesOf('ewcCode').map((c): [string, string] => [c, ewcText(m, locale, c)])], query.get('ewcCode') ?? '')),
    field('filter-kommune', m.kommune, select('filter-kommune', [any, ...KOMMUNE_CHOICES], query.get('kommuneCode') ?? '')),
    field('filter-region', m.region, select('filter-region', [any, ...REGION_CHOICES], query.get('region') ?? '')),
    field('filter-min-tonnes', m.minTonnes, input('filter-min-tonnes', { inputmode: 'decimal', value: tonnesValue('minGrams'), 'aria-describedby': 'catalogue-filter-error' })),
    field('filter-max-tonnes', m.maxTonnes, input('filter-max-tonnes', { inputmode: 'decimal', value: tonnesValue('maxGrams'), 'aria-describedby': 'catalogue-filter-error' })),
    el('button', { attrs: { type: 'submit' } }, m.applyFilters),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams({ limit: '200' });
    const set = (param: string, value: string | undefined) => (value ? next.set(param, value) : undefined);
    set('fibre', valueOf(form, 'filter-fibre'));
    set('grade', valueOf(form, 'filter-grade'));
    set('ewcCode', valueOf(form, 'filter-ewc'));
    set('kommuneCode', valueOf(form, 'filter-kommune'));
    set('region', valueOf(form, 'filter-region'));
    const share = valueOf(form, 'filter-min-share');
    const minText = valueOf(form, 'filter-min-tonnes');
    const maxText = valueOf(form, 'filter-max-tonnes');
    const minShare = share === '' ? undefined : percentToBasisPoints(share);
    const minGrams = minText === '' ? undefined : tonnesToGrams(minText, locale);
    const maxGrams = maxText === '' ? undefined : tonnesToGrams(maxText, locale);
    if ((share !== '' && (minShare === undefined || minShare === 0)) || (minText !== '' && minGrams === undefined) || (maxText !== '' && maxGrams === undefined)) {
      error.setAttribute('role', 'alert');
      error.textContent = m.filterInvalid;
      return;
    }
    // A least share needs a fibre; without one it means nothing, so it is left out.
    if (minShare !== undefined && next.has('fibre')) next.set('minShare', String(minShare));
    if (minGrams !== undefined) next.set('minGrams', String(minGrams));
    if (maxGrams !== undefined) next.set('maxGrams', String(maxGrams));
    apply(next);
  });
  return form;
}

async function offersView(context: PageContext, m: CatalogueMessages, main: HTMLElement, query: URLSearchParams, notice?: string): Promise<void> {
  const { offers } = await context.api.getJson<{ offers: readonly Offer[] }>(`/catalogue/offers?${query.toString()}`);
  const again = (next: URLSearchParams, nextNotice?: string) => offersView(context, m, main, next, nextNotice);
  show(
    main,
    el('h1', {}, m.title),
    sectionNav(m, undefined),
    el('p', {}, m.intro),
    noticeLine(m, notice),
    filterForm(context, m, query, (next) => void again(next).then(() => main.querySelector<HTMLElement>('[data-testid="catalogue-offers-count"]')?.focus())),
    el('h2', {}, m.offersHeading),
    el('p', { attrs: { 'data-testid': 'catalogue-offers-count', tabindex: '-1' } }, m.offersCount(offers.length)),
    offers.length === 0
      ? el('p', {}, m.noOffers)
      : offerTable(
          m,
          'catalogue-offers',
          m.offersHeading,
          offers.map((offer) => offerRow(context, m, offer, requestCell(context, m, offer, (done) => again(query, done)))),
          true,
        ),
  );
}

