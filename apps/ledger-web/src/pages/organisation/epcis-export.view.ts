import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { downloadButton } from '../../shared/download.js';
import { EPCIS_MESSAGES } from '../epcis/epcis.messages.js';

/** The organisation's events of the year shown (Copenhagen's calendar year) as an EPCIS document (decision 047). */
export function epcisOrganisationExport(context: PageContext, organisationId: string, year: number, from: string, to: string): HTMLElement {
  const m = EPCIS_MESSAGES[context.locale];
  const url = `/epcis/organisations/${encodeURIComponent(organisationId)}/events?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  return el(
    'section',
    { class: 'downloads', attrs: { 'aria-labelledby': 'epcis-export-heading', 'data-testid': 'epcis-export' } },
    el('h2', { attrs: { id: 'epcis-export-heading' } }, m.exportHeading),
    downloadButton(context, m.exportYear(year), url, 'application/ld+json', `organisation-${organisationId}-${year}.epcis.jsonld`),
  );
}
