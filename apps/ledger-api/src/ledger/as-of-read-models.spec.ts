import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { InvalidCommandError } from '#domain';
import { PostgresEventStore, SqliteEventStore, type EventStore, type EventToAppend } from '#event-store';
import { createLedgerProjections, listBatches, ProjectionRunner, type ReadDb } from '#projections';
import { openSqliteReadDb } from '#read-store';
import { appendScenario, generateScenario } from '#scenarios';
import { sql } from 'kysely';
import { startTestPostgres, type TestPostgres } from '../../../../test/support/postgres-server.js';
import { AsOfAnswered, AsOfReadModels } from './as-of-read-models.js';
import { EventLogPrefix, LocalAsOfReplayer, RecordedTimeIndex, type AsOf, type AsOfReplayer, type AsOfResolution, type ReplayReport } from './as-of-replay.js';

const T0 = Date.parse('2026-03-10T08:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

function anEvent(): EventToAppend {
  const id = randomUUID();
  return { eventId: id, type: 'Probe', schemaVersion: 1, data: { id }, metadata: { actorOrgId: id, commandId: id, correlationId: id, causationId: id } };
}

/** A store whose n-th group commit is stamped with the n-th of `seconds` after T0. */
async function sqliteStoreStamping(dir: string, seconds: readonly number[]): Promise<SqliteEventStore> {
  let next = 0;
  return SqliteEventStore.open({ filename: path.join(dir, 'events.sqlite'), synchronous: 'NORMAL', clock: () => new Date(T0 + seconds[next++]! * 1000) });
}

/** Appends one event per call, one after another, so that each gets its own group and stamp. */
async function appendOneByOne(store: EventStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await store.append(`probe-${i}`, [anEvent()], 'no-stream');
}

/** Every projection table's rows, in a canonical order: equal digests mean equal read models. */
async function readModelDigest(db: ReadDb): Promise<string> {
  const hash = createHash('sha256');
  const tables = createLedgerProjections()
    .flatMap((p) => [...p.tables])
    .sort();
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    const lines = rows.map((row) => JSON.stringify(Object.keys(row).sort().map((k) => [k, typeof row[k] === 'bigint' ? String(row[k]) : row[k]])));
    hash.update(`${table}\n${lines.sort().join('\n')}\n`);
  }
  return hash.digest('hex');
}

