import { ApiError, path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatBasisPoints, formatDateTime, formatTonnes } from '../../shared/format.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { kommuneLabel } from '../../shared/kommuner.js';
import { hrefOf } from '../../shared/router.js';
import { copenhagenInstant } from './as-of.js';
import { batchMessages, type BatchMessages } from './batch.messages.js';
import { claimsSection } from './claims.view.js';
import { epcisBatchExports } from './epcis-export.view.js';
import type { AsOfAxis, BatchHistory, BatchSummary, Custody, Lineage, Provenance } from './batch.types.js';
import { historySection } from './history.view.js';
import { LineageGraphState } from './lineage-graph.model.js';
import { drawLineageGraph, layoutLineage } from './lineage-graph.view.js';
import { provenanceSection } from './provenance.view.js';

/**
 * One batch: its summary in names, the custody timeline, where its material came from, its
 * history, and the batches upstream and downstream of it as a graph and as lists. Each section is
 * the API's answer for the same batch. An as-of moment re-reads the summary, custody, provenance
 * and history as the ledger knew them then (decision 013); the lineage stays as it is now
 * (decision 032).
 */
export async function batchPage(context: PageContext, main: HTMLElement, batchId: string): Promise<void> {
  const { api } = context;
  const m = batchMessages[context.locale];
  const base = path`/batches/${batchId}`;
  const summary = api.getJson<BatchSummary>(base);
  const [batch, custody, provenance, lineage, history, claims] = await Promise.all([
    summary,
    api.getJson<Custody>(`${base}/custody`),
    api.getJson<Provenance>(`${base}/provenance`),
    readLineage(context, base),
    readHistory(context, batchId, ''),
    summary.then((read) => claimsSection(context, read)),
  ]);
  const sections = {
    summary: summarySection(context, batch),
    custody: custodySection(context, custody),
    provenance: provenanceSection(context, m, provenance),
    history: historySection(context, m, history),
  };
  const heading = el('h1', {}, headingText(context, batch));
  const graph = lineageGraphSection(context, m, batchId, lineage);
  show(
    main,
    heading,
    el('p', { class: 'batch-id' }, el('code', {}, batch.batchId)),
    asOfForm(context, m, async (asOf) => {
      try {
        // One replayed moment: the summary resolves the time to a log position, and the other
        // answers are asked at that position, so all four show the same moment. One at a time: an
        // organisation may only have a couple of as-of replays waiting (decision 026).
        const then = await api.getJson<BatchSummary & { asOf?: AsOfAxis }>(asOf ? `${base}?asOf=${encodeURIComponent(asOf)}` : base);
        const at = asOf && then.asOf?.position !== undefined ? `?asOfPosition=${then.asOf.position}` : '';
        const custodyThen = await api.getJson<Custody>(`${base}/custody${at}`);
        const provenanceThen = await api.getJson<Provenance>(`${base}/provenance${at}`);
        const historyThen = await readHistory(context, batchId, at);
        heading.textContent = headingText(context, then);
        replace(sections, 'summary', summarySection(context, then));
        replace(sections, 'custody', custodySection(context, custodyThen));
        replace(sections, 'provenance', provenanceSection(context, m, provenanceThen));
        replace(sections, 'history', historySection(context, m, historyThen));
        return asOf ? then.asOf : undefined;
      } catch (error) {
        // Before the batch's first event the ledger did not know it: the as-of store has no such batch.
        if (error instanceof ApiError && error.status === 404) throw new Error(m.asOfBeforeBatch);
        throw error;
      }
    }),
    sections.summary,
    sections.custody,
    sections.provenance,
    claims,
    graph.section,
    lineageSection(context, m, lineage.upstream, lineage.downstream),
    sections.history,
    epcisBatchExports(context, batchId),
  );
  await graph.draw();
}

type Sections = Record<'summary' | 'custody' | 'provenance' | 'history', HTMLElement>;

function replace(sections: Sections, name: keyof Sections, next: HTMLElement): void {
  sections[name].replaceWith(next);
  sections[name] = next;
}

function headingText(context: PageContext, batch: BatchSummary): string {
  return `${context.t.batchTitle}: ${batch.productType ?? codeLabel(context.locale, 'grade', batch.grade)} · ${formatTonnes(batch.massGrams, context.locale)}`;
}

interface LineagePair {
  readonly upstream: Lineage;
  readonly downstream: Lineage;
  /** Set when the whole walk was too large and each side was cut at this depth. */
  readonly cutAt: number | null;
}

