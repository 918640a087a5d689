import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';

import { startTestPostgres, type TestPostgres } from '../../../../test/support/postgres-server.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { POSTGRES_MIGRATIONS, applyPostgresMigrations } from './postgres-migrations.js';

describe('PostgreSQL migrations', () => {
  let server: TestPostgres;

  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  const withClient = async <T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  const recorded = (connectionString: string) =>
    withClient(connectionString, async (client) => {
      const { rows } = await client.query<{ version: number; name: string; applied_at: Date }>(
        'SELECT version, name, applied_at FROM ledger_schema_migrations ORDER BY version',
      );
      return rows;
    });

  it('applies every migration once and records its version; a second run is a no-op', async () => {
    const url = await server.createDatabase();
    const versions = POSTGRES_MIGRATIONS.map((m) => m.version);

    expect(await withClient(url, (c) => applyPostgresMigrations(c))).toEqual({ applied: versions });
    const first = await recorded(url);
    expect(first.map((r) => r.version)).toEqual(versions);
    expect(first.map((r) => r.name)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.name));
    expect(first.every((r) => r.applied_at instanceof Date)).toBe(true);

    expect(await withClient(url, (c) => applyPostgresMigrations(c))).toEqual({ applied: [] });
    expect(await recorded(url)).toEqual(first);
  });

  it('applies each migration once when several processes start together', async () => {
    const url = await server.createDatabase();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => withClient(url, (c) => applyPostgresMigrations(c))),
    );
    expect(results.flatMap((r) => r.applied).sort()).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    expect((await recorded(url)).map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
  });

  it('runs at open(): reopening a store keeps its events and applies nothing again', async () => {
    const url = await server.createDatabase();
    const first = await PostgresEventStore.open({ connectionString: url });
    await first.append(
      'stream-1',
      [
        {
          eventId: 'e-1',
          type: 'TestEvent',
          schemaVersion: 1,
          data: { n: 1 },
          metadata: { actorOrgId: 'org', commandId: 'c', correlationId: 'c', causationId: 'c' },
        },
      ],
      'no-stream',
    );
    await first.close();
    const before = await recorded(url);

    const second = await PostgresEventStore.open({ connectionString: url });
    try {
      expect(await second.headPosition()).toBe(0);
      expect((await second.readStream('stream-1')).map((e) => e.eventId)).toEqual(['e-1']);
      expect(await recorded(url)).toEqual(before);
    } finally {
      await second.close();
    }
  });
});
