import path from 'node:path';
import { DEFAULT_MASS_BALANCE_PERIOD_LENGTH, MASS_BALANCE_PERIOD_LENGTHS, type MassBalancePeriodLength } from '#domain';
import { loadAnomalyConfig, type AnomalyConfig } from '../audit/anomalies.config.js';
import { loadOidcConfig, type OidcConfig } from '../common/oidc.config.js';
import { RATE_LIMIT_DEFAULTS, rateLimitPolicy, trustedProxies } from '../common/rate-limit.config.js';

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
  /** How long a read carrying `Ledger-Min-Position` waits for the read models before a 503 (decision 024). */
  readonly minPositionWaitMs: number;
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
  /** As-of queries (decision 013): refuse one that would replay more events than this (0: no limit). */
  readonly asOfMaxReplayEvents: number;
  /** As-of read stores kept, least recently used dropped first (at least 1). */
  readonly asOfCacheSize: number;
  /** Signed checkpoints of the Merkle log (decision 010). */
  readonly audit: AuditConfig;
  /** GET /audit/anomalies: loss norms, custody-gap hours, unfinished-process grace (decision 012). */
  readonly anomalies: AnomalyConfig;
  /** OIDC/JWT bearer tokens besides API keys (LEDGER_OIDC_*); undefined: API keys only. */
  readonly oidc: OidcConfig | undefined;
  /** Rate limits and request size limits (decision 016). */
  readonly limits: RequestLimitsConfig;
  /** The request audit log: who read or wrote what, and when (decision 016). */
  readonly requestAudit: RequestAuditConfig;
  /** What one organisation's heavy queries may cost and queue (decision 026). */
  readonly heavyQueries: HeavyQueryLimits;
  /** How long a mass-balance claim period runs (LEDGER_MASS_BALANCE_PERIOD, calendar-year; decision 044). */
  readonly massBalancePeriod: MassBalancePeriodLength;
  /** Catalogue match webhooks: signing key, retries, which targets (decision 046, "Webhooks"). */
  readonly webhooks: WebhookConfig;
}

export interface WebhookConfig {
  /**
   * The key webhook secrets are derived from (LEDGER_WEBHOOK_KEY, at least 32 characters), which
   * every instance of one ledger is given; else `keyFile` (LEDGER_WEBHOOK_KEY_FILE,
   * `<dataDir>/webhook-key`), generated on first start. Changing it changes every secret.
   */
  readonly key: string | undefined;
  readonly keyFile: string;
  /** Attempts per delivery, the first included (LEDGER_WEBHOOK_ATTEMPTS, 5). */
  readonly attempts: number;
  /** The first retry's wait, doubling after (LEDGER_WEBHOOK_RETRY_BASE_MS, 4,000: 4 + 8 + 16 + 32 s). */
  readonly retryBaseMs: number;
  /** How long one attempt may take (LEDGER_WEBHOOK_TIMEOUT_MS, 10,000). */
  readonly timeoutMs: number;
  /** How often new offers and wants are looked for (LEDGER_WEBHOOK_POLL_MS, 1,000; 0 turns webhook delivery off on this instance). */
  readonly pollMs: number;
  /** Allow loopback and private targets (LEDGER_WEBHOOK_ALLOW_PRIVATE=true): for tests and closed networks only. */
  readonly allowPrivateTargets: boolean;
}

/** Bounds on lineage walks, as-of replays and audit ranges, per answer and per organisation (decision 026). */
export interface HeavyQueryLimits {
  /** A lineage walk collecting more batches than this is a `lineage-too-large` problem (LEDGER_LINEAGE_MAX_NODES, 10,000). */
  readonly lineageMaxNodes: number;
  /** GET /audit/requests spans at most this many days (LEDGER_REQUEST_AUDIT_MAX_RANGE_DAYS, 366). */
  readonly auditMaxRangeDays: number;
  /** As-of queries one organisation may have waiting or running (LEDGER_HEAVY_QUERIES_PER_ORGANISATION, 2). */
  readonly perOrganisation: number;
  /**
   * Cost units (cost-budget.ts) an organisation's heavy queries may spend a minute and in a burst
   * (LEDGER_QUERY_COST_PER_MINUTE, 300,000; LEDGER_QUERY_COST_BURST, the same); 0 a minute turns it off.
   */
  readonly cost: { readonly perMinute: number; readonly burst: number };
}

