/**
 * `npm run rebuild`: rebuilds every read model from position zero, with a progress bar, then
 * prints the checksum so it can be compared with the live one (`GET /health` reports lag only), and
 * the process's peak RSS, so an operator knows what memory a rebuild needs.
 * Stop the server first: the read store is rebuilt in place.
 *
 * `npm run rebuild -- --as-of <ISO-8601 time | log position>`: rebuilds every read model as the
 * ledger knew it at that recorded time (the last event recorded at or before it) or position
 * (inclusive), into the SEPARATE read store named by LEDGER_READ_MODELS_FILE (or
 * LEDGER_READ_MODELS_URL with LEDGER_READ_MODELS=postgres), for an auditor (decision 013). It refuses
 * the live read store; the server may keep running.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLedgerProjections, ProjectionRunner, type ReadDb } from '#projections';
import { sql } from 'kysely';
import { loadLedgerConfig, type LedgerConfig } from '../../ledger-api/src/config/ledger.config.js';
import { EventLogPrefix, RecordedTimeIndex, answerOf, type AsOf } from '../../ledger-api/src/ledger/as-of-replay.js';
import { openEventLog } from '../../ledger-api/src/ledger/event-log.js';
import { openReadModels } from '../../ledger-api/src/ledger/read-models.js';
import { progressBar } from './progress-bar.js';

const USAGE = 'usage: npm run rebuild [-- --as-of <ISO-8601 time with offset | log position>]';
/** Written by an as-of rebuild, so that a later one may replace it and nothing else. */
const AS_OF_MARKER_TABLE = 'as_of_rebuild';
const CHECKPOINT_TABLE = 'projection_checkpoint';

class RefusedError extends Error {}

const args = process.argv.slice(2);
const asOfIndex = args.findIndex((arg) => arg === '--as-of' || arg.startsWith('--as-of='));
if (args.length > 0 && asOfIndex < 0) fail(USAGE, 2);
const config = loadLedgerConfig();

if (asOfIndex < 0) {
  await rebuildInPlace(config);
} else {
  const argument = args[asOfIndex]!.startsWith('--as-of=') ? args[asOfIndex]!.slice('--as-of='.length) : args[asOfIndex + 1];
  if (args.length !== (args[asOfIndex]!.startsWith('--as-of=') ? 1 : 2)) fail(USAGE, 2);
  const asOf = parseAsOf(argument);
  try {
    await rebuildAsOf(config, asOf);
  } catch (error) {
    if (error instanceof RefusedError) fail(`rebuild --as-of refused: ${error.message}`, 1);
    throw error;
  }
}

async function rebuildInPlace(config: LedgerConfig): Promise<void> {
  const store = await openEventLog(config.eventLog);
  const db = openReadModels(config.readModels, 'projections');
  const runner = new ProjectionRunner({ store, db, projections: createLedgerProjections() });
  const started = performance.now();
  const before = await runner.checksum().catch(() => undefined);
  await runner.rebuild({ onProgress: progressBar('rebuild') });
  const after = await runner.checksum();
  const seconds = (performance.now() - started) / 1000;
  const head = await store.headPosition();
  process.stdout.write(
    `${JSON.stringify({ events: head + 1, seconds: Math.round(seconds * 1000) / 1000, checksumBefore: before?.total ?? null, checksumAfter: after.total, identical: before?.total === after.total, peakRssMiB: peakRssMiB() })}\n`,
  );
  await runner.close();
  await store.close();
  await db.destroy();
}