describe('RecordedTimeIndex', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'as-of-index-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('maps a recorded time to the last event recorded at or before it, and a position to itself', async () => {
    const store = await sqliteStoreStamping(dir, [1, 2, 2, 5, 9, 12]);
    await appendOneByOne(store, 5);
    const index = new RecordedTimeIndex(store, 2);
    try {
      expect(await index.resolve({ recordedAt: at(0) })).toEqual({ position: -1, events: 0 });
      expect(await index.resolve({ recordedAt: at(1) })).toEqual({ position: 0, events: 1 });
      // Inclusive, and both events of the same instant.
      expect(await index.resolve({ recordedAt: at(2) })).toEqual({ position: 2, events: 3 });
      expect(await index.resolve({ recordedAt: at(4.999) })).toEqual({ position: 2, events: 3 });
      // Another offset, same instant.
      expect(await index.resolve({ recordedAt: '2026-03-10T09:00:05+01:00' })).toEqual({ position: 3, events: 4 });
      // A future time and a position beyond the head answer as of the head.
      expect(await index.resolve({ recordedAt: '2099-01-01T00:00:00Z' })).toEqual({ position: 4, events: 5 });
      expect(await index.resolve({ position: 3 })).toEqual({ position: 3, events: 4 });
      expect(await index.resolve({ position: 1000 })).toEqual({ position: 4, events: 5 });
      expect(index.monotone).toBe(true);

      // An event appended since is seen by the next call.
      await store.append('probe-late', [anEvent()], 'no-stream');
      expect(await index.resolve({ recordedAt: '2099-01-01T00:00:00Z' })).toEqual({ position: 5, events: 6 });
      expect(await index.resolve({ recordedAt: at(11) })).toEqual({ position: 4, events: 5 });
    } finally {
      await store.close();
    }
  });

  it('finds the right position when recordedAt steps back along the log (SQLite: the wall clock stepped back)', async () => {
    // Positions 0..4 stamped 1, 6, 7, 2, 8 seconds after T0.
    const store = await sqliteStoreStamping(dir, [1, 6, 7, 2, 8]);
    await appendOneByOne(store, 5);
    const stored = await store.readAll({ maxCount: 10 });
    expect(stored.map((e) => e.recordedAt)).toEqual([at(1), at(6), at(7), at(2), at(8)]);
    const index = new RecordedTimeIndex(store);
    try {
      // The last event recorded at or before +3 s is position 3, after events recorded later: stopping at
      // the first later event (position 1) would answer position 0, and a binary search would too.
      expect(await index.resolve({ recordedAt: at(3) })).toEqual({ position: 3, events: 4 });
      expect(await index.resolve({ recordedAt: at(0.5) })).toEqual({ position: -1, events: 0 });
      expect(await index.resolve({ recordedAt: at(6.5) })).toEqual({ position: 3, events: 4 });
      expect(index.monotone).toBe(false);
    } finally {
      await store.close();
    }
  });

  describe('on PostgreSQL', () => {
    let postgres: TestPostgres;
    beforeAll(async () => {
      postgres = await startTestPostgres();
    }, 60_000);
    afterAll(async () => {
      await postgres.stop();
    }, 60_000);

    it('two writers sharing one log can commit later positions with earlier recordedAt, and the index still answers right', async () => {
      const url = await postgres.createDatabase();
      // Two API processes on one log: each stamps its group before it takes the append lock, with its own clock.
      const ahead = await PostgresEventStore.open({ connectionString: url, clock: () => new Date(T0 + 10_000) });
      const behind = await PostgresEventStore.open({ connectionString: url, clock: () => new Date(T0 + 4_000) });
      try {
        await ahead.append('probe-a', [anEvent()], 'no-stream');
        await behind.append('probe-b', [anEvent()], 'no-stream');
        const stored = await ahead.readAll({ maxCount: 10 });
        expect(stored.map((e) => [e.position, e.recordedAt])).toEqual([
          [0, at(10)],
          [1, at(4)],
        ]);
        const index = new RecordedTimeIndex(ahead);
        expect(await index.resolve({ recordedAt: at(5) })).toEqual({ position: 1, events: 2 });
        expect(await index.resolve({ recordedAt: at(3) })).toEqual({ position: -1, events: 0 });
        expect(index.monotone).toBe(false);
      } finally {
        await ahead.close();
        await behind.close();
      }
    }, 60_000);
  });
});

