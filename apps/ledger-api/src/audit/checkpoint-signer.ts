import { ConflictError } from '#domain';
import {
  publicKeyId,
  signNextCheckpoint,
  signingKeyRefusal,
  supportsCheckpoints,
  type AuditSigningKey,
  type CheckpointLog,
  type EventStore,
  type SignedCheckpoint,
} from '#event-store';
import { auditNodeSource, auditTreeHead, ProjectionEngine, type ReadDb } from '#projections';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { AuditConfig, LedgerConfig } from '../config/ledger.config.js';
import type { CommitAnnouncingStore } from '../ledger/event-log.js';
import { CLOCK, EVENT_STORE, LEDGER_CONFIG, READ_DB, type Clock } from '../ledger/tokens.js';
import { configuredKeyIsMissing, loadConfiguredAuditKey, retiringPublicKey } from './configured-audit-key.js';

/** How long a graceful stop waits for the read models to hold every event before its last checkpoint. */
const SHUTDOWN_CATCH_UP_MS = 10_000;

export interface SignerStatus {
  readonly signing: boolean;
  readonly refusal?: string;
}

/**
 * Signs checkpoints of the Merkle log (decision 010): every `checkpointEveryEvents` events, every
 * `checkpointEveryMs` when the log has grown, and on demand when a proof must be anchored to a
 * checkpoint that covers a newer event.
 *
 * The tree comes from the audit-log read model, which is derived data; signNextCheckpoint checks a
 * consistency proof from the last signed tree before signing, so a read model rebuilt over a log
 * that was altered behind the ledger's back yields a root that does not extend the signed history,
 * and the signer refuses, loudly, instead of blessing it.
 */
