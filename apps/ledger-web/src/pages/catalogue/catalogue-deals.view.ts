import { path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatDateTime, formatTonnes } from '../../shared/format.js';
import { hrefOf } from '../../shared/router.js';
import { nameBesideId } from '../programmes/programme-impact.view.js';
import { commandForm, field, input, InvalidInput, valueOf } from './catalogue-describe.js';
import { noticeLine, sectionNav } from './catalogue-entries.view.js';
import type { CatalogueMessages } from './catalogue.messages.js';
import { gramsToTonnesText, tonnesToGrams } from './catalogue-text.js';
import type { Deal } from './catalogue.types.js';

function partyName(context: PageContext, m: CatalogueMessages, party: { organisationId: string; name: string | null } | null): string {
  return party === null ? m.nameHidden : (party.name ?? context.organisations.nameOf(party.organisationId));
}

/** The holder's answers to a pending request: accept (reserving the batch) or decline with a reason. */
function answerForms(context: PageContext, m: CatalogueMessages, deal: Deal, done: (notice: string) => Promise<void>): HTMLElement[] {
  const accept = commandForm(
    m,
    `accept-${deal.dealId}`,
    null,
    [],
    m.accept,
    async () => {
      await context.api.postJson(path`/catalogue/requests/${deal.dealId}/accept`, {});
      // A recurring stream has no batch to reserve.
      return deal.batchId === null ? m.acceptedStream : m.accepted;
    },
    done,
    'catalogue-inline-form',
  );
  const decline = commandForm(
    m,
    `decline-${deal.dealId}`,
    null,
    [field(`decline-reason-${deal.dealId}`, `${m.declineReason} (${m.optional})`, input(`decline-reason-${deal.dealId}`, { maxlength: '1000' }))],
    m.decline,
    async (f) => {
      const reason = valueOf(f, `decline-reason-${deal.dealId}`);
      await context.api.postJson(path`/catalogue/requests/${deal.dealId}/decline`, reason ? { reason } : {});
      return m.declined;
    },
    done,
    'catalogue-inline-form',
  );
  return [accept, decline];
}

function isHolder(context: PageContext, deal: Deal): boolean {
  return deal.holder !== null && deal.holder.organisationId === context.viewer?.organisationId;
}

/**
 * The holder carries an accepted deal out with the ledger's ordinary dispatch to the buyer: the deal
 * is not a second way to move material, so its read model sees this dispatch like any other. The mass
 * starts as the batch's own, written exactly, so an unchanged form sends the grams the ledger holds.
 */
async function dispatchForm(context: PageContext, m: CatalogueMessages, deal: Deal, batchId: string, done: (notice: string) => Promise<void>): Promise<HTMLFormElement> {
  const { locale } = context;
  const batch = await context.api.getJson<{ massGrams: number }>(path`/batches/${batchId}`);
  const buyer = partyName(context, m, deal.buyer);
  const massId = `dispatch-mass-${deal.dealId}`;
  const documentId = `dispatch-document-${deal.dealId}`;
  return commandForm(
    m,
    `dispatch-${deal.dealId}`,
    m.dispatchHeading(buyer),
    [
      field(massId, m.dispatchMass, input(massId, { inputmode: 'decimal', required: '', value: gramsToTonnesText(batch.massGrams, locale) }), m.dispatchMassHint),
      field(documentId, `${m.transportDocument} (${m.optional})`, input(documentId, { maxlength: '200' })),
    ],
    m.dispatch,
    async (f) => {
      const massGrams = tonnesToGrams(valueOf(f, massId), locale);
      if (massGrams === undefined || massGrams === 0) throw new InvalidInput(m.invalid.mass);
      const transportDocument = valueOf(f, documentId);
      // No time is sent: the ledger records the dispatch as happening now.
      await context.api.postJson(path`/batches/${batchId}/dispatch`, { toOrgId: deal.buyer.organisationId, massGrams, ...(transportDocument ? { transportDocument } : {}) });
      return m.dispatchedNotice(buyer, formatTonnes(massGrams, locale));
    },
    done,
  );
}

