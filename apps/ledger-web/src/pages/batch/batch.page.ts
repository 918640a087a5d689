import { path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatBasisPoints, formatDateTime, formatMonth, formatPercent, formatTonnes } from '../../shared/format.js';
import { hrefOf } from '../../shared/router.js';
import { table } from '../../shared/table.js';
import type { BatchSummary, Custody, Lineage, Provenance } from './batch.types.js';

/**
 * One batch: its summary in names, the custody timeline, where its material came from, and the
 * batches upstream and downstream of it. Each section is the API's answer for the same batch.
 */
export async function batchPage(context: PageContext, main: HTMLElement, batchId: string): Promise<void> {
  const { api } = context;
  const base = path`/batches/${batchId}`;
  const [batch, custody, provenance, upstream, downstream] = await Promise.all([
    api.getJson<BatchSummary>(base),
    api.getJson<Custody>(`${base}/custody`),
    api.getJson<Provenance>(`${base}/provenance`),
    api.getJson<Lineage>(`${base}/lineage?direction=upstream`),
    api.getJson<Lineage>(`${base}/lineage?direction=downstream`),
  ]);
  show(
    main,
    el('h1', {}, `${context.t.batchTitle}: ${batch.productType ?? batch.grade} · ${formatTonnes(batch.massGrams, context.locale)}`),
    el('p', { class: 'batch-id' }, el('code', {}, batch.batchId)),
    summarySection(context, batch),
    custodySection(context, custody),
    provenanceSection(context, provenance),
    lineageSection(context, upstream, downstream),
  );
}

function originText(context: PageContext, origin: BatchSummary['origin']): string {
  const { t, organisations } = context;
  if (origin.kind === 'collected' && 'collectorOrgId' in origin) {
    return t.collectedIn(String(origin.kommuneCode), String(origin.collectionScheme), organisations.nameOf(String(origin.collectorOrgId)));
  }
  if (origin.kind === 'produced' && 'processType' in origin) {
    return t.producedBy(String(origin.processType), organisations.nameOf(String(origin.organisationId)));
  }
  return origin.kind;
}

function summarySection(context: PageContext, batch: BatchSummary): HTMLElement {
  const { t, locale, organisations } = context;
  const organisationLink = (organisationId: string) => el('a', { attrs: { href: hrefOf({ page: 'organisation', organisationId }) } }, organisations.nameOf(organisationId));
  const rows: [string, string | Node][] = [
    [t.mass, formatTonnes(batch.massGrams, locale)],
    [t.grade, batch.grade],
    [t.status, batch.status],
    [t.origin, originText(context, batch.origin)],
    [t.custodian, organisationLink(batch.custodianOrgId)],
    [t.owner, organisationLink(batch.ownerOrgId)],
    [t.product, batch.productType ?? '—'],
    [t.composition, batch.composition.map((part) => `${part.fibre} ${formatBasisPoints(part.share, locale)}`).join(', ')],
    [t.recorded, formatDateTime(batch.created.occurredAt, locale)],
  ];
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'summary-heading' } },
    el('h2', { attrs: { id: 'summary-heading' } }, t.summary),
    el('dl', { class: 'summary', attrs: { 'data-testid': 'batch-summary' } }, ...rows.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)])),
  );
}

function custodySection(context: PageContext, custody: Custody): HTMLElement {
  const { t, locale, organisations } = context;
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'custody-heading' } },
    el('h2', { attrs: { id: 'custody-heading' } }, t.custody),
    el(
      'ol',
      { class: 'timeline', attrs: { 'data-testid': 'custody' } },
      ...custody.periods.map((period) =>
        el(
          'li',
          {},
          el('strong', { class: 'holder' }, organisations.nameOf(period.organisationId)),
          ' · ',
          `${t.custodyFrom} ${formatDateTime(period.from.occurredAt, locale)} (${period.from.kind})`,
          ' · ',
          period.to ? `${t.custodyTo} ${formatDateTime(period.to.occurredAt, locale)} (${period.to.kind})` : t.stillHeld,
        ),
      ),
    ),
  );
}