/** Steps each way asked for when the whole lineage is larger than one answer may hold. */
const CUT_DEPTH = 4;

/**
 * Both sides, whole. The API refuses a walk that would collect more batches than one answer may
 * hold (422 `lineage-too-large`); then the page asks for a few steps each way and says so.
 */
async function readLineage(context: PageContext, base: string): Promise<LineagePair> {
  const side = (direction: string, depth?: number) => context.api.getJson<Lineage>(`${base}/lineage?direction=${direction}${depth ? `&maxDepth=${depth}` : ''}`);
  try {
    const [upstream, downstream] = await Promise.all([side('upstream'), side('downstream')]);
    return { upstream, downstream, cutAt: null };
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'lineage-too-large')) throw error;
    const [upstream, downstream] = await Promise.all([side('upstream', CUT_DEPTH), side('downstream', CUT_DEPTH)]);
    return { upstream, downstream, cutAt: CUT_DEPTH };
  }
}

/**
 * The audited history (each event's leaf hash, anchored in a signed checkpoint); the plain history
 * when the ledger will not sign one (409 `checkpoint-refused`): the events are the same.
 */
async function readHistory(context: PageContext, batchId: string, query: string): Promise<BatchHistory> {
  try {
    return await context.api.getJson<BatchHistory>(`${path`/audit/batches/${batchId}/history`}${query}`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
    return context.api.getJson<BatchHistory>(`${path`/batches/${batchId}/history`}${query}`);
  }
}

/** The as-of picker: a Copenhagen date and time, applied with a button; "Now" goes back to the live ledger. */
function asOfForm(context: PageContext, m: BatchMessages, reread: (asOf: string | undefined) => Promise<AsOfAxis | undefined>): HTMLElement {
  const input = el('input', { attrs: { id: 'as-of', type: 'datetime-local', step: '1', 'aria-describedby': 'as-of-help' } });
  const status = el('p', { attrs: { role: 'status', 'data-testid': 'as-of-status' } }, m.asOfNow);
  const error = el('p', { class: 'form-error', attrs: { id: 'as-of-error', 'data-testid': 'as-of-error' } });
  const apply = async (asOf: string | undefined) => {
    error.textContent = '';
    try {
      const axis = await reread(asOf);
      status.textContent = axis && axis.position !== undefined ? m.asOfShown(formatDateTime(asOf ?? '', context.locale), axis.position) : m.asOfNow;
    } catch (failure) {
      error.textContent = failure instanceof Error ? failure.message : String(failure);
    }
  };
  const form = el(
    'form',
    { class: 'as-of-form', attrs: { 'data-testid': 'as-of-form' } },
    el(
      'fieldset',
      {},
      el('legend', {}, m.asOfLegend),
      el('label', { attrs: { for: 'as-of' } }, m.asOfLabel),
      input,
      el('button', { attrs: { type: 'submit' } }, m.asOfApply),
      el('button', { attrs: { type: 'button', 'data-testid': 'as-of-now' }, on: { click: () => { input.value = ''; void apply(undefined); } } }, m.asOfClear),
      el('p', { class: 'hint', attrs: { id: 'as-of-help' } }, m.asOfHelp),
    ),
    status,
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const asOf = copenhagenInstant(input.value);
    if (!asOf) {
      error.textContent = m.asOfInvalid;
      return;
    }
    void apply(asOf);
  });
  return form;
}

/**
 * The graph section: drawn once the batches it shows are named (each node's summary is read once
 * and kept), and redrawn in place on every expand or collapse, with the focus kept on the button.
 */
