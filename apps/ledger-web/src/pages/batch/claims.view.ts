import { ApiError, path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { downloadButton } from '../../shared/download.js';
import { formatBasisPoints, formatDateTime, formatTonnes } from '../../shared/format.js';
import { codeLabel, codesOf } from '../../shared/i18n/codes.js';
import { basisPointsOf } from './claim-share.js';
import { claimsMessages, type ClaimsMessages } from './claims.messages.js';
import type { Claim, ClaimList, ClaimStandards } from './claims.types.js';

/**
 * The batch's recycled-content claims (decisions 044, 045): each with its standard and model in
 * words, the share, the grams, who claimed it and when, and its certificate to download. The
 * batch's owner or custodian also gets a form to make a claim; a refusal is explained in words. The
 * claims are always the live ledger's, whatever moment the rest of the page shows.
 */
export async function claimsSection(context: PageContext, batch: { readonly batchId: string; readonly custodianOrgId: string; readonly ownerOrgId: string }): Promise<HTMLElement> {
  const m = claimsMessages[context.locale];
  const viewer = context.viewer?.organisationId;
  const mayClaim = viewer !== undefined && (viewer === batch.custodianOrgId || viewer === batch.ownerOrgId);
  let listing: HTMLElement;
  let standards: ClaimStandards | undefined;
  try {
    const [list, known] = await Promise.all([readClaims(context, batch.batchId), mayClaim ? context.api.getJson<ClaimStandards>('/claims/standards').catch(() => undefined) : undefined]);
    listing = el('div', { attrs: { 'data-testid': 'claims-list' } }, claimsTable(context, m, list));
    standards = known;
  } catch (error) {
    // The claims are one section among several: a failed read leaves the rest of the page as it is.
    if (error instanceof ApiError && error.status === 401) throw error;
    listing = el('div', { attrs: { 'data-testid': 'claims-list' } }, el('p', { class: 'form-error', attrs: { role: 'alert' } }, context.t.failed(error instanceof Error ? error.message : String(error))));
  }
  const refresh = async () => show(listing, claimsTable(context, m, await readClaims(context, batch.batchId)));
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'claims-heading', 'data-testid': 'claims' } },
    el('h2', { attrs: { id: 'claims-heading' } }, m.heading),
    el('p', { class: 'hint' }, m.intro),
    listing,
    el('p', { class: 'hint' }, m.verifyHint),
    mayClaim ? claimForm(context, m, batch.batchId, standards, refresh) : null,
  );
}

async function readClaims(context: PageContext, batchId: string): Promise<readonly Claim[]> {
  return (await context.api.getJson<ClaimList>(path`/batches/${batchId}/claims`)).claims;
}

function claimsTable(context: PageContext, m: ClaimsMessages, claims: readonly Claim[]): HTMLElement {
  const { locale, organisations } = context;
  // The API issues a certificate to the claimant, auditors and the operator only (decision 045): it
  // carries other firms' upstream events whole. Others see the claim without a button that would 404.
  const viewer = context.viewer?.organisationId;
  const mayDownload = (claim: Claim): boolean => viewer === claim.claimantOrgId || organisations.seesEverything(viewer);
  if (claims.length === 0) return el('p', { attrs: { 'data-testid': 'claims-none' } }, m.none);
  return el(
    'div',
    { class: 'table-scroll', attrs: { tabindex: '0', role: 'region', 'aria-labelledby': 'claims-heading' } },
    el(
      'table',
      { attrs: { 'data-testid': 'claims-table' } },
      el('thead', {}, el('tr', {}, ...[m.standard, m.model, m.share, m.claimedGrams, m.claimant, m.date, m.certificate].map((header) => el('th', { attrs: { scope: 'col' } }, header)))),
      el(
        'tbody',
        {},
        ...claims.map((claim) =>
          el(
            'tr',
            { attrs: { 'data-claim-id': claim.claimId, 'data-standard': claim.standard, 'data-model': claim.model, 'data-basis-points': String(claim.recycledContentBasisPoints) } },
            el('th', { attrs: { scope: 'row' } }, codeLabel(locale, 'claimStandard', claim.standard)),
            el('td', {}, codeLabel(locale, 'chainOfCustodyModel', claim.model)),
            el('td', {}, formatBasisPoints(claim.recycledContentBasisPoints, locale)),
            el('td', {}, formatTonnes(claim.claimedRecycledGrams, locale)),
            el('td', {}, claim.claimantOrgName ?? organisations.nameOf(claim.claimantOrgId)),
            el('td', {}, formatDateTime(claim.occurredAt, locale)),
            el('td', {}, mayDownload(claim) ? downloadButton(context, m.download, path`/claims/${claim.claimId}/certificate`, 'application/json', `claim-certificate-${claim.claimId}.json`) : m.certificateForClaimant),
          ),
        ),
      ),
    ),
  );
}