function provenanceSection(context: PageContext, provenance: Provenance): HTMLElement {
  const { t, locale } = context;
  const tonnes = (grams: number) => formatTonnes(grams, locale);
  const share = (grams: number) => formatPercent(provenance.massGrams ? grams / provenance.massGrams : 0, locale);
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'provenance-heading' } },
    el('h2', { attrs: { id: 'provenance-heading' } }, t.provenance),
    el('p', { class: 'headline' }, `${t.recycledContent}: `, el('strong', { attrs: { 'data-testid': 'recycled-content' } }, formatBasisPoints(provenance.recycledContentBasisPoints, locale))),
    table('provenance-kinds', [t.origin, t.tonnes, t.share], [
      [t.postConsumer, tonnes(provenance.postConsumerGrams), share(provenance.postConsumerGrams)],
      [t.preConsumer, tonnes(provenance.preConsumerGrams), share(provenance.preConsumerGrams)],
      [t.virgin, tonnes(provenance.virginGrams), share(provenance.virginGrams)],
      [t.untracked, tonnes(provenance.untrackedGrams), share(provenance.untrackedGrams)],
    ]),
    el('h3', {}, t.byKommune),
    table(
      'provenance-by-kommune',
      [t.kommune, t.tonnes, t.share],
      provenance.byKommune.map((row) => [row.kommuneCode, tonnes(row.grams), share(row.grams)]),
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
  if (kind === 'kommune') return context.t.kommuneOrigin(id ?? '');
  return id ? `${kind}: ${context.organisations.nameOf(id)}` : originKey;
}

function lineageSection(context: PageContext, upstream: Lineage, downstream: Lineage): HTMLElement {
  const { t } = context;
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'lineage-heading' } },
    el('h2', { attrs: { id: 'lineage-heading' } }, t.lineage),
    el('h3', {}, t.upstream),
    lineageList(context, upstream, 'upstream'),
    el('h3', {}, t.downstream),
    lineageList(context, downstream, 'downstream'),
  );
}

/**
 * The lineage as a list of links, one per edge, nearest first: the batch on the far side, the
 * process that joined them and the mass that flowed.
 */
function lineageList(context: PageContext, lineage: Lineage, direction: 'upstream' | 'downstream'): HTMLElement {
  const { t, locale, organisations } = context;
  const depthOf = new Map(lineage.nodes.map((node) => [node.batchId, node.depth]));
  const far = (edge: Lineage['edges'][number]) => (direction === 'upstream' ? edge.parentBatchId : edge.childBatchId);
  const edges = [...lineage.edges].sort((a, b) => (depthOf.get(far(a)) ?? 0) - (depthOf.get(far(b)) ?? 0));
  const withheld = lineage.withheld && (lineage.withheld.batches > 0 || lineage.withheld.edges > 0) ? el('p', { class: 'withheld' }, t.withheld(lineage.withheld.batches, lineage.withheld.edges)) : null;
  if (!edges.length) return el('div', {}, el('p', {}, t.noLineage), withheld);
  return el(
    'div',
    {},
    el(
      'ul',
      { class: 'lineage', attrs: { 'data-testid': `lineage-${direction}` } },
      ...edges.map((edge) =>
        el(
          'li',
          { class: `depth-${Math.min(depthOf.get(far(edge)) ?? 1, 6)}` },
          `${t.depth} ${depthOf.get(far(edge)) ?? '?'}: `,
          el('a', { attrs: { href: hrefOf({ page: 'batch', batchId: far(edge) }) } }, far(edge)),
          ` · ${formatTonnes(edge.grams, locale)} · ${t.via(edge.processType, organisations.nameOf(edge.organisationId))}`,
        ),
      ),
    ),
    withheld,
  );
}
