import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor, type OnApplicationShutdown } from '@nestjs/common';
import { ConflictError, InvalidCommandError } from '#domain';
import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { LedgerConfig } from '../config/ledger.config.js';
import { currentWritePosition, noteWritePosition } from '../ledger/ledger-position.js';
import { LEDGER_CONFIG, READ_DB } from '../ledger/tokens.js';
import type { AuthenticatedRequest } from './actor.js';
import { IdempotencyRecords, type StoredAnswer } from './idempotency-records.js';

/** Answer fields that are secrets: a new API key, a catalogue webhook's signing secret. */
const NEVER_STORED: ReadonlySet<string> = new Set(['apiKey', 'secret']);

/** A claim older than this belongs to a process that stopped; another may take the request over. */
const CLAIM_LEASE_MS = 30_000;
/** How long a retry waits for the same request running elsewhere before it is told to retry later. */
const IN_FLIGHT_WAIT_MS = 10_000;
const IN_FLIGHT_POLL_MS = 20;

/**
 * Honours `Idempotency-Key` on every POST: the first answer is stored and replayed for a retry with
 * the same key and body, on whichever API process the retry lands; the same key with another body is
 * refused. The request claims its key before it runs, so two processes given the same key at once
 * execute it once (decision 024). The events themselves are protected independently (the command id
 * derives from the key), so a crash between the append and storing the answer still appends nothing
 * twice. Secrets (a new API key, a webhook secret) are never stored.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyInterceptor.name);
  private readonly records: IdempotencyRecords;

  constructor(
    @Inject(READ_DB) db: Kysely<object>,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.records = IdempotencyRecords.open(config, db);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.records.close();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const raw = request.headers['idempotency-key'];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (request.method !== 'POST' || !key || !request.actor) return next.handle();
    return from(this.handle(context, next, request.actor.organisationId, key, request));
  }

  private async handle(context: ExecutionContext, next: CallHandler, actorOrgId: string, key: string, request: AuthenticatedRequest): Promise<unknown> {
    if (key.length > 200) throw new InvalidCommandError('idempotency-key-too-long', 'Idempotency-Key may be at most 200 characters');
    const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // Wall-clock time, not the ledger's clock: claims are leases between processes, whatever the
    // ledger's notion of the time is (tests pin it).
    const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
    for (;;) {
      const nowMs = Date.now();
      const found = await this.records.claim(actorOrgId, key, requestHash, nowMs);
      if (found.kind !== 'claimed' && found.requestHash !== requestHash) {
        throw new InvalidCommandError('idempotency-key-reused', 'this Idempotency-Key was already used for a different request');
      }
      if (found.kind === 'answered') return this.replay(found.answer, reply);
      if (found.kind === 'claimed') return this.execute(next, reply, actorOrgId, key, found.token);
      if (nowMs - found.claimedAtMs > CLAIM_LEASE_MS) {
        const token = randomUUID();
        if (await this.records.takeOver(actorOrgId, key, found.token, token, nowMs)) {
          this.logger.warn(`taking over Idempotency-Key ${JSON.stringify(key)} of ${actorOrgId}: its first request stopped answering ${nowMs - found.claimedAtMs} ms ago`);
          return this.execute(next, reply, actorOrgId, key, token);
        }
        continue;
      }
      if (nowMs >= deadline) {
        throw new ConflictError('idempotency-key-in-flight', 'a request with this Idempotency-Key is still being processed; retry it later');
      }
      await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
    }
  }

  private replay(answer: StoredAnswer, reply: FastifyReply): unknown {
    if (answer.position !== undefined) noteWritePosition(answer.position);
    void reply.status(answer.status).header('idempotent-replayed', 'true');
    return JSON.parse(answer.body) as unknown;
  }

  private async execute(next: CallHandler, reply: FastifyReply, actorOrgId: string, key: string, token: string): Promise<unknown> {
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      // Failures are not stored: the key is free for a corrected retry.
      await this.records.release(actorOrgId, key, token).catch((releaseError: unknown) => this.logger.error(`could not release Idempotency-Key ${JSON.stringify(key)}: ${String(releaseError)}`));
      throw error;
    }
    await this.records.answer(actorOrgId, key, token, {
      status: reply.statusCode,
      body: JSON.stringify(body ?? null, (field, value: unknown) => (NEVER_STORED.has(field) ? undefined : value)),
      position: currentWritePosition(),
    });
    return body;
  }
}
