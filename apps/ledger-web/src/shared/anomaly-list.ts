import type { PageContext } from './context.js';
import { el } from './dom.js';
import { formatDateTime, formatInteger, formatPercent, formatTonnes } from './format.js';
import { codeLabel } from './i18n/codes.js';
import { hrefOf } from './router.js';

/** The kinds `GET /audit/anomalies` knows, in the API's order. */
export const ANOMALY_KINDS = ['transit-discrepancy', 'process-loss', 'custody-gap', 'unfinished-process'] as const;

export interface Anomaly {
  readonly kind: string;
  readonly position: number;
  readonly occurredAt: string;
  readonly batchIds: readonly string[];
  readonly organisationIds: readonly string[];
  readonly figures: Readonly<Record<string, unknown>>;
}

export interface AnomalyPage {
  readonly judgedAt: string;
  readonly items: readonly Anomaly[];
  readonly nextCursor: string | null;
}

const numberOf = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** What makes each kind anomalous, in the reader's words and formats; the API's figures, only rounded. */
function figuresText(context: PageContext, anomaly: Anomaly): string {
  const { t, locale } = context;
  const f = anomaly.figures;
  switch (anomaly.kind) {
    case 'transit-discrepancy':
      return t.anomalyTransit(formatTonnes(numberOf(f.differenceGrams), locale), formatPercent(numberOf(f.differencePercent) / 100, locale), formatPercent(numberOf(f.tolerancePercent) / 100, locale));
    case 'process-loss':
      return t.anomalyLoss(codeLabel(locale, 'processType', String(f.processType ?? '')), formatTonnes(numberOf(f.lossMassGrams), locale), formatPercent(numberOf(f.lossPercent) / 100, locale), formatPercent(numberOf(f.normPercent) / 100, locale));
    case 'custody-gap':
      return t.anomalyGap(formatTonnes(numberOf(f.massGrams), locale), formatInteger(numberOf(f.hoursOpen), locale), formatInteger(numberOf(f.gapHours), locale));
    case 'unfinished-process':
      return t.anomalyUnfinished(codeLabel(locale, 'processType', String(f.processType ?? '')), formatInteger(numberOf(f.hoursOpen), locale));
    default:
      return '';
  }
}

/** Anomalies as a table, one row each, oldest first as the API lists them; organisations and batches link to their pages. */
export function anomalyTable(context: PageContext, page: AnomalyPage, testId: string): HTMLElement {
  const { t, locale, organisations } = context;
  if (!page.items.length) return el('p', { attrs: { 'data-testid': testId } }, t.noAnomalies);
  const links = <T>(items: readonly T[], href: (item: T) => string, text: (item: T) => string) =>
    items.flatMap((item, index) => [index > 0 ? ', ' : null, el('a', { attrs: { href: href(item) } }, text(item))]);
  return el(
    'div',
    {},
    el(
      'table',
      { attrs: { 'data-testid': testId } },
      el('caption', {}, t.anomaliesCaption(formatDateTime(page.judgedAt, locale))),
      el('thead', {}, el('tr', {}, ...[t.occurred, t.anomalyKind, t.anomalyFigures, t.organisationsColumn, t.batches].map((header) => el('th', { attrs: { scope: 'col' } }, header)))),
      el(
        'tbody',
        {},
        ...page.items.map((anomaly) =>
          el(
            'tr',
            { attrs: { 'data-kind': anomaly.kind, 'data-position': String(anomaly.position) } },
            el('th', { attrs: { scope: 'row' } }, formatDateTime(anomaly.occurredAt, locale)),
            el('td', {}, t.anomalyKinds[anomaly.kind] ?? anomaly.kind),
            el('td', { class: 'anomaly-figures' }, figuresText(context, anomaly)),
            el('td', {}, ...links(anomaly.organisationIds, (organisationId) => hrefOf({ page: 'organisation', organisationId }), (organisationId) => organisations.nameOf(organisationId))),
            el('td', { class: 'batch-links' }, ...links(anomaly.batchIds, (batchId) => hrefOf({ page: 'batch', batchId }), (batchId) => batchId.slice(0, 8))),
          ),
        ),
      ),
    ),
    page.nextCursor ? el('p', {}, t.moreAnomalies) : null,
  );
}
