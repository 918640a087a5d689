import { ClaimCertificateSchema } from '#audit-evidence';

/**
 * The certificate is the file itself: canonical JSON, signed as a whole, so the answer is exactly
 * the schema the verifier reads (libs/audit-evidence), not a view of it.
 */
export const ClaimCertificateAnswerSchema = ClaimCertificateSchema;
