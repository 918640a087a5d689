import type { ReadScope } from '#domain';

/** A claim's certificate (decision 045), for a viewer who may see the claim. */
export class GetClaimCertificateQuery {
  constructor(
    readonly claimId: string,
    readonly scope: ReadScope,
    /** The organisation asking, whose query cost budget pays for the proofs (decision 026). */
    readonly requester: string,
  ) {}
}
