import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import {
  describeFailureReport,
  PositionWaiters,
  ProjectionEngine,
  type ProjectionChecksum,
  type ProjectionFailureReport,
  type ProjectionHealth,
  type RebuildOptions,
  type RebuildResult,
} from '#projections';
import type { EventLogConfig, ReadModelsConfig } from '../config/ledger.config.js';
import type { CommitAnnouncingStore } from './event-log.js';
import { ProjectionHealthLog } from './projection-health.log.js';
import type { FromProjectionWorker, ProjectionWorkerCalls, ProjectionWorkerData, ProjectionWorkerMethod, ToProjectionWorker } from './projection-worker.protocol.js';

export interface ProjectionWorkerClientOptions {
  /** The API thread's store: its commits wake the worker at once. */
  readonly store: CommitAnnouncingStore;
  readonly eventLog: EventLogConfig;
  readonly readModels: ReadModelsConfig;
  /** Told when the worker fails; it is restarted by itself after a back-off. */
  readonly onError?: (error: unknown) => void;
  /** First restart delay after the worker died; doubles up to 30 s (default 1000 ms). */
  readonly restartDelayMs?: number;
}

interface PendingCall {
  readonly resolve: (value: ProjectionWorkerCalls[ProjectionWorkerMethod]) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

export class ProjectionWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionWorkerError';
  }
}

const MAX_RESTART_DELAY_MS = 30_000;

/**
 * The read side as the API thread sees it when the projections run in a worker thread: forwards
 * calls, mirrors the committed position the worker reports, and settles read-your-writes waiters
 * from it. If the worker dies it is restarted, and it resumes from its stored checkpoints.
 */
export class ProjectionWorkerClient extends ProjectionEngine {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly logger = new Logger('Projections');
  private readonly failureLog = new ProjectionHealthLog();
  private state: ProjectionHealth = { running: false, rebuilding: false, position: -1 };
  private failure: string | undefined;
  /** Set while the worker thread is dead and waiting to be restarted. */
  private death: ProjectionFailureReport | undefined;
  private readonly waiters = new PositionWaiters(() => this.state.position);
  private readonly calls = new Map<number, PendingCall>();
  private nextCallId = 1;
  private closed = false;
  private restartDelay: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly stopWaking: () => void;

  constructor(private readonly options: ProjectionWorkerClientOptions) {
    super();
    this.restartDelay = options.restartDelayMs ?? 1000;
    this.stopWaking = options.store.onCommit(() => this.post({ kind: 'wake' }));
  }

  async start(): Promise<void> {
    if (this.closed) throw new ProjectionWorkerError('the projection worker client is closed');
    if (this.worker) {
      await this.ready;
      await this.call('start');
      return;
    }
    await this.spawn();
  }