describe('as-of replay', () => {
  let dir: string;
  let store: SqliteEventStore;
  let head: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'as-of-replay-'));
    let tick = T0;
    store = await SqliteEventStore.open({ filename: path.join(dir, 'events.sqlite'), synchronous: 'NORMAL', clock: () => new Date((tick += 1000)) });
    await appendScenario(store, generateScenario({ seed: 13, batches: 150 }));
    head = await store.headPosition();
  }, 60_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The read models a ProjectionRunner rebuild makes of the log up to `position`. */
  async function rebuiltDigest(position: number): Promise<string> {
    const db = openSqliteReadDb({ filename: ':memory:' });
    try {
      const runner = new ProjectionRunner({ store: new EventLogPrefix(store, position), db, projections: createLedgerProjections() });
      const result = await runner.rebuild();
      expect(runner.position()).toBe(position);
      expect(result.events).toBe(position + 1);
      return await readModelDigest(db);
    } finally {
      await db.destroy();
    }
  }

  async function digestOfFile(file: string): Promise<string> {
    const db = openSqliteReadDb({ filename: file });
    try {
      return await readModelDigest(db);
    } finally {
      await db.destroy();
    }
  }

  it('the prefix view never shows an event beyond its position', async () => {
    const prefix = new EventLogPrefix(store, 40);
    expect(await prefix.headPosition()).toBe(40);
    const page = await prefix.readAll({ after: 30, maxCount: 100 });
    expect(page.map((e) => e.position)).toEqual(Array.from({ length: 10 }, (_, i) => 31 + i));
    expect(await prefix.readAll({ after: 40, maxCount: 100 })).toEqual([]);
    await expect(prefix.append('x', [anEvent()], 'any')).rejects.toThrow(/read only/);
  });

  it('replays from zero and advances to exactly what a ProjectionRunner rebuild of the same prefix gives', async () => {
    expect(head).toBeGreaterThan(300);
    const [early, late] = [Math.floor(head / 3), Math.floor((head * 2) / 3)];
    const replayer = new LocalAsOfReplayer(store, { pageSize: 37 });
    const file = path.join(dir, 'advanced.sqlite');
    try {
      expect(await replayer.replay(file, early)).toMatchObject({ position: early, events: early + 1 });
      const earlyDigest = await digestOfFile(file);
      expect(earlyDigest).toBe(await rebuiltDigest(early));

      expect(await replayer.replay(file, late)).toMatchObject({ position: late, events: late - early });
      const advancedDigest = await digestOfFile(file);
      expect(advancedDigest).toBe(await rebuiltDigest(late));
      expect(advancedDigest).not.toBe(earlyDigest);

      const fresh = path.join(dir, 'fresh.sqlite');
      await replayer.replay(fresh, late);
      expect(await digestOfFile(fresh)).toBe(advancedDigest);

      await expect(replayer.replay(file, early)).rejects.toThrow(/cannot go back/);
    } finally {
      await replayer.close();
    }
  }, 60_000);

  it('the rebuild of the whole log through the prefix view equals the live read models', async () => {
    const db = openSqliteReadDb({ filename: ':memory:' });
    try {
      const live = new ProjectionRunner({ store, db, projections: createLedgerProjections() });
      await live.rebuild();
      expect(await readModelDigest(db)).toBe(await rebuiltDigest(head));
    } finally {
      await db.destroy();
    }
  }, 60_000);

  describe('AsOfReadModels', () => {
    /** Counts what the as-of read models ask of the replayer. */
    class CountingReplayer implements AsOfReplayer {
      generation = 0;
      readonly replays: Array<{ file: string; position: number; events: number }> = [];
      readonly dropped: string[] = [];
      private inner: LocalAsOfReplayer;
      constructor() {
        this.inner = new LocalAsOfReplayer(store);
      }
      resolve(asOf: AsOf): Promise<AsOfResolution> {
        return this.inner.resolve(asOf);
      }
      async replay(file: string, position: number): Promise<ReplayReport> {
        const report = await this.inner.replay(file, position);
        this.replays.push({ file, position, events: report.events });
        return report;
      }
      async drop(file: string): Promise<void> {
        this.dropped.push(file);
        await this.inner.drop(file);
      }
      /** What a restarted worker looks like: a new generation, none of the old stores. */
      async restart(): Promise<void> {
        await this.inner.close();
        this.inner = new LocalAsOfReplayer(store);
        this.generation += 1;
      }
      close(): Promise<void> {
        return this.inner.close();
      }
    }

    let replayer: CountingReplayer;
    let models: AsOfReadModels;
    let created: number;
    const countBatches = async (db: ReadDb): Promise<number> => (await listBatches(db, { limit: 500 })).items.length;

    beforeEach(() => {
      replayer = new CountingReplayer();
      created = 0;
      models = new AsOfReadModels({
        replayer: () => {
          created += 1;
          return replayer;
        },
        directory: path.join(dir, 'as-of'),
        cacheSize: 2,
        maxReplayEvents: 0,
      });
    });
    afterEach(async () => {
      await models.close();
    });

    it('answers live queries on the live read models without starting a replayer', async () => {
      const live = openSqliteReadDb({ filename: ':memory:' });
      try {
        expect(await models.at(undefined, live, async (db) => (db === live ? 'live' : 'other'))).toBe('live');
        expect(created).toBe(0);
      } finally {
        await live.destroy();
      }
    });

    it('caches stores by position, advances the nearest earlier one, and drops the least recently used', async () => {
      const [p1, p2, p0, p3, pMinus] = [60, 120, 90, 200, 30];
      const first = await models.read({ position: p1 }, countBatches);
      expect(first).toBeInstanceOf(AsOfAnswered);
      expect(first.asOf).toEqual({ axis: 'position', position: p1 });
      expect(replayer.replays).toEqual([{ file: expect.any(String), position: p1, events: p1 + 1 }]);

      // Same position: no replay at all.
      expect((await models.read({ position: p1 }, countBatches)).value).toBe(first.value);
      expect(replayer.replays).toHaveLength(1);

      // Later: the store at p1 is advanced by the events in between, not replayed from zero.
      const second = await models.read({ position: p2 }, countBatches);
      expect(replayer.replays[1]).toEqual({ file: replayer.replays[0]!.file, position: p2, events: p2 - p1 });
      expect(models.cachedPositions()).toEqual([p2]);
      expect(second.value).toBeGreaterThanOrEqual(first.value);

      // Earlier than every store: a new one from zero.
      await models.read({ position: p0 }, countBatches);
      expect(replayer.replays[2]).toMatchObject({ position: p0, events: p0 + 1 });
      expect(replayer.replays[2]!.file).not.toBe(replayer.replays[0]!.file);
      expect(models.cachedPositions()).toEqual([p2, p0]);

      // The nearest earlier store is the one advanced (p2, not p0).
      await models.read({ position: p3 }, countBatches);
      expect(replayer.replays[3]).toEqual({ file: replayer.replays[0]!.file, position: p3, events: p3 - p2 });
      expect(models.cachedPositions()).toEqual([p0, p3]);

      // A full cache drops its least recently used store (p0), file included.
      const p0File = replayer.replays[2]!.file;
      await models.read({ position: pMinus }, countBatches);
      expect(models.cachedPositions()).toEqual([p3, pMinus]);
      expect(replayer.dropped).toEqual([p0File]);
      expect(existsSync(p0File)).toBe(false);
    }, 60_000);

    it('answers as of the position a recorded time resolves to, naming the axis', async () => {
      const recordedAt = (await store.readAll({ after: 99, maxCount: 1 }))[0]!.recordedAt;
      const all = await store.readAll({ maxCount: 100_000 });
      const expected = Math.max(...all.filter((e) => e.recordedAt <= recordedAt).map((e) => e.position));
      const asOf = new Date(recordedAt).toISOString().replace('Z', '+00:00');

      const byTime = await models.read({ recordedAt: asOf }, countBatches);
      expect(byTime.asOf).toEqual({ axis: 'recordedAt', recordedAt, position: expected });
      expect(byTime.value).toBe((await models.read({ position: expected }, countBatches)).value);
    }, 60_000);

    it('refuses a replay beyond the limit, counting from the nearest earlier store', async () => {
      const limited = new AsOfReadModels({ replayer: () => replayer, directory: path.join(dir, 'as-of-limited'), cacheSize: 2, maxReplayEvents: 100 });
      try {
        const refused = limited.read({ position: 150 }, countBatches);
        await expect(refused).rejects.toBeInstanceOf(InvalidCommandError);
        await expect(refused).rejects.toMatchObject({ code: 'as-of-replay-too-large', details: { position: 150, eventsToReplay: 151, maxReplayEvents: 100 } });
        expect(replayer.replays).toEqual([]);
        expect(limited.cachedPositions()).toEqual([]);

        // 100 events from zero is allowed, and from there 150 is only 50 more.
        await limited.read({ position: 99 }, countBatches);
        await limited.read({ position: 150 }, countBatches);
        expect(replayer.replays.map((r) => r.events)).toEqual([100, 51]);
      } finally {
        await limited.close();
      }
    }, 60_000);

    it('forgets every store when the replayer lost them (a restarted worker)', async () => {
      await models.read({ position: 50 }, countBatches);
      const oldFile = replayer.replays[0]!.file;
      await replayer.restart();
      // Were the old store advanced, the new replayer would fold onto a file it never built.
      await models.read({ position: 80 }, countBatches);
      expect(replayer.replays[1]).toMatchObject({ position: 80, events: 81 });
      expect(replayer.replays[1]!.file).not.toBe(oldFile);
      expect(existsSync(oldFile)).toBe(false);
      expect(models.cachedPositions()).toEqual([80]);
    }, 60_000);

    it('runs one as-of query at a time, so a store is never advanced under a reader', async () => {
      let inside = 0;
      let most = 0;
      const slow = async (db: ReadDb): Promise<number> => {
        inside += 1;
        most = Math.max(most, inside);
        const n = await countBatches(db);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inside -= 1;
        return n;
      };
      const answers = await Promise.all([models.read({ position: 70 }, slow), models.read({ position: 140 }, slow), models.read({ position: 70 }, slow)]);
      expect(most).toBe(1);
      expect(answers[0]!.value).toBe(answers[2]!.value);
    }, 60_000);
  });
});
