import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { formatDateTime } from '../../shared/format.js';
import type { BatchMessages } from './batch.messages.js';
import type { BatchHistory, HistoryEvent } from './batch.types.js';

const rowId = (eventId: string): string => `event-${eventId}`;

/**
 * A link to another row of the table. The page's address is its fragment (`#/batches/…`), so an
 * ordinary `#event-…` link would navigate away; the link keeps its href for what it names and
 * moves the focus to the row itself.
 */
function rowLink(target: HistoryEvent, text: string): HTMLAnchorElement {
  const link = el('a', { class: 'history-link', attrs: { href: `#${rowId(target.eventId)}`, 'data-target': rowId(target.eventId) } }, text);
  link.addEventListener('click', (event) => {
    event.preventDefault();
    const row = document.getElementById(rowId(target.eventId));
    row?.scrollIntoView({ block: 'center' });
    row?.focus();
  });
  return link;
}

/** Each event of the batch with its time in Copenhagen, who recorded it, its hashes and its corrections. */
export function historySection(context: PageContext, m: BatchMessages, history: BatchHistory): HTMLElement {
  const { locale, organisations } = context;
  const byId = new Map(history.events.map((event) => [event.eventId, event]));
  const audited = history.checkpoint !== undefined;
  const rows = history.events.map((event) => {
    const corrects = event.corrects ? byId.get(event.corrects) : undefined;
    const links = [
      corrects ? rowLink(corrects, m.correctsLink(corrects.position)) : null,
      ...event.correctedBy.map((id) => byId.get(id)).map((by) => (by ? rowLink(by, m.correctedByLink(by.position)) : null)),
      event.withheld ? el('span', { class: 'withheld' }, m.parentsWithheld(event.withheld.parents)) : null,
    ].filter((item): item is HTMLAnchorElement | HTMLSpanElement => item !== null);
    return el(
      'tr',
      { attrs: { id: rowId(event.eventId), tabindex: '-1', 'data-event-type': event.type, 'data-position': String(event.position) } },
      el('th', { attrs: { scope: 'row' } }, String(event.position)),
      el('td', {}, event.type),
      el('td', {}, event.occurredAt ? formatDateTime(event.occurredAt, locale) : '—'),
      el('td', {}, formatDateTime(event.recordedAt, locale)),
      el('td', {}, organisations.nameOf(event.actorOrgId)),
      el(
        'td',
        { class: 'hashes' },
        el('span', { class: 'hash-label' }, `${m.eventHash}: `),
        el('code', { class: 'hash', attrs: { 'data-testid': 'event-hash' } }, event.hash),
        event.leafHash ? el('br') : null,
        event.leafHash ? el('span', { class: 'hash-label' }, `${m.leafHash}: `) : null,
        event.leafHash ? el('code', { class: 'hash' }, event.leafHash) : null,
      ),
      el('td', {}, ...links.flatMap((link, index) => (index === 0 ? [link] : [el('br'), link]))),
    );
  });
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'history-heading', 'data-testid': 'history-section' } },
    el('h2', { attrs: { id: 'history-heading' } }, m.history),
    el(
      'p',
      { class: 'history-checkpoint' },
      audited && history.checkpoint ? m.checkpoint(history.checkpoint.treeSize, history.keyId ?? '') : m.noCheckpoint,
    ),
    el(
      'div',
      // Names, times and event types wrap at words; only the hashes break anywhere.
      { class: 'table-scroll plain-cells' },
      el(
        'table',
        { class: 'history', attrs: { 'data-testid': 'history' } },
        el('caption', {}, m.historyCaption),
        el(
          'thead',
          {},
          el('tr', {}, ...[m.position, m.eventType, m.occurred, m.recordedAt, m.actor, m.hashes, m.corrections].map((header) => el('th', { attrs: { scope: 'col' } }, header))),
        ),
        el('tbody', {}, ...rows),
      ),
    ),
  );
}
