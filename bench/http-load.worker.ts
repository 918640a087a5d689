/**
 * The HTTP load generator runs in its own thread, so that the clients' work does not run on the
 * server's event loop, as it would not in a real deployment. It uses node:http with keep-alive:
 * measured here, undici's fetch costs the client about twice as much per request.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

export interface HttpLoadOptions {
  readonly base: string;
  readonly key: string;
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  readonly body: unknown;
  readonly clients: number;
  readonly seconds: number;
  /** Commands carried by one request (1, or the size of a bulk request). */
  readonly commandsPerRequest: number;
  /** Sends a fresh `Idempotency-Key` with every request, as a careful client does. */
  readonly idempotencyKeys?: boolean;
}

const { base, key, path, method = 'POST', body, clients, seconds, commandsPerRequest, idempotencyKeys = false } = workerData as HttpLoadOptions;
const url = new URL(base);
const payload = method === 'POST' ? JSON.stringify(body) : undefined;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const headers: http.OutgoingHttpHeaders = {
  ...(key ? { authorization: `Bearer ${key}` } : {}),
  ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
};

// Unique per run and per request: a key the server has seen would replay instead of executing.
const keyPrefix = `bench-${process.pid}-${Date.now().toString(36)}-`;
let requests = 0;

function request(): Promise<void> {
  return new Promise((resolve, reject) => {
    const requestHeaders = idempotencyKeys ? { ...headers, 'idempotency-key': `${keyPrefix}${(requests += 1)}` } : headers;
    const req = http.request({ host: url.hostname, port: url.port, path, method, agent, headers: requestHeaders }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 300) reject(new Error(`${method} ${path}: ${status} ${Buffer.concat(chunks).toString()}`));
        else resolve();
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// Warm up the connections and the server's JIT before the clock starts.
await Promise.all(Array.from({ length: clients }, () => request()));
let done = 0;
const start = performance.now();
const deadline = start + seconds * 1000;
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (performance.now() < deadline) {
      await request();
      done += commandsPerRequest;
    }
  }),
);
agent.destroy();
parentPort?.postMessage({ done, seconds: (performance.now() - start) / 1000 });
