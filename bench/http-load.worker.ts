/**
 * The HTTP load generator: autocannon (a well-kept, widely used Node load generator), driven from its
 * own thread so that the clients' work does not run on the server's event loop, as it would not in a
 * real deployment. Every figure the bench compares, the ledger and the bare floors alike, comes from
 * this one generator with the same connections (decision 048).
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

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

export interface HttpLoadResult {
  /** Commands (requests times `commandsPerRequest`) answered with a 2xx. */
  readonly done: number;
  readonly seconds: number;
}

/**
 * What autocannon answers off the main thread: its raw counts, not the aggregated histograms of its
 * typed `Result` (it aggregates only on the main thread, for the parent of its own worker mode).
 */
interface RawRunResult {
  readonly totalCompletedRequests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly duration: number;
}

const { base, key, path, method = 'POST', body, clients, seconds, commandsPerRequest, idempotencyKeys = false } = workerData as HttpLoadOptions;
const payload = method === 'POST' ? JSON.stringify(body) : undefined;
const headers: Record<string, string> = {
  ...(key ? { authorization: `Bearer ${key}` } : {}),
  ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
};

// Unique per run and per request: a key the server has seen would replay instead of executing.
const keyPrefix = `bench-${process.pid}-${Date.now().toString(36)}-`;
let sent = 0;

async function run(duration: number): Promise<RawRunResult> {
  const result = await autocannon({
    url: `${base}${path}`,
    connections: clients,
    duration,
    method,
    headers,
    ...(payload !== undefined ? { body: payload } : {}),
    ...(idempotencyKeys
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({ ...request, headers: { ...headers, 'idempotency-key': `${keyPrefix}${(sent += 1)}` } }),
            },
          ],
        }
      : {}),
  });
  return result as unknown as RawRunResult;
}

function refused(result: RawRunResult): string | undefined {
  if (result.non2xx > 0) return `${method} ${path}: ${result.non2xx} answers were not 2xx`;
  if (result.errors > 0) return `${method} ${path}: ${result.errors} connection errors`;
  return undefined;
}

// Warm up the connections and the server's JIT before the measured run.
const warm = await run(1);
const warmRefusal = refused(warm);
if (warmRefusal) throw new Error(warmRefusal);
const result = await run(seconds);
const refusal = refused(result);
if (refusal) throw new Error(refusal);
const answer: HttpLoadResult = { done: result.totalCompletedRequests * commandsPerRequest, seconds: result.duration };
parentPort?.postMessage(answer);
