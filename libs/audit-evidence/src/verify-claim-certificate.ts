/**
 * Checks a claim certificate (decision 045) with nothing but the file: first everything an evidence
 * bundle is checked for (the same code: key, checkpoint, order, hash chains, inclusion proofs, the
 * signature over the whole file, each process's mass balance), then the claim itself, recomputed from
 * the events inside: the batch's origin breakdown at the claim, the standard's threshold, and either
 * the batch's own recycled share (physical models) or the mass-balance account, folded from its
 * stream, with the processes behind its credits. One verifier for the CLI and the audit page.
 */
import {
  PHYSICAL_MODELS,
  REPROCESSING_TYPES,
  claimStandard,
  claimedRecycledGrams,
  foldMassBalanceAccount,
  type ChainOfCustodyModel,
  type ClaimStandardId,
  type MassBalanceCredited,
  type ProcessStarted,
  type RecycledContentClaimed,
} from '../../domain/src/index.js';
import type { StoredEvent } from '../../event-store/src/event-store.port.js';
import { toStoredEvent } from './audit-bundle.js';
import { CLAIM_CERTIFICATE_FORMAT, ClaimCertificateSchema, certificateSigningText, collectBatchStreams, type ClaimCertificate } from './claim-certificate.js';
import { ProvenanceRecomputeError, recomputeProvenance, type PositionedEvent, type RecomputedProvenance } from './claim-certificate-provenance.js';
import { checkDomain, type DomainEventAt } from './domain-checks.js';
import { checkSignedEvidence, checker, emptyReport, finish, readEvidenceFile, verifyEvidenceBundle, type BundleReport, type Check, type ProvenanceFigures, type VerifyBundleOptions } from './verify-evidence-bundle.js';

export interface AccountMovementView {
  readonly kind: 'credit' | 'credit-reversal' | 'debit';
  readonly grams: number;
  readonly balanceAfterGrams: number;
  readonly processId: string | null;
  readonly claimId: string | null;
  readonly occurredAt: string;
}

export interface CertificateFindings {
  readonly claimId: string;
  readonly batchId: string;
  /** The claim as recorded; null when the certificate does not hold it. */
  claim: {
    readonly standard: ClaimStandardId;
    readonly model: ChainOfCustodyModel;
    readonly recycledContentBasisPoints: number;
    readonly batchMassGrams: number;
    readonly claimedRecycledGrams: number;
    readonly batchRecycledGrams: number;
    readonly claimantOrganisationId: string;
    readonly accountId: string | null;
    readonly occurredAt: string;
    readonly position: number;
  } | null;
  /** The standard's smallest recycled share, from the ledger's reference data. */
  minimumBasisPoints: number | null;
  /** The batch's provenance recomputed from the certificate's events, as the log stood at the claim. */
  provenanceAtClaim: RecomputedProvenance | null;
  /** Mass balance: the account folded from its stream. */
  account: {
    readonly accountId: string;
    readonly creditedGrams: number;
    readonly reversedGrams: number;
    readonly debitedGrams: number;
    readonly balanceGrams: number;
    readonly lowestBalanceGrams: number;
    readonly movements: readonly AccountMovementView[];
  } | null;
}

export interface ClaimCertificateReport<P extends ProvenanceFigures = ProvenanceFigures> extends BundleReport<P> {
  certificate: CertificateFindings | null;
}

export function isClaimCertificateReport<P extends ProvenanceFigures>(report: BundleReport<P>): report is ClaimCertificateReport<P> {
  return 'certificate' in report;
}

/** Grams with thousands separators, written out by hand: the CLI and each browser must word a failure alike. */
const grams = (n: number): string => `${String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} g`;
const percent = (basisPoints: number): string => `${(basisPoints / 100).toFixed(2)} %`;

