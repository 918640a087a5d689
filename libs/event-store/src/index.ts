export * from './event-store.port.js';
export * from './checkpoint-log.port.js';
export { canonicalJson } from './integrity/canonical-json.js';
export { restrictToOwner } from './sqlite/owner-only-file.js';
export { LogImportError, LogImportVerifier } from './integrity/log-import-verifier.js';
export {
  EMPTY_ROOT,
  MerkleFrontier,
  consistencyProof,
  inclusionProof,
  ledgerLeafData,
  ledgerLeafHash,
  leafHash,
  nodeHash,
  rootAt,
  verifyConsistency,
  verifyInclusion,
  type MerkleNode,
  type MerkleNodeSource,
} from './integrity/merkle-tree.js';
export { checkpointBody, publicKeyId, signCheckpoint, verifyCheckpointSignature } from './integrity/checkpoint-signature.js';
export { auditKeyFromPem, loadOrCreateAuditKey, readPublicKey, type AuditSigningKey } from './integrity/audit-key.js';
export {
  formatStoreVerification,
  verifyStore,
  type RecordedLeaves,
  type StoreProblem,
  type StoreProblemKind,
  type StoreVerification,
  type StoreVerifierOptions,
} from './integrity/store-verifier.js';
export {
  GENESIS_HASH,
  computeEventHash,
  verifyStreamChain,
  type ChainVerification,
  type HashedEventFields,
} from './integrity/event-hash.js';
export {
  SqliteEventStore,
  type SqliteEventStoreOptions,
  type SqliteEventStoreStats,
} from './sqlite/sqlite-event-store.js';
export {
  PostgresEventStore,
  type PostgresEventStoreOptions,
  type PostgresEventStoreStats,
} from './postgres/postgres-event-store.js';
export { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './eventstoredb/eventstoredb-event-store.js';
export { signNextCheckpoint, signingKeyRefusal, type NextCheckpoint, type NextCheckpointRequest } from './checkpoint-signing.js';
