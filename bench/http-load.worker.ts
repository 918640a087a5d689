/**
 * The HTTP load generator runs in its own thread, so that the clients' work (fetch, JSON) does not
 * run on the server's event loop, as it would not in a real deployment.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

export interface HttpLoadOptions {
  readonly base: string;
  readonly key: string;
  readonly path: string;
  readonly body: unknown;
  readonly clients: number;
  readonly seconds: number;
}

const { base, key, path, body, clients, seconds } = workerData as HttpLoadOptions;
const payload = JSON.stringify(body);
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

async function post(): Promise<void> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: payload });
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status}: ${text}`);
}

// Warm up the connections and the server's JIT before the clock starts.
await Promise.all(Array.from({ length: clients }, () => post()));
let done = 0;
const start = performance.now();
const deadline = start + seconds * 1000;
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (performance.now() < deadline) {
      await post();
      done += 1;
    }
  }),
);
parentPort?.postMessage({ done, seconds: (performance.now() - start) / 1000 });