export async function verifyClaimCertificate<P extends ProvenanceFigures = ProvenanceFigures>(text: string, options: VerifyBundleOptions<P> = {}): Promise<ClaimCertificateReport<P>> {
  const report: ClaimCertificateReport<P> = { ...emptyReport<P>(), certificate: null };
  const pause = options.pause ?? (async () => undefined);
  const check = checker(report);
  const certificate = readEvidenceFile(text, ClaimCertificateSchema, 'certificate', check);
  if (certificate === undefined) return report;
  report.subject = { batchId: certificate.subject.batchId, upstream: true };
  report.checkpoint = { origin: certificate.checkpoint.origin, treeSize: certificate.checkpoint.treeSize, signedAt: certificate.checkpoint.signedAt, keyId: certificate.checkpoint.keyId };
  report.events = certificate.events.length;
  report.certificate = { claimId: certificate.subject.claimId, batchId: certificate.subject.batchId, claim: null, minimumBasisPoints: null, provenanceAtClaim: null, account: null };

  const streams = await checkSignedEvidence(
    certificate,
    { name: 'certificate signature', signature: certificate.certificateSignature, signingText: certificateSigningText(certificate), covers: 'the signature over the whole certificate (claim, export time, key, checkpoint, events)' },
    options,
    report,
    check,
    pause,
  );
  if (streams === undefined) return finish(report);

  const stored = certificate.events.map(toStoredEvent);
  const domain = checkDomain(certificate.subject.batchId, stored, check);
  const { subject } = certificate;
  const held = [`batch-${subject.batchId}`, subject.claimStreamId, ...(subject.accountStreamId ? [subject.accountStreamId] : [])];
  const missing = held.filter((streamId) => !streams.has(streamId));
  check('subject', missing.length === 0, missing.length === 0 ? `the certificate holds the streams of batch ${subject.batchId} and of claim ${subject.claimId}` : `the certificate lacks stream ${missing.join(', ')}`);
  if (domain === undefined) return finish(report);
  report.processes = domain.processes;
  report.lineage = domain.lineage;

  await checkClaim(certificate, domain.parsed, report, check, options);
  return finish(report);
}

async function checkClaim<P extends ProvenanceFigures>(
  certificate: ClaimCertificate,
  parsed: readonly DomainEventAt[],
  report: ClaimCertificateReport<P>,
  check: Check,
  options: VerifyBundleOptions<P>,
): Promise<void> {
  const findings = report.certificate!;
  const { subject } = certificate;
  const claims = parsed.filter((e): e is DomainEventAt & { event: { type: 'RecycledContentClaimed'; data: RecycledContentClaimed } } => e.event.type === 'RecycledContentClaimed' && e.event.data.claimId === subject.claimId);
  const at = claims[0];
  if (claims.length !== 1 || at === undefined) return void check('claim', false, `the certificate holds ${claims.length} claims ${subject.claimId}, not one`);
  const claim = at.event.data;
  findings.claim = {
    standard: claim.standard,
    model: claim.model,
    recycledContentBasisPoints: claim.recycledContentBasisPoints,
    batchMassGrams: claim.batchMassGrams,
    claimedRecycledGrams: claim.claimedRecycledGrams,
    batchRecycledGrams: claim.batchRecycledGrams,
    claimantOrganisationId: claim.claimantOrganisationId,
    accountId: claim.accountId ?? null,
    occurredAt: claim.occurredAt,
    position: at.stored.position,
  };
  const massBalance = claim.model === 'mass-balance';
  const expectedAccountStream = claim.accountId === undefined ? null : `mass-balance-account-${claim.accountId}`;
  const expectedGrams = claimedRecycledGrams(claim.batchMassGrams, claim.recycledContentBasisPoints);
  const claimProblem =
    at.stored.streamId !== subject.claimStreamId
      ? `the claim is on stream ${at.stored.streamId}, the certificate names ${subject.claimStreamId}`
      : claim.batchId !== subject.batchId
        ? `the claim is on batch ${claim.batchId}, the certificate names batch ${subject.batchId}`
        : massBalance !== (claim.accountId !== undefined) || expectedAccountStream !== subject.accountStreamId
          ? `a ${claim.model} claim with account ${claim.accountId ?? 'none'}, the certificate names account stream ${subject.accountStreamId ?? 'none'}`
          : claim.claimedRecycledGrams !== expectedGrams
            ? `claims ${grams(claim.claimedRecycledGrams)}, but ${percent(claim.recycledContentBasisPoints)} of ${grams(claim.batchMassGrams)} is ${grams(expectedGrams)} (rounded up)`
            : undefined;
  if (!check('claim', claimProblem === undefined, claimProblem ?? `${percent(claim.recycledContentBasisPoints)} recycled content (${grams(claim.claimedRecycledGrams)} of ${grams(claim.batchMassGrams)}) under ${claim.standard}, ${claim.model}, claimed ${claim.occurredAt}`)) return;

  // The batch's own evidence only (its streams and its upstream's, found as the exporter finds
  // them): the processes behind a mass-balance account's credits come without their inputs' history.
  const byStream = new Map<string, StoredEvent[]>();
  for (const e of parsed) {
    const list = byStream.get(e.stored.streamId) ?? [];
    list.push(e.stored);
    byStream.set(e.stored.streamId, list);
  }
  const upstream = await collectBatchStreams({ readStream: async (streamId) => byStream.get(streamId) ?? [] }, claim.batchId, true);
  const lineage = parsed.filter((e) => upstream.has(e.stored.streamId));
  const positioned: PositionedEvent[] = lineage.map(({ stored, event }) => ({ position: stored.position, event }));
  let atClaim: RecomputedProvenance | null;
  let final: RecomputedProvenance | null;
  try {
    atClaim = recomputeProvenance(claim.batchId, positioned, at.stored.position);
    final = recomputeProvenance(claim.batchId, positioned);
  } catch (error) {
    if (!(error instanceof ProvenanceRecomputeError) && !(error instanceof RangeError)) throw error;
    return void check('provenance', false, `could not be recomputed from the certificate (${error.message})`);
  }
  findings.provenanceAtClaim = atClaim;
  if (atClaim === null) return void check('provenance', false, `batch ${claim.batchId} had no provenance when it was claimed (its process had not completed)`);
  // The CLI also runs the ledger's own provenance projection over the same events: the two must agree.
  if (options.recomputeProvenance !== undefined) {
    const ledger = await options.recomputeProvenance(claim.batchId, lineage.map((e) => e.stored)).catch(() => null);
    report.provenance = ledger;
    const same =
      ledger !== null &&
      final !== null &&
      ledger.massGrams === final.massGrams &&
      ledger.postConsumerGrams === final.postConsumerGrams &&
      ledger.preConsumerGrams === final.preConsumerGrams &&
      ledger.virginGrams === final.virginGrams &&
      ledger.untrackedGrams === final.untrackedGrams;
    if (!same) return void check('provenance', false, `the ledger's provenance projection and the certificate's recompute disagree on batch ${claim.batchId}`);
  } else {
    report.provenanceNote = 'recomputed from the certificate’s events with the ledger’s allocation (see the claim checks)';
  }
  check(
    'provenance',
    true,
    `batch ${claim.batchId} at the claim: ${grams(atClaim.massGrams)}, of which recycled ${grams(atClaim.recycledGrams)} (${percent(atClaim.recycledContentBasisPoints)}): post-consumer ${grams(atClaim.postConsumerGrams)}, pre-consumer ${grams(atClaim.preConsumerGrams)}, virgin ${grams(atClaim.virginGrams)}, untracked ${grams(atClaim.untrackedGrams)}`,
  );

  const minimum = claimStandard(claim.standard).minimumRecycledBasisPoints;
  findings.minimumBasisPoints = minimum;
  check('standard', claim.recycledContentBasisPoints >= minimum, `${claim.standard} needs at least ${percent(minimum)}; the claim says ${percent(claim.recycledContentBasisPoints)}`);

  if (PHYSICAL_MODELS.has(claim.model)) {
    check(
      'recycled share',
      claim.recycledContentBasisPoints <= atClaim.recycledContentBasisPoints,
      `a ${claim.model} claim of ${percent(claim.recycledContentBasisPoints)} against the batch's own ${percent(atClaim.recycledContentBasisPoints)} (${grams(claim.claimedRecycledGrams)} claimed, ${grams(atClaim.recycledGrams)} recycled)`,
    );
    return;
  }
  checkAccount(subject.accountStreamId!, claim, parsed, findings, check);
}