function claimForm(context: PageContext, m: ClaimsMessages, batchId: string, standards: ClaimStandards | undefined, refresh: () => Promise<void>): HTMLFormElement {
  const { locale } = context;
  const minimum = new Map((standards?.standards ?? []).map((s) => [s.standard, s.minimumRecycledBasisPoints]));
  const option = (group: 'claimStandard' | 'chainOfCustodyModel', code: string) => {
    const floor = group === 'claimStandard' ? minimum.get(code) : undefined;
    return el('option', { attrs: { value: code } }, `${codeLabel(locale, group, code)}${floor !== undefined ? ` (${m.atLeast(formatBasisPoints(floor, locale))})` : ''}`);
  };
  const standard = el('select', { attrs: { id: 'claim-standard', name: 'standard' } }, ...codesOf('claimStandard').map((code) => option('claimStandard', code)));
  const model = el('select', { attrs: { id: 'claim-model', name: 'model' } }, ...codesOf('chainOfCustodyModel').map((code) => option('chainOfCustodyModel', code)));
  const share = el('input', { attrs: { id: 'claim-share', name: 'share', type: 'text', inputmode: 'decimal', required: '', 'aria-describedby': 'claim-share-help' } });
  const status = el('p', { attrs: { role: 'status', 'data-testid': 'claim-status' } });
  const form = el(
    'form',
    { class: 'claim-form', attrs: { 'data-testid': 'claim-form' } },
    el(
      'fieldset',
      {},
      el('legend', {}, m.formLegend),
      el('label', { attrs: { for: 'claim-standard' } }, m.standard),
      standard,
      el('label', { attrs: { for: 'claim-model' } }, m.model),
      model,
      el('label', { attrs: { for: 'claim-share' } }, m.shareLabel),
      share,
      el('p', { class: 'hint', attrs: { id: 'claim-share-help' } }, m.shareHelp),
      el('button', { attrs: { type: 'submit' } }, m.submit),
    ),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const basisPoints = basisPointsOf(share.value);
    const outcome = (text: string, refused: boolean) => {
      status.setAttribute('role', refused ? 'alert' : 'status');
      status.className = refused ? 'form-error' : '';
      status.setAttribute('data-outcome', refused ? 'refused' : 'recorded');
      status.textContent = text;
    };
    if (basisPoints === undefined) return outcome(m.invalidShare, true);
    const body = { claimId: crypto.randomUUID(), batchId, standard: standard.value, model: model.value, recycledContentBasisPoints: basisPoints };
    void context.api.postJson(path`/claims`, body).then(
      async () => {
        outcome(m.recorded(formatBasisPoints(basisPoints, locale), codeLabel(locale, 'claimStandard', body.standard)), false);
        // The client sends the claim's position with the read that follows, so the list has it.
        await refresh();
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.code !== undefined) status.setAttribute('data-code', error.code);
        const reason = error instanceof ApiError && error.code !== undefined ? (m.refusals[error.code] ?? error.message) : error instanceof Error ? error.message : String(error);
        outcome(m.refused(reason), true);
      },
    );
  });
  return form;
}
