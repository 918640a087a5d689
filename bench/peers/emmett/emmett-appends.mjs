/**
 * The peer for appends: Emmett's PostgreSQL event store (0.42), driven the way bench/ledger.bench.ts
 * drives ours in `postgresAdapterAppends`: `writers` concurrent loops, each appending ONE ~290-byte
 * BatchCollected event per append to a fresh stream, for `seconds`.
 *
 * Plain JavaScript on purpose: the root tsconfigs include every .ts file under bench/, and this folder's
 * node_modules (Emmett, its uuid 10) is installed on its own and may be absent when the ledger
 * type-checks. It runs in a child process started by bench/emmett-peer.ts, so its module tree never
 * mixes with the ledger's.
 */
import { performance } from 'node:perf_hooks';
import { getPostgreSQLEventStore, PostgreSQLEventStoreDefaultStreamVersion } from '@event-driven-io/emmett-postgresql';

/** The same event as the main bench's `sampleEvent(i)`, as the object Emmett serialises itself. */
function sampleEvent(i) {
  return {
    type: 'BatchCollected',
    data: { batchId: `0190${String(i).padStart(28, '0')}`, kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 123_456 + i, occurredAt: '2026-03-10T09:00:00+01:00' },
    metadata: { actorOrgId: '0190aaaa-0000-7000-8000-000000000001', commandId: `c-${i}` },
  };
}

/**
 * @param {{ connectionString: string, seconds: number, writers: number }} options
 * @returns {Promise<{ appendsPerSecond: number, appends: number }>}
 */
export async function emmettAppends({ connectionString, seconds, writers }) {
  // Defaults on purpose (pooled, pg.Pool's default of 10 connections, as our PostgresEventStore uses):
  // the peer is measured as a user would get it. No session settings are touched: same durability.
  const store = getPostgreSQLEventStore(connectionString);
  try {
    // Create the schema (tables, the emt_append_to_stream function) before the clock starts;
    // appendToStream would otherwise do it lazily on the first append, inside the measurement.
    await store.schema.migrate();
    let appends = 0;
    const start = performance.now();
    const deadline = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; performance.now() < deadline; i++) {
          // "Stream must not exist": expected version 0n (Emmett's default = empty stream). In 0.42's
          // PostgreSQL store this takes the INSERT INTO emt_streams path, so an existing stream fails
          // with a unique violation -> ExpectedVersionConflictError. STREAM_DOES_NOT_EXIST would be
          // mapped to NULL there, i.e. no check at all.
          await store.appendToStream(`batch-${w}-${i}`, [sampleEvent(i)], { expectedStreamVersion: PostgreSQLEventStoreDefaultStreamVersion });
          appends += 1;
        }
      }),
    );
    return { appendsPerSecond: appends / ((performance.now() - start) / 1000), appends };
  } finally {
    await store.close();
  }
}
