export * from './event-store.port.js';
export { canonicalJson } from './integrity/canonical-json.js';
export { LogImportError, LogImportVerifier } from './integrity/log-import-verifier.js';
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