/** A token bucket: refills `perMinute` tokens a minute, holds at most `burst`; `perMinute` 0 disables it. */
export interface RateLimitPolicy {
  readonly perMinute: number;
  readonly burst: number;
}

export interface RequestLimitsConfig {
  /** Per authenticated organisation (all of its keys share one budget). */
  readonly perKey: RateLimitPolicy;
  /** Per client network (IPv4 address, IPv6 /64): answers 401 (no, or no valid, credentials). */
  readonly unauthenticated: RateLimitPolicy;
  readonly bodyLimitBytes: number;
  /** Request target (path and query) length above which the answer is 414. */
  readonly maxUrlLength: number;
  /** Node's maxHeaderSize: request line and headers together; above it the answer is 431. */
  readonly maxHeaderBytes: number;
  /** Fastify's trustProxy: the proxies (addresses, CIDRs) whose X-Forwarded-For names the client address (decision 028). */
  readonly trustProxy: false | string[];
  /** Send Strict-Transport-Security (LEDGER_HSTS=true): only where clients reach the ledger over TLS (decision 027). */
  readonly hsts: boolean;
}

export interface RequestAuditConfig {
  readonly mode: 'file' | 'off';
  /** Daily NDJSON files `requests-YYYY-MM-DD.ndjson` (UTC) are appended here. */
  readonly dir: string;
  /** Buffered entries are written and fsynced this often; a crash loses at most this window. */
  readonly flushIntervalMs: number;
}

export interface AuditConfig {
  /** Ed25519 private key (PKCS#8 PEM) that signs checkpoints; generated there on first start if absent. */
  readonly keyFile: string;
  /**
   * The signing key itself (LEDGER_AUDIT_KEY, PKCS#8 PEM), which wins over keyFile: every instance of
   * one ledger is given the same key (decision 024). Never generated.
   */
  readonly keyPem: string | undefined;
  /**
   * The key being retired (LEDGER_AUDIT_KEY_ROTATE_FROM: a PEM file, or the PEM itself): while it
   * signed the latest checkpoint, this instance hands over to its own key (decision 024).
   */
  readonly rotateFrom: string | undefined;
  /** Names the log in every checkpoint, so a checkpoint of one ledger can't pass for another's. */
  readonly origin: string;
  /** Sign once this many events have been added since the last checkpoint (0: never by count). */
  readonly checkpointEveryEvents: number;
  /** Sign every this many milliseconds when the log has grown (0: never by time). */
  readonly checkpointEveryMs: number;
}

export type EventLogConfig =
  | { readonly kind: 'sqlite'; readonly filename: string; readonly synchronous: 'FULL' | 'NORMAL' }
  | { readonly kind: 'postgres'; readonly connectionString: string }
  | { readonly kind: 'eventstoredb'; readonly connectionString: string };

/**
 * `singleWriter: false` (LEDGER_BENCH_PROJECTION_WRITER_GUARD=off) is for the bench only: it turns off
 * the election of one projection writer per read-model database (decision 023) so that the bench can
 * measure what the guard costs. Several instances on one database without it corrupt the read models.
 */
export type ReadModelsConfig =
  | { readonly kind: 'sqlite'; readonly filename: string; readonly singleWriter?: boolean }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly singleWriter?: boolean };

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
    // Loopback unless told otherwise (decision 027): a ledger reachable from the network is a choice.
    host: env.LEDGER_HOST || env.HOST || '127.0.0.1',
    dataDir,
    eventLog,
    readModels,
    operatorKey: env.LEDGER_OPERATOR_KEY || undefined,
    synchronous,
    readYourWrites: (env.LEDGER_READ_YOUR_WRITES ?? 'true') !== 'false',
    minPositionWaitMs: integer(env.LEDGER_MIN_POSITION_WAIT_MS, 5_000, 'LEDGER_MIN_POSITION_WAIT_MS'),
    projections,
    recoveryIntervalMs: integer(env.LEDGER_RECOVERY_INTERVAL_MS, 30_000, 'LEDGER_RECOVERY_INTERVAL_MS'),
    transitToleranceBasisPoints: integer(env.LEDGER_TRANSIT_TOLERANCE_BP, 200, 'LEDGER_TRANSIT_TOLERANCE_BP'),
    clockSkewMs: integer(env.LEDGER_CLOCK_SKEW_MS, 5 * 60_000, 'LEDGER_CLOCK_SKEW_MS'),
    logRequests: env.LEDGER_LOG_REQUESTS === 'true',
    asOfMaxReplayEvents: integer(env.LEDGER_AS_OF_MAX_REPLAY_EVENTS, 100_000, 'LEDGER_AS_OF_MAX_REPLAY_EVENTS'),
    asOfCacheSize: integer(env.LEDGER_AS_OF_CACHE_SIZE, 3, 'LEDGER_AS_OF_CACHE_SIZE'),
    audit: auditConfig(env, dataDir),
    anomalies: loadAnomalyConfig(env),
    oidc: loadOidcConfig(env),
    limits: requestLimitsConfig(env),
    requestAudit: requestAuditConfig(env, dataDir),
    heavyQueries: heavyQueryLimits(env),
    massBalancePeriod: massBalancePeriodLength(env.LEDGER_MASS_BALANCE_PERIOD),
    webhooks: webhookConfig(env, dataDir),
  };
}

