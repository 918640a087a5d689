/**
 * Where the crash harness runs the ledger, and how it reads what the ledger stored:
 *
 * - EmbeddedTopology: one server on the embedded store (SQLite event log, SQLite read models in the
 *   data directory), the default topology;
 * - PostgresTopology: N servers on one real PostgreSQL (test/support/postgres-server.ts), with the
 *   event log and the SHARED read models in it (`LEDGER_STORE=postgres LEDGER_READ_MODELS=postgres`),
 *   one signing key file for all of them, and each its own port and data directory, as operators run
 *   several API processes behind a load balancer.
 *
 * Both answer the same questions after a restart: the log, its head, "caught up", `ledger verify`,
 * and the read models against a fresh rebuild into a separate, new read store (the blue-green route
 * of docs/operations.md).
 */
import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadOrCreateAuditKey, PostgresEventStore, SqliteEventStore, type EventStore } from '#event-store';
import { createLedgerProjections, ProjectionRunner, type ReadDb } from '#projections';
import { openPostgresReadDb, openSqliteReadDb } from '#read-store';
import type { LogEvent } from './crash-harness.checks.js';
import { delay, freePort, LedgerServerProcess, runCli, type HealthReport } from './crash-harness.server.js';
import { startTestPostgres, type TestPostgres } from './postgres-server.js';

/**
 * ───── THE ONE PLACE where check 3 picks its command ─────
 * - 'events-export-verify': `ledger events export <file>`, then `ledger events verify <file>`: every
 *   position, every stream's hash chain and every hash of the whole log, with no database.
 * - 'verify': `ledger verify --json`, the whole-store verification (chains, and the Merkle log
 *   against the signed checkpoints; exit 0 ok, 1 failed).
 */
export const LEDGER_VERIFY: 'verify' | 'events-export-verify' = 'verify';

/** How long the read models of every instance get to reach the head after a restart before the round fails. */
const CATCH_UP_TIMEOUT_MS = 120_000;

export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

export interface CrashTopology {
  /** One line for the report: what runs where. */
  readonly description: string;
  readonly servers: readonly LedgerServerProcess[];
  /** Server output of every start, one file per instance. */
  readonly serverLogs: readonly string[];
  /** Starts every server and waits until each is healthy. */
  start(): Promise<void>;
  /** The whole log, in position order. */
  readLog(): Promise<LogEvent[]>;
  /** The log's head position, from the store itself (-1 when empty). */
  head(): Promise<number>;
  /** Waits (bounded, failing loudly) until every instance's read models hold the whole log; answers the head. */
  caughtUp(): Promise<number>;
  /** Check 3. */
  verify(): Promise<CheckResult>;
  /** Check 4: the live read models against a fresh rebuild into a separate store, by checksum. */
  compareChecksums(head: number): Promise<CheckResult>;
  /** Stops every server still running and anything the topology started (PostgreSQL). */
  stop(): Promise<void>;
}

interface Checksum {
  readonly total: string;
  readonly perTable: Readonly<Record<string, string>>;
  readonly position: number;
}

/** Compares the two digests, both taken by one build of the projections (see compareChecksums). */
function compare(live: Checksum, green: Checksum, head: number, eventsRead: number): CheckResult {
  const short = (s: string) => s.slice(0, 16);
  if (live.position !== head || green.position !== head || eventsRead !== head + 1) {
    return { ok: false, detail: `positions differ: log head ${head}, live read models at ${live.position}, rebuilt at ${green.position} (${eventsRead} events read)` };
  }
  if (live.total !== green.total) {
    const tables = Object.keys({ ...live.perTable, ...green.perTable }).filter((t) => live.perTable[t] !== green.perTable[t]);
    return { ok: false, detail: `live ${short(live.total)}… ≠ rebuilt ${short(green.total)}… at position ${head}; tables that differ: ${tables.join(', ')}` };
  }
  return { ok: true, detail: `live = rebuilt = ${short(live.total)}… at position ${head}` };
}

async function projectionChecksum(store: EventStore & { close(): Promise<void> }, db: ReadDb): Promise<Checksum> {
  try {
    return await new ProjectionRunner({ store, db, projections: createLedgerProjections() }).checksum();
  } finally {
    await db.destroy();
    await store.close();
  }
}