async function rebuildAsOf(config: LedgerConfig, asOf: AsOf): Promise<void> {
  const target = separateReadStore(config);
  const store = await openEventLog(config.eventLog);
  const db = openReadModels(config.readModels, 'projections');
  try {
    await refuseReadModelsNotBuiltAsOf(db, target);
    const started = performance.now();
    // The whole log is indexed, because recordedAt need not grow with position (see RecordedTimeIndex).
    const resolution = await new RecordedTimeIndex(store).resolve(asOf);
    const runner = new ProjectionRunner({ store: new EventLogPrefix(store, resolution.position), db, projections: createLedgerProjections() });
    const rebuilt = await runner.rebuild({ onProgress: progressBar('rebuild --as-of') });
    const checksum = await runner.checksum();
    await runner.close();
    const answer = answerOf(asOf, resolution.position);
    await writeMarker(db, answer);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        asOf: answer,
        readModels: target,
        position: checksum.position,
        events: rebuilt.events,
        seconds: Math.round(seconds * 1000) / 1000,
        eventsPerSecond: rebuilt.durationMs > 0 ? Math.round((rebuilt.events * 1000) / rebuilt.durationMs) : null,
        checksum: checksum.total,
        peakRssMiB: peakRssMiB(),
      })}\n`,
    );
  } finally {
    await store.close();
    await db.destroy();
  }
}

/** The process's resident-memory high-water mark (the kernel's, not a sample): what a rebuild needs to be given. */
function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function parseAsOf(argument: string | undefined): AsOf {
  if (argument !== undefined && /^\d{1,15}$/.test(argument)) return { position: Number(argument) };
  // The same rule as the API's asOf: an ISO-8601 instant with an offset (Z or ±hh:mm).
  if (argument !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(argument) && !Number.isNaN(Date.parse(argument))) {
    return { recordedAt: argument };
  }
  fail(`--as-of takes an ISO-8601 time with an offset (2026-03-10T12:00:00+01:00) or a log position (a whole number ≥ 0), got ${argument ?? 'nothing'}\n${USAGE}`, 2);
}

/**
 * The read store to write, named explicitly and different from the live one: the live server's is
 * `<LEDGER_DATA_DIR>/read-models.sqlite`, or the database of LEDGER_DATABASE_URL, unless named
 * otherwise; a store of another name that a server has written is caught next, by its checkpoints.
 */
function separateReadStore(config: LedgerConfig): string {
  const readModels = config.readModels;
  if (readModels.kind === 'sqlite') {
    if (!process.env.LEDGER_READ_MODELS_FILE) throw new RefusedError('name a separate read-model file with LEDGER_READ_MODELS_FILE; without it the rebuild would overwrite the live read models');
    if (path.resolve(readModels.filename) === path.resolve(config.dataDir, 'read-models.sqlite')) {
      throw new RefusedError(`${readModels.filename} is the live read-model file; name a separate one with LEDGER_READ_MODELS_FILE`);
    }
    return readModels.filename;
  }
  const url = process.env.LEDGER_READ_MODELS_URL;
  if (!url) throw new RefusedError('name a separate read-model database with LEDGER_READ_MODELS_URL; without it the rebuild would overwrite the live read models');
  const live = process.env.LEDGER_DATABASE_URL;
  if (live && sameDatabase(url, live)) throw new RefusedError('LEDGER_READ_MODELS_URL names the live database (LEDGER_DATABASE_URL); name a separate one');
  return redact(url);
}

/** A store that holds read models with checkpoints but no as-of marker was built by a live runner. */
async function refuseReadModelsNotBuiltAsOf(db: ReadDb, target: string): Promise<void> {
  const tables = new Set((await db.introspection.getTables()).map((table) => table.name));
  if (!tables.has(CHECKPOINT_TABLE) || tables.has(AS_OF_MARKER_TABLE)) return;
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(CHECKPOINT_TABLE)}`.execute(db);
  if (Number(rows[0]?.n ?? 0) > 0) {
    throw new RefusedError(`${target} holds read models that a server or a full rebuild wrote (it may be live); an as-of rebuild replaces only what an earlier as-of rebuild wrote. Name a new, empty store`);
  }
}

async function writeMarker(db: ReadDb, answer: ReturnType<typeof answerOf>): Promise<void> {
  await sql`create table if not exists ${sql.table(AS_OF_MARKER_TABLE)} (id integer primary key, as_of text not null, rebuilt_at text not null)`.execute(db);
  await db.transaction().execute(async (tx) => {
    await sql`delete from ${sql.table(AS_OF_MARKER_TABLE)}`.execute(tx);
    await sql`insert into ${sql.table(AS_OF_MARKER_TABLE)} (id, as_of, rebuilt_at) values (1, ${JSON.stringify(answer)}, ${new Date().toISOString()})`.execute(tx);
  });
}

function sameDatabase(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname && x.searchParams.get('options') === y.searchParams.get('options');
  } catch {
    return a === b;
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
