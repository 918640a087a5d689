import { createHash } from 'node:crypto';
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { InvalidCommandError } from '#domain';
import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { READ_DB } from '../ledger/tokens.js';
import type { AuthenticatedRequest } from './actor.js';

type IdempotencyTables = {
  idempotency_record: { actor_org_id: string; idempotency_key: string; request_hash: string; status: number; body: string; created_at: string };
};

/**
 * Honours `Idempotency-Key` on every POST: the first answer is stored and replayed for a retry with
 * the same key and body; the same key with another body is refused. The events themselves are
 * protected independently (the command id derives from the key), so a crash between the append
 * and storing the answer still appends nothing twice. Secrets (a new API key) are never stored.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private migrated: Promise<void> | undefined;

  constructor(@Inject(READ_DB) private readonly db: Kysely<object>) {}

  private tables() {
    return this.db.withTables<IdempotencyTables>();
  }

  private migrate(): Promise<void> {
    this.migrated ??= this.tables()
      .schema.createTable('idempotency_record')
      .ifNotExists()
      .addColumn('actor_org_id', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_record_pk', ['actor_org_id', 'idempotency_key'])
      .execute()
      .then(() => undefined);
    return this.migrated;
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
    await this.migrate();
    const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const existing = await this.tables()
      .selectFrom('idempotency_record')
      .selectAll()
      .where('actor_org_id', '=', actorOrgId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (existing) {
      if (existing.request_hash !== requestHash) {
        throw new InvalidCommandError('idempotency-key-reused', 'this Idempotency-Key was already used for a different request');
      }
      void reply.status(existing.status).header('idempotent-replayed', 'true');
      return JSON.parse(existing.body) as unknown;
    }
    const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    await this.tables()
      .insertInto('idempotency_record')
      .values({ actor_org_id: actorOrgId, idempotency_key: key, request_hash: requestHash, status: reply.statusCode, body: JSON.stringify(body ?? null, (field, value: unknown) => (field === 'apiKey' ? undefined : value)), created_at: new Date().toISOString() })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return body;
  }
}

