/** The parts of the API's organisation administration answers this page reads (see the API's Swagger at /docs). */
export interface ApiKeyEntry {
  readonly keyId: string;
  readonly issuedAt: string;
  /** Null for the key issued with the registration. */
  readonly issuedBy: string | null;
  readonly issueReason: string | null;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
  readonly replacedByKeyId: string | null;
}

export interface CollectorAuthorisationEntry {
  readonly kommuneCode: string;
  readonly collectorOrgId: string;
  readonly active: boolean;
  readonly authorisedAt: string;
  readonly authorisedBy: string;
  readonly authoriseReason: string | null;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
}
