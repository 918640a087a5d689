/**
 * The floors the ledger's HTTP figures are divided by, served in the bench's own process and loaded
 * by the same generator with the same connections (decision 048):
 * - bare `node:http` answering GET /health with a constant: what this machine's HTTP stack serves;
 * - bare Fastify with the same route shapes as the ledger's: GET /health answering a constant, and
 *   POST /batches/collections reading a JSON body and answering 201 with a JSON result, nothing else
 *   (no hooks, no store). The ledger's figures are ratios of these;
 * - a bare Nest application on Fastify (no guards, interceptors, hooks or store): what the framework
 *   the ledger is built on costs by itself;
 * - the bare Fastify POST route appending one event, durably, through the ledger's own event store
 *   adapter (group commit, SQLite with synchronous=FULL or PostgreSQL with fsync) before it answers:
 *   the floor of any durable command on this machine, with nothing of the ledger's validation,
 *   decision, authentication, audit or read models.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PostgresEventStore, SqliteEventStore, type EventStore } from '#event-store';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify from 'fastify';
import { tempDir } from './bench-support.js';
import { COLLECTION_BODY, OPERATOR_KEY, registerBenchCollector, runLoad, withLedgerServer } from './command-throughput.js';

const HEALTH = JSON.stringify({ status: 'ok' });

/** GET /health from a bare node:http server: the raw limit of one Node process here. */
export async function bareNodeHttpHealth(seconds: number, clients: number): Promise<number> {
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(HEALTH) });
    res.end(HEALTH);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await runLoad({ base: `http://127.0.0.1:${port}`, key: '', path: '/health', method: 'GET', body: null, clients, seconds, commandsPerRequest: 1 });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A bare Fastify with the ledger's route shapes and nothing of the ledger's per-request work. */