async function ledgerVerify(env: NodeJS.ProcessEnv, workDir: string, publicKeyFile?: string): Promise<CheckResult> {
  if (LEDGER_VERIFY === 'verify') {
    const result = await runCli('apps/ledger-cli/src/ledger.command.js', ['verify', '--json', ...(publicKeyFile ? ['--public-key', publicKeyFile] : [])], env);
    return { ok: result.code === 0, detail: `ledger verify exit ${result.code}: ${lastLine(result.stdout) || tail(result.stderr)}` };
  }
  const file = path.join(workDir, 'events.ndjson');
  const exported = await runCli('apps/ledger-cli/src/ledger.command.js', ['events', 'export', file], env);
  if (exported.code !== 0) return { ok: false, detail: `events export exit ${exported.code}: ${tail(exported.stderr)}` };
  const verified = await runCli('apps/ledger-cli/src/ledger.command.js', ['events', 'verify', file], env);
  rmSync(file, { force: true });
  return { ok: verified.code === 0, detail: `events verify exit ${verified.code}: ${lastLine(verified.stdout) || tail(verified.stderr)}` };
}

// ───────────────────────────── embedded: one server, SQLite ─────────────────────────────

export class EmbeddedTopology implements CrashTopology {
  readonly description = '1 server, embedded store (SQLite event log and read models)';
  readonly servers: readonly LedgerServerProcess[];
  readonly serverLogs: readonly string[];
  private readonly server: LedgerServerProcess;

  private constructor(
    private readonly dataDir: string,
    private readonly workDir: string,
    port: number,
    operatorKey: string,
  ) {
    const logFile = path.join(dataDir, 'server.log');
    this.server = new LedgerServerProcess({ dataDir, port, operatorKey, logFile });
    this.servers = [this.server];
    this.serverLogs = [logFile];
  }

  static async create(dataDir: string, workDir: string, operatorKey: string): Promise<EmbeddedTopology> {
    return new EmbeddedTopology(dataDir, workDir, await freePort(), operatorKey);
  }

  async start(): Promise<void> {
    this.server.start();
    await this.server.waitHealthy();
  }

  async readLog(): Promise<LogEvent[]> {
    return readEventLog(path.join(this.dataDir, 'events.sqlite'));
  }

  async head(): Promise<number> {
    return (await this.server.health()).store.headPosition;
  }

  /** /health until the read models have applied every event. */
  async caughtUp(): Promise<number> {
    const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
    for (;;) {
      const health = await this.server.health();
      if (health.status === 'ok' && health.projections.lag === 0 && health.projections.position === health.store.headPosition) return health.store.headPosition;
      if (Date.now() > deadline) throw new Error(`the read models did not catch up within ${CATCH_UP_TIMEOUT_MS} ms: ${JSON.stringify(health)}`);
      await delay(50);
    }
  }

  verify(): Promise<CheckResult> {
    return ledgerVerify(this.server.env(), this.workDir);
  }

  async compareChecksums(head: number): Promise<CheckResult> {
    const snapshot = path.join(this.workDir, 'read-models-live.sqlite');
    const fresh = path.join(this.workDir, 'read-models-fresh.sqlite');
    removeSqliteDatabase(snapshot);
    removeSqliteDatabase(fresh);
    try {
      // The server's own file, copied consistently while it runs (SQLite's online backup).
      const liveFile = new Database(path.join(this.dataDir, 'read-models.sqlite'), { readonly: true, fileMustExist: true });
      try {
        await liveFile.backup(snapshot);
      } finally {
        liveFile.close();
      }
      const eventsFile = path.join(this.dataDir, 'events.sqlite');
      const live = await projectionChecksum(await SqliteEventStore.open({ filename: eventsFile }), openSqliteReadDb({ filename: snapshot }));
      const rebuilt = await runCli('apps/ledger-cli/src/rebuild.command.js', [], this.server.env({ LEDGER_READ_MODELS_FILE: fresh }));
      if (rebuilt.code !== 0) return { ok: false, detail: `rebuild exit ${rebuilt.code}: ${tail(rebuilt.stderr)}` };
      const result = JSON.parse(lastLine(rebuilt.stdout)) as { events: number };
      // Both digests are taken here, by one build of the projections: a dist/ rebuilt during a run
      // (a colleague's tsc) must not pass for a difference between live and rebuilt read models.
      const green = await projectionChecksum(await SqliteEventStore.open({ filename: eventsFile }), openSqliteReadDb({ filename: fresh }));
      return compare(live, green, head, result.events);
    } finally {
      removeSqliteDatabase(snapshot);
      removeSqliteDatabase(fresh);
    }
  }

  async stop(): Promise<void> {
    if (this.server.pid !== undefined) await this.server.stop();
  }
}

