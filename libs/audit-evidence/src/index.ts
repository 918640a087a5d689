/** Evidence bundles (decisions 014 and 031): their format and the one verifier the CLI and the browser share. */
export { AUDIT_BUNDLE_FORMAT, AuditBundleSchema, BundleCheckpointSchema, BundleEventSchema, bundleSigningText, toBundleCheckpoint, toStoredEvent, type AuditBundle, type BundleEvent, type UnsignedAuditBundle } from './audit-bundle.js';
export {
  describeEvent,
  verifyEvidenceBundle,
  type BundleCheck,
  type BundleReport,
  type LineageAncestor,
  type ProcessBalance,
  type ProvenanceFigures,
  type VerifyBundleOptions,
} from './verify-evidence-bundle.js';
export { GENESIS_HASH, checkpointBody, eventHash, ledgerLeafHash, verifyCheckpointSignature, verifyInclusion } from './evidence-proofs.js';
export { KeyFormatError, ed25519KeyId, readEd25519PublicKey, type Ed25519PublicKey } from './web-crypto.js';
export {
  CLAIM_CERTIFICATE_FORMAT,
  ClaimCertificateSchema,
  certificateSigningText,
  collectBatchStreams,
  collectClaimCertificateStreams,
  type ClaimCertificate,
  type ClaimCertificateStreams,
  type StreamReader,
  type UnsignedClaimCertificate,
} from './claim-certificate.js';
export { recomputeProvenance, type PositionedEvent, type RecomputedProvenance } from './claim-certificate-provenance.js';
export {
  isClaimCertificateReport,
  verifyClaimCertificate,
  verifyEvidenceFile,
  type AccountMovementView,
  type CertificateFindings,
  type ClaimCertificateReport,
} from './verify-claim-certificate.js';