/** The buyer takes the batch in with the ordinary receipt, weighed on arrival; the dispatched mass is the default. */
function receiveForm(context: PageContext, m: CatalogueMessages, deal: Deal, batchId: string, done: (notice: string) => Promise<void>): HTMLFormElement {
  const { locale } = context;
  const massId = `receive-mass-${deal.dealId}`;
  const dispatched = deal.dispatchedGrams;
  return commandForm(
    m,
    `receive-${deal.dealId}`,
    m.receiveHeading,
    [
      field(
        massId,
        m.receivedMass,
        input(massId, { inputmode: 'decimal', required: '', value: dispatched === null ? '' : gramsToTonnesText(dispatched, locale) }),
        dispatched === null ? undefined : m.receivedMassHint(formatTonnes(dispatched, locale)),
      ),
    ],
    m.receive,
    async (f) => {
      const receivedMassGrams = tonnesToGrams(valueOf(f, massId), locale);
      if (receivedMassGrams === undefined || receivedMassGrams === 0) throw new InvalidInput(m.invalid.mass);
      await context.api.postJson(path`/batches/${batchId}/receive`, { receivedMassGrams });
      return m.receivedNotice(formatTonnes(receivedMassGrams, locale));
    },
    done,
  );
}

/** `#/catalogue/deals`: the organisation's requests and deals, oldest first; the holder answers pending requests here. */
export async function dealsView(context: PageContext, m: CatalogueMessages, main: HTMLElement, notice?: string): Promise<void> {
  const { locale } = context;
  const { deals } = await context.api.getJson<{ deals: readonly Deal[] }>('/catalogue/deals');
  const again = (next: string) => dealsView(context, m, main, next);
  const rows = deals.map((deal) => {
    const holder = isHolder(context, deal);
    return el(
      'tr',
      { attrs: { 'data-deal': deal.dealId, 'data-status': deal.status } },
      el('th', { attrs: { scope: 'row' } }, el('a', { attrs: { href: hrefOf({ page: 'catalogue-deal', dealId: deal.dealId }) } }, deal.offerTitle ?? deal.offerId)),
      el('td', {}, holder ? `${m.buyer}: ${partyName(context, m, deal.buyer)}` : `${m.holder}: ${partyName(context, m, deal.holder)}`),
      el('td', { attrs: { 'data-testid': 'deal-status' } }, m.statuses[deal.status] ?? deal.status),
      el('td', {}, formatDateTime(deal.requestedAt, locale)),
      el('td', {}, ...(holder && deal.status === 'requested' ? answerForms(context, m, deal, again) : [])),
    );
  });
  show(
    main,
    el('h1', {}, m.dealsHeading),
    sectionNav(m, 'deals'),
    noticeLine(m, notice),
    deals.length === 0
      ? el('p', {}, m.noDeals)
      : el(
          'table',
          { class: 'catalogue-table', attrs: { 'data-testid': 'catalogue-deals' } },
          el('caption', {}, m.dealsHeading),
          el('thead', {}, el('tr', {}, ...[m.offer, m.counterpart, m.status, m.requestedAt, m.actions].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
          el('tbody', {}, ...rows),
        ),
  );
}

/** `#/catalogue/deals/<id>`: one deal, its parties, the batch once reserved, and its history through to receipt. */
export async function dealPage(context: PageContext, m: CatalogueMessages, main: HTMLElement, dealId: string, notice?: string): Promise<void> {
  const { locale } = context;
  const deal = await context.api.getJson<Deal>(path`/catalogue/deals/${dealId}`);
  const again = (next: string) => dealPage(context, m, main, dealId, next);
  const grams = (value: number | null) => (value === null ? '—' : formatTonnes(value, locale));
  const party = (p: { organisationId: string; name: string | null } | null) => (p === null ? m.nameHidden : nameBesideId(p.name ?? context.organisations.nameOf(p.organisationId), p.organisationId));
  const cancel =
    deal.status === 'accepted'
      ? commandForm(
          m,
          `cancel-${deal.dealId}`,
          null,
          [field(`cancel-reason-${deal.dealId}`, m.cancelReason, input(`cancel-reason-${deal.dealId}`, { required: '', maxlength: '1000' }))],
          m.cancel,
          async (f) => {
            const reason = valueOf(f, `cancel-reason-${deal.dealId}`);
            if (!reason) throw new InvalidInput(m.cancelReason);
            await context.api.postJson(path`/catalogue/deals/${deal.dealId}/cancel`, { reason });
            return m.cancelled;
          },
          again,
          'catalogue-inline-form',
        )
      : null;
  // A deal on a recurring stream names no batch: its deliveries are ordinary transfers made elsewhere.
  const carry =
    deal.batchId === null
      ? null
      : deal.status === 'accepted' && isHolder(context, deal)
        ? await dispatchForm(context, m, deal, deal.batchId, again)
        : deal.status === 'dispatched' && deal.buyer.organisationId === context.viewer?.organisationId
          ? receiveForm(context, m, deal, deal.batchId, again)
          : null;
  show(
    main,
    el('h1', {}, m.dealTitle(deal.offerTitle ?? deal.offerId)),
    sectionNav(m, 'deals'),
    el('p', {}, el('a', { attrs: { href: hrefOf({ page: 'catalogue', section: 'deals' }) } }, m.backToDeals)),
    noticeLine(m, notice),
    el(
      'dl',
      { class: 'summary', attrs: { 'data-testid': 'deal-facts', 'data-status': deal.status } },
      el('dt', {}, m.status),
      el('dd', { attrs: { 'data-testid': 'deal-status' } }, m.statuses[deal.status] ?? deal.status),
      el('dt', {}, m.holder),
      el('dd', {}, party(deal.holder)),
      el('dt', {}, m.buyer),
      el('dd', {}, party(deal.buyer)),
      el('dt', {}, m.batchLink),
      el('dd', {}, deal.batchId ? el('a', { attrs: { href: hrefOf({ page: 'batch', batchId: deal.batchId }), 'data-testid': 'deal-batch' } }, deal.batchId) : m.notYetShown),
      el('dt', {}, m.dispatched),
      el('dd', { attrs: { 'data-grams': String(deal.dispatchedGrams ?? '') } }, grams(deal.dispatchedGrams)),
      el('dt', {}, m.received),
      el('dd', { attrs: { 'data-testid': 'deal-received', 'data-grams': String(deal.receivedGrams ?? '') } }, grams(deal.receivedGrams)),
      deal.transferId ? el('dt', {}, m.transfer) : null,
      deal.transferId ? el('dd', {}, el('code', {}, deal.transferId)) : null,
      deal.symbiosis ? el('dt', {}, m.symbiosis) : null,
      deal.symbiosis ? el('dd', { attrs: { 'data-symbiosis': deal.symbiosis } }, m.symbioses[deal.symbiosis] ?? deal.symbiosis) : null,
      deal.message ? el('dt', {}, m.message) : null,
      deal.message ? el('dd', {}, deal.message) : null,
    ),
    isHolder(context, deal) && deal.status === 'requested' ? el('div', { class: 'catalogue-actions' }, ...answerForms(context, m, deal, again)) : null,
    carry,
    cancel,
    el(
      'section',
      { attrs: { 'aria-labelledby': 'deal-history-heading' } },
      el('h2', { attrs: { id: 'deal-history-heading' } }, m.history),
      el(
        'ol',
        { class: 'deal-history', attrs: { 'data-testid': 'deal-history' } },
        ...deal.history.map((step) =>
          el(
            'li',
            { attrs: { 'data-kind': step.kind, 'data-position': String(step.position) } },
            el('strong', {}, m.steps[step.kind] ?? step.kind),
            ` · ${formatDateTime(step.occurredAt, locale)} · ${m.stepBy(context.organisations.nameOf(step.actorOrgId))}`,
            step.grams !== null ? ` · ${formatTonnes(step.grams, locale)}` : null,
            step.note ? ` · ${step.note}` : null,
          ),
        ),
      ),
    ),
  );
}