function lineageGraphSection(context: PageContext, m: BatchMessages, batchId: string, lineage: LineagePair): { section: HTMLElement; draw: () => Promise<void> } {
  const { locale, organisations, api } = context;
  const state = new LineageGraphState(batchId, lineage.upstream, lineage.downstream);
  const summaries = new Map<string, Promise<BatchSummary>>();
  const summaryOf = (id: string) => {
    let pending = summaries.get(id);
    if (!pending) {
      pending = api.getJson<BatchSummary>(path`/batches/${id}`);
      summaries.set(id, pending);
      // A failed read is asked again on the next redraw, not remembered.
      pending.catch(() => summaries.delete(id));
    }
    return pending;
  };
  const frame = el('div', { class: 'lineage-graph-frame', attrs: { 'data-testid': 'lineage-graph-frame' } }, el('p', { attrs: { role: 'status' } }, m.loadingLayout));
  const shown = el('p', { attrs: { 'data-testid': 'lineage-shown', 'aria-live': 'polite' } });
  const drawNow = async (focusToggle?: string) => {
    const graph = state.visible();
    const ids = graph.nodes.flatMap((node) => (node.kind === 'batch' ? [node.batchId] : []));
    const named = new Map<string, BatchSummary>();
    await Promise.all(ids.map(async (id) => named.set(id, await summaryOf(id))));
    const placed = await layoutLineage(graph);
    const drawing = drawLineageGraph(graph, placed, {
      messages: m,
      labelOf: (id) => {
        const summary = named.get(id)!;
        return { title: summary.productType ?? codeLabel(locale, 'grade', summary.grade), mass: formatTonnes(summary.massGrams, locale), holder: organisations.nameOf(summary.custodianOrgId) };
      },
      linkLabel: (link) => (link.edge ? `${formatTonnes(link.edge.grams, locale)} · ${codeLabel(locale, 'processType', link.edge.processType)}` : ''),
      onToggle: (id) => {
        state.toggle(id);
        void draw(id);
      },
    });
    show(frame, drawing);
    shown.textContent = m.lineageShown(ids.length, graph.knownBatches);
    if (focusToggle) drawing.querySelector<SVGGElement>(`[data-toggle="${CSS.escape(focusToggle)}"]`)?.focus();
  };
  // A batch that cannot be read or a layout chunk that does not load leaves the rest of the page,
  // and the lists below, as they are.
  const draw = async (focusToggle?: string) => {
    try {
      await drawNow(focusToggle);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw error;
      show(frame, el('p', { class: 'form-error', attrs: { role: 'alert' } }, context.t.failed(error instanceof Error ? error.message : String(error))));
    }
  };
  const section = el(
    'section',
    { attrs: { 'aria-labelledby': 'lineage-graph-heading' } },
    el('h2', { attrs: { id: 'lineage-graph-heading' } }, m.lineageGraph),
    el('p', { class: 'hint' }, m.lineageGraphHelp),
    lineage.cutAt !== null ? el('p', { class: 'withheld' }, m.lineageTooLarge(lineage.cutAt)) : null,
    el('p', { class: 'hint' }, m.lineageIsLive),
    shown,
    frame,
  );
  return { section, draw: () => draw() };
}

function originText(context: PageContext, origin: BatchSummary['origin']): string {
  const { t, organisations } = context;
  if (origin.kind === 'collected' && 'collectorOrgId' in origin) {
    return t.collectedIn(kommuneLabel(String(origin.kommuneCode)), codeLabel(context.locale, 'collectionScheme', String(origin.collectionScheme)), organisations.nameOf(String(origin.collectorOrgId)));
  }
  if (origin.kind === 'produced' && 'processType' in origin) {
    return t.producedBy(codeLabel(context.locale, 'processType', String(origin.processType)), organisations.nameOf(String(origin.organisationId)));
  }
  return origin.kind;
}

function summarySection(context: PageContext, batch: BatchSummary): HTMLElement {
  const { t, locale, organisations } = context;
  const organisationLink = (organisationId: string) => el('a', { attrs: { href: hrefOf({ page: 'organisation', organisationId }) } }, organisations.nameOf(organisationId));
  const rows: [string, string | Node][] = [
    [t.mass, formatTonnes(batch.massGrams, locale)],
    [t.grade, codeLabel(locale, 'grade', batch.grade)],
    [t.status, codeLabel(locale, 'status', batch.status)],
    [t.origin, originText(context, batch.origin)],
    [t.custodian, organisationLink(batch.custodianOrgId)],
    [t.owner, organisationLink(batch.ownerOrgId)],
    [t.product, batch.productType ?? '—'],
    [t.composition, batch.composition.map((part) => `${codeLabel(locale, 'fibre', part.fibre)} ${formatBasisPoints(part.share, locale)}`).join(', ')],
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
          period.to ? `${t.custodyTo} ${formatDateTime(period.to.occurredAt, locale)} (${period.to.endedBy})` : t.stillHeld,
        ),
      ),
    ),
  );
}

/** The lineage as lists: the graph's text alternative, every edge of both answers. */
function lineageSection(context: PageContext, m: BatchMessages, upstream: Lineage, downstream: Lineage): HTMLElement {
  const { t } = context;
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'lineage-heading' } },
    el('h2', { attrs: { id: 'lineage-heading' } }, `${t.lineage}: ${m.lineageTable}`),
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
          ` · ${formatTonnes(edge.grams, locale)} · ${t.via(codeLabel(locale, 'processType', edge.processType), organisations.nameOf(edge.organisationId))}`,
        ),
      ),
    ),
    withheld,
  );
}
