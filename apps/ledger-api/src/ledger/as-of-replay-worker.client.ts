import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EventLogConfig } from '../config/ledger.config.js';
import type { AsOf, AsOfReplayer, AsOfResolution, ReplayReport } from './as-of-replay.js';

export interface AsOfReplayWorkerData {
  readonly eventLog: EventLogConfig;
}

/** Calls to the as-of replay worker; only plain data crosses. */
export type ToAsOfReplayWorker =
  | { readonly id: number; readonly method: 'resolve'; readonly asOf: AsOf }
  | { readonly id: number; readonly method: 'replay'; readonly file: string; readonly position: number }
  | { readonly id: number; readonly method: 'drop'; readonly file: string }
  | { readonly id: number; readonly method: 'close' };

export type FromAsOfReplayWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly message: string };

type Call = ToAsOfReplayWorker extends infer M ? (M extends { readonly id: number } ? Omit<M, 'id'> : never) : never;

export class AsOfReplayWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AsOfReplayWorkerError';
  }
}

/**
 * The as-of replayer as the API thread sees it: forwards each call to a worker thread that runs a
 * LocalAsOfReplayer on its own connection to the log. The worker starts with the first call. If it
 * dies, pending calls fail and the next call starts a new one under a new `generation`, which tells
 * AsOfReadModels that the stores it knew are gone.
 */
export class AsOfReplayWorkerClient implements AsOfReplayer {
  generation = 0;
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly eventLog: EventLogConfig) {}

  resolve(asOf: AsOf): Promise<AsOfResolution> {
    return this.call({ method: 'resolve', asOf }) as Promise<AsOfResolution>;
  }

  replay(file: string, position: number): Promise<ReplayReport> {
    return this.call({ method: 'replay', file, position }) as Promise<ReplayReport>;
  }

  async drop(file: string): Promise<void> {
    if (this.worker) await this.call({ method: 'drop', file });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    if (worker) await this.call({ method: 'close' }).catch(() => undefined);
    this.closed = true;
    await worker?.terminate();
    this.worker = undefined;
  }

  private async call(call: Call): Promise<unknown> {
    if (this.closed) throw new AsOfReplayWorkerError('the as-of replay worker is closed');
    if (!this.worker) this.spawn();
    const worker = this.worker!;
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      worker.postMessage({ ...call, id } as ToAsOfReplayWorker);
    });
  }

  private spawn(): void {
    const worker = new Worker(asOfReplayWorkerEntry(), { workerData: { eventLog: this.eventLog } satisfies AsOfReplayWorkerData });
    // An idle auditor's worker must not keep a finished process alive.
    worker.unref();
    this.worker = worker;
    this.generation += 1;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromAsOfReplayWorker) => {
        if (message.kind === 'ready') {
          resolve();
          return;
        }
        const pending = this.calls.get(message.id);
        if (!pending) return;
        this.calls.delete(message.id);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new AsOfReplayWorkerError(message.message));
      });
      const die = (error: Error): void => {
        reject(error);
        if (this.worker !== worker) return;
        this.worker = undefined;
        for (const pending of this.calls.values()) pending.reject(error);
        this.calls.clear();
      };
      worker.once('error', die);
      worker.once('exit', (code) => die(new AsOfReplayWorkerError(`the as-of replay worker exited with code ${code}`)));
    });
    // Observed by the first call; a worker that fails to start must not be an unhandled rejection.
    this.ready.catch(() => undefined);
  }
}

/**
 * The worker runs compiled JavaScript: from `dist/` the sibling file; from TypeScript sources (Jest)
 * the same file under `dist/`, which `npm test` builds first.
 */
export function asOfReplayWorkerEntry(): URL {
  const sibling = new URL('./as-of-replay.worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return sibling;
  const compiled = new URL('../../../../dist/apps/ledger-api/src/ledger/as-of-replay.worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(compiled))) {
    throw new AsOfReplayWorkerError(`the as-of replay worker needs the compiled sources (${fileURLToPath(compiled)}): run \`npm run build\` first`);
  }
  return compiled;
}
