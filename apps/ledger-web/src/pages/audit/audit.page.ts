import { evidenceVerifierSection } from '../../features/evidence-verifier/evidence-verifier.view.js';
import { ApiError } from '../../shared/api-client.js';
import { ANOMALY_KINDS, anomalyTable, type AnomalyPage } from '../../shared/anomaly-list.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { copenhagenStartOfDay, formatDateTime, formatInteger } from '../../shared/format.js';
import { table } from '../../shared/table.js';
import type { AuditKey, CheckpointList } from './audit.types.js';

interface AnomalyFilters {
  readonly kind: string;
  readonly organisationId: string;
  /** Copenhagen calendar days, `YYYY-MM-DD`, or empty. */
  readonly from: string;
  readonly to: string;
}

/**
 * The auditor's view: the key that signs the log's checkpoints, the signed checkpoints (what an
 * auditor compares with their own copy, or with an evidence bundle), and the anomalies with
 * filters. The filters change only the anomaly section; every figure is the API's answer.
 */
export async function auditPage(context: PageContext, main: HTMLElement): Promise<void> {
  const { t, api } = context;
  const [key, checkpoints] = await Promise.all([api.getJson<AuditKey>('/audit/public-key'), api.getJson<CheckpointList>('/audit/checkpoints?limit=1000')]);
  const results = el('div', { attrs: { id: 'anomaly-results', 'aria-live': 'polite' } });
  show(
    main,
    el('h1', {}, t.auditTitle),
    keySection(context, key, checkpoints.origin),
    checkpointSection(context, checkpoints),
    evidenceVerifierSection(context),
    el(
      'section',
      { attrs: { 'aria-labelledby': 'audit-anomalies-heading' } },
      el('h2', { attrs: { id: 'audit-anomalies-heading' } }, t.anomalies),
      filterForm(context, (filters) => void showAnomalies(context, results, filters)),
      results,
    ),
  );
  await showAnomalies(context, results, { kind: '', organisationId: '', from: '', to: '' });
}

function keySection(context: PageContext, key: AuditKey, origin: string): HTMLElement {
  const { t } = context;
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'key-heading' } },
    el('h2', { attrs: { id: 'key-heading' } }, t.signingKey),
    el(
      'dl',
      { class: 'summary', attrs: { 'data-testid': 'signing-key' } },
      el('dt', {}, t.logOrigin),
      el('dd', {}, origin),
      el('dt', {}, t.algorithm),
      el('dd', {}, key.algorithm),
      el('dt', {}, t.keyId),
      el('dd', {}, el('code', { attrs: { 'data-testid': 'key-id' } }, key.keyId)),
    ),
    el('h3', {}, t.publicKey),
    el('pre', { class: 'pem', attrs: { 'data-testid': 'public-key', tabindex: '0', 'aria-label': t.publicKey } }, key.publicKey),
  );
}

/** Newest first: the latest signed root is what an auditor checks first. */
function checkpointSection(context: PageContext, list: CheckpointList): HTMLElement {
  const { t, locale } = context;
  const newestFirst = [...list.checkpoints].reverse();
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'checkpoints-heading' } },
    el('h2', { attrs: { id: 'checkpoints-heading' } }, t.checkpoints),
    list.signingRefused ? el('p', { class: 'form-error', attrs: { role: 'alert' } }, t.signingRefused(list.signingRefused)) : null,
    newestFirst.length
      ? el(
          'div',
          { class: 'table-scroll', attrs: { tabindex: '0', role: 'region', 'aria-labelledby': 'checkpoints-heading' } },
          table(
            'checkpoints',
            [t.treeSize, t.rootHash, t.signedAt, t.keyId],
            newestFirst.map((checkpoint) => [formatInteger(checkpoint.treeSize, locale), checkpoint.rootHash, formatDateTime(checkpoint.signedAt, locale), checkpoint.keyId]),
          ),
        )
      : el('p', { attrs: { 'data-testid': 'checkpoints' } }, t.noCheckpoints),
  );
}

function filterForm(context: PageContext, apply: (filters: AnomalyFilters) => void): HTMLFormElement {
  const { t, organisations } = context;
  const kind = el('select', { attrs: { id: 'anomaly-kind', name: 'kind' } }, el('option', { attrs: { value: '' } }, t.allKinds), ...ANOMALY_KINDS.map((value) => el('option', { attrs: { value } }, t.anomalyKinds[value] ?? value)));
  const organisation = el(
    'select',
    { attrs: { id: 'anomaly-organisation', name: 'organisationId' } },
    el('option', { attrs: { value: '' } }, t.allOrganisations),
    ...organisations.all.map((entry) => el('option', { attrs: { value: entry.organisationId } }, entry.name)),
  );
  const from = el('input', { attrs: { id: 'anomaly-from', name: 'from', type: 'date' } });
  const to = el('input', { attrs: { id: 'anomaly-to', name: 'to', type: 'date' } });
  const form = el(
    'form',
    { class: 'inline-form', attrs: { 'aria-label': t.filters } },
    el('label', { attrs: { for: 'anomaly-kind' } }, t.anomalyKind),
    kind,
    el('label', { attrs: { for: 'anomaly-organisation' } }, t.organisation),
    organisation,
    el('label', { attrs: { for: 'anomaly-from' } }, t.fromDate),
    from,
    el('label', { attrs: { for: 'anomaly-to' } }, t.toDate),
    to,
    el('button', { attrs: { type: 'submit' } }, t.show),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply({ kind: kind.value, organisationId: organisation.value, from: from.value, to: to.value });
  });
  return form;
}

function anomalyQuery(filters: AnomalyFilters): string {
  const query = new URLSearchParams({ limit: '500' });
  if (filters.kind) query.set('kind', filters.kind);
  if (filters.organisationId) query.set('organisationId', filters.organisationId);
  if (filters.from) query.set('from', copenhagenStartOfDay(filters.from));
  if (filters.to) query.set('to', copenhagenStartOfDay(filters.to));
  return `/audit/anomalies?${query.toString()}`;
}

/** A refused or invalid filter (403 for another's anomalies, 400 for a reversed period) is shown beside the form, not as a page failure. */
async function showAnomalies(context: PageContext, results: HTMLElement, filters: AnomalyFilters): Promise<void> {
  const { t } = context;
  show(results, el('p', { attrs: { role: 'status' } }, t.loading));
  try {
    const page = await context.api.getJson<AnomalyPage>(anomalyQuery(filters));
    show(results, el('p', { attrs: { role: 'status', 'data-testid': 'anomaly-count' } }, t.anomalyCount(page.items.length)), anomalyTable(context, page, 'audit-anomalies'));
  } catch (error) {
    const message = error instanceof ApiError && error.status === 403 ? t.anomaliesForbidden : t.failed(error instanceof Error ? error.message : String(error));
    show(results, el('p', { class: 'form-error', attrs: { role: 'alert', 'data-testid': 'anomaly-error' } }, message));
  }
}
