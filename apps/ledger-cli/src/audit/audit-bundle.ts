/**
 * The audit bundle's format now lives in libs/audit-evidence (decision 031), beside the verifier the
 * CLI and the browser share; the exporter keeps importing it from here.
 */
export { AUDIT_BUNDLE_FORMAT, AuditBundleSchema, bundleSigningText, toBundleCheckpoint, toStoredEvent, type AuditBundle, type BundleEvent, type UnsignedAuditBundle } from '#audit-evidence';
