/**
 * `npm run ledger -- audit export --batch <id> [--upstream] [--out <file>]` and `npm run ledger --
 * audit certificate <claimId> [--out <file>]` (operator: need the event log and the signing key) and
 * `npm run ledger -- audit verify <bundle or certificate> [--json] [--public-key <pem>]` (auditor:
 * needs nothing but the file).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isClaimCertificateReport } from '#audit-evidence';
import { canonicalJson, supportsCheckpoints, type CheckpointLog, type EventStore } from '#event-store';
import type { AuditSigningKey } from '#event-store';
import { loadConfiguredAuditKey } from '../../../ledger-api/src/audit/configured-audit-key.js';
import { loadLedgerConfig } from '../../../ledger-api/src/config/ledger.config.js';
import { openEventLog } from '../../../ledger-api/src/ledger/event-log.js';
import { exportAuditBundle } from './export-audit-bundle.js';
import { exportClaimCertificate } from './export-claim-certificate.js';
import { verifyAuditBundle, type BundleReport } from './verify-audit-bundle.js';

export const AUDIT_USAGE = 'audit export --batch <id> [--upstream] [--out <file>] | audit certificate <claimId> [--out <file>] | audit verify <bundle or certificate> [--json] [--public-key <pem file>]';

export class UsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

function flag(args: string[], name: string): boolean {
  const at = args.indexOf(name);
  if (at === -1) return false;
  args.splice(at, 1);
  return true;
}

/** Runs one audit subcommand; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runAuditCommand(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [command, ...rest] = argv;
  const args = [...rest];
  if (command === 'export') {
    const batchId = option(args, '--batch');
    const upstream = flag(args, '--upstream');
    const file = option(args, '--out') ?? `audit-${batchId ?? 'batch'}.json`;
    if (!batchId || args.length > 0) throw new UsageError(`unexpected ${args.join(' ') || 'arguments'}; ${AUDIT_USAGE}`);
    return withSigningLog(async (store, key, origin) => {
      const bundle = await exportAuditBundle(store, { batchId, upstream, key, origin, now: new Date() });
      // Canonical JSON with no trailing newline: the verifier holds every byte to that form.
      writeFileSync(file, canonicalJson(bundle));
      out(`${JSON.stringify({ command: 'audit export', file, batchId, upstream, events: bundle.events.length, treeSize: bundle.checkpoint.treeSize, keyId: bundle.checkpoint.keyId })}\n`);
      return 0;
    });
  }
  if (command === 'certificate') {
    const file = option(args, '--out');
    const [claimId, ...extra] = args;
    if (!claimId || claimId.startsWith('--') || extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ') || 'arguments'}; ${AUDIT_USAGE}`);
    const target = file ?? `claim-certificate-${claimId}.json`;
    return withSigningLog(async (store, key, origin) => {
      const certificate = await exportClaimCertificate(store, { claimId, key, origin, now: new Date() });
      writeFileSync(target, canonicalJson(certificate));
      out(`${JSON.stringify({ command: 'audit certificate', file: target, claimId, batchId: certificate.subject.batchId, events: certificate.events.length, treeSize: certificate.checkpoint.treeSize, keyId: certificate.checkpoint.keyId })}\n`);
      return 0;
    });
  }
  if (command === 'verify') {
    const json = flag(args, '--json');
    const keyFile = option(args, '--public-key');
    const [file, ...extra] = args;
    if (!file || extra.length > 0) throw new UsageError(AUDIT_USAGE);
    const report = await verifyAuditBundle(readFileSync(file, 'utf8'), keyFile ? { trustedPublicKeyPem: readFileSync(keyFile, 'utf8') } : {});
    out(json ? `${JSON.stringify({ file, ...report })}\n` : renderReport(file, report));
    return report.ok ? 0 : 1;
  }
  throw new UsageError(AUDIT_USAGE);
}

/** The configured event log with the checkpoint signing key: what writing evidence takes. */
async function withSigningLog(write: (store: EventStore & CheckpointLog, key: AuditSigningKey, origin: string) => Promise<number>): Promise<number> {
  const config = loadLedgerConfig();
  if (config.audit.keyPem === undefined && !existsSync(config.audit.keyFile)) throw new Error(`no checkpoint signing key at ${config.audit.keyFile} (LEDGER_AUDIT_KEY_FILE): the ledger makes one on first start`);
  const { key } = loadConfiguredAuditKey(config.audit);
  const store = await openEventLog(config.eventLog);
  try {
    if (!supportsCheckpoints(store)) throw new Error('this event store keeps no checkpoints');
    return await write(store, key, config.audit.origin);
  } finally {
    await store.close();
  }
}

