/**
 * The floors the ledger's HTTP figures are divided by: the same load generator against a bare
 * node:http server and against a bare Nest + Fastify application (no guards, interceptors, hooks or
 * store), each answering GET /health with a constant. Everything the ledger adds per request is the
 * distance from the second; the first is what this machine's HTTP stack serves at all.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { runLoad } from './command-throughput.js';

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

@Controller('health')
class BareHealthController {
  @Get()
  health(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [BareHealthController] })
class BareModule {}

/** GET /health from a bare Nest application on Fastify, the framework the ledger is built on. */
export async function bareNestFastifyHealth(seconds: number, clients: number): Promise<number> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = app.getHttpServer().address() as AddressInfo;
    return await runLoad({ base: `http://127.0.0.1:${port}`, key: '', path: '/health', method: 'GET', body: null, clients, seconds, commandsPerRequest: 1 });
  } finally {
    await app.close();
  }
}
