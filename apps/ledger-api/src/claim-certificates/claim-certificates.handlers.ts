import { sign } from 'node:crypto';
import { CLAIM_CERTIFICATE_FORMAT, certificateSigningText, collectClaimCertificateStreams, type ClaimCertificate, type UnsignedClaimCertificate } from '#audit-evidence';
import { NotFoundError, massBalanceAccountStreamId, recycledContentClaimStreamId } from '#domain';
import type { EventStore, SignedCheckpoint, StoredEvent } from '#event-store';
import { ProjectionEngine, auditNodeSource, getClaim, isBatchVisible, leavesAtPositions, proofOf, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CheckpointSigner } from '../audit/checkpoint-signer.js';
import { QUERY_COST, QueryCostBudget } from '../common/cost-budget.js';
import { EVENT_STORE, READ_DB } from '../ledger/tokens.js';
import { GetClaimCertificateQuery } from './claim-certificates.queries.js';

function unknownClaim(claimId: string): NotFoundError {
  return new NotFoundError('unknown-claim', `claim ${claimId} does not exist, or is not visible to your organisation`, { claimId });
}

/**
 * Builds a claim certificate (decision 045) from the event log, as the CLI's export does: the claim's
 * streams read whole from the store, not from the read models. Each event is proven with the audit
 * log's Merkle read model against a checkpoint the ledger's one signer signed (as every inclusion
 * proof the API serves), so a request costs O(events × log² n) lookups, not a pass over the log.
 */
@QueryHandler(GetClaimCertificateQuery)
export class GetClaimCertificateHandler implements IQueryHandler<GetClaimCertificateQuery, ClaimCertificate> {
  private signer: CheckpointSigner | undefined;

  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly engine: ProjectionEngine,
    private readonly modules: ModuleRef,
    private readonly budget: QueryCostBudget,
  ) {}

  async execute({ claimId, scope, requester }: GetClaimCertificateQuery): Promise<ClaimCertificate> {
    const claim = await getClaim(this.db, claimId);
    // Narrower than the claim itself: a certificate carries the batch's whole upstream, other firms'
    // events included (a hash chain cannot be checked with parts withheld), so only the claimant, who
    // hands it to its certifier, and auditors and the operator get it (decision 045).
    const mayHave = claim !== undefined && (scope.kind === 'all' || scope.organisationId === claim.claimantOrgId);
    if (!claim || !mayHave || !(await isBatchVisible(this.db, scope, claim.batchId))) throw unknownClaim(claimId);
    this.budget.admit(requester, 'this claim certificate');
    const claimStreamId = claim.accountId !== null && claim.periodId !== null ? massBalanceAccountStreamId(claim.claimantOrgId, claim.periodId) : recycledContentClaimStreamId(claimId);
    const collected = await collectClaimCertificateStreams(this.store, claimId, claimStreamId);
    if (collected === undefined) throw unknownClaim(claimId);

    const events: StoredEvent[] = [...collected.streams.values()].flat().sort((a, b) => a.position - b.position);
    // A certificate grows with the batch's upstream (and for mass balance the account's year): each
    // event proven costs about what an event replayed does.
    this.budget.charge(requester, events.length * QUERY_COST.asOfEvent);
    const last = events.at(-1)!;
    // The Merkle read model trails the log a little; the certificate needs every event's leaf.
    await this.engine.waitForPosition(last.position, 5_000);
    const leaves = await leavesAtPositions(
      this.db,
      events.map((e) => e.position),
    );
    const lastLeaf = Math.max(-1, ...[...leaves.values()].map((l) => l.leafIndex));
    const signer = this.checkpointSigner();
    const checkpoint: SignedCheckpoint = await signer.covering(lastLeaf + 1);
    const source = auditNodeSource(this.db);
    const proven: ClaimCertificate['events'] = [];
    for (const event of events) {
      const leaf = leaves.get(event.position);
      if (leaf === undefined) throw new Error(`audit log has no leaf for position ${event.position}`);
      proven.push({ ...event, leafIndex: leaf.leafIndex, inclusionProof: await proofOf(source, leaf, checkpoint.treeSize) });
    }
    const { origin, treeSize, rootHash, lastPosition, signedAt, keyId, signature } = checkpoint;
    const key = signer.signingKey;
    const unsigned: UnsignedClaimCertificate = {
      format: CLAIM_CERTIFICATE_FORMAT,
      exportedAt: new Date().toISOString(),
      subject: collected.subject,
      publicKey: key.publicKeyPem,
      checkpoint: { origin, treeSize, rootHash, lastPosition, signedAt, keyId, signature },
      events: proven,
    };
    return { ...unsigned, certificateSignature: sign(null, Buffer.from(certificateSigningText(unsigned), 'utf8'), key.privateKey).toString('base64') };
  }

  /** Looked up, not injected, as the health check does: the audit module owns the one signer. */
  private checkpointSigner(): CheckpointSigner {
    const signer = this.signer ?? this.modules.get(CheckpointSigner, { strict: false });
    if (signer === undefined) throw new Error('no checkpoint signer: the audit module is not part of this ledger');
    this.signer = signer;
    return signer;
  }
}
