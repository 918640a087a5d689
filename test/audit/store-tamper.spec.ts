import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  GENESIS_HASH,
  MerkleFrontier,
  PostgresEventStore,
  SqliteEventStore,
  computeEventHash,
  ledgerLeafHash,
  publicKeyId,
  signCheckpoint,
  verifyStore,
  type AuditSigningKey,
  type CheckpointLog,
  type EventStore,
  type RecordedLeaves,
  type SignedCheckpoint,
  type StoreVerification,
  type StoredEvent,
} from '#event-store';
import { appendScenario, generateScenario } from '#scenarios';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

const run = promisify(execFile);
const ORIGIN = 'textile-ledger';
const CHECKPOINT_EVERY = 32;

function newKey(): AuditSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: publicKeyId(publicKey) };
}

/** Direct SQL on the store's own tables, as someone with database access would tamper with them. */
interface Sql {
  run(text: string, ...params: unknown[]): Promise<void>;
  rows<T>(text: string, ...params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** One fresh copy of the pristine store: tamper with `sql`, then `verify` opens the store and verifies it. */
interface StoreCopy {
  sql(): Promise<Sql>;
  verify(options?: { recordedLeaves?: RecordedLeaves }): Promise<StoreVerification>;
}

interface Backend {
  readonly name: string;
  /** An empty store (the caller fills it) and how to reach its tables. */
  create(): Promise<{ store: EventStore & CheckpointLog & { importVerbatim(events: readonly StoredEvent[]): Promise<void> }; reopen(): Promise<EventStore & CheckpointLog>; sql(): Promise<Sql> }>;
}

interface EventRow {
  position: number | string;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  recorded_at: string;
}

let dir: string;
let postgres: TestPostgres | undefined;
const key = newKey();
let pristine: StoredEvent[];
let checkpoints: SignedCheckpoint[];
/** What the audit-log read model records as each leaf is added: the leaves of the untampered log. */
let witness: RecordedLeaves;

const sqliteBackend: Backend = {
  name: 'SQLite',
  async create() {
    const filename = path.join(mkdtempSync(path.join(dir, 'copy-')), 'events.sqlite');
    const open = () => SqliteEventStore.open({ filename, synchronous: 'NORMAL' });
    return {
      store: await open(),
      reopen: open,
      async sql() {
        const db = new Database(filename);
        return {
          async run(text, ...params) {
            db.prepare(text).run(...params);
          },
          async rows<T>(text: string, ...params: unknown[]) {
            return db.prepare(text).all(...params) as T[];
          },
          async close() {
            db.close();
          },
        };
      },
    };
  },
};

const postgresBackend: Backend = {
  name: 'PostgreSQL',
  async create() {
    postgres ??= await startTestPostgres();
    const connectionString = await postgres.createDatabase();
    const open = () => PostgresEventStore.open({ connectionString });
    return {
      store: await open(),
      reopen: open,
      async sql() {
        const client = new pg.Client({ connectionString });
        await client.connect();
        const numbered = (text: string): string => {
          let n = 0;
          return text.replace(/\?/g, () => `$${++n}`);
        };
        return {
          async run(text, ...params) {
            await client.query(numbered(text), params);
          },
          async rows<T>(text: string, ...params: unknown[]) {
            return (await client.query(numbered(text), params)).rows as T[];
          },
          async close() {
            await client.end();
          },
        };
      },
    };
  },
};

async function freshCopy(backend: Backend): Promise<StoreCopy> {
  const { store, reopen, sql } = await backend.create();
  try {
    await store.importVerbatim(pristine);
    for (const checkpoint of checkpoints) await store.appendCheckpoint(checkpoint);
  } finally {
    await store.close();
  }
  return {
    sql,
    async verify(options = {}) {
      const reopened = await reopen();
      try {
        return await verifyStore(reopened, { publicKey: key.publicKey, origin: ORIGIN, pageSize: 50, ...options });
      } finally {
        await reopened.close();
      }
    },
  };
}

/** Runs `work` on a fresh copy's tables and closes the connection. */
async function tamper(copy: StoreCopy, work: (sql: Sql) => Promise<void>): Promise<void> {
  const sql = await copy.sql();
  try {
    await work(sql);
  } finally {
    await sql.close();
  }
}

// ---- The forger's tools. Unique columns are moved through negative values, one statement at a time. ----

async function shiftPositionsFrom(sql: Sql, from: number): Promise<void> {
  await sql.run('UPDATE events SET position = -(position + 1) WHERE position >= ?', from);
  await sql.run('UPDATE events SET position = -position WHERE position < 0');
}

async function shiftRevisionsFrom(sql: Sql, streamId: string, from: number): Promise<void> {
  await sql.run('UPDATE events SET revision = -(revision + 1) WHERE stream_id = ? AND revision >= ?', streamId, from);
  await sql.run('UPDATE events SET revision = -revision WHERE stream_id = ? AND revision < 0', streamId);
}

async function swapPositions(sql: Sql, a: number, b: number): Promise<void> {
  await sql.run('UPDATE events SET position = -1 WHERE position = ?', a);
  await sql.run('UPDATE events SET position = ? WHERE position = ?', a, b);
  await sql.run('UPDATE events SET position = ? WHERE position = -1', b);
}

/** Recomputes a stream's whole hash chain from its rows, as anyone can: the hash has no secret. */
async function rechainStream(sql: Sql, streamId: string): Promise<void> {
  const rows = await sql.rows<EventRow>('SELECT * FROM events WHERE stream_id = ? ORDER BY revision', streamId);
  let prevHash = GENESIS_HASH;
  for (const row of rows) {
    const hash = computeEventHash(prevHash, {
      streamId: row.stream_id,
      revision: Number(row.revision),
      eventId: row.event_id,
      type: row.type,
      schemaVersion: Number(row.schema_version),
      data: JSON.parse(row.data),
      metadata: JSON.parse(row.metadata),
      recordedAt: row.recorded_at,
    });
    await sql.run('UPDATE events SET prev_hash = ?, hash = ? WHERE position = ?', prevHash, hash, Number(row.position));
    prevHash = hash;
  }
}

async function insertEvent(sql: Sql, event: Omit<StoredEvent, 'data' | 'metadata'> & { data: unknown; metadata: unknown }): Promise<void> {
  await sql.run(
    'INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, recorded_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    event.position,
    event.streamId,
    event.revision,
    event.eventId,
    event.type,
    event.schemaVersion,
    JSON.stringify(event.data),
    JSON.stringify(event.metadata),
    event.recordedAt,
    event.prevHash,
    event.hash,
  );
}

/** The same event with one more gram (or one more field), as a fraudster would "correct" a mass. */
function alteredData(data: unknown): unknown {
  const text = JSON.stringify(data);
  return /"massGrams":\d+/.test(text) ? JSON.parse(text.replace(/"massGrams":(\d+)/, (_m, g: string) => `"massGrams":${Number(g) + 1}`)) : { ...(data as object), note: 'forged' };
}

/** The checkpoint interval that contains position p (positions are leaf indices in these gap-free stores). */
function signedRange(p: number): { fromPosition: number; toPosition: number } {
  const from = Math.floor(p / CHECKPOINT_EVERY) * CHECKPOINT_EVERY;
  return { fromPosition: from, toPosition: Math.min(from + CHECKPOINT_EVERY, pristine.length) - 1 };
}

/** An event at or after `from` satisfying `accept`: the tests pick their victims from the real log. */
function pick(from: number, accept: (event: StoredEvent) => boolean): StoredEvent {
  const found = pristine.find((e) => e.position >= from && accept(e));
  if (!found) throw new Error(`no suitable event at or after ${from}`);
  return found;
}
const hasLaterEvent = (event: StoredEvent): boolean => pristine.some((e) => e.streamId === event.streamId && e.position > event.position);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-tamper-'));
  // A real log: collections, transfers, processes of every kind, outcomes, corrections.
  const source = await SqliteEventStore.open({ filename: path.join(dir, 'source.sqlite'), synchronous: 'NORMAL' });
  try {
    await appendScenario(source, generateScenario({ seed: 11, batches: 25 }));
    pristine = await source.readAll({ maxCount: 100_000 });
  } finally {
    await source.close();
  }
  // Signed as the ledger signs: every CHECKPOINT_EVERY events, and at the head.
  const frontier = MerkleFrontier.empty();
  checkpoints = [];
  for (const event of pristine) {
    frontier.append(ledgerLeafHash(event));
    if (frontier.size % CHECKPOINT_EVERY === 0 || frontier.size === pristine.length) {
      checkpoints.push(
        signCheckpoint({ origin: ORIGIN, treeSize: frontier.size, rootHash: frontier.root().toString('hex'), lastPosition: event.position, signedAt: '2026-02-01T00:00:00.000Z' }, key),
      );
    }
  }
  const leaves = pristine.map(ledgerLeafHash);
  witness = { leaf: (index) => leaves[index] };
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.each([sqliteBackend, postgresBackend])('ledger verify detects tampering with the stored rows ($name)', (backend) => {
  it('passes the untampered store', async () => {
    const result = await (await freshCopy(backend)).verify();
    expect(pristine.length).toBeGreaterThan(150);
    expect(result).toMatchObject({ ok: true, events: pristine.length, problemCount: 0, checkpoints: { checked: checkpoints.length, latestTreeSize: pristine.length } });
  }, 60_000);

  it('a modified field: names the event', async () => {
    const victim = pick(50, () => true);
    const copy = await freshCopy(backend);
    await tamper(copy, (sql) => sql.run('UPDATE events SET data = ? WHERE position = ?', JSON.stringify(alteredData(victim.data)), victim.position));
    const result = await copy.verify();
    expect(result.ok).toBe(false);
    expect(result.firstProblem).toMatchObject({ kind: 'hash', position: victim.position, streamId: victim.streamId, revision: victim.revision, eventId: victim.eventId });
  }, 60_000);

  it('a modified field with the stream chain recomputed: bounded by the checkpoints, named by the recorded leaves', async () => {
    const victim = pick(50, hasLaterEvent);
    const copy = await freshCopy(backend);
    await tamper(copy, async (sql) => {
      await sql.run('UPDATE events SET data = ? WHERE position = ?', JSON.stringify(alteredData(victim.data)), victim.position);
      await rechainStream(sql, victim.streamId);
    });
    const bounded = await copy.verify();
    expect(bounded.firstProblem).toMatchObject({ kind: 'merkle-divergence', range: signedRange(victim.position) });
    const exact = await copy.verify({ recordedLeaves: witness });
    expect(exact.firstProblem).toMatchObject({ kind: 'merkle-divergence', position: victim.position, streamId: victim.streamId, revision: victim.revision, eventId: victim.eventId });
  }, 60_000);

  it("an event rewritten with its own hash recomputed, after the last signed checkpoint: names the next event of its stream, whose prevHash no longer links", async () => {
    const victim = pick(100, hasLaterEvent);
    const next = pristine.find((e) => e.streamId === victim.streamId && e.position > victim.position)!;
    const forged = { ...victim, data: alteredData(victim.data) };
    const copy = await freshCopy(backend);
    await tamper(copy, async (sql) => {
      // Only the checkpoints signed before the victim remain: no signed root covers it or anything after it.
      await sql.run('DELETE FROM ledger_checkpoints WHERE tree_size > ?', victim.position);
      await sql.run('UPDATE events SET data = ?, hash = ? WHERE position = ?', JSON.stringify(forged.data), computeEventHash(victim.prevHash, forged), victim.position);
    });
    const result = await copy.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'prev-hash', position: next.position, streamId: next.streamId, revision: next.revision, eventId: next.eventId })]);
  }, 60_000);

  it('a deleted event: names its position, and its stream and revision', async () => {
    const victim = pick(40, hasLaterEvent);
    const copy = await freshCopy(backend);
    await tamper(copy, (sql) => sql.run('DELETE FROM events WHERE position = ?', victim.position));
    const result = await copy.verify();
    expect(result.firstProblem).toMatchObject({ kind: 'position-gap', position: victim.position });
    expect(result.problems).toContainEqual(
      expect.objectContaining({ kind: 'revision', streamId: victim.streamId, reason: expect.stringContaining(`expected revision ${victim.revision},`) }),
    );
  }, 60_000);

  it('a forged event inserted naively: names it', async () => {
    const at = 70;
    const model = pristine[at]!;
    const copy = await freshCopy(backend);
    await tamper(copy, async (sql) => {
      await shiftPositionsFrom(sql, at);
      await insertEvent(sql, {
        ...model,
        position: at,
        streamId: 'batch-forged',
        revision: 0,
        eventId: 'forged-naive',
        prevHash: GENESIS_HASH,
        hash: createHash('sha256').update('looks like a hash').digest('hex'),
      });
    });
    const result = await copy.verify();
    expect(result.firstProblem).toMatchObject({ kind: 'hash', position: at, streamId: 'batch-forged', revision: 0, eventId: 'forged-naive' });
  }, 60_000);

  it('a forged event whose stream chain the forger recomputed: bounded by the checkpoints, named by the recorded leaves', async () => {
    // Slipped into an existing stream before one of its events; positions and revisions renumbered.
    const before = pick(60, (e) => e.revision > 0);
    const copy = await freshCopy(backend);
    await tamper(copy, async (sql) => {
      await shiftPositionsFrom(sql, before.position);
      await shiftRevisionsFrom(sql, before.streamId, before.revision);
      await insertEvent(sql, { ...before, position: before.position, eventId: 'forged-rechained', data: alteredData(before.data), prevHash: GENESIS_HASH, hash: GENESIS_HASH });
      await rechainStream(sql, before.streamId);
    });
    const bounded = await copy.verify();
    expect(bounded.problems.filter((p) => p.kind !== 'checkpoint-root')).toEqual([
      expect.objectContaining({ kind: 'merkle-divergence', range: signedRange(before.position) }),
    ]);
    const exact = await copy.verify({ recordedLeaves: witness });
    expect(exact.firstProblem).toMatchObject({ kind: 'merkle-divergence', position: before.position, streamId: before.streamId, revision: before.revision, eventId: 'forged-rechained' });
  }, 60_000);

  it('two events of one stream swapped: names the first', async () => {
    const first = pick(45, hasLaterEvent);
    const second = pristine.find((e) => e.streamId === first.streamId && e.position > first.position)!;
    const copy = await freshCopy(backend);
    await tamper(copy, (sql) => swapPositions(sql, first.position, second.position));
    const result = await copy.verify();
    expect(result.firstProblem).toMatchObject({ kind: 'revision', position: first.position, streamId: first.streamId, eventId: second.eventId });
  }, 60_000);

  it('two events of different streams swapped (every chain still reads in order): bounded by the checkpoints, named by the recorded leaves', async () => {
    const first = pick(80, (e) => pristine[e.position + 1] !== undefined && pristine[e.position + 1]!.streamId !== e.streamId && (e.position + 1) % CHECKPOINT_EVERY !== 0);
    const copy = await freshCopy(backend);
    await tamper(copy, (sql) => swapPositions(sql, first.position, first.position + 1));
    const bounded = await copy.verify();
    expect(bounded.firstProblem).toMatchObject({ kind: 'merkle-divergence', range: signedRange(first.position) });
    const exact = await copy.verify({ recordedLeaves: witness });
    expect(exact.firstProblem).toMatchObject({ kind: 'merkle-divergence', position: first.position, eventId: pristine[first.position + 1]!.eventId });
  }, 60_000);

  it('a truncated tail: names the first missing event', async () => {
    const from = pristine.length - 5;
    const copy = await freshCopy(backend);
    await tamper(copy, (sql) => sql.run('DELETE FROM events WHERE position >= ?', from));
    const result = await copy.verify();
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'checkpoint-beyond-log', position: from, checkpointTreeSize: pristine.length })]);
  }, 60_000);

  it('a checkpoint whose root was replaced: names the checkpoint, not the events', async () => {
    const copy = await freshCopy(backend);
    await tamper(copy, (sql) => sql.run('UPDATE ledger_checkpoints SET root_hash = ? WHERE tree_size = ?', checkpoints[0]!.rootHash, 96));
    const result = await copy.verify();
    expect(result.firstProblem).toMatchObject({ kind: 'checkpoint-signature', checkpointTreeSize: 96 });
    expect(result.problems.every((p) => p.checkpointTreeSize === 96 && p.position === undefined)).toBe(true);
  }, 60_000);

  it('a checkpoint replaced by one signed with another key: names the checkpoint', async () => {
    const forger = newKey();
    const original = checkpoints[1]!;
    const replacement = signCheckpoint({ ...original, rootHash: checkpoints[0]!.rootHash }, forger);
    const copy = await freshCopy(backend);
    await tamper(copy, async (sql) => {
      await sql.run('DELETE FROM ledger_checkpoints WHERE tree_size = ?', original.treeSize);
      await sql.run(
        'INSERT INTO ledger_checkpoints (tree_size, origin, root_hash, last_position, signed_at, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
        replacement.treeSize,
        replacement.origin,
        replacement.rootHash,
        replacement.lastPosition,
        replacement.signedAt,
        replacement.keyId,
        replacement.signature,
      );
    });
    const result = await copy.verify();
    expect(result.firstProblem).toMatchObject({ kind: 'checkpoint-signature', checkpointTreeSize: original.treeSize, reason: expect.stringContaining(forger.keyId) });
  }, 60_000);
});

