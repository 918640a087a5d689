import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { kommuneLabel } from '../../shared/kommuner.js';
import { formatBasisPoints, formatMonth, formatPercent, formatTonnes } from '../../shared/format.js';
import { table } from '../../shared/table.js';
import type { BatchMessages } from './batch.messages.js';
import type { Provenance } from './batch.types.js';

/**
 * Where the batch's grams came from: post- and pre-consumer, virgin, untracked, the recycled content,
 * by kommune and by origin and month; tonnes and shares of the batch's mass. The recycled share is
 * the API's own figure (rounded down, so a claim never overstates), not the page's division.
 */
export function provenanceSection(context: PageContext, m: BatchMessages, provenance: Provenance): HTMLElement {
  const { t, locale } = context;
  const tonnes = (grams: number) => formatTonnes(grams, locale);
  const share = (grams: number) => formatPercent(provenance.massGrams ? grams / provenance.massGrams : 0, locale);
  const recycledGrams = provenance.postConsumerGrams + provenance.preConsumerGrams;
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'provenance-heading', 'data-testid': 'provenance-section' } },
    el('h2', { attrs: { id: 'provenance-heading' } }, t.provenance),
    el(
      'p',
      { class: 'headline' },
      `${t.recycledContent}: `,
      el('strong', { attrs: { 'data-testid': 'recycled-content' } }, formatBasisPoints(provenance.recycledContentBasisPoints, locale)),
      ' · ',
      el('span', { attrs: { 'data-testid': 'recycled-tonnes' } }, tonnes(recycledGrams)),
    ),
    el('h3', {}, m.provenanceBreakdown),
    table('provenance-kinds', [t.origin, t.tonnes, m.percentOfMass], [
      [t.postConsumer, tonnes(provenance.postConsumerGrams), share(provenance.postConsumerGrams)],
      [t.preConsumer, tonnes(provenance.preConsumerGrams), share(provenance.preConsumerGrams)],
      [t.virgin, tonnes(provenance.virginGrams), share(provenance.virginGrams)],
      [t.untracked, tonnes(provenance.untrackedGrams), share(provenance.untrackedGrams)],
      [m.recycled, tonnes(recycledGrams), formatBasisPoints(provenance.recycledContentBasisPoints, locale)],
    ]),
    el('h3', {}, t.byKommune),
    table(
      'provenance-by-kommune',
      [t.kommune, t.tonnes, m.percentOfMass],
      provenance.byKommune.map((row) => [`${kommuneLabel(row.kommuneCode)} (${row.kommuneCode})`, tonnes(row.grams), share(row.grams)]),
    ),
    el('h3', {}, t.cohorts),
    table(
      'provenance-cohorts',
      [t.origin, t.month, t.tonnes],
      provenance.cohorts.map((cohort) => [originKeyText(context, cohort.originKey), formatMonth(cohort.month, locale), tonnes(cohort.grams)]),
    ),
  );
}

/** `kommune:0657` reads as the kommune; a residual's origin names its organisation where the viewer may see it. */
function originKeyText(context: PageContext, originKey: string): string {
  const [kind, id] = originKey.split(':', 2);
  if (kind === 'kommune') return context.t.kommuneOrigin(id ? `${kommuneLabel(id)} (${id})` : '');
  if (!kind) return originKey;
  const origin = codeLabel(context.locale, 'originClass', kind);
  // The id after the class names an organisation where the viewer may see it; otherwise it is left out.
  const name = id ? context.organisations.nameOf(id) : undefined;
  return name && name !== id ? `${origin}: ${name}` : origin;
}
