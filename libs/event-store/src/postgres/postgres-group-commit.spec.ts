import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';

import { startTestPostgres, type TestPostgres } from '../../../../test/support/postgres-server.js';
import type { EventToAppend } from '../event-store.port.js';
import { PostgresEventStore } from './postgres-event-store.js';

// The shared behaviour is covered by test/conformance/postgres.conformance.spec.ts; this pins what a
// group commit owes its callers when the COMMIT itself fails: no one is told that its append is stored.

const evt = (id: string): EventToAppend => ({
  eventId: id,
  type: 'TestEvent',
  schemaVersion: 1,
  data: { id },
  metadata: { actorOrgId: 'org-1', commandId: `cmd-${id}`, correlationId: 'corr', causationId: 'cause' },
});

describe('PostgresEventStore group commit', () => {
  let server: TestPostgres;

  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  it('rejects every append of a group whose COMMIT fails, and stores none of them', async () => {
    const connectionString = await server.createDatabase();
    const store = await PostgresEventStore.open({ connectionString });
    try {
      await store.append('s', [evt('a')], 'no-stream');
      // Given a deferred constraint trigger that refuses an event of stream "doomed": PostgreSQL runs
      // it at COMMIT, after every append of the group has been written.
      const admin = new pg.Client({ connectionString });
      await admin.connect();
      try {
        await admin.query(`
          CREATE FUNCTION refuse_doomed_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'stream % is refused at commit', NEW.stream_id USING ERRCODE = 'check_violation'; END $$;
          CREATE CONSTRAINT TRIGGER refuse_doomed_at_commit AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW WHEN (NEW.stream_id = 'doomed') EXECUTE FUNCTION refuse_doomed_at_commit();`);
      } finally {
        await admin.end();
      }
      const transactionsBefore = store.stats().transactions;

      // When appends to other streams share the group with one to it,
      const results = await Promise.allSettled([
        store.append('s', [evt('b')], 0),
        store.append('doomed', [evt('c')], 'no-stream'),
        store.append('t', [evt('d')], 'no-stream'),
      ]);

      // then every caller of the group gets the COMMIT's error, and nothing of the group is stored.
      expect(store.stats().transactions - transactionsBefore).toBe(1);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const result of results) expect((result as PromiseRejectedResult).reason).toMatchObject({ code: '23514', message: 'stream doomed is refused at commit' });
      expect((await store.readAll({ maxCount: 10 })).map((e) => e.eventId)).toEqual(['a']);
      expect(await store.headPosition()).toBe(0);
      // The writer goes on with the next group.
      expect(await store.append('s', [evt('b')], 0)).toEqual({ nextExpectedRevision: 1, position: 1 });
    } finally {
      await store.close();
    }
  }, 60_000);
});