describe('npm run ledger -- verify', () => {
  const cli = path.resolve('dist/apps/ledger-cli/src/ledger.command.js');

  /** A data directory holding a copy of the pristine store and the operator's key, as the server leaves it. */
  async function dataDir(name: string): Promise<string> {
    const target = path.join(dir, name);
    mkdirSync(target);
    const store = await SqliteEventStore.open({ filename: path.join(target, 'events.sqlite'), synchronous: 'NORMAL' });
    try {
      await store.importVerbatim(pristine);
      for (const checkpoint of checkpoints) await store.appendCheckpoint(checkpoint);
    } finally {
      await store.close();
    }
    writeFileSync(path.join(target, 'audit-key.pem'), key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    return target;
  }
  const env = (data: string): NodeJS.ProcessEnv => ({ ...process.env, LEDGER_DATA_DIR: data, LEDGER_STORE: 'sqlite', LEDGER_LOG_ORIGIN: ORIGIN });
  const failure = (error: unknown): { code: number; stdout: string; stderr: string } => error as { code: number; stdout: string; stderr: string };

  it('reports a sound store in plain text and exits 0', async () => {
    const data = await dataDir('cli-ok');
    const { stdout } = await run(process.execPath, [cli, 'verify'], { env: env(data) });
    expect(stdout).toMatch(new RegExp(`^OK: ${pristine.length} events in \\d+ streams`));
    expect(stdout).toContain(`public key: ${path.join(data, 'audit-key.pem')}`);
  }, 60_000);

  it('names the first bad event in JSON and exits 1; checks against the key it is given', async () => {
    const data = await dataDir('cli-tampered');
    const victim = pick(50, () => true);
    const db = new Database(path.join(data, 'events.sqlite'));
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(alteredData(victim.data)), victim.position);
    db.close();
    const tampered = failure(await run(process.execPath, [cli, 'verify', '--json'], { env: env(data) }).catch((error: unknown) => error));
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ command: 'verify', ok: false, firstProblem: { kind: 'hash', position: victim.position, eventId: victim.eventId } });

    const otherKey = path.join(dir, 'other-public.pem');
    writeFileSync(otherKey, newKey().publicKeyPem);
    const wrongKey = failure(await run(process.execPath, [cli, 'verify', '--json', '--public-key', otherKey], { env: env(await dataDir('cli-other-key')) }).catch((error: unknown) => error));
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.stdout).problems.map((p: { kind: string }) => p.kind)).toEqual(checkpoints.map(() => 'checkpoint-signature'));
  }, 60_000);

  it('exits 2 on usage errors, and on a store that is not there', async () => {
    const data = await dataDir('cli-usage');
    for (const args of [['verify', '--bogus'], ['verify', '--public-key'], ['verify', '--public-key', path.join(dir, 'missing.pem')]]) {
      const result = failure(await run(process.execPath, [cli, ...args], { env: env(data) }).catch((error: unknown) => error));
      expect([args, result.code]).toEqual([args, 2]);
      expect(result.stderr).toContain('npm run ledger -- verify [--json] [--public-key <pem file>]');
    }
    const missing = failure(await run(process.execPath, [cli, 'verify'], { env: env(path.join(dir, 'nowhere')) }).catch((error: unknown) => error));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no event log at');
  }, 60_000);
});
