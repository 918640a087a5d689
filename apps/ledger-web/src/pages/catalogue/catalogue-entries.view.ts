import { path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { formatDateTime } from '../../shared/format.js';
import { hrefOf, type CatalogueSection } from '../../shared/router.js';
import { commandForm, compositionText, ewcText, gradeText, massText, placeText } from './catalogue-describe.js';
import type { CatalogueMessages } from './catalogue.messages.js';
import type { Offer } from './catalogue.types.js';

/** The grades an offer may carry: a batch's, or a stream's "unsorted". */
export const OFFER_GRADES = ['reuse', 'recycling', 'fibre', 'product', 'residual', 'unsorted'] as const;

/** The catalogue's own navigation, the current page marked. */
export function sectionNav(m: CatalogueMessages, current: CatalogueSection | undefined): HTMLElement {
  const link = (section: CatalogueSection | undefined, label: string) =>
    el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'catalogue', ...(section ? { section } : {}) }), ...(section === current ? { 'aria-current': 'page' } : {}) } }, label));
  return el(
    'nav',
    { class: 'catalogue-nav', attrs: { 'aria-label': m.sectionsLabel } },
    el('ul', {}, link(undefined, m.sections.offers), link('mine', m.sections.mine), link('wants', m.sections.wants), link('deals', m.sections.deals)),
  );
}

/** The request button of an offer the viewer may ask for; its own offers say so instead. */
export function requestCell(context: PageContext, m: CatalogueMessages, offer: Offer, done: (notice: string) => Promise<void>): HTMLElement {
  if (offer.full) return el('span', {}, m.yours);
  return commandForm(
    m,
    `request-${offer.offerId}`,
    null,
    [],
    m.ask,
    async () => {
      const { dealId } = await context.api.postJson<{ dealId: string }>(path`/catalogue/offers/${offer.offerId}/requests`, {});
      return `${m.requested(offer.title)}|${dealId}`;
    },
    done,
    'catalogue-inline-form',
  );
}

/** A notice, and when it names a deal (`text|dealId`), the link to it. */
export function noticeLine(m: CatalogueMessages, notice: string | undefined): HTMLElement | null {
  if (notice === undefined) return null;
  const [text, dealId] = notice.split('|');
  return el(
    'p',
    { attrs: { role: 'status', 'data-testid': 'catalogue-notice' } },
    text,
    dealId ? ' ' : null,
    dealId ? el('a', { attrs: { href: hrefOf({ page: 'catalogue-deal', dealId }), 'data-deal': dealId } }, m.openDeal) : null,
  );
}

export function offerRow(context: PageContext, m: CatalogueMessages, offer: Offer, action: HTMLElement | null): HTMLTableRowElement {
  const { locale } = context;
  return el(
    'tr',
    { attrs: { 'data-offer': offer.offerId, 'data-mass-kind': offer.mass.kind, 'data-precision': offer.location.precision } },
    el('th', { attrs: { scope: 'row' } }, offer.title, el('span', { class: 'entry-kind' }, `${m.kinds[offer.kind]} · ${m.states[offer.state] ?? offer.state}`)),
    el('td', {}, gradeText(m, locale, offer.grade)),
    el('td', {}, compositionText(locale, offer.composition)),
    el('td', {}, ewcText(m, locale, offer.ewcCode)),
    el('td', { attrs: { 'data-testid': 'offer-mass' } }, massText(m, locale, offer.mass, offer.period)),
    el('td', { attrs: { 'data-testid': 'offer-place' } }, placeText(m, offer.location)),
    el('td', { attrs: { 'data-testid': 'offer-holder' } }, offer.holder ? (offer.holder.name ?? offer.holder.organisationId) : m.nameHidden),
    el('td', {}, m.fromTo(formatDateTime(offer.availableFrom, locale), offer.availableUntil ? formatDateTime(offer.availableUntil, locale) : null)),
    action ? el('td', {}, action) : null,
  );
}

export function offerTable(m: CatalogueMessages, testId: string, caption: string, rows: readonly HTMLTableRowElement[], withAction: boolean): HTMLTableElement {
  const headers = [m.offer, m.grade, m.composition, m.ewc, m.mass, m.place, m.holder, m.available, ...(withAction ? [m.actions] : [])];
  return el(
    'table',
    { class: 'catalogue-table', attrs: { 'data-testid': testId } },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
    el('tbody', {}, ...rows),
  );
}

