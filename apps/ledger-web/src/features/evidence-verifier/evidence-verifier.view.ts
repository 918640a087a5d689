import type { BundleReport } from '../../../../../libs/audit-evidence/src/index.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatDateTime, formatInteger } from '../../shared/format.js';
import { evidenceVerifierMessages, type EvidenceVerifierMessages } from './evidence-verifier.messages.js';

/** Lets the event loop paint and take input between chunks of a large bundle. */
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * "Verify an evidence bundle" (decision 031): a file dropped on the zone or chosen with the
 * (keyboard-reachable) file input is read with File.text() and checked by the same verifier the
 * CLI runs, here, with Web Crypto. Nothing is sent anywhere: there is no API call in this feature.
 * The verdict, the first failure in the CLI's own words, and what was checked are announced in a
 * polite live region.
 */
export function evidenceVerifierSection(context: PageContext): HTMLElement {
  const m = evidenceVerifierMessages[context.locale];
  const result = el('div', { class: 'evidence-result', attrs: { id: 'evidence-result', 'aria-live': 'polite', 'data-testid': 'evidence-result' } });
  const section = el('section', { class: 'evidence-verifier', attrs: { 'aria-labelledby': 'evidence-heading' } });
  // The verifier brings the domain's event schemas, which no other page needs, so it is its own
  // chunk; it is fetched as soon as the section shows, so that verifying a file makes no request.
  const verifier = import('../../../../../libs/audit-evidence/src/index.js');
  verifier.then(
    () => section.setAttribute('data-verifier', 'ready'),
    () => section.setAttribute('data-verifier', 'unavailable'),
  );
  let run = 0;
  const verify = async (file: File): Promise<void> => {
    const mine = ++run;
    show(result, el('p', { attrs: { role: 'status', 'data-testid': 'evidence-verdict', 'data-verdict': 'verifying' } }, m.verifying(file.name)));
    let text: string;
    try {
      text = await file.text();
    } catch {
      if (mine === run) show(result, el('p', { class: 'form-error', attrs: { role: 'alert', 'data-testid': 'evidence-verdict', 'data-verdict': 'failed' } }, m.unreadable(file.name)));
      return;
    }
    let report: BundleReport;
    try {
      report = await (await verifier).verifyEvidenceBundle(text, { pause: nextTask });
    } catch (error) {
      if (mine === run) show(result, el('p', { class: 'form-error', attrs: { role: 'alert', 'data-testid': 'evidence-verdict', 'data-verdict': 'failed' } }, m.verifierError(error instanceof Error ? error.message : String(error))));
      return;
    }
    // A file chosen while this one was checked replaces it: only the latest verdict is shown.
    if (mine === run) show(result, ...renderReport(context, m, file.name, report));
  };

  const input = el('input', { attrs: { id: 'evidence-file', type: 'file', accept: '.json,application/json', 'data-testid': 'evidence-file' } });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void verify(file);
  });
  const zone = el(
    'div',
    { class: 'evidence-drop-zone', attrs: { 'data-testid': 'evidence-drop-zone' } },
    el('p', { class: 'evidence-drop-hint' }, m.dropZone),
    el('label', { attrs: { for: 'evidence-file' } }, m.chooseFile),
    input,
  );
  zone.addEventListener('dragover', (event) => {
    // Without this the browser opens the file instead of handing it to the page.
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) void verify(file);
  });

  section.append(el('h2', { attrs: { id: 'evidence-heading' } }, m.heading), el('p', {}, m.intro), zone, result);
  return section;
}

function renderReport(context: PageContext, m: EvidenceVerifierMessages, file: string, report: BundleReport): Node[] {
  const { locale } = context;
  const nodes: Node[] = [
    el('p', { class: report.ok ? 'verdict verified' : 'verdict failed', attrs: { role: 'status', 'data-testid': 'evidence-verdict', 'data-verdict': report.ok ? 'verified' : 'failed' } }, report.ok ? m.verified(file) : m.failed(file)),
  ];
  const first = report.failures[0];
  if (first !== undefined) {
    nodes.push(el('p', { class: 'evidence-first-failure' }, `${m.firstFailure} (${m.failureInEnglish}): `, el('span', { attrs: { lang: 'en', 'data-testid': 'evidence-first-failure' } }, first)));
  }
  const summary = el('dl', { class: 'summary', attrs: { 'data-testid': 'evidence-summary' } });
  if (report.subject) {
    summary.append(el('dt', {}, m.subject), el('dd', { attrs: { 'data-testid': 'evidence-subject' } }, report.subject.batchId, report.subject.upstream ? ` (${m.withUpstream})` : ''));
  }
  if (report.checkpoint) {
    summary.append(el('dt', {}, m.checkpointLabel), el('dd', {}, m.checkpoint(formatInteger(report.checkpoint.treeSize, locale), formatDateTime(report.checkpoint.signedAt, locale), report.checkpoint.keyId)));
  }
  nodes.push(summary);
  nodes.push(
    el(
      'p',
      {
        attrs: {
          'data-testid': 'evidence-counts',
          'data-streams': String(report.streams),
          'data-events': String(report.events),
          'data-proofs': String(report.proofs),
          'data-checkpoints': String(report.checkpoints),
        },
      },
      m.counts(formatInteger(report.streams, locale), formatInteger(report.events, locale), formatInteger(report.proofs, locale), formatInteger(report.checkpoints, locale)),
    ),
  );
  if (report.keyTrust === 'bundle' && report.checkpoint) nodes.push(el('p', {}, m.keyTrust(report.checkpoint.keyId)));
  if (report.checks.length > 0) {
    nodes.push(
      el('h3', {}, m.checksHeading),
      el(
        'ul',
        { class: 'evidence-checks', attrs: { 'data-testid': 'evidence-checks' } },
        ...report.checks.map((check) =>
          el('li', { class: check.ok ? 'check-ok' : 'check-failed', attrs: { 'data-check': check.name } }, el('strong', {}, check.ok ? m.ok : m.fail), ' ', el('span', { attrs: { lang: 'en' } }, `${check.name}: ${check.detail}`)),
        ),
      ),
    );
  }
  if (report.provenanceNote) nodes.push(el('p', {}, `${m.provenance}: `, el('span', { attrs: { lang: 'en' } }, report.provenanceNote)));
  return nodes;
}
