/**
 * `npm run test:crash`: the SIGKILL crash harness (test/support/crash-harness.ts) from the command
 * line. Exits non-zero if any check fails.
 *
 *   npm run test:crash -- [--instances 1] [--kills 25] [--seed N] [--pipelines 4] [--min-run-ms 300]
 *                         [--max-run-ms 2500] [--startup-kill-chance 0.15] [--keep-data] [--json]
 *
 * --instances N (N ≥ 2) runs N servers on one real PostgreSQL, with shared read models and one
 * signing key, and kills them in turn while the others keep serving; 1 (the default) is one server
 * on the embedded store.
 *
 * LEDGER_CRASH_KILLS and LEDGER_CRASH_SEED set the same as --kills and --seed.
 */
import { DEFAULT_KILLS, formatReport, runCrashHarness, type CrashHarnessOptions } from './crash-harness.js';

const USAGE =
  'usage: npm run test:crash -- [--instances N] [--kills N] [--seed N] [--pipelines N] [--min-run-ms N] [--max-run-ms N] [--startup-kill-chance P] [--keep-data] [--json]\n' +
  '  --instances N   server processes (default 1: the embedded store; 2 or more: one PostgreSQL, shared read models, killed in turn)';

function parse(argv: readonly string[]): { options: CrashHarnessOptions; json: boolean } {
  const numbers = new Map<string, number>();
  let json = false;
  let keepData = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--keep-data') keepData = true;
    else if (['--instances', '--kills', '--seed', '--pipelines', '--min-run-ms', '--max-run-ms', '--startup-kill-chance'].includes(arg)) {
      const value = Number(argv[i + 1]);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${arg} needs a non-negative number\n${USAGE}`);
      numbers.set(arg, value);
      i += 1;
    } else {
      throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  const fromEnv = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
  const instances = numbers.get('--instances');
  if (instances !== undefined && (!Number.isInteger(instances) || instances < 1)) throw new Error(`--instances needs a whole number ≥ 1\n${USAGE}`);
  const kills = numbers.get('--kills') ?? fromEnv('LEDGER_CRASH_KILLS') ?? DEFAULT_KILLS;
  const seed = numbers.get('--seed') ?? fromEnv('LEDGER_CRASH_SEED');
  const optional = <K extends keyof CrashHarnessOptions>(key: K, flag: string): Partial<CrashHarnessOptions> =>
    numbers.has(flag) ? ({ [key]: numbers.get(flag) } as Partial<CrashHarnessOptions>) : {};
  return {
    json,
    options: {
      kills,
      keepData,
      ...(seed !== undefined ? { seed } : {}),
      ...optional('instances', '--instances'),
      ...optional('pipelines', '--pipelines'),
      ...optional('minRunMs', '--min-run-ms'),
      ...optional('maxRunMs', '--max-run-ms'),
      ...optional('startupKillChance', '--startup-kill-chance'),
      log: (line) => process.stderr.write(`${line}\n`),
    },
  };
}

let parsed: ReturnType<typeof parse>;
try {
  parsed = parse(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const report = await runCrashHarness(parsed.options);
process.stdout.write(parsed.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
process.exitCode = report.ok ? 0 : 1;
