import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { hrefOf } from '../../shared/router.js';

/** Where a signed-in reader starts: a link to each page. */
export function homePage(context: PageContext, main: HTMLElement): void {
  const { t } = context;
  show(
    main,
    el('h1', {}, t.homeTitle),
    el(
      'ul',
      { class: 'home-links' },
      el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'municipality' }) } }, t.navMunicipality), ` · ${t.homeMunicipality}`),
      el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'batches' }) } }, t.navBatches), ` · ${t.homeBatches}`),
    ),
  );
}