/** The account folded from its stream with the ledger's own fold; each credit against its process. */
function checkAccount(accountStreamId: string, claim: RecycledContentClaimed, parsed: readonly DomainEventAt[], findings: CertificateFindings, check: Check): void {
  const stream = parsed.filter((e) => e.stored.streamId === accountStreamId);
  const account = foldMassBalanceAccount(stream.map((e) => e.event));
  let lowest = 0n;
  for (const movement of account.movements) if (movement.balanceAfterGrams < lowest) lowest = movement.balanceAfterGrams;
  const movements: AccountMovementView[] = account.movements.map((m) => ({
    kind: m.kind,
    grams: Number(m.grams),
    balanceAfterGrams: Number(m.balanceAfterGrams),
    processId: m.kind === 'debit' ? null : m.processId,
    claimId: m.kind === 'debit' ? m.claimId : null,
    occurredAt: m.occurredAt,
  }));
  findings.account = {
    accountId: claim.accountId!,
    creditedGrams: Number(account.creditedGrams),
    reversedGrams: Number(account.reversedGrams),
    debitedGrams: Number(account.debitedGrams),
    balanceGrams: Number(account.balanceGrams),
    lowestBalanceGrams: Number(lowest),
    movements,
  };
  const debits = account.movements.filter((m) => m.kind === 'debit' && m.claimId === claim.claimId);
  const debit = debits[0];
  const problem =
    debits.length !== 1 || debit === undefined
      ? `the account holds ${debits.length} debits for claim ${claim.claimId}, not one`
      : debit.grams !== BigInt(claim.claimedRecycledGrams)
        ? `the account was debited ${grams(Number(debit.grams))} for a claim of ${grams(claim.claimedRecycledGrams)}`
        : lowest < 0n
          ? `the balance fell to ${grams(Number(lowest))}`
          : undefined;
  check(
    'account',
    problem === undefined,
    problem ??
      `account ${claim.accountId}: credited ${grams(findings.account.creditedGrams)}, reversed ${grams(findings.account.reversedGrams)}, debited ${grams(findings.account.debitedGrams)}, balance ${grams(findings.account.balanceGrams)}, never below zero over ${movements.length} movements`,
  );

  const processes = new Map<string, ProcessEvidence>();
  for (const e of parsed) {
    if (!e.stored.streamId.startsWith('process-')) continue;
    const processId = e.stored.streamId.slice('process-'.length);
    const entry = processes.get(processId) ?? { voided: false };
    if (e.event.type === 'ProcessStarted') entry.started = e.event.data;
    if (e.event.type === 'ProcessCompleted') entry.completedAt = e.stored.position;
    // The ledger takes a credit back before a void starts (decision 044), whatever becomes of the void.
    if (e.event.type === 'ProcessVoided' || e.event.type === 'ProcessVoidStarted') entry.voided = true;
    processes.set(processId, entry);
  }
  const reversed = new Set(account.movements.flatMap((m) => (m.kind === 'credit-reversal' ? [m.processId] : [])));
  let credits = 0;
  for (const e of stream) {
    if (e.event.type !== 'MassBalanceCredited') continue;
    credits += 1;
    const credit = e.event.data;
    const fault = creditFault(credit, e.stored.position, processes.get(credit.processId), claim.claimantOrganisationId, reversed);
    if (fault !== undefined) return void check('credits', false, `credit of ${grams(credit.creditedGrams)} for process ${credit.processId} at position ${e.stored.position}: ${fault}`);
  }
  check('credits', true, `${credits} credits, each backed by a completed reprocessing process of the claimant in the certificate`);
}

