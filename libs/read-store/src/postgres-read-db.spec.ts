import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { startTestPostgres, type TestPostgres } from '../../../test/support/postgres-server.js';
import { openPostgresReadDb } from './postgres-read-db.js';

describe('openPostgresReadDb', () => {
  let server: TestPostgres | undefined;
  let db: Kysely<object>;

  beforeAll(async () => {
    server = await startTestPostgres();
    db = openPostgresReadDb({ connectionString: await server.createDatabase(), poolSize: 2 });
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    await server?.stop();
  }, 60_000);

  it('reads int8, count(*) and sum() back as numbers, like SQLite', async () => {
    const { rows } = await sql<Record<string, unknown>>`
      select cast(9007199254740991 as bigint) as max_safe, count(*) as n, sum(cast(x as bigint)) as total, cast(1.5 as numeric) as fraction
      from generate_series(1, 3) as x`.execute(db);
    expect(rows).toEqual([{ max_safe: Number.MAX_SAFE_INTEGER, n: 3, total: 6, fraction: 1.5 }]);
  });

  it('refuses a value it could not return exactly instead of rounding it', async () => {
    await expect(sql`select cast(9007199254740993 as bigint) as v`.execute(db)).rejects.toThrow(RangeError);
  });

  it('leaves the global pg type parsers alone', () => {
    expect(pg.types.getTypeParser(20, 'text')('42')).toBe('42');
  });
});
