import path from 'node:path';

/** Everything the service reads from the environment, parsed once at start-up. */
export interface LedgerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /**
   * Where the event log lives: the embedded SQLite file under dataDir (default), or PostgreSQL at
   * `databaseUrl`. Read models stay in SQLite under dataDir for now.
   */
  readonly eventLog: EventLogConfig;
  /**
   * Where the read models live: `<dataDir>/read-models.sqlite` by default (LEDGER_READ_MODELS_FILE),
   * or PostgreSQL with LEDGER_READ_MODELS=postgres (LEDGER_READ_MODELS_URL, else LEDGER_DATABASE_URL).
   */
  readonly readModels: ReadModelsConfig;
  /** Set, or generated and printed once on first start. */
  readonly operatorKey: string | undefined;
  /** `FULL` (default) survives a power cut; `NORMAL` only a process crash. */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** Commands answer only once the read models include their events (read-your-writes). */
  readonly readYourWrites: boolean;
  /**
   * `worker` (default): the read models are built in a worker thread, off the thread that serves
   * HTTP and commits events. `in-process`: on the API thread (one thread in all, easier to profile).
   */
  readonly projections: 'worker' | 'in-process';
  /** How often the recovery step looks for processes that were started but never ended. */
  readonly recoveryIntervalMs: number;
  readonly transitToleranceBasisPoints: number;
  readonly clockSkewMs: number;
  readonly logRequests: boolean;
}

export type EventLogConfig =
  | { readonly kind: 'sqlite'; readonly filename: string; readonly synchronous: 'FULL' | 'NORMAL' }
  | { readonly kind: 'postgres'; readonly connectionString: string }
  | { readonly kind: 'eventstoredb'; readonly connectionString: string };

export type ReadModelsConfig =
  | { readonly kind: 'sqlite'; readonly filename: string }
  | { readonly kind: 'postgres'; readonly connectionString: string };

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

export function loadLedgerConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const synchronous = (env.LEDGER_SQLITE_SYNCHRONOUS ?? 'FULL').toUpperCase();
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new Error('LEDGER_SQLITE_SYNCHRONOUS must be FULL or NORMAL');
  const dataDir = path.resolve(env.LEDGER_DATA_DIR ?? './data');
  const eventLog = eventLogConfig(env, dataDir, synchronous);
  const readModels = readModelsConfig(env, dataDir);
  const projections = env.LEDGER_PROJECTIONS ?? 'worker';
  if (projections !== 'worker' && projections !== 'in-process') throw new Error('LEDGER_PROJECTIONS must be worker or in-process');
  return {
    port: integer(env.PORT, 3000, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    dataDir,
    eventLog,
    readModels,
    operatorKey: env.LEDGER_OPERATOR_KEY || undefined,
    synchronous,
    readYourWrites: (env.LEDGER_READ_YOUR_WRITES ?? 'true') !== 'false',
    projections,
    recoveryIntervalMs: integer(env.LEDGER_RECOVERY_INTERVAL_MS, 30_000, 'LEDGER_RECOVERY_INTERVAL_MS'),
    transitToleranceBasisPoints: integer(env.LEDGER_TRANSIT_TOLERANCE_BP, 200, 'LEDGER_TRANSIT_TOLERANCE_BP'),
    clockSkewMs: integer(env.LEDGER_CLOCK_SKEW_MS, 5 * 60_000, 'LEDGER_CLOCK_SKEW_MS'),
    logRequests: env.LEDGER_LOG_REQUESTS === 'true',
  };
}

function eventLogConfig(env: NodeJS.ProcessEnv, dataDir: string, synchronous: 'FULL' | 'NORMAL'): EventLogConfig {
  const store = env.LEDGER_STORE ?? 'sqlite';
  switch (store) {
    case 'sqlite':
      return { kind: 'sqlite', filename: path.join(dataDir, 'events.sqlite'), synchronous };
    case 'postgres': {
      const connectionString = env.LEDGER_DATABASE_URL;
      if (!connectionString) throw new Error('LEDGER_STORE=postgres needs LEDGER_DATABASE_URL (postgres://user:password@host:5432/database)');
      return { kind: 'postgres', connectionString };
    }
    case 'eventstoredb': {
      const connectionString = env.EVENTSTORE_CONNECTION_STRING;
      if (!connectionString) throw new Error('LEDGER_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING (esdb://host:2113?tls=false, or esdb+discover://… for a cluster)');
      return { kind: 'eventstoredb', connectionString };
    }
    default:
      throw new Error(`LEDGER_STORE must be sqlite, postgres or eventstoredb, got "${store}"`);
  }
}

function readModelsConfig(env: NodeJS.ProcessEnv, dataDir: string): ReadModelsConfig {
  const kind = env.LEDGER_READ_MODELS ?? 'sqlite';
  switch (kind) {
    case 'sqlite':
      return { kind: 'sqlite', filename: path.resolve(env.LEDGER_READ_MODELS_FILE ?? path.join(dataDir, 'read-models.sqlite')) };
    case 'postgres': {
      const connectionString = env.LEDGER_READ_MODELS_URL || env.LEDGER_DATABASE_URL;
      if (!connectionString) throw new Error('LEDGER_READ_MODELS=postgres needs LEDGER_READ_MODELS_URL or LEDGER_DATABASE_URL');
      return { kind: 'postgres', connectionString };
    }
    default:
      throw new Error(`LEDGER_READ_MODELS must be sqlite or postgres, got "${kind}"`);
  }
}