  async stop(): Promise<void> {
    if (this.worker) await this.call('stop');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWaking();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker) {
      await this.call('close').catch(() => undefined);
      await worker.terminate();
    }
    this.worker = undefined;
    this.waiters.closeAll();
  }

  /**
   * Ends the worker thread abruptly, exactly as a crash in it would look from here: pending calls
   * fail, and the client starts a fresh worker after the back-off, which resumes from its
   * checkpoints. For operators' drills and for the tests that prove the restart.
   */
  async terminateWorker(): Promise<void> {
    await this.worker?.terminate();
  }

  position(): number {
    return this.state.position;
  }

  async lag(): Promise<number> {
    return Math.max(0, (await this.options.store.headPosition()) - this.position());
  }

  health(): ProjectionHealth {
    const lastError = this.state.lastError ?? this.failure;
    const failure = this.death ?? this.state.failure;
    const base = { running: this.state.running, rebuilding: this.state.rebuilding, position: this.state.position };
    return { ...base, ...(lastError !== undefined ? { lastError } : {}), ...(failure !== undefined ? { failure } : {}) };
  }

  waitForPosition(position: number, timeoutMs = 5000): Promise<void> {
    return this.waiters.wait(position, timeoutMs);
  }

  rebuild(options: RebuildOptions = {}): Promise<RebuildResult> {
    return this.call('rebuild', options.onProgress) as Promise<RebuildResult>;
  }

  checksum(): Promise<ProjectionChecksum> {
    return this.call('checksum') as Promise<ProjectionChecksum>;
  }

  private spawn(): Promise<void> {
    const data: ProjectionWorkerData = { eventLog: this.options.eventLog, readModels: this.options.readModels };
    const worker = new Worker(projectionWorkerEntry(), { workerData: data });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromProjectionWorker) => {
        if (message.kind === 'state') {
          this.onState(message);
          resolve();
        } else {
          this.onReply(message);
        }
      });
      worker.once('error', (error) => {
        reject(error);
        this.onDeath(worker, error);
      });
      worker.once('exit', (code) => {
        const error = new ProjectionWorkerError(`the projection worker exited with code ${code}`);
        reject(error);
        this.onDeath(worker, error);
      });
    });
    return this.ready;
  }

  private onState(message: ProjectionHealth): void {
    this.state = {
      running: message.running,
      rebuilding: message.rebuilding,
      position: message.position,
      ...(message.lastError !== undefined ? { lastError: message.lastError } : {}),
      ...(message.failure !== undefined ? { failure: message.failure } : {}),
    };
    // The worker reports its state after every failed attempt and on other occasions too.
    this.failureLog.observe(this.state);
    if (this.death) this.logger.log(`the projection worker is running again at position ${message.position}`);
    this.death = undefined;
    this.failure = undefined;
    this.restartDelay = this.options.restartDelayMs ?? 1000;
    this.waiters.notify();
  }

  private onReply(message: Exclude<FromProjectionWorker, { kind: 'state' }>): void {
    const pending = this.calls.get(message.id);
    if (!pending) return;
    if (message.kind === 'rebuild-progress') {
      pending.onProgress?.(message.done, message.total);
      return;
    }
    this.calls.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new ProjectionWorkerError(message.message));
  }

  /** A worker that died (or exited) unasked fails its calls and is replaced after a back-off. */
  private onDeath(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = undefined;
    for (const pending of this.calls.values()) pending.reject(error);
    this.calls.clear();
    this.state = { ...this.state, running: false };
    if (this.closed) return;
    this.failure = error.message;
    const delay = this.restartDelay;
    const now = Date.now();
    this.death = {
      stage: 'worker',
      error: error.message,
      attempts: (this.death?.attempts ?? 0) + 1,
      failingSince: this.death?.failingSince ?? new Date(now).toISOString(),
      nextRetryAt: new Date(now + delay).toISOString(),
    };
    this.logger.error(describeFailureReport(this.death));
    this.options.onError?.(error);
    this.restartDelay = Math.min(MAX_RESTART_DELAY_MS, this.restartDelay * 2);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.closed && !this.worker) this.spawn().catch((spawnError: unknown) => this.options.onError?.(spawnError));
    }, delay);
    this.restartTimer.unref();
  }

  private call(method: ProjectionWorkerMethod, onProgress?: (done: number, total: number) => void): Promise<ProjectionWorkerCalls[ProjectionWorkerMethod]> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new ProjectionWorkerError(`the projection worker is not running (${this.failure ?? 'not started'})`));
    const id = this.nextCallId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      worker.postMessage({ kind: 'call', id, method } satisfies ToProjectionWorker);
    });
  }

  private post(message: ToProjectionWorker): void {
    this.worker?.postMessage(message);
  }
}

/**
 * The worker runs compiled JavaScript. From `dist/` that is the sibling file; when this module runs
 * from TypeScript sources (Jest), it is the same file under `dist/`, which `npm test` builds first.
 */
export function projectionWorkerEntry(): URL {
  const sibling = new URL('./projections.worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return sibling;
  const compiled = new URL('../../../../dist/apps/ledger-api/src/ledger/projections.worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(compiled))) {
    throw new ProjectionWorkerError(`the projection worker needs the compiled sources (${fileURLToPath(compiled)}): run \`npm run build\` first`);
  }
  return compiled;
}
