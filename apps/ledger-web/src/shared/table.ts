import { el } from './dom.js';

/** A data table whose first cell of each row heads that row, for screen readers. */
export function table(testId: string, headers: readonly string[], rows: readonly (readonly string[])[], caption?: string): HTMLTableElement {
  return el(
    'table',
    { attrs: { 'data-testid': testId } },
    caption ? el('caption', {}, caption) : null,
    el('thead', {}, el('tr', {}, ...headers.map((header) => el('th', { attrs: { scope: 'col' } }, header)))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((cell, index) => (index === 0 ? el('th', { attrs: { scope: 'row' } }, cell) : el('td', {}, cell)))))),
  );
}
