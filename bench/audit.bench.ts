/**
 * The audit issue's figures:
 * - `append.hashing-on…`: append throughput with the hash chain on, as a ratio of the same appends
 *   with it off (target >= 0.8). The off runs use the adapters' benchmark-only `hashChain: false`.
 *   On and off runs alternate (off, on, on, off, off, on), each on a fresh store, so that a machine
 *   getting slower or faster during the bench weighs on both sides alike.
 * - `verify`: the whole-store verifier (every chain, the Merkle log against signed checkpoints) over
 *   a generated SQLite store, as a ratio of a raw read + JSON.parse of the same rows.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  GENESIS_HASH,
  MerkleFrontier,
  PostgresEventStore,
  SqliteEventStore,
  computeEventHash,
  ledgerLeafHash,
  loadOrCreateAuditKey,
  signCheckpoint,
  verifyStore,
  type EventStore,
  type EventToAppend,
  type SignedCheckpoint,
  type StoredEvent,
} from '#event-store';
import type { TestPostgres } from '../test/support/postgres-server.js';
import { emit, log, rawReadAndParse, tempDir } from './bench-support.js';

export interface HashingBenchOptions {
  /** Seconds of appending per run; six runs per shape (three with hashing on, three off). */
  readonly seconds: number;
  /** Concurrent writers, each appending to fresh streams. */
  readonly writers: number;
  /** Events per append in the batched shape. */
  readonly batch: number;
}

/** A ~290-byte BatchCollected, built as a command handler builds it (an object, not parsed JSON). */
function collected(writer: number, i: number, k: number): EventToAppend {
  return {
    eventId: `e-${writer}-${i}-${k}`,
    type: 'BatchCollected',
    schemaVersion: 1,
    data: { batchId: `0190${String(writer * 1e9 + i * 1e3 + k).padStart(28, '0')}`, kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 123_456 + i, occurredAt: '2026-03-10T09:00:00+01:00' },
    metadata: { actorOrgId: '0190aaaa-0000-7000-8000-000000000001', commandId: `c-${writer}-${i}`, correlationId: 'bench', causationId: 'bench' },
  };
}

/** `writers` concurrent appends of `perAppend` events each to fresh streams, for `seconds`: events and elapsed seconds. */
async function appendFor(store: EventStore, seconds: number, writers: number, perAppend: number): Promise<{ events: number; seconds: number }> {
  let events = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const batch = Array.from({ length: perAppend }, (_, k) => collected(w, i, k));
        await store.append(`batch-${w}-${i}`, batch, 'no-stream');
        events += perAppend;
      }
    }),
  );
  return { events, seconds: (performance.now() - start) / 1000 };
}

type OpenStore = (hashChain: boolean) => Promise<{ store: EventStore; dispose: () => Promise<void> }>;

/** Interleaved on/off runs; each side's rate is its events over its seconds, summed over its runs. */
async function onOff(open: OpenStore, seconds: number, writers: number, perAppend: number): Promise<{ on: number; off: number }> {
  const totals = { on: { events: 0, seconds: 0 }, off: { events: 0, seconds: 0 } };
  for (const hashChain of [false, true, true, false, false, true]) {
    const { store, dispose } = await open(hashChain);
    try {
      const run = await appendFor(store, seconds, writers, perAppend);
      const side = hashChain ? totals.on : totals.off;
      side.events += run.events;
      side.seconds += run.seconds;
    } finally {
      await dispose();
    }
  }
  return { on: totals.on.events / totals.on.seconds, off: totals.off.events / totals.off.seconds };
}

function emitOnOff(suffix: string, rates: { on: number; off: number }): void {
  emit({ name: `append.hashing-off${suffix}`, value: rates.off, unit: 'events/s', reference: 'self', ratio: 1 });
  emit({ name: `append.hashing-on${suffix}`, value: rates.on, unit: 'events/s', reference: `append.hashing-off${suffix}`, ratio: rates.on / rates.off });
}

