import { randomUUID } from 'node:crypto';
import { openPostgresReadDb } from '#read-store';
import { sql, type Kysely } from 'kysely';
import type { LedgerConfig } from '../config/ledger.config.js';

type IdempotencyTables = {
  ledger_idempotency: {
    actor_org_id: string;
    idempotency_key: string;
    request_hash: string;
    /** Who is executing the request now; null once the answer is stored. */
    claim_token: string | null;
    claimed_at_ms: number;
    status: number | null;
    body: string | null;
    position: string | null;
    created_at: string;
  };
};

export interface StoredAnswer {
  readonly status: number;
  readonly body: string;
  readonly position: number | undefined;
}

/** What a request with an Idempotency-Key finds. */
export type IdempotencyClaim =
  | { readonly kind: 'claimed'; readonly token: string }
  | { readonly kind: 'answered'; readonly requestHash: string; readonly answer: StoredAnswer }
  | { readonly kind: 'in-flight'; readonly requestHash: string; readonly claimedAtMs: number; readonly token: string };

/**
 * The idempotency records (decision 024), kept where every API process of one ledger sees them: in
 * the event log's PostgreSQL database when the log is there, else in the read-model database (the
 * embedded topology has one process; EventStoreDB deployments share PostgreSQL read models).
 *
 * A request claims its key before it runs (an insert that only one process can win), so two
 * processes given the same key at once execute it once: the loser waits for the winner's answer.
 */
export class IdempotencyRecords {
  private migrated: Promise<void> | undefined;

  private constructor(
    private readonly db: Kysely<IdempotencyTables>,
    private readonly ownsDb: boolean,
  ) {}

  static open(config: LedgerConfig, readDb: Kysely<object>): IdempotencyRecords {
    if (config.eventLog.kind === 'postgres') {
      return new IdempotencyRecords(openPostgresReadDb({ connectionString: config.eventLog.connectionString, poolSize: 4 }).withTables<IdempotencyTables>(), true);
    }
    return new IdempotencyRecords(readDb.withTables<IdempotencyTables>(), false);
  }

  async close(): Promise<void> {
    if (this.ownsDb) await this.db.destroy();
  }

  private migrate(): Promise<void> {
    this.migrated ??= this.db
      .transaction()
      .execute(async (tx) => {
        // Several processes start together on one PostgreSQL: CREATE TABLE IF NOT EXISTS alone
        // races on the catalogue, so they take turns (SQLite serialises writers by itself).
        if (this.ownsDb) await sql`SELECT pg_advisory_xact_lock(hashtext('ledger_idempotency'))`.execute(tx);
        await tx.schema
          .createTable('ledger_idempotency')
          .ifNotExists()
          .addColumn('actor_org_id', 'text', (c) => c.notNull())
          .addColumn('idempotency_key', 'text', (c) => c.notNull())
          .addColumn('request_hash', 'text', (c) => c.notNull())
          .addColumn('claim_token', 'text')
          .addColumn('claimed_at_ms', 'bigint', (c) => c.notNull())
          .addColumn('status', 'integer')
          .addColumn('body', 'text')
          .addColumn('position', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('ledger_idempotency_pk', ['actor_org_id', 'idempotency_key'])
          .execute();
      })
      .catch((error: unknown) => {
        this.migrated = undefined;
        throw error;
      });
    return this.migrated;
  }

  /** Claims the key for this request, or says who has it: an answer, or a request still running. */
  async claim(actorOrgId: string, key: string, requestHash: string, nowMs: number): Promise<IdempotencyClaim> {
    await this.migrate();
    const token = randomUUID();
    const inserted = await this.db
      .insertInto('ledger_idempotency')
      .values({ actor_org_id: actorOrgId, idempotency_key: key, request_hash: requestHash, claim_token: token, claimed_at_ms: nowMs, status: null, body: null, position: null, created_at: new Date(nowMs).toISOString() })
      .onConflict((oc) => oc.columns(['actor_org_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { kind: 'claimed', token };
    const row = await this.db.selectFrom('ledger_idempotency').selectAll().where('actor_org_id', '=', actorOrgId).where('idempotency_key', '=', key).executeTakeFirst();
    // Released between our insert and this read (the other request failed): try again.
    if (!row) return this.claim(actorOrgId, key, requestHash, nowMs);
    if (row.claim_token === null && row.status !== null && row.body !== null) {
      return { kind: 'answered', requestHash: row.request_hash, answer: { status: row.status, body: row.body, position: row.position === null ? undefined : Number(row.position) } };
    }
    return { kind: 'in-flight', requestHash: row.request_hash, claimedAtMs: Number(row.claimed_at_ms), token: row.claim_token ?? '' };
  }

  /** Takes over a claim whose holder stopped answering (crashed); true when this request now holds it. */
  async takeOver(actorOrgId: string, key: string, staleToken: string, newToken: string, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('ledger_idempotency')
      .set({ claim_token: newToken, claimed_at_ms: nowMs })
      .where('actor_org_id', '=', actorOrgId)
      .where('idempotency_key', '=', key)
      .where('claim_token', '=', staleToken)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async answer(actorOrgId: string, key: string, token: string, answer: StoredAnswer): Promise<void> {
    await this.db
      .updateTable('ledger_idempotency')
      .set({ claim_token: null, status: answer.status, body: answer.body, position: answer.position === undefined ? null : String(answer.position) })
      .where('actor_org_id', '=', actorOrgId)
      .where('idempotency_key', '=', key)
      .where('claim_token', '=', token)
      .execute();
  }

  /** The request failed: its key is free again, as if never used (failures are not replayed). */
  async release(actorOrgId: string, key: string, token: string): Promise<void> {
    await this.db.deleteFrom('ledger_idempotency').where('actor_org_id', '=', actorOrgId).where('idempotency_key', '=', key).where('claim_token', '=', token).execute();
  }
}