@Injectable()
export class CheckpointSigner implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(CheckpointSigner.name);
  private key: AuditSigningKey | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private inFlight: Promise<SignedCheckpoint | undefined> | undefined;
  private checkQueued = false;
  private checkTimer: NodeJS.Timeout | undefined;
  private latestSigned: SignedCheckpoint | undefined;
  private refusal: string | undefined;
  private predecessorKeyIds: readonly string[] = [];

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore & Partial<CommitAnnouncingStore>,
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly engine: ProjectionEngine,
  ) {}

  /**
   * The key is loaded, and judged against the log, before any other start-up work (onModuleInit runs
   * before every onApplicationBootstrap): a ledger whose checkpoints another key signed does not
   * start at all (decision 029), so the mistake is seen before a client is served, not in a later
   * `ledger verify`. While running, the refusal to sign (signingKeyRefusal) stays the guard against a
   * change made elsewhere, e.g. another instance rotating.
   */
  async onModuleInit(): Promise<void> {
    const audit = this.config.audit;
    this.latestSigned = await this.checkpoints().latestCheckpoint();
    const retiring = retiringPublicKey(audit);
    this.predecessorKeyIds = retiring ? [publicKeyId(retiring)] : [];
    // A new key can only start a log that no key has signed yet.
    if (this.latestSigned && configuredKeyIsMissing(audit)) throw this.refuseToStart(missingKeyRefusal(audit, this.latestSigned));
    let loaded: ReturnType<typeof loadConfiguredAuditKey>;
    try {
      loaded = loadConfiguredAuditKey(audit, { create: this.latestSigned === undefined });
    } catch (error) {
      throw this.refuseToStart(error instanceof Error ? error.message : String(error));
    }
    const { key, created, source } = loaded;
    if (created) this.logger.log(`generated the checkpoint signing key ${key.keyId} at ${source}; back it up`);
    const refusal = signingKeyRefusal(this.latestSigned, key.keyId, this.predecessorKeyIds);
    if (refusal !== undefined) throw this.refuseToStart(refusal);
    this.key = key;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.checkpoint().catch((error: unknown) => this.logger.error(`checkpoint at start-up failed: ${String(error)}`));
    const { checkpointEveryMs, checkpointEveryEvents } = this.config.audit;
    if (checkpointEveryMs > 0) {
      this.timer = setInterval(() => void this.checkpoint().catch((error: unknown) => this.logger.error(`periodic checkpoint failed: ${String(error)}`)), checkpointEveryMs);
      this.timer.unref();
    }
    if (checkpointEveryEvents > 0 && this.store.onCommit) this.unsubscribe = this.store.onCommit(() => this.afterCommit());
  }

  private refuseToStart(reason: string): Error {
    const message = `refusing to start: ${reason}`;
    this.logger.error(message);
    return new Error(message);
  }

  /**
   * A graceful stop signs a last checkpoint over every event, so a verify after a clean stop covers
   * the head (decision 024). Before the store and the read models close (onApplicationShutdown).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopTimers();
    if (!this.key) return;
    try {
      // Wait for the read models to reach the head, but not for projections that are failing: they
      // will not get there, and the checkpoint then covers what the Merkle read model holds.
      const head = await this.store.headPosition();
      const deadline = Date.now() + SHUTDOWN_CATCH_UP_MS;
      while (this.engine.position() < head && Date.now() < deadline && !this.engine.health().failure) {
        await this.engine.waitForPosition(head, 200).catch(() => undefined);
      }
      if (this.engine.position() < head) this.logger.warn(`checkpoint at shutdown: the read models reached position ${this.engine.position()} of ${head}; signing what they hold`);
      // A periodic checkpoint still running covers an older tree: let it finish, then sign the head.
      await this.inFlight?.catch(() => undefined);
      const signed = await this.checkpoint();
      if (signed) this.logger.log(`checkpoint at shutdown: tree size ${signed.treeSize}`);
    } catch (error) {
      this.logger.error(`checkpoint at shutdown failed: ${String(error)}`);
    }
  }

  onApplicationShutdown(): void {
    this.stopTimers();
  }

  private stopTimers(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Whether this instance signs checkpoints, and why not when it does not (reported by /health). */
  status(): SignerStatus {
    if (!this.key) return { signing: false, refusal: 'the checkpoint signing key is not loaded yet' };
    return this.refusal === undefined ? { signing: true } : { signing: false, refusal: this.refusal };
  }

  get signingKey(): AuditSigningKey {
    if (!this.key) throw new Error('the checkpoint signing key is not loaded yet');
    return this.key;
  }

  /** Why signing stopped, if it did (reported by /health and the checkpoints endpoint). */
  get refused(): string | undefined {
    return this.refusal;
  }

  checkpoints(): CheckpointLog {
    if (!supportsCheckpoints(this.store)) throw new Error('this event store cannot keep checkpoints');
    return this.store;
  }

  /**
   * A checkpoint whose tree holds at least `treeSize` leaves: the latest one if it does, else a new
   * one signed over what the audit log holds now (the caller knows those leaves are projected).
   */
  async covering(treeSize: number): Promise<SignedCheckpoint> {
    const latest = this.latestSigned ?? (await this.checkpoints().latestCheckpoint());
    if (latest && latest.treeSize >= treeSize) return latest;
    const signed = await this.checkpoint();
    if (!signed || signed.treeSize < treeSize) {
      // The ledger will not anchor a proof to a tree it refused to sign (see signIfGrown).
      throw new ConflictError('checkpoint-refused', this.refusal ?? `no checkpoint covers ${treeSize} events yet`, { treeSize });
    }
    return signed;
  }

  /** Signs the current tree if it grew since the last checkpoint. One at a time. */
  checkpoint(): Promise<SignedCheckpoint | undefined> {
    this.inFlight ??= this.signIfGrown().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private afterCommit(): void {
    // Commits come in bursts of thousands a second; looking at the tree every 100 ms at most keeps
    // the API thread's cost per commit at nothing while still signing close to every N events.
    if (this.checkQueued) return;
    this.checkQueued = true;
    this.checkTimer = setTimeout(() => {
      this.checkQueued = false;
      void this.checkpointIfDue().catch((error: unknown) => this.logger.error(`checkpoint failed: ${String(error)}`));
    }, 100);
    this.checkTimer.unref();
  }

  private async checkpointIfDue(): Promise<void> {
    const head = await auditTreeHead(this.db);
    const signedSize = this.latestSigned?.treeSize ?? 0;
    if (head.treeSize - signedSize >= this.config.audit.checkpointEveryEvents) await this.checkpoint();
  }

  private async signIfGrown(): Promise<SignedCheckpoint | undefined> {
    const head = await auditTreeHead(this.db);
    const next = await signNextCheckpoint({
      log: this.checkpoints(),
      tree: auditNodeSource(this.db),
      treeSize: head.treeSize,
      lastPosition: head.lastPosition,
      key: this.signingKey,
      origin: this.config.audit.origin,
      now: this.clock.now(),
      predecessorKeyIds: this.predecessorKeyIds,
    });
    if (next === undefined) return undefined;
    if (next.kind === 'refused') {
      if (this.refusal !== next.reason) this.logger.error(`refusing to sign: ${next.reason}`);
      this.refusal = next.reason;
      this.latestSigned = next.latest;
      return undefined;
    }
    this.refusal = undefined;
    this.latestSigned = next.checkpoint;
    return next.checkpoint;
  }
}

function missingKeyRefusal(audit: AuditConfig, latest: SignedCheckpoint): string {
  return (
    `the checkpoint signing key file ${audit.keyFile} does not exist, but the log holds checkpoints signed by key ${latest.keyId} (latest: tree size ${latest.treeSize}); ` +
    'a new key would not continue them, so none is generated. Restore the key file from your backup (mode 0600), ' +
    `or rotate: put a new key there (openssl genpkey -algorithm ed25519 -out ${audit.keyFile}; chmod 600) and set LEDGER_AUDIT_KEY_ROTATE_FROM to the public key of ${latest.keyId} (docs/decisions/024-one-ledger-many-instances.md, "Key rotation")`
  );
}