/** SQLite as the ledger runs it (WAL, synchronous=FULL, group commit). */
export async function sqliteHashingBench(options: HashingBenchOptions): Promise<void> {
  const open: OpenStore = async (hashChain) => {
    const dir = tempDir('hashing');
    const store = await SqliteEventStore.open({ filename: path.join(dir, 'events.sqlite'), hashChain });
    return {
      store,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
  const runSeconds = Math.max(1, options.seconds / 2);
  log(`SQLite appends, hashing on vs off: ${options.writers} writers × 1 event, 6 alternating runs of ${runSeconds}s…`);
  emitOnOff('', await onOff(open, runSeconds, options.writers, 1));
  log(`SQLite appends, hashing on vs off: ${options.writers} writers × ${options.batch} events per append…`);
  emitOnOff(`.batch-${options.batch}`, await onOff(open, runSeconds, options.writers, options.batch));
}

/** PostgreSQL on the bench's throwaway server (fsync on), a fresh database per run. */
export async function postgresHashingBench(server: TestPostgres, options: HashingBenchOptions): Promise<void> {
  const open: OpenStore = async (hashChain) => {
    const store = await PostgresEventStore.open({ connectionString: await server.createDatabase(), hashChain });
    return { store, dispose: () => store.close() };
  };
  const runSeconds = Math.max(1, options.seconds / 2);
  log(`PostgreSQL appends, hashing on vs off: ${options.writers} writers × 1 event, 6 alternating runs of ${runSeconds}s…`);
  emitOnOff('.postgres', await onOff(open, runSeconds, options.writers, 1));
  log(`PostgreSQL appends, hashing on vs off: ${options.writers} writers × ${options.batch} events per append…`);
  emitOnOff(`.postgres.batch-${options.batch}`, await onOff(open, runSeconds, options.writers, options.batch));
}

const VERIFY_ORIGIN = 'textile-ledger/bench';
/**
 * Four events per stream, like a batch's life (collected, dispatched, received, consumed), with the
 * streams of each window of 4,096 events interleaved as concurrent commands interleave them. Wider
 * interleaving would mostly measure SQLite's random index inserts while building the store.
 */
const EVENTS_PER_STREAM = 4;
const STREAMS_PER_WINDOW = 1024;
const IMPORT_CHUNK = 20_000;
const CHECKPOINT_EVERY = 100_000;

/**
 * A store of `events` chained events and a signed checkpoint every 100,000 of them (and one at the
 * end), written through importVerbatim in chunks: the chain and the Merkle tree are computed here,
 * once, instead of through a million appends.
 */
async function buildVerifiableStore(filename: string, keyFile: string, events: number): Promise<void> {
  const store = await SqliteEventStore.open({ filename, synchronous: 'NORMAL' });
  const { key } = loadOrCreateAuditKey(keyFile);
  const window = STREAMS_PER_WINDOW * EVENTS_PER_STREAM;
  const heads = new Map<number, string>();
  const frontier = MerkleFrontier.empty();
  const recordedAt = '2026-03-10T08:00:00.000Z';
  try {
    for (let from = 0; from < events; from += IMPORT_CHUNK) {
      const chunk: StoredEvent[] = [];
      const checkpoints: SignedCheckpoint[] = [];
      for (let position = from; position < Math.min(events, from + IMPORT_CHUNK); position++) {
        const stream = Math.floor(position / window) * STREAMS_PER_WINDOW + (position % STREAMS_PER_WINDOW);
        const revision = Math.floor((position % window) / STREAMS_PER_WINDOW);
        const { type, schemaVersion, data, metadata } = collected(stream, revision, 0);
        const prevHash = heads.get(stream) ?? GENESIS_HASH;
        const fields = { streamId: `batch-${String(stream).padStart(8, '0')}`, revision, eventId: `e-${String(position).padStart(9, '0')}`, type, schemaVersion, data, metadata, recordedAt };
        const hash = computeEventHash(prevHash, fields);
        if (revision === EVENTS_PER_STREAM - 1) heads.delete(stream);
        else heads.set(stream, hash);
        chunk.push({ ...fields, position, prevHash, hash });
        frontier.append(ledgerLeafHash({ position, hash }));
        if (frontier.size % CHECKPOINT_EVERY === 0 || frontier.size === events) {
          const statement = { origin: VERIFY_ORIGIN, treeSize: frontier.size, rootHash: frontier.root().toString('hex'), lastPosition: position, signedAt: new Date().toISOString() };
          checkpoints.push(signCheckpoint(statement, key));
        }
      }
      await store.importVerbatim(chunk);
      // Stored after the events they sign: a checkpoint never reaches beyond the head.
      for (const checkpoint of checkpoints) await store.appendCheckpoint(checkpoint);
      if ((from + IMPORT_CHUNK) % 200_000 === 0) log(`  built ${from + IMPORT_CHUNK} / ${events} events…`);
    }
  } finally {
    await store.close();
  }
}

/** `verify`: whole-store verification of `events` events, against a raw read + JSON.parse of the same rows. */
export async function verifyBench(events: number): Promise<void> {
  const dir = tempDir('verify');
  const filename = path.join(dir, 'events.sqlite');
  const keyFile = path.join(dir, 'audit-key.pem');
  try {
    log(`building a verifiable store of ${events} events (chained, signed checkpoints every ${CHECKPOINT_EVERY})…`);
    const buildStart = performance.now();
    await buildVerifiableStore(filename, keyFile, events);
    log(`  built in ${((performance.now() - buildStart) / 1000).toFixed(1)}s`);

    const raw = rawReadAndParse(filename);
    const store = await SqliteEventStore.open({ filename });
    let seconds: number;
    try {
      const { key } = loadOrCreateAuditKey(keyFile);
      log(`verifying ${events} events…`);
      const start = performance.now();
      const result = await verifyStore(store, { publicKey: key.publicKey, origin: VERIFY_ORIGIN });
      seconds = (performance.now() - start) / 1000;
      if (!result.ok || result.events !== events) {
        throw new Error(`the generated store did not verify: ${JSON.stringify({ ok: result.ok, events: result.events, firstProblem: result.firstProblem })}`);
      }
      log(`  verified ${result.events} events, ${result.streams} streams, ${result.checkpoints.checked} checkpoints in ${seconds.toFixed(1)}s`);
    } finally {
      await store.close();
    }
    // A second raw pass after verifying, so neither side alone enjoys a warm page cache.
    const rawAgain = rawReadAndParse(filename);
    const rawRate = Math.max(raw.rate, rawAgain.rate);
    const rate = events / seconds;
    emit({ name: 'verify.raw-read-and-parse', value: rawRate, unit: 'events/s', reference: 'self', ratio: 1 });
    emit({ name: 'verify', value: rate, unit: 'events/s', reference: 'verify.raw-read-and-parse', ratio: rate / rawRate });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