// ─────────────────────── PostgreSQL: N servers, one event log, shared read models ───────────────────────

/**
 * Signed often, so that several instances sign while the others append and one dies: the checkpoint
 * log is what `ledger verify` checks against the one shared key. (The defaults, 1,000 events or a
 * minute, would sign a handful of times in a whole run.)
 */
const CHECKPOINT_EVERY_EVENTS = '200';
const CHECKPOINT_EVERY_MS = '1000';

export class PostgresTopology implements CrashTopology {
  readonly description: string;
  readonly servers: readonly LedgerServerProcess[];
  readonly serverLogs: readonly string[];
  private scratchDatabases = 0;

  private constructor(
    private readonly postgres: TestPostgres,
    private readonly eventsUrl: string,
    private readonly readModelsUrl: string,
    private readonly keyFile: string,
    private readonly workDir: string,
    servers: LedgerServerProcess[],
    logs: string[],
  ) {
    this.servers = servers;
    this.serverLogs = logs;
    this.description = `${servers.length} servers on one PostgreSQL (event log and shared read models), one signing key file`;
  }

  static async create(options: { readonly instances: number; readonly dataDir: string; readonly workDir: string; readonly operatorKey: string }): Promise<PostgresTopology> {
    const postgres = await startTestPostgres();
    try {
      const eventsUrl = await createDatabase(postgres, 'ledger_events');
      const readModelsUrl = await createDatabase(postgres, 'ledger_read_models');
      // The operator's one key, deployed to every instance before any starts (the product's own
      // generator, so the file is what a first start would have written).
      const keyFile = path.join(options.dataDir, 'shared', 'audit-key.pem');
      loadOrCreateAuditKey(keyFile);
      const servers: LedgerServerProcess[] = [];
      const logs: string[] = [];
      for (let i = 0; i < options.instances; i += 1) {
        const dataDir = path.join(options.dataDir, `instance-${i}`);
        mkdirSync(dataDir, { recursive: true });
        const logFile = path.join(options.dataDir, `server-${i}.log`);
        logs.push(logFile);
        servers.push(
          new LedgerServerProcess({
            dataDir,
            port: await freePort(),
            operatorKey: options.operatorKey,
            logFile,
            env: {
              LEDGER_STORE: 'postgres',
              LEDGER_DATABASE_URL: eventsUrl,
              LEDGER_READ_MODELS: 'postgres',
              LEDGER_READ_MODELS_URL: readModelsUrl,
              LEDGER_AUDIT_KEY_FILE: keyFile,
              LEDGER_CHECKPOINT_EVERY_EVENTS: CHECKPOINT_EVERY_EVENTS,
              LEDGER_CHECKPOINT_EVERY_MS: CHECKPOINT_EVERY_MS,
            },
          }),
        );
      }
      return new PostgresTopology(postgres, eventsUrl, readModelsUrl, keyFile, options.workDir, servers, logs);
    } catch (error) {
      await postgres.stop();
      throw error;
    }
  }

  /** All at once, as a deployment starts them: migrations and the bootstrap race on purpose. */
  async start(): Promise<void> {
    for (const server of this.servers) server.start();
    await Promise.all(this.servers.map((server) => server.waitHealthy()));
  }

  async readLog(): Promise<LogEvent[]> {
    return withClient(this.eventsUrl, async (client) => {
      const { rows } = await client.query<{ position: string; stream_id: string; revision: number; event_id: string; type: string; data: string; metadata: string }>(
        'SELECT position, stream_id, revision, event_id, type, data, metadata FROM events ORDER BY position',
      );
      return rows.map((r) => ({
        position: Number(r.position),
        streamId: r.stream_id,
        revision: r.revision,
        eventId: r.event_id,
        type: r.type,
        data: JSON.parse(r.data) as unknown,
        metadata: JSON.parse(r.metadata) as { commandId: string },
      }));
    });
  }

  async head(): Promise<number> {
    return withClient(this.eventsUrl, async (client) => {
      const { rows } = await client.query<{ head: string | null }>('SELECT max(position) AS head FROM events');
      return rows[0]?.head === null || rows[0]?.head === undefined ? -1 : Number(rows[0].head);
    });
  }