function webhookConfig(env: NodeJS.ProcessEnv, dataDir: string): WebhookConfig {
  const key = env.LEDGER_WEBHOOK_KEY || undefined;
  if (key !== undefined && key.length < 32) throw new Error('LEDGER_WEBHOOK_KEY must be at least 32 characters');
  const attempts = integer(env.LEDGER_WEBHOOK_ATTEMPTS, 5, 'LEDGER_WEBHOOK_ATTEMPTS');
  if (attempts < 1 || attempts > 20) throw new Error('LEDGER_WEBHOOK_ATTEMPTS must be between 1 and 20');
  const allow = env.LEDGER_WEBHOOK_ALLOW_PRIVATE ?? 'false';
  if (allow !== 'true' && allow !== 'false') throw new Error('LEDGER_WEBHOOK_ALLOW_PRIVATE must be true or false');
  return {
    key,
    keyFile: path.resolve(env.LEDGER_WEBHOOK_KEY_FILE ?? path.join(dataDir, 'webhook-key')),
    attempts,
    retryBaseMs: integer(env.LEDGER_WEBHOOK_RETRY_BASE_MS, 4_000, 'LEDGER_WEBHOOK_RETRY_BASE_MS'),
    timeoutMs: Math.max(1, integer(env.LEDGER_WEBHOOK_TIMEOUT_MS, 10_000, 'LEDGER_WEBHOOK_TIMEOUT_MS')),
    pollMs: integer(env.LEDGER_WEBHOOK_POLL_MS, 1_000, 'LEDGER_WEBHOOK_POLL_MS'),
    allowPrivateTargets: allow === 'true',
  };
}

function massBalancePeriodLength(value: string | undefined): MassBalancePeriodLength {
  if (value === undefined || value === '') return DEFAULT_MASS_BALANCE_PERIOD_LENGTH;
  const length = MASS_BALANCE_PERIOD_LENGTHS.find((l) => l === value);
  if (!length) throw new Error(`LEDGER_MASS_BALANCE_PERIOD must be one of ${MASS_BALANCE_PERIOD_LENGTHS.join(', ')}`);
  return length;
}

function heavyQueryLimits(env: NodeJS.ProcessEnv): HeavyQueryLimits {
  const atLeastOne = (name: string, fallback: number): number => {
    const n = integer(env[name], fallback, name);
    if (n < 1) throw new Error(`${name} must be at least 1`);
    return n;
  };
  const perMinute = integer(env.LEDGER_QUERY_COST_PER_MINUTE, 300_000, 'LEDGER_QUERY_COST_PER_MINUTE');
  const burst = integer(env.LEDGER_QUERY_COST_BURST, perMinute, 'LEDGER_QUERY_COST_BURST');
  if (perMinute > 0 && burst < 1) throw new Error('LEDGER_QUERY_COST_BURST must be at least 1 when the query cost budget is on');
  return {
    lineageMaxNodes: atLeastOne('LEDGER_LINEAGE_MAX_NODES', 10_000),
    auditMaxRangeDays: atLeastOne('LEDGER_REQUEST_AUDIT_MAX_RANGE_DAYS', 366),
    perOrganisation: atLeastOne('LEDGER_HEAVY_QUERIES_PER_ORGANISATION', 2),
    cost: { perMinute, burst },
  };
}

