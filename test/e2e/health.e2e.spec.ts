import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger, type LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CURRENT_SCHEMA_VERSION } from '#domain';
import type { EventStore } from '#event-store';
import type { ReadDb } from '#projections';
import { sql } from 'kysely';
import { loadLedgerConfig } from '../../apps/ledger-api/src/config/ledger.config.js';
import { createLedgerApp } from '../../apps/ledger-api/src/ledger-app.js';
import { EVENT_STORE, READ_DB } from '../../apps/ledger-api/src/ledger/tokens.js';
import type { HealthReport, LivenessReport, ReadinessReport } from '../../apps/ledger-api/src/health/health.controller.js';

/** Every line the ledger logs, as `level context: message`, so a test can show a failure was logged. */
class CapturedLog implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, context?: string): void {
    this.lines.push(`log ${context ?? ''}: ${String(message)}`);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push(`error ${String(rest.at(-1) ?? '')}: ${String(message)}`);
  }
  warn(message: unknown, context?: string): void {
    this.lines.push(`warn ${context ?? ''}: ${String(message)}`);
  }
}

const OPERATOR_KEY = 'tl_000000000000_e2e-operator-key-with-enough-entropy';

interface Answer<T> {
  status: number;
  headers: Record<string, unknown>;
  body: T;
}

/**
 * A ledger with its log captured (the shared harness starts the app without a logger). Projections
 * in their worker thread, as deployed; no periodic checkpoints, so a test decides when one is signed.
 */