const grams = (g: number): string => `${(g / 1000).toLocaleString('en-GB', { minimumFractionDigits: 3, maximumFractionDigits: 3 })} kg`;

export function renderReport(file: string, report: BundleReport): string {
  const lines: string[] = [];
  const certificate = isClaimCertificateReport(report) ? report.certificate : undefined;
  const subject = report.subject ? `batch ${report.subject.batchId}${report.subject.upstream ? ' with its upstream' : ''}` : 'unknown subject';
  lines.push(certificate !== undefined ? `Claim certificate ${file}: claim ${certificate?.claimId ?? 'unknown'} on ${subject}` : `Audit bundle ${file}: ${subject}`);
  if (report.checkpoint) {
    const trust = report.keyTrust === 'pinned' ? 'the key you supplied' : "the key inside the bundle: compare its id with the operator's published key, or pass --public-key";
    lines.push(`Checkpoint: ${report.checkpoint.treeSize} events of "${report.checkpoint.origin}", signed ${report.checkpoint.signedAt} by key ${report.checkpoint.keyId}, checked with ${trust}`);
  }
  lines.push(`Events: ${report.events} in ${report.streams} streams; ${report.proofs} inclusion proofs and ${report.checkpoints} signed checkpoint verified`);
  for (const c of report.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (report.processes.length > 0) {
    lines.push('Processes:');
    for (const p of report.processes) {
      lines.push(
        `  ${p.processType} ${p.processId} (${p.status}): in ${grams(p.inputGrams)} + external ${grams(p.externalInputGrams)} ${p.balanced ? '=' : '≠'} out ${grams(p.outputGrams)} + losses ${grams(p.lossGrams)}`,
      );
    }
  }
  if (report.lineage) {
    lines.push(`Lineage: ${report.lineage.length} ancestors`);
    for (const a of report.lineage) lines.push(`  ${'  '.repeat(a.depth - 1)}${a.batchId} → ${grams(a.grams)} via process ${a.viaProcessId}`);
  }
  const claim = certificate?.claim;
  if (claim) {
    lines.push(`Claim: ${(claim.recycledContentBasisPoints / 100).toFixed(2)} % recycled content (${grams(claim.claimedRecycledGrams)} of ${grams(claim.batchMassGrams)}) under ${claim.standard} (at least ${((certificate?.minimumBasisPoints ?? 0) / 100).toFixed(2)} %), ${claim.model}, claimed ${claim.occurredAt}`);
  }
  const atClaim = certificate?.provenanceAtClaim;
  if (atClaim) lines.push(`Recomputed at the claim: recycled ${grams(atClaim.recycledGrams)} of ${grams(atClaim.massGrams)} = ${(atClaim.recycledContentBasisPoints / 100).toFixed(2)} %`);
  const account = certificate?.account;
  if (account) {
    lines.push(`Mass-balance account ${account.accountId}: credited ${grams(account.creditedGrams)}, reversed ${grams(account.reversedGrams)}, debited ${grams(account.debitedGrams)}, balance ${grams(account.balanceGrams)}`);
    for (const m of account.movements) lines.push(`  ${m.kind} ${grams(m.grams)} → ${grams(m.balanceAfterGrams)} ${m.claimId ? `claim ${m.claimId}` : `process ${m.processId}`} (${m.occurredAt})`);
  }
  if (report.provenance) {
    const p = report.provenance;
    lines.push(`Provenance (${grams(p.massGrams)}): post-consumer ${grams(p.postConsumerGrams)}, pre-consumer ${grams(p.preConsumerGrams)}, virgin ${grams(p.virginGrams)}, untracked ${grams(p.untrackedGrams)}; recycled content ${(p.recycledContentBasisPoints / 100).toFixed(2)} %`);
    for (const k of p.byKommune) lines.push(`  kommune ${k.kommuneCode}: ${grams(k.grams)}`);
  } else if (report.provenanceNote) {
    lines.push(`Provenance: ${report.provenanceNote}`);
  }
  lines.push(report.ok ? 'Result: VERIFIED' : `Result: FAILED: ${report.failures[0] ?? 'unknown'}`);
  return `${lines.join('\n')}\n`;
}
