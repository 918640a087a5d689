import type { BundleReport, CertificateFindings, ClaimCertificateReport } from '../../../../../libs/audit-evidence/src/index.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatBasisPoints, formatDateTime, formatInteger, formatTonnes } from '../../shared/format.js';
import { codeLabel } from '../../shared/i18n/codes.js';
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
    let report: BundleReport | ClaimCertificateReport;
    try {
      // An evidence bundle or a claim certificate (decision 045): the file's format decides.
      report = await (await verifier).verifyEvidenceFile(text, { pause: nextTask });
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

function renderReport(context: PageContext, m: EvidenceVerifierMessages, file: string, report: BundleReport | ClaimCertificateReport): Node[] {
  const { locale } = context;
  const certificate = 'certificate' in report ? report.certificate : undefined;
  const nodes: Node[] = [
    el('p', { class: report.ok ? 'verdict verified' : 'verdict failed', attrs: { role: 'status', 'data-testid': 'evidence-verdict', 'data-verdict': report.ok ? 'verified' : 'failed' } }, report.ok ? m.verified(file) : m.failed(file)),
  ];
  const first = report.failures[0];
  if (first !== undefined) {
    nodes.push(el('p', { class: 'evidence-first-failure' }, `${m.firstFailure} (${m.failureInEnglish}): `, el('span', { attrs: { lang: 'en', 'data-testid': 'evidence-first-failure' } }, first)));
  }
  const summary = el('dl', { class: 'summary', attrs: { 'data-testid': 'evidence-summary' } });
  if (certificate !== undefined) summary.append(el('dt', {}, m.kind), el('dd', { attrs: { 'data-testid': 'evidence-kind', 'data-kind': 'claim-certificate' } }, m.claimCertificate));
  if (report.subject) {
    summary.append(el('dt', {}, m.subject), el('dd', { attrs: { 'data-testid': 'evidence-subject' } }, report.subject.batchId, report.subject.upstream ? ` (${m.withUpstream})` : ''));
  }
  if (report.checkpoint) {
    summary.append(el('dt', {}, m.checkpointLabel), el('dd', {}, m.checkpoint(formatInteger(report.checkpoint.treeSize, locale), formatDateTime(report.checkpoint.signedAt, locale), report.checkpoint.keyId)));
  }
  nodes.push(summary);
  if (certificate) nodes.push(...certificateFindings(context, m, certificate));
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

/**
 * What the certificate says, as recomputed from its own events: the claim, the batch's origin
 * breakdown at the claim, and for mass balance the account's movements. Every figure comes from the
 * file, so each is shown as text (decision 030), codes in words.
 */
function certificateFindings(context: PageContext, m: EvidenceVerifierMessages, findings: CertificateFindings | null): Node[] {
  const { locale, organisations } = context;
  if (findings === null || findings.claim === null) return [];
  const { claim } = findings;
  const percent = (basisPoints: number) => formatBasisPoints(basisPoints, locale);
  const nodes: Node[] = [
    el('h3', {}, m.claimHeading),
    el(
      'dl',
      { class: 'summary', attrs: { 'data-testid': 'certificate-claim', 'data-claim-id': findings.claimId, 'data-basis-points': String(claim.recycledContentBasisPoints) } },
      el('dt', {}, m.claimId),
      el('dd', {}, el('code', {}, findings.claimId)),
      el('dt', {}, m.claimant),
      el('dd', {}, organisations.nameOf(claim.claimantOrganisationId)),
      el('dt', {}, m.standard),
      el('dd', {}, codeLabel(locale, 'claimStandard', claim.standard), findings.minimumBasisPoints !== null ? ` (${m.atLeast(percent(findings.minimumBasisPoints))})` : ''),
      el('dt', {}, m.model),
      el('dd', {}, codeLabel(locale, 'chainOfCustodyModel', claim.model)),
      el('dt', {}, m.claimed),
      el('dd', {}, m.claimedShare(percent(claim.recycledContentBasisPoints), formatTonnes(claim.claimedRecycledGrams, locale), formatTonnes(claim.batchMassGrams, locale))),
      el('dt', {}, m.claimedAt),
      el('dd', {}, formatDateTime(claim.occurredAt, locale)),
    ),
  ];
  const atClaim = findings.provenanceAtClaim;
  if (atClaim !== null) {
    nodes.push(
      el(
        'p',
        { attrs: { 'data-testid': 'certificate-provenance', 'data-basis-points': String(atClaim.recycledContentBasisPoints) } },
        m.recomputed(
          formatTonnes(atClaim.recycledGrams, locale),
          formatTonnes(atClaim.massGrams, locale),
          percent(atClaim.recycledContentBasisPoints),
          formatTonnes(atClaim.postConsumerGrams, locale),
          formatTonnes(atClaim.preConsumerGrams, locale),
          formatTonnes(atClaim.virginGrams + atClaim.untrackedGrams, locale),
        ),
      ),
    );
  }
  const account = findings.account;
  if (account !== null) {
    nodes.push(
      el('h3', {}, m.accountHeading(account.accountId)),
      el('p', { attrs: { 'data-testid': 'certificate-account', 'data-balance-grams': String(account.balanceGrams) } }, m.account(formatTonnes(account.creditedGrams, locale), formatTonnes(account.reversedGrams, locale), formatTonnes(account.debitedGrams, locale), formatTonnes(account.balanceGrams, locale))),
      el(
        'ul',
        { class: 'certificate-movements' },
        ...account.movements.map((movement) =>
          el('li', {}, `${codeLabel(locale, 'massBalanceMovement', movement.kind)} ${formatTonnes(movement.grams, locale)} → ${formatTonnes(movement.balanceAfterGrams, locale)} · ${formatDateTime(movement.occurredAt, locale)}`),
        ),
      ),
    );
  }
  return nodes;
}
