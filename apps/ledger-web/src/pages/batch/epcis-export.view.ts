import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { downloadButton } from '../../shared/download.js';
import { EPCIS_MESSAGES } from '../epcis/epcis.messages.js';

/** The batch's events as EPCIS documents: the batch alone, with its upstream, with its downstream (decision 047). */
export function epcisBatchExports(context: PageContext, batchId: string): HTMLElement {
  const m = EPCIS_MESSAGES[context.locale];
  const url = (direction: string) => `/epcis/batches/${encodeURIComponent(batchId)}/events?direction=${direction}`;
  return el(
    'section',
    { class: 'downloads', attrs: { 'aria-labelledby': 'epcis-export-heading', 'data-testid': 'epcis-export' } },
    el('h2', { attrs: { id: 'epcis-export-heading' } }, m.exportHeading),
    downloadButton(context, m.exportBatch, url('none'), 'application/ld+json', `batch-${batchId}.epcis.jsonld`),
    downloadButton(context, m.exportUpstream, url('upstream'), 'application/ld+json', `batch-${batchId}-upstream.epcis.jsonld`),
    downloadButton(context, m.exportDownstream, url('downstream'), 'application/ld+json', `batch-${batchId}-downstream.epcis.jsonld`),
  );
}
