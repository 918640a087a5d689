import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { formatDateTime, formatInteger, formatTonnes } from '../../shared/format.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { hrefOf } from '../../shared/router.js';
import { ORGANISATION_ACTIVITY_MESSAGES } from './organisation.messages.js';
import type { ProcessList, ShipmentList } from './organisation.types.js';

/** How many rows a section shows; the API pages further, and the page says when there are more. */
export const ACTIVITY_ROWS = 200;

const headerRow = (headers: readonly string[]) => el('thead', {}, el('tr', {}, ...headers.map((header) => el('th', { attrs: { scope: 'col' } }, header))));

function section(id: string, heading: string, ...content: (Node | null)[]): HTMLElement {
  return el('section', { attrs: { 'aria-labelledby': `${id}-heading` } }, el('h2', { attrs: { id: `${id}-heading` } }, heading), ...content);
}

/** The processes the organisation ran in the period, with what went in and came out. */
export function processesSection(context: PageContext, processes: ProcessList | 'forbidden'): HTMLElement {
  const m = ORGANISATION_ACTIVITY_MESSAGES[context.locale];
  const { locale } = context;
  if (processes === 'forbidden') return section('processes', m.processes, el('p', { class: 'notice', attrs: { 'data-testid': 'processes-forbidden' } }, m.processesForbidden));
  if (processes.processes.length === 0) return section('processes', m.processes, el('p', { attrs: { 'data-testid': 'processes-empty' } }, m.noProcesses));
  const tonnes = (grams: number) => formatTonnes(grams, locale);
  return section(
    'processes',
    m.processes,
    el(
      'table',
      { attrs: { 'data-testid': 'organisation-processes' } },
      headerRow([m.occurred, m.processType, m.status, m.inputs, m.outputs, m.losses]),
      el(
        'tbody',
        {},
        ...processes.processes.map((process) =>
          el(
            'tr',
            { attrs: { 'data-process-id': process.processId } },
            el('th', { attrs: { scope: 'row' } }, formatDateTime(process.occurredAt, locale)),
            el('td', {}, codeLabel(locale, 'processType', process.processType)),
            el('td', {}, codeLabel(locale, 'processStatus', process.status)),
            el('td', {}, m.inputsCell(tonnes(process.inputs.massGrams + process.externalInputs.massGrams), formatInteger(process.inputs.batches + process.externalInputs.count, locale))),
            el('td', {}, m.inputsCell(tonnes(process.outputs.massGrams), formatInteger(process.outputs.batches, locale))),
            el('td', {}, tonnes(process.lossesGrams)),
          ),
        ),
      ),
    ),
    processes.nextAfter ? el('p', { class: 'notice' }, m.moreThanShown(formatInteger(processes.processes.length, locale))) : null,
  );
}

/** What the organisation dispatched and received in the period, each batch and counterpart a link. */
export function shipmentsSection(context: PageContext, shipments: ShipmentList | 'forbidden'): HTMLElement {
  const m = ORGANISATION_ACTIVITY_MESSAGES[context.locale];
  const { locale, organisations } = context;
  if (shipments === 'forbidden') return section('shipments', m.shipments, el('p', { class: 'notice', attrs: { 'data-testid': 'shipments-forbidden' } }, m.shipmentsForbidden));
  if (shipments.shipments.length === 0) return section('shipments', m.shipments, el('p', { attrs: { 'data-testid': 'shipments-empty' } }, m.noShipments));
  return section(
    'shipments',
    m.shipments,
    el(
      'table',
      { attrs: { 'data-testid': 'organisation-shipments' } },
      headerRow([m.dispatched, m.direction, m.batch, m.counterpart, m.weight, m.received]),
      el(
        'tbody',
        {},
        ...shipments.shipments.map((shipment) =>
          el(
            'tr',
            { attrs: { 'data-transfer-id': shipment.transferId, 'data-direction': shipment.direction } },
            el('th', { attrs: { scope: 'row' } }, formatDateTime(shipment.dispatchedAt, locale)),
            el('td', {}, shipment.direction === 'outgoing' ? m.outgoing : m.incoming),
            el('td', {}, el('a', { attrs: { href: hrefOf({ page: 'batch', batchId: shipment.batchId }) } }, shipment.batchId.slice(0, 8))),
            el(
              'td',
              {},
              el('a', { attrs: { href: hrefOf({ page: 'organisation', organisationId: shipment.counterpartOrgId }) } }, shipment.counterpartOrgName ?? organisations.nameOf(shipment.counterpartOrgId)),
            ),
            el('td', {}, formatTonnes(shipment.massGrams, locale)),
            el('td', {}, shipment.receivedAt === null ? m.inTransit : formatDateTime(shipment.receivedAt, locale)),
          ),
        ),
      ),
    ),
    shipments.nextAfter ? el('p', { class: 'notice' }, m.moreThanShown(formatInteger(shipments.shipments.length, locale))) : null,
  );
}