async function withBareFastify<T>(use: (base: string) => Promise<T>): Promise<T> {
  const app = Fastify({ logger: false });
  app.get('/health', () => ({ status: 'ok' }));
  // The shape of a collection's answer: the batch, the event and the log position.
  app.post('/batches/collections', (request, reply) => {
    const body = request.body as { massGrams?: unknown } | null;
    if (typeof body?.massGrams !== 'number') return reply.code(400).send({ title: 'bad body' });
    return reply.code(201).send({ batchId: randomUUID(), eventId: randomUUID(), streamRevision: 0, position: 0 });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = app.server.address() as AddressInfo;
    return await use(`http://127.0.0.1:${port}`);
  } finally {
    await app.close();
  }
}

/** The store a durable floor appends to: a fresh SQLite file (FULL), or a PostgreSQL database. */
export type FloorStore = { readonly kind: 'sqlite' } | { readonly kind: 'postgres'; readonly connectionString: string };

/**
 * A bare Fastify whose POST /batches/collections appends the body as one event to a new stream,
 * durably, and answers 201 with the position: the floor of a single durable command on `floor`.
 */
async function withDurableFloor<T>(floor: FloorStore, use: (base: string) => Promise<T>): Promise<T> {
  const dir = floor.kind === 'sqlite' ? tempDir('durable-floor') : undefined;
  const store: EventStore = dir ? await SqliteEventStore.open({ filename: path.join(dir, 'events.sqlite'), synchronous: 'FULL' }) : await PostgresEventStore.open({ connectionString: floor.kind === 'postgres' ? floor.connectionString : '' });
  const app = Fastify({ logger: false });
  app.post('/batches/collections', async (request, reply) => {
    const batchId = randomUUID();
    const commandId = randomUUID();
    const { position } = await store.append(`batch-${batchId}`, [{ eventId: randomUUID(), type: 'BatchCollected', schemaVersion: 1, data: { batchId, ...(request.body as object) }, metadata: { actorOrgId: 'bench', commandId, correlationId: commandId, causationId: commandId } }], 'no-stream');
    return reply.code(201).send({ batchId, eventId: commandId, streamRevision: 0, position });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = app.server.address() as AddressInfo;
    return await use(`http://127.0.0.1:${port}`);
  } finally {
    await app.close();
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs each load in turn, `rounds` times over: the rates of each load, in the order of the rounds. */
async function inTurn(rounds: number, loads: readonly (() => Promise<number>)[]): Promise<number[][]> {
  const rates = loads.map((): number[] => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, load] of loads.entries()) rates[i]!.push(await load());
  }
  return rates;
}

/** A bearer the bare servers ignore, so their requests are the same size as the ledger's. */
const IGNORED_BEARER = 'tl_000000000000_a-bearer-the-bare-server-ignores';

/** The rates of single durable commands in each round: the bare POST, the durable-append floor and the ledger. */
export interface CommandRounds {
  readonly bareCollection: readonly number[];
  readonly durableFloor: readonly number[];
  readonly ledger: readonly number[];
}

/**
 * POST /batches/collections, one collection each, to a bare Fastify that parses the body and answers
 * 201, to the durable-append floor on `floor`, and to the ledger (its configuration over the bench's
 * defaults in `ledgerEnv`), in alternating rounds with all three up throughout, for the reason
 * `healthInRounds` gives (decision 048).
 */
export function commandsInRounds(seconds: number, clients: number, rounds: number, floor: FloorStore, ledgerEnv: NodeJS.ProcessEnv = {}): Promise<CommandRounds> {
  const post = (base: string, key: string): Promise<number> => runLoad({ base, key, path: '/batches/collections', body: COLLECTION_BODY, clients, seconds, commandsPerRequest: 1 });
  return withBareFastify((bare) =>
    withDurableFloor(floor, (durable) =>
      withLedgerServer(
        'commands',
        async (ledger) => {
          const key = await registerBenchCollector(ledger, OPERATOR_KEY);
          const [bareCollection, durableFloor, ledgerRates] = await inTurn(rounds, [() => post(bare, IGNORED_BEARER), () => post(durable, IGNORED_BEARER), () => post(ledger, key)]);
          return { bareCollection: bareCollection!, durableFloor: durableFloor!, ledger: ledgerRates! };
        },
        'worker',
        ledgerEnv,
      ),
    ),
  );
}

@Controller('health')
class BareHealthController {
  @Get()
  health(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [BareHealthController] })
class BareModule {}

/** A bare Nest application on Fastify, the framework the ledger is built on, answering GET /health. */
async function withBareNest<T>(use: (base: string) => Promise<T>): Promise<T> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = app.getHttpServer().address() as AddressInfo;
    return await use(`http://127.0.0.1:${port}`);
  } finally {
    await app.close();
  }
}

/** The rates of GET /health in each round: bare Fastify, bare Nest on Fastify and the ledger. */
export interface HealthRounds {
  readonly bareFastify: readonly number[];
  readonly bareNest: readonly number[];
  readonly ledger: readonly number[];
}

/**
 * GET /health from a bare Fastify answering a constant (the floor), from a bare Nest application (the
 * framework's own floor) and from the ledger, in alternating rounds with all three servers up
 * throughout (decision 048). On this two-core virtual machine the same server's rate swings by up to a factor of two from one run to the next, with the other core's
 * load and the hypervisor's steal; a ratio of two single measurements taken a minute apart mostly
 * measured that swing. Alternating rounds put all three through the same conditions.
 */
export function healthInRounds(seconds: number, clients: number, rounds: number): Promise<HealthRounds> {
  const load = (base: string): Promise<number> => runLoad({ base, key: '', path: '/health', method: 'GET', body: null, clients, seconds, commandsPerRequest: 1 });
  return withBareFastify((fastify) =>
    withBareNest((nest) =>
      withLedgerServer('health', async (ledger) => {
        const [bareFastify, bareNest, ledgerRates] = await inTurn(rounds, [() => load(fastify), () => load(nest), () => load(ledger)]);
        return { bareFastify: bareFastify!, bareNest: bareNest!, ledger: ledgerRates! };
      }),
    ),
  );
}
