/** The parts of the API's audit-log answers this page reads (see the API's Swagger at /docs). */
export interface AuditKey {
  readonly algorithm: string;
  readonly keyId: string;
  readonly publicKey: string;
}

export interface CheckpointList extends AuditKey {
  readonly origin: string;
  readonly signingRefused: string | null;
  readonly checkpoints: readonly {
    readonly treeSize: number;
    readonly rootHash: string;
    readonly lastPosition: number;
    readonly signedAt: string;
    readonly keyId: string;
  }[];
}