class LoggedLedger {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly dataDir: string,
  ) {}

  static async start(log: CapturedLog, dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-health-'))): Promise<LoggedLedger> {
    Logger.overrideLogger(log);
    const config = loadLedgerConfig({
      LEDGER_DATA_DIR: dataDir,
      LEDGER_OPERATOR_KEY: OPERATOR_KEY,
      LEDGER_RECOVERY_INTERVAL_MS: '0',
      LEDGER_CHECKPOINT_EVERY_EVENTS: '0',
      LEDGER_CHECKPOINT_EVERY_MS: '0',
    });
    // A logger given as levels keeps the logger set above (Nest replaces it only with `false` or an object).
    const { app } = await createLedgerApp(config);
    return new LoggedLedger(app, dataDir);
  }

  get store(): EventStore {
    return this.app.get<EventStore>(EVENT_STORE);
  }

  /** As the operator, who alone sees the details (decision 027). */
  async request<T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<Answer<T>> {
    return this.requestAs<T>(OPERATOR_KEY, method, url, payload);
  }

  /** With `key` as the credential, or none (`null`): a monitor, a load balancer, anyone. */
  async requestAs<T>(key: string | null, method: 'GET' | 'POST', url: string, payload?: object): Promise<Answer<T>> {
    const response = await this.app.inject({ method, url, headers: key ? { authorization: `Bearer ${key}` } : {}, ...(payload ? { payload } : {}) });
    return { status: response.statusCode, headers: response.headers, body: (/json/.test(String(response.headers['content-type'])) ? JSON.parse(response.body) : response.body) as T };
  }

  /** Appends an event straight to the store, past every command's validation: a BatchCollected without its data. */
  async appendUnfoldableEvent(): Promise<{ position: number; streamId: string }> {
    const streamId = `batch-${randomUUID()}`;
    const metadata = { actorOrgId: randomUUID(), commandId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID() };
    const { position } = await this.store.append(streamId, [{ eventId: randomUUID(), type: 'BatchCollected', schemaVersion: CURRENT_SCHEMA_VERSION.BatchCollected, data: {}, metadata }], 'no-stream');
    return { position, streamId };
  }

  /** Polls /health until `done` holds, for at most `timeoutMs`. */
  async healthUntil(done: (answer: Answer<HealthReport>) => boolean, timeoutMs = 10_000): Promise<Answer<HealthReport>> {
    for (const deadline = Date.now() + timeoutMs; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
      const answer = await this.request<HealthReport>('GET', '/health');
      if (done(answer)) return answer;
      if (Date.now() > deadline) throw new Error(`/health did not change in ${timeoutMs} ms: ${JSON.stringify(answer.body)}`);
    }
  }

  async close(options: { keepData?: boolean } = {}): Promise<void> {
    await this.app.close();
    if (!options.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

describe('/health: liveness, readiness and degraded', () => {
  let log: CapturedLog;
  let ledger: LoggedLedger | undefined;

  afterEach(async () => {
    await ledger?.close();
    ledger = undefined;
  });

  it('answers ok, live and ready on a healthy ledger', async () => {
    // Given a fresh ledger
    log = new CapturedLog();
    ledger = await LoggedLedger.start(log);

    // Then every probe answers 200
    const health = await ledger.request<HealthReport>('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', problems: [], projections: { running: true }, signing: { signing: true } });
    expect(health.body.projections.failure).toBeUndefined();
    const ready = await ledger.request<ReadinessReport>('GET', '/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', problems: [] } });
    const live = await ledger.request<LivenessReport>('GET', '/health/live');
    expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(live.body.eventLoopDelayMs).toBeGreaterThanOrEqual(0);
  });

  it('tells anyone the status alone, and the whole report only to the operator', async () => {
    // Given a fresh ledger with another organisation on it
    log = new CapturedLog();
    ledger = await LoggedLedger.start(log);
    const auditor = await ledger.request<{ apiKey: string }>('POST', '/organisations', { name: 'Revisor', roles: ['auditor'] });

    // Then a caller without credentials, or with another organisation's key, gets the status and the HTTP code only
    for (const key of [null, auditor.body.apiKey]) {
      expect(await ledger.requestAs(key, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect((await ledger.requestAs(key, 'GET', '/health')).body).toEqual({ status: 'ok' });
      expect((await ledger.requestAs(key, 'GET', '/health/ready')).body).toEqual({ status: 'ready' });
      expect((await ledger.requestAs(key, 'GET', '/health/live')).body).toEqual({ status: 'ok' });
    }
    // …no data path, store name or log size in any of it
    const anyone = JSON.stringify((await ledger.requestAs(null, 'GET', '/health')).body);
    expect(anyone).not.toContain(ledger.dataDir);
    expect(anyone).not.toMatch(/sqlite|headPosition|position/i);
    // …a credential that is wrong is refused as anywhere else, not ignored
    expect((await ledger.requestAs('tl_000000000000_not-a-registered-key-at-all', 'GET', '/health')).status).toBe(401);
    // …and the operator sees the store and the read models
    const operator = await ledger.request<HealthReport>('GET', '/health');
    expect(operator.body).toMatchObject({ status: 'ok', store: { ok: true }, projections: { running: true } });
    expect(operator.body.store.headPosition).toBeGreaterThanOrEqual(1);
  });

  it('answers a probe without a key at the edge exactly as the controller answers another organisation: same code, body and headers', async () => {
    // Given a ledger with an organisation that is not the operator
    log = new CapturedLog();
    ledger = await LoggedLedger.start(log);
    const auditor = await ledger.request<{ apiKey: string }>('POST', '/organisations', { name: 'Revisor', roles: ['auditor'] });

    for (const url of ['/health', '/health/ready', '/health/live']) {
      // When the probe is asked without a key (answered by the edge hook) and with the auditor's key (through Nest)
      const anonymous = await ledger.requestAs<{ status: string }>(null, 'GET', url);
      const keyed = await ledger.requestAs<{ status: string }>(auditor.body.apiKey, 'GET', url);

      // Then both answers are the same, security headers and content type included, each under its
      // own request id (and the keyed one with its organisation's rate-limit headers, being charged)
      expect(anonymous.status).toBe(keyed.status);
      expect(anonymous.body).toEqual(keyed.body);
      const comparable = (headers: Record<string, unknown>): Record<string, unknown> =>
        Object.fromEntries(Object.entries(headers).filter(([name]) => !['x-request-id', 'date', 'content-length', 'connection', 'keep-alive'].includes(name) && !name.startsWith('ratelimit')));
      expect(comparable(anonymous.headers)).toEqual(comparable(keyed.headers));
      expect(anonymous.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(anonymous.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('shows degraded within seconds of an event a projection cannot fold, names it, logs it, and answers writes at once', async () => {
    // Given a healthy ledger
    log = new CapturedLog();
    ledger = await LoggedLedger.start(log);
    expect((await ledger.request('GET', '/health')).status).toBe(200);

    // When an event that a read model cannot fold reaches the log
    const bad = await ledger.appendUnfoldableEvent();

    // Then /health says degraded (503), naming the projection, the event and the error
    const degraded = await ledger.healthUntil((answer) => answer.body.status === 'degraded');
    expect(degraded.status).toBe(503);
    expect(degraded.body.problems).toEqual(['projections-failing']);
    const failure = degraded.body.projections.failure!;
    expect(failure).toMatchObject({ stage: 'apply', position: bad.position, streamId: bad.streamId, eventType: 'BatchCollected' });
    expect(typeof failure.projection).toBe('string');
    expect(failure.error.length).toBeGreaterThan(0);
    expect(failure.attempts).toBeGreaterThanOrEqual(1);
    expect(Date.parse(failure.nextRetryAt!)).toBeGreaterThan(Date.parse(failure.failingSince));
    // …readiness fails, liveness does not (restarting cannot cure a bad event)
    const ready = await ledger.request<ReadinessReport>('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not-ready', problems: ['projections-failing'] });
    expect((await ledger.request('GET', '/health/live')).status).toBe(200);
    // …while anyone else learns only that it is degraded: not which event, stream or error
    expect(await ledger.requestAs(null, 'GET', '/health')).toMatchObject({ status: 503, body: { status: 'degraded' } });
    expect((await ledger.requestAs(null, 'GET', '/health')).body).toEqual({ status: 'degraded' });
    expect(await ledger.requestAs(null, 'GET', '/health/ready')).toMatchObject({ status: 503, body: { status: 'not-ready' } });
    expect((await ledger.requestAs(null, 'GET', '/health/ready')).body).toEqual({ status: 'not-ready' });
    // …and the log has a line with the projection, position, stream, type and the cause
    const line = log.lines.find((l) => l.startsWith('error Projections') && l.includes(`position ${bad.position}`));
    expect(line).toBeDefined();
    expect(line).toContain(`projection ${failure.projection}`);
    expect(line).toContain(`stream ${bad.streamId}`);
    expect(line).toContain('type BatchCollected');
    expect(line).toContain(failure.error);

    // When a client writes meanwhile
    const began = Date.now();
    const organisation = await ledger.request<{ organisationId: string }>('POST', '/organisations', { name: 'Herning Kommune', roles: ['municipality'], kommuneCode: '0657' });

    // Then it is durable and answered without waiting out read-your-writes, saying the read models are behind
    expect(organisation.status).toBe(201);
    expect(organisation.headers['ledger-read-models']).toBe('behind');
    expect(Date.now() - began).toBeLessThan(5_000);
    expect((await ledger.store.headPosition()) > bad.position).toBe(true);
  }, 30_000);

  it('a restart over such an event serves, degraded and not ready, after saying why it did not wait', async () => {
    // Given a ledger whose log holds an event a projection cannot fold
    log = new CapturedLog();
    const first = await LoggedLedger.start(log);
    const bad = await first.appendUnfoldableEvent();
    await first.healthUntil((answer) => answer.body.status === 'degraded');
    await first.close({ keepData: true });

    // When it starts again
    log = new CapturedLog();
    ledger = await LoggedLedger.start(log, first.dataDir);

    // Then it serves, degraded and not ready, and its log says why start-up did not wait
    const health = await ledger.request<HealthReport>('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.projections.failure).toMatchObject({ position: bad.position, streamId: bad.streamId });
    expect((await ledger.request('GET', '/health/ready')).status).toBe(503);
    expect(log.lines.some((l) => l.includes('starting without waiting for the read models') && l.includes(`position ${bad.position}`))).toBe(true);
  }, 60_000);
});

describe('/health: a refusal to sign a checkpoint', () => {
  let log: CapturedLog;
  let ledger: LoggedLedger;

  beforeAll(async () => {
    log = new CapturedLog();
    ledger = await LoggedLedger.start(log);
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('shows degraded within seconds once the Merkle read model no longer extends the signed checkpoint', async () => {
    // Given a signed checkpoint over the log
    const municipality = await ledger.request<{ organisationId: string }>('POST', '/organisations', { name: 'Herning Kommune', roles: ['municipality'], kommuneCode: '0657' });
    expect(municipality.status).toBe(201);
    const position = Number(municipality.headers['ledger-position'] ?? (await ledger.store.headPosition()));
    const anchored = await ledger.request<{ checkpoint: { treeSize: number } | null }>('GET', `/audit/proofs/inclusion?position=${position}`);
    expect(anchored.status).toBe(200);
    expect((await ledger.request('GET', '/health')).status).toBe(200);

    // When the Merkle read model loses its leaves' true hashes (as when it lost a leaf)
    const db = ledger.app.get<ReadDb>(READ_DB);
    await sql`update audit_log_leaf set leaf_hash = ${'00'.repeat(32)}`.execute(db);
    await sql`update audit_log_node set hash = ${'00'.repeat(32)}`.execute(db);
    // …and a newer event needs a checkpoint
    const later = await ledger.request('POST', '/organisations', { name: 'Holstebro Kommune', roles: ['municipality'], kommuneCode: '0661' });
    expect(later.status).toBe(201);
    const refused = await ledger.request<{ code: string }>('GET', `/audit/proofs/inclusion?position=${await ledger.store.headPosition()}`);
    expect(refused.status).toBe(409);

    // Then /health says degraded (503) with the signer's reason, and the instance is not ready
    const degraded = await ledger.healthUntil((answer) => answer.body.status === 'degraded', 5_000);
    expect(degraded.status).toBe(503);
    expect(degraded.body.problems).toEqual(['signing-refused']);
    expect(degraded.body.signing).toMatchObject({ signing: false });
    expect(degraded.body.signing?.refusal).toContain('does not extend signed checkpoint');
    const ready = await ledger.request<ReadinessReport>('GET', '/health/ready');
    expect(ready).toMatchObject({ status: 503, body: { status: 'not-ready', problems: ['signing-refused'] } });
    expect(log.lines.some((l) => l.startsWith('error CheckpointSigner') && l.includes('refusing to sign'))).toBe(true);
  }, 30_000);
});
