import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatDateTime, formatTonnes } from '../../shared/format.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { hrefOf } from '../../shared/router.js';
import type { BatchSummary } from '../batch/batch.types.js';

const SHOWN = 100;

/** The batches the viewer may see, newest first as the API lists them, each a link to its page. */
export async function batchListPage(context: PageContext, main: HTMLElement): Promise<void> {
  const { t, locale, organisations } = context;
  const list = await context.api.getJson<{ items: readonly BatchSummary[] }>(`/batches?limit=${SHOWN}`);
  const idInput = el('input', { attrs: { id: 'batch-id', name: 'batchId', required: '', autocomplete: 'off', spellcheck: 'false' } });
  const form = el(
    'form',
    { class: 'inline-form', attrs: { 'aria-label': t.openBatch } },
    el('label', { attrs: { for: 'batch-id' } }, t.batchId),
    idInput,
    el('button', { attrs: { type: 'submit' } }, t.open),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = hrefOf({ page: 'batch', batchId: idInput.value.trim() });
  });
  show(
    main,
    el('h1', {}, t.batchListTitle),
    form,
    el(
      'ul',
      { class: 'batch-list', attrs: { 'data-testid': 'batch-list' } },
      ...list.items.map((batch) =>
        el(
          'li',
          {},
          el('a', { attrs: { href: hrefOf({ page: 'batch', batchId: batch.batchId }) } }, `${batch.productType ?? codeLabel(locale, 'grade', batch.grade)} · ${formatTonnes(batch.massGrams, locale)}`),
          ` · ${organisations.nameOf(batch.custodianOrgId)} · ${codeLabel(locale, 'status', batch.status)} · ${formatDateTime(batch.created.occurredAt, locale)}`,
        ),
      ),
    ),
  );
}