function requestLimitsConfig(env: NodeJS.ProcessEnv): RequestLimitsConfig {
  // On by default, with the values docs/security.md lists (decision 028).
  const perKey = rateLimitPolicy(env, 'LEDGER_RATE_LIMIT_PER_MINUTE', 'LEDGER_RATE_LIMIT_BURST', RATE_LIMIT_DEFAULTS.perOrganisation);
  const unauthenticated = rateLimitPolicy(env, 'LEDGER_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE', 'LEDGER_RATE_LIMIT_UNAUTHENTICATED_BURST', RATE_LIMIT_DEFAULTS.failedAuthentication);
  const positive = (name: string, fallback: number): number => {
    const n = integer(env[name], fallback, name);
    if (n < 1) throw new Error(`${name} must be at least 1`);
    return n;
  };
  const trustProxy = trustedProxies(env);
  return {
    perKey,
    unauthenticated,
    bodyLimitBytes: positive('LEDGER_BODY_LIMIT_BYTES', 1024 * 1024),
    maxUrlLength: positive('LEDGER_MAX_URL_LENGTH', 8 * 1024),
    maxHeaderBytes: positive('LEDGER_MAX_HEADER_BYTES', 16 * 1024),
    trustProxy,
    hsts: env.LEDGER_HSTS === 'true',
  };
}

function requestAuditConfig(env: NodeJS.ProcessEnv, dataDir: string): RequestAuditConfig {
  const mode = env.LEDGER_REQUEST_AUDIT ?? 'file';
  if (mode !== 'file' && mode !== 'off') throw new Error(`LEDGER_REQUEST_AUDIT must be file or off, got "${mode}"`);
  const flushIntervalMs = integer(env.LEDGER_REQUEST_AUDIT_FLUSH_MS, 1_000, 'LEDGER_REQUEST_AUDIT_FLUSH_MS');
  if (flushIntervalMs < 1) throw new Error('LEDGER_REQUEST_AUDIT_FLUSH_MS must be at least 1');
  return { mode, dir: path.resolve(env.LEDGER_REQUEST_AUDIT_DIR ?? path.join(dataDir, 'request-audit')), flushIntervalMs };
}

function auditConfig(env: NodeJS.ProcessEnv, dataDir: string): AuditConfig {
  const origin = env.LEDGER_LOG_ORIGIN ?? 'textile-ledger';
  if (origin === '' || /[\r\n]/.test(origin)) throw new Error('LEDGER_LOG_ORIGIN must be one non-empty line');
  return {
    keyFile: path.resolve(env.LEDGER_AUDIT_KEY_FILE ?? path.join(dataDir, 'audit-key.pem')),
    keyPem: env.LEDGER_AUDIT_KEY || undefined,
    rotateFrom: env.LEDGER_AUDIT_KEY_ROTATE_FROM || undefined,
    origin,
    checkpointEveryEvents: integer(env.LEDGER_CHECKPOINT_EVERY_EVENTS, 1_000, 'LEDGER_CHECKPOINT_EVERY_EVENTS'),
    checkpointEveryMs: integer(env.LEDGER_CHECKPOINT_EVERY_MS, 60_000, 'LEDGER_CHECKPOINT_EVERY_MS'),
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
  const guard = env.LEDGER_BENCH_PROJECTION_WRITER_GUARD ?? 'on';
  if (guard !== 'on' && guard !== 'off') throw new Error(`LEDGER_BENCH_PROJECTION_WRITER_GUARD must be on or off, got "${guard}"`);
  const unguarded = guard === 'off' ? { singleWriter: false } : {};
  switch (kind) {
    case 'sqlite':
      return { kind: 'sqlite', filename: path.resolve(env.LEDGER_READ_MODELS_FILE ?? path.join(dataDir, 'read-models.sqlite')), ...unguarded };
    case 'postgres': {
      const connectionString = env.LEDGER_READ_MODELS_URL || env.LEDGER_DATABASE_URL;
      if (!connectionString) throw new Error('LEDGER_READ_MODELS=postgres needs LEDGER_READ_MODELS_URL or LEDGER_DATABASE_URL');
      return { kind: 'postgres', connectionString, ...unguarded };
    }
    default:
      throw new Error(`LEDGER_READ_MODELS must be sqlite or postgres, got "${kind}"`);
  }
}
