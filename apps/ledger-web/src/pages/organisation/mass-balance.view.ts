import { ApiError, path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { formatDateTime, formatTonnes } from '../../shared/format.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { hrefOf } from '../../shared/router.js';
import { massBalanceMessages, type MassBalanceMessages } from './mass-balance.messages.js';
import type { MassBalanceAccount, MassBalanceAccountList } from './mass-balance.types.js';

/**
 * The organisation's mass-balance credit accounts (decision 044), latest period first, each with
 * its movements and the balance after each: the figures a mass-balance claim certificate carries
 * (decision 045). Only the organisation itself, auditors and the operator may see them.
 */
export async function massBalanceSection(context: PageContext, organisationId: string): Promise<HTMLElement> {
  const m = massBalanceMessages[context.locale];
  const section = (...children: Array<Node | null>) =>
    el('section', { attrs: { 'aria-labelledby': 'mass-balance-accounts-heading', 'data-testid': 'mass-balance-accounts' } }, el('h2', { attrs: { id: 'mass-balance-accounts-heading' } }, m.heading), el('p', { class: 'hint' }, m.intro), ...children);
  // The API would refuse anyone else (403); the page says so without asking, so that the browser
  // logs no refusal for a section the viewer was never going to see.
  const viewer = context.viewer?.organisationId;
  const roles = context.organisations.all.find((organisation) => organisation.organisationId === viewer)?.roles ?? [];
  if (viewer !== undefined && viewer !== organisationId && !roles.includes('auditor') && !roles.includes('operator')) {
    return section(el('p', { class: 'notice', attrs: { 'data-testid': 'mass-balance-forbidden' } }, m.forbidden));
  }
  let accounts: MassBalanceAccount[];
  try {
    const list = await context.api.getJson<MassBalanceAccountList>(path`/organisations/${organisationId}/mass-balance-accounts`);
    accounts = await Promise.all(list.accounts.map((account) => context.api.getJson<MassBalanceAccount>(path`/organisations/${organisationId}/mass-balance-accounts/${account.periodId}`)));
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return section(el('p', { class: 'notice', attrs: { 'data-testid': 'mass-balance-forbidden' } }, m.forbidden));
    if (error instanceof ApiError && error.status === 401) throw error;
    return section(el('p', { class: 'form-error', attrs: { role: 'alert' } }, context.t.failed(error instanceof Error ? error.message : String(error))));
  }
  if (accounts.length === 0) return section(el('p', {}, m.none));
  return section(...accounts.map((account) => accountView(context, m, account)));
}

function accountView(context: PageContext, m: MassBalanceMessages, account: MassBalanceAccount): HTMLElement {
  const { locale } = context;
  const tonnes = (grams: number) => formatTonnes(grams, locale);
  const headingId = `mass-balance-${account.periodId}`;
  return el(
    'div',
    { class: 'mass-balance-account', attrs: { 'data-testid': 'mass-balance-account', 'data-period': account.periodId, 'data-balance-grams': String(account.balanceGrams) } },
    el('h3', { attrs: { id: headingId } }, m.period(account.periodId)),
    el('p', { class: 'headline' }, m.totals(tonnes(account.creditedGrams), tonnes(account.reversedGrams), tonnes(account.debitedGrams), tonnes(account.balanceGrams))),
    el(
      'div',
      { class: 'table-scroll', attrs: { tabindex: '0', role: 'region', 'aria-labelledby': headingId } },
      el(
        'table',
        { attrs: { 'data-testid': 'mass-balance-movements' } },
        el('thead', {}, el('tr', {}, ...[m.movement, m.grams, m.balanceAfter, m.about, m.date].map((header) => el('th', { attrs: { scope: 'col' } }, header)))),
        el(
          'tbody',
          {},
          ...account.movements.map((movement) =>
            el(
              'tr',
              { attrs: { 'data-kind': movement.kind } },
              el('th', { attrs: { scope: 'row' } }, codeLabel(locale, 'massBalanceMovement', movement.kind)),
              el('td', {}, tonnes(movement.grams)),
              el('td', {}, tonnes(movement.balanceAfterGrams)),
              el(
                'td',
                {},
                movement.batchId !== null
                  ? el('span', {}, `${m.claimOn} `, el('a', { attrs: { href: hrefOf({ page: 'batch', batchId: movement.batchId }) } }, movement.batchId))
                  : `${m.process} ${movement.processId ?? '—'}`,
              ),
              el('td', {}, formatDateTime(movement.occurredAt, locale)),
            ),
          ),
        ),
      ),
    ),
  );
}
