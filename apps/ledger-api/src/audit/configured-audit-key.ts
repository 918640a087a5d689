import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { auditKeyFromPem, loadOrCreateAuditKey, readPublicKey, type AuditSigningKey } from '#event-store';
import type { AuditConfig } from '../config/ledger.config.js';

const PEM = /^\s*-----BEGIN /;

/**
 * The checkpoint signing key this process is configured with (decision 024): LEDGER_AUDIT_KEY (PEM
 * text) when set, else the key file, generated only when LEDGER_AUDIT_KEY is unset and `create` is
 * not false (the ledger passes false once its log holds checkpoints, decision 029).
 */
export function loadConfiguredAuditKey(audit: AuditConfig, options: { readonly create?: boolean } = {}): { readonly key: AuditSigningKey; readonly created: boolean; readonly source: string } {
  if (audit.keyPem !== undefined) return { key: auditKeyFromPem(audit.keyPem, 'LEDGER_AUDIT_KEY'), created: false, source: 'LEDGER_AUDIT_KEY' };
  return { ...loadOrCreateAuditKey(audit.keyFile, options), source: audit.keyFile };
}

/** Configured but absent: the key file that LEDGER_AUDIT_KEY_FILE (or the data directory) names does not exist. */
export function configuredKeyIsMissing(audit: AuditConfig): boolean {
  return audit.keyPem === undefined && !existsSync(audit.keyFile);
}

/** The public half of the configured key, without generating one: undefined when there is none yet. */
export function configuredPublicKey(audit: AuditConfig): KeyObject | undefined {
  if (audit.keyPem !== undefined) return readPublicKey(audit.keyPem);
  return existsSync(audit.keyFile) ? readPublicKey(readFileSync(audit.keyFile, 'utf8')) : undefined;
}

/** The key being rotated away from (LEDGER_AUDIT_KEY_ROTATE_FROM: PEM text or a PEM file, public or private). */
export function retiringPublicKey(audit: AuditConfig): KeyObject | undefined {
  if (audit.rotateFrom === undefined) return undefined;
  const pem = PEM.test(audit.rotateFrom) ? audit.rotateFrom : readFileSync(audit.rotateFrom, 'utf8');
  return readPublicKey(pem);
}

