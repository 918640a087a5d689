import type { StoredEvent } from '#event-store';
import { verifyEvidenceFile, type BundleReport as EvidenceReport, type ClaimCertificateReport, type VerifyBundleOptions as EvidenceOptions } from '#audit-evidence';
import { ProvenanceProjection, provenance, toProjectedEvent, type ProvenanceView } from '#projections';
import { openSqliteReadDb } from '#read-store';

export type { BundleCheck, LineageAncestor, ProcessBalance } from '#audit-evidence';

export type BundleReport = EvidenceReport<ProvenanceView> | ClaimCertificateReport<ProvenanceView>;

export type VerifyBundleOptions = Pick<EvidenceOptions, 'trustedPublicKeyPem'>;

/**
 * Checks a bundle with nothing but the bundle: no server, no store. The hashes, proofs,
 * signatures and domain checks are the shared verifier's (libs/audit-evidence, the same code the
 * audit page runs in the browser, decision 031), so the CLI and the page cannot disagree. The CLI
 * adds what only Node can do: for an upstream bundle, the provenance recomputed with the ledger's
 * own provenance projection in a throw-away in-memory SQLite, so the numbers are the ones the
 * ledger's API would give for the same events. It takes a claim certificate as well (decision 045),
 * told apart by its format; there the projection's figures must equal the certificate's own recompute.
 */
export async function verifyAuditBundle(text: string, options: VerifyBundleOptions = {}): Promise<BundleReport> {
  return verifyEvidenceFile<ProvenanceView>(text, { ...options, recomputeProvenance: recomputeProvenance });
}

async function recomputeProvenance(batchId: string, events: readonly StoredEvent[]): Promise<ProvenanceView | null> {
  const db = openSqliteReadDb({ filename: ':memory:' });
  try {
    const projection = new ProvenanceProjection();
    await projection.migrate(db);
    await projection.load(db);
    for (const stored of events) projection.apply(toProjectedEvent(stored));
    await db.transaction().execute((tx) => projection.flush(tx));
    return (await provenance(db, batchId)) ?? null;
  } finally {
    await db.destroy();
  }
}