interface ProcessEvidence {
  started?: ProcessStarted;
  completedAt?: number;
  voided: boolean;
}

/**
 * What is wrong with a credit, judged by the process it names: it must be the claimant's, a
 * reprocessing process of the credited type, completed before the credit, credited with the sum of
 * its inputs' recycled grams, none above what the process took of it, and taken back if voided.
 */
function creditFault(credit: MassBalanceCredited, position: number, process: ProcessEvidence | undefined, claimant: string, reversed: ReadonlySet<string>): string | undefined {
  const started = process?.started;
  if (process === undefined || started === undefined) return 'its process is not in the certificate';
  if (credit.organisationId !== claimant) return `it is credited to ${credit.organisationId}, the claim is ${claimant}'s`;
  if (started.organisationId !== credit.organisationId || started.processType !== credit.processType) {
    return `it names a ${credit.processType} process of ${credit.organisationId}, the process is a ${started.processType} of ${started.organisationId}`;
  }
  if (!REPROCESSING_TYPES.has(started.processType)) return `a ${started.processType} process reprocesses nothing and earns no credit`;
  if (process.completedAt === undefined || process.completedAt > position) return 'its process had not completed when it was credited';
  const sum = credit.inputs.reduce((total, input) => total + BigInt(input.recycledGrams), 0n);
  if (sum !== BigInt(credit.creditedGrams)) return `it credits ${grams(credit.creditedGrams)}, its inputs' recycled grams add up to ${grams(Number(sum))}`;
  const taken = (batchId: string): number => started.inputs.find((input) => input.batchId === batchId)?.massGrams ?? -1;
  if (credit.inputs.some((input) => taken(input.batchId) < input.recycledGrams)) return 'an input is credited with more recycled grams than the process took of it, or was not an input';
  if (process.voided && !reversed.has(credit.processId)) return 'its process was voided and the credit was not taken back';
  return undefined;
}

/**
 * An evidence bundle or a claim certificate, told apart by its `format`: the CLI's `audit verify`
 * and the audit page take either. Anything else (not JSON, no known format) is checked as a bundle,
 * so that it fails with the bundle's own words, as it always did.
 */
export async function verifyEvidenceFile<P extends ProvenanceFigures = ProvenanceFigures>(text: string, options: VerifyBundleOptions<P> = {}): Promise<BundleReport<P> | ClaimCertificateReport<P>> {
  let format: unknown;
  try {
    format = (JSON.parse(text) as { format?: unknown } | null)?.format;
  } catch {
    format = undefined;
  }
  return format === CLAIM_CERTIFICATE_FORMAT ? verifyClaimCertificate(text, options) : verifyEvidenceBundle(text, options);
}
