import { CLAIM_CERTIFICATE_FORMAT, certificateSigningText, collectClaimCertificateStreams, type ClaimCertificate, type UnsignedClaimCertificate } from '#audit-evidence';
import type { CheckpointLog, EventStore } from '#event-store';
import { proveEvidence, signText, type EvidenceSigning } from './export-audit-bundle.js';

export interface ClaimCertificateRequest extends EvidenceSigning {
  readonly claimId: string;
}

export class UnknownClaimError extends Error {
  constructor(readonly claimId: string) {
    super(`claim ${claimId} has no event in this ledger`);
    this.name = 'UnknownClaimError';
  }
}

/**
 * The stream a claim is on: its own for a physical model; for mass balance the account's, found by
 * reading the log (the CLI has the log, not the read models; the API asks its claims read model).
 */
async function claimStreamOf(store: EventStore, claimId: string): Promise<string | undefined> {
  const own = `recycled-content-claim-${claimId}`;
  if ((await store.readStream(own)).some((e) => e.type === 'RecycledContentClaimed')) return own;
  for (let after = -1; ; ) {
    const page = await store.readAll({ after, maxCount: 10_000 });
    if (page.length === 0) return undefined;
    const claim = page.find((e) => e.type === 'RecycledContentClaimed' && (e.data as { claimId?: unknown }).claimId === claimId);
    if (claim !== undefined) return claim.streamId;
    after = page.at(-1)!.position;
  }
}

/** A claim certificate (decision 045): the claim's evidence streams proven to a freshly signed checkpoint, the whole file signed. */
export async function exportClaimCertificate(store: EventStore & CheckpointLog, request: ClaimCertificateRequest): Promise<ClaimCertificate> {
  const claimStreamId = await claimStreamOf(store, request.claimId);
  const collected = claimStreamId === undefined ? undefined : await collectClaimCertificateStreams(store, request.claimId, claimStreamId);
  if (collected === undefined) throw new UnknownClaimError(request.claimId);
  const proven = await proveEvidence(store, collected.streams, request);
  if (proven === undefined) throw new UnknownClaimError(request.claimId);
  const unsigned: UnsignedClaimCertificate = {
    format: CLAIM_CERTIFICATE_FORMAT,
    exportedAt: request.now.toISOString(),
    subject: collected.subject,
    publicKey: request.key.publicKeyPem,
    ...proven,
  };
  return { ...unsigned, certificateSignature: signText(certificateSigningText(unsigned), request.key) };
}