  /**
   * Caught up: the shared read models' checkpoint (the lowest projection's) is at the log's head, and
   * every instance's /health names that head with lag 0. Both are needed: the first is what the
   * checksum reads, the second what a load balancer and a client reading on that instance rely on.
   */
  async caughtUp(): Promise<number> {
    const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
    for (;;) {
      const head = await this.head();
      const shared = await this.sharedCheckpoint();
      const healths = await Promise.all(this.servers.map((server) => server.health().catch((error: unknown) => String(error))));
      const ready = (h: HealthReport | string) => typeof h !== 'string' && h.status === 'ok' && h.store.headPosition === head && h.projections.lag === 0 && h.projections.position === head;
      if (shared === head && healths.every(ready)) return head;
      if (Date.now() > deadline) {
        throw new Error(
          `the read models did not catch up within ${CATCH_UP_TIMEOUT_MS} ms: log head ${head}, shared read-model checkpoint ${shared}; ` +
            healths.map((h, i) => `instance ${i} /health ${typeof h === 'string' ? h : JSON.stringify(h)}`).join('; '),
        );
      }
      await delay(100);
    }
  }

  /** The lowest position in the shared read models' checkpoint table (-1 when there is none yet). */
  private async sharedCheckpoint(): Promise<number> {
    return withClient(this.readModelsUrl, async (client) => {
      const exists = await client.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'projection_checkpoint'");
      if (exists.rowCount === 0) return -1;
      const { rows } = await client.query<{ position: string | null }>('SELECT min(position) AS position FROM projection_checkpoint');
      return rows[0]?.position === null || rows[0]?.position === undefined ? -1 : Number(rows[0].position);
    });
  }

  /** `ledger verify` against the one public key every instance signs with (no key of its own found by default). */
  verify(): Promise<CheckResult> {
    return ledgerVerify(this.servers[0]!.env(), this.workDir, this.keyFile);
  }

  /**
   * The shared read models, read in place while every instance idles at the head (the checksum is
   * one repeatable-read transaction), against `npm run rebuild` into a new scratch database.
   */
  async compareChecksums(head: number): Promise<CheckResult> {
    this.scratchDatabases += 1;
    const scratchName = `ledger_rebuild_${this.scratchDatabases}`;
    const scratchUrl = await createDatabase(this.postgres, scratchName);
    try {
      const live = await projectionChecksum(await PostgresEventStore.open({ connectionString: this.eventsUrl }), openPostgresReadDb({ connectionString: this.readModelsUrl, poolSize: 2 }));
      const rebuilt = await runCli('apps/ledger-cli/src/rebuild.command.js', [], this.servers[0]!.env({ LEDGER_READ_MODELS_URL: scratchUrl }));
      if (rebuilt.code !== 0) return { ok: false, detail: `rebuild exit ${rebuilt.code}: ${tail(rebuilt.stderr)}` };
      const result = JSON.parse(lastLine(rebuilt.stdout)) as { events: number };
      const green = await projectionChecksum(await PostgresEventStore.open({ connectionString: this.eventsUrl }), openPostgresReadDb({ connectionString: scratchUrl, poolSize: 2 }));
      return compare(live, green, head, result.events);
    } finally {
      await dropDatabase(this.postgres, scratchName);
    }
  }

  /** PostgreSQL goes in any case (a failed run keeps the servers' data directories and logs). */
  async stop(): Promise<void> {
    try {
      await Promise.all(this.servers.map((server) => (server.pid !== undefined ? server.stop() : Promise.resolve())));
    } finally {
      await this.postgres.stop();
    }
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(postgres: TestPostgres, name: string): Promise<string> {
  await withClient(postgres.url(), (client) => client.query(`CREATE DATABASE ${name}`));
  return postgres.url(name);
}

async function dropDatabase(postgres: TestPostgres, name: string): Promise<void> {
  await withClient(postgres.url(), (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** The whole log, read-only, straight from the embedded store's table (libs/event-store/src/sqlite). */
export function readEventLog(file: string): LogEvent[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT position, stream_id, revision, event_id, type, data, metadata FROM events ORDER BY position')
      .all() as Array<{ position: number; stream_id: string; revision: number; event_id: string; type: string; data: string; metadata: string }>;
    return rows.map((r) => ({
      position: r.position,
      streamId: r.stream_id,
      revision: r.revision,
      eventId: r.event_id,
      type: r.type,
      data: JSON.parse(r.data) as unknown,
      metadata: JSON.parse(r.metadata) as { commandId: string },
    }));
  } finally {
    db.close();
  }
}

function removeSqliteDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** The end of a CLI's stderr: a stack trace's message sits a few lines above Node's version line. */
function tail(text: string): string {
  return text.trim().split('\n').slice(-8).join(' | ');
}
