/**
 * `npm run ledger -- <command>`: operator commands against the configured stores (the same
 * LEDGER_* variables as the server).
 *
 *   events export <file>   write the whole event log as NDJSON (safe while the server runs)
 *   events import <file>   verify a log file, then import it into an EMPTY event log
 *   events verify <file>   check a log file's positions, chains and hashes, with no store
 *   verify [--json] [--public-key <pem file>]...
 *                          check the whole configured store: every chain, and the Merkle log
 *                          against the signed checkpoints (safe while the server runs); exit 1
 *                          when anything fails, 2 on usage or configuration errors
 *   audit export --batch <id> [--upstream] [--out <file>]
 *                          write a self-contained evidence bundle for one batch (apps/ledger-cli/src/audit)
 *   audit verify <bundle> [--json] [--public-key <pem file>]
 *                          check a bundle with no server and no store; exit 1 when anything fails
 *   import collections|residuals <file.csv> [--dry-run] [--mode all-or-nothing|valid-rows]
 *                          send a spreadsheet to a running ledger (LEDGER_URL, LEDGER_API_KEY) in
 *                          chunks, with progress; errors to <file>.errors.csv (apps/ledger-cli/src/import)
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { formatStoreVerification, readPublicKey, verifyStore, type RecordedLeaves } from '#event-store';
import { leafAtIndex } from '#projections';
import { loadLedgerConfig } from '../../ledger-api/src/config/ledger.config.js';
import { openEventLog } from '../../ledger-api/src/ledger/event-log.js';
import { configuredPublicKey, retiringPublicKey } from '../../ledger-api/src/audit/configured-audit-key.js';
import { openReadModels } from '../../ledger-api/src/ledger/read-models.js';
import { AUDIT_USAGE, UsageError, runAuditCommand } from './audit/audit.command.js';
import { exportEventLog, importEventLog, verifyEventLog } from './event-log.js';
import { IMPORT_USAGE, ImportUsageError, runImportCommand } from './import/import.command.js';
import { progressBar } from './progress-bar.js';

const USAGE = [
  'usage: npm run ledger -- events export <file> | events import <file> | events verify <file>',
  '       npm run ledger -- verify [--json] [--public-key <pem file>]... (oldest key first after a rotation)',
  `       npm run ledger -- ${AUDIT_USAGE}`,
  `       npm run ledger -- ${IMPORT_USAGE}`,
].join('\n');
function usageError(message?: string): never {
  process.stderr.write(`${message ? `${message}\n` : ''}${USAGE}\n`);
  process.exit(2);
}

if (process.argv[2] === 'audit') {
  try {
    process.exitCode = await runAuditCommand(process.argv.slice(3));
  } catch (error) {
    if (error instanceof UsageError) usageError(error.message);
    process.stderr.write(`audit ${process.argv[3] ?? ''} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
  process.exit();
}

if (process.argv[2] === 'import') {
  try {
    process.exitCode = await runImportCommand(process.argv.slice(3));
  } catch (error) {
    if (error instanceof ImportUsageError) usageError(error.message);
    process.stderr.write(`import failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
  process.exit();
}

if (process.argv[2] === 'verify') {
  process.exitCode = await verifyCommand(process.argv.slice(3));
  process.exit();
}

const [group, command, file] = process.argv.slice(2);

if (group !== 'events' || (command !== 'export' && command !== 'import' && command !== 'verify') || !file) {
  usageError();
}

if (command === 'verify') {
  try {
    process.stdout.write(`${JSON.stringify({ command: 'events verify', file, ok: true, ...(await verifyEventLog(file)) })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ command: 'events verify', file, ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
    process.exitCode = 1;
  }
  process.exit();
}

const config = loadLedgerConfig();
const store = await openEventLog(config.eventLog);
const started = performance.now();
try {
  const summary =
    command === 'export'
      ? await exportEventLog(store, file, progressBar('export'))
      : await importEventLog(store, file, progressBar('import'));
  const seconds = Math.round(performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ command: `events ${command}`, file, ...summary, seconds })}\n`);
} catch (error) {
  process.stderr.write(`events ${command} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}

/** `ledger verify`: answers the exit code. */
async function verifyCommand(args: readonly string[]): Promise<number> {
  let json = false;
  const keyFiles: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--public-key' && args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')) keyFiles.push(args[++i]!);
    else usageError(`verify: unexpected argument ${JSON.stringify(arg)}`);
  }
  const config = loadLedgerConfig();
  // Explicit keys must be there, oldest first after a rotation (decision 024). Without them: the
  // configured key, which may not exist yet (no checkpoint signed so far; the verifier then reports
  // any checkpoint it cannot check), after the key it was rotated from, if that is configured.
  for (const keyFile of keyFiles) if (!existsSync(keyFile)) usageError(`verify: no public key file at ${keyFile}`);
  const publicKeys: KeyObject[] = [];
  const keySources: string[] = [];
  try {
    if (keyFiles.length > 0) {
      for (const keyFile of keyFiles) publicKeys.push(readPublicKey(readFileSync(keyFile, 'utf8')));
      keySources.push(...keyFiles);
    } else {
      const retiring = retiringPublicKey(config.audit);
      if (retiring) {
        publicKeys.push(retiring);
        keySources.push('LEDGER_AUDIT_KEY_ROTATE_FROM');
      }
      const current = configuredPublicKey(config.audit);
      if (current) {
        publicKeys.push(current);
        keySources.push(config.audit.keyPem !== undefined ? 'LEDGER_AUDIT_KEY' : config.audit.keyFile);
      }
    }
  } catch (error) {
    usageError(`verify: no usable public key in ${keySources.length > 0 ? keySources.join(', ') : (keyFiles.join(', ') || config.audit.keyFile)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const publicKeyFile = keySources.length > 0 ? keySources.join(', ') : null;
  // Opening the embedded store creates it: verifying a file that is not there must not.
  if (config.eventLog.kind === 'sqlite' && !existsSync(config.eventLog.filename)) usageError(`verify: no event log at ${config.eventLog.filename} (LEDGER_DATA_DIR)`);

  const store = await openEventLog(config.eventLog);
  // The audit-log read model recorded each leaf as the event arrived: with it, a forgery that
  // recomputed a stream's whole chain is pinned to its event rather than to a checkpoint interval.
  // The verifier checks those leaves against the signed roots first, so they cannot mislead it.
  const readModels = config.readModels.kind === 'postgres' || existsSync(config.readModels.filename) ? openReadModels(config.readModels) : undefined;
  const recordedLeaves: RecordedLeaves | undefined = readModels && {
    leaf: async (index) => {
      const leaf = await leafAtIndex(readModels, index).catch(() => undefined);
      return leaf ? Buffer.from(leaf.leafHash, 'hex') : undefined;
    },
  };
  const started = performance.now();
  try {
    const result = await verifyStore(store, {
      ...(recordedLeaves ? { recordedLeaves } : {}),
      ...(publicKeys.length > 0 ? { publicKeys } : {}),
      origin: config.audit.origin,
      gapFreePositions: config.eventLog.kind !== 'eventstoredb',
      ...(process.stderr.isTTY ? { onProgress: progressBar('verify') } : {}),
    });
    const seconds = Math.round(performance.now() - started) / 1000;
    if (json) {
      process.stdout.write(`${JSON.stringify({ command: 'verify', publicKeyFile, ...result, seconds })}\n`);
    } else {
      process.stdout.write(formatStoreVerification(result));
      process.stdout.write(`public key: ${publicKeyFile ?? 'none found'}; ${seconds} s\n`);
    }
    return result.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await store.close();
    await readModels?.destroy();
  }
}
