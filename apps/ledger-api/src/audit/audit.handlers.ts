import { batchNotVisible, eventNotVisible, InvalidCommandError } from '#domain';
import { checkpointBody, type SignedCheckpoint } from '#event-store';
import {
  auditNodeSource,
  auditTreeHead,
  consistencyProofBetween,
  history,
  historyVisibleTo,
  leafAtPosition,
  leavesAtPositions,
  ProjectionEngine,
  proofOf,
  type BatchHistory,
  type HistoryEvent,
  type VisibleHistoryEvent,
  type InclusionProofView,
  type ReadDb,
} from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger.config.js';
import { EVENT_STORE, LEDGER_CONFIG, READ_DB } from '../ledger/tokens.js';
import type { EventStore } from '#event-store';
import {
  GetAuditedBatchHistoryQuery,
  GetBatchHistoryQuery,
  GetConsistencyProofQuery,
  GetInclusionProofQuery,
  ListCheckpointsQuery,
} from './audit.queries.js';
import { CheckpointSigner } from './checkpoint-signer.js';

/** A batch's history as the viewer may see it (parents it may not see withheld). */
export type VisibleBatchHistory = Omit<BatchHistory, 'events'> & { events: Array<VisibleHistoryEvent<HistoryEvent>> };

@QueryHandler(GetBatchHistoryQuery)
export class GetBatchHistoryHandler implements IQueryHandler<GetBatchHistoryQuery, VisibleBatchHistory> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ batchId, asOf, scope }: GetBatchHistoryQuery): Promise<VisibleBatchHistory> {
    const full = await history(this.db, batchId);
    if (full.events.length === 0) throw batchNotVisible(batchId);
    const cut = asOf ? await history(this.db, batchId, asOf) : full;
    return { ...cut, events: await historyVisibleTo(this.db, scope, cut.events) };
  }
}

/** A checkpoint as published: with the exact text its signature covers. */
export type PublishedCheckpoint = SignedCheckpoint & { readonly body: string };

function published(checkpoint: SignedCheckpoint): PublishedCheckpoint {
  return { ...checkpoint, body: checkpointBody(checkpoint) };
}

export interface AuditKeyView {
  readonly algorithm: 'Ed25519';
  readonly keyId: string;
  readonly publicKey: string;
}

export interface CheckpointList extends AuditKeyView {
  readonly origin: string;
  /** Set when the ledger stopped signing because the log no longer extends its last checkpoint. */
  readonly signingRefused: string | null;
  readonly checkpoints: PublishedCheckpoint[];
}

function keyView(signer: CheckpointSigner): AuditKeyView {
  return { algorithm: 'Ed25519', keyId: signer.signingKey.keyId, publicKey: signer.signingKey.publicKeyPem };
}

@QueryHandler(ListCheckpointsQuery)
export class ListCheckpointsHandler implements IQueryHandler<ListCheckpointsQuery, CheckpointList> {
  constructor(
    private readonly signer: CheckpointSigner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ fromTreeSize, limit }: ListCheckpointsQuery): Promise<CheckpointList> {
    const checkpoints = await this.signer.checkpoints().listCheckpoints({ ...(fromTreeSize !== undefined ? { fromTreeSize } : {}), limit });
    return { origin: this.config.audit.origin, ...keyView(this.signer), signingRefused: this.signer.refused ?? null, checkpoints: checkpoints.map(published) };
  }
}

/** Waits until the audit log has projected `position`, when the store has it. */
async function leafOf(db: ReadDb, store: EventStore, engine: ProjectionEngine, position: number): Promise<Awaited<ReturnType<typeof leafAtPosition>>> {
  const leaf = await leafAtPosition(db, position);
  if (leaf !== undefined || position > (await store.headPosition())) return leaf;
  await engine.waitForPosition(position, 5_000);
  return leafAtPosition(db, position);
}

export type InclusionProofAnswer = InclusionProofView & { readonly eventHash: string; readonly checkpoint: PublishedCheckpoint | null };

@QueryHandler(GetInclusionProofQuery)
export class GetInclusionProofHandler implements IQueryHandler<GetInclusionProofQuery, InclusionProofAnswer> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly engine: ProjectionEngine,
    private readonly signer: CheckpointSigner,
  ) {}

  async execute({ position, treeSize }: GetInclusionProofQuery): Promise<InclusionProofAnswer> {
    const leaf = await leafOf(this.db, this.store, this.engine, position);
    // The same answer as the AuthorizationGuard's for an event the viewer may not see.
    if (leaf === undefined) throw eventNotVisible(position);
    let checkpoint: SignedCheckpoint | null;
    let size: number;
    if (treeSize === undefined) {
      checkpoint = await this.signer.covering(leaf.leafIndex + 1);
      size = checkpoint.treeSize;
    } else {
      const head = await auditTreeHead(this.db);
      if (treeSize <= leaf.leafIndex || treeSize > head.treeSize) {
        throw new InvalidCommandError('tree-size-out-of-range', `treeSize must hold the event (> ${leaf.leafIndex}) and be at most ${head.treeSize}, the log's current size`, {
          treeSize,
          leafIndex: leaf.leafIndex,
          currentTreeSize: head.treeSize,
        });
      }
      const [exact] = await this.signer.checkpoints().listCheckpoints({ fromTreeSize: treeSize, limit: 1 });
      checkpoint = exact?.treeSize === treeSize ? exact : null;
      size = treeSize;
    }
    const proof = await proofOf(auditNodeSource(this.db), leaf, size);
    return { leafIndex: leaf.leafIndex, position, leafHash: leaf.leafHash, eventHash: leaf.eventHash, treeSize: size, proof, checkpoint: checkpoint ? published(checkpoint) : null };
  }
}

export interface ConsistencyProofAnswer {
  readonly fromSize: number;
  readonly toSize: number;
  readonly proof: string[];
}

@QueryHandler(GetConsistencyProofQuery)
export class GetConsistencyProofHandler implements IQueryHandler<GetConsistencyProofQuery, ConsistencyProofAnswer> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ fromSize, toSize }: GetConsistencyProofQuery): Promise<ConsistencyProofAnswer> {
    const head = await auditTreeHead(this.db);
    if (fromSize < 1 || fromSize > toSize || toSize > head.treeSize) {
      throw new InvalidCommandError('tree-size-out-of-range', `need 1 ≤ from ≤ to ≤ ${head.treeSize} (the log's current size)`, { fromSize, toSize, currentTreeSize: head.treeSize });
    }
    return { fromSize, toSize, proof: await consistencyProofBetween(this.db, fromSize, toSize) };
  }
}

/** `withheld` is set when parents were left out for the viewer: then the data shown no longer hashes to `hash`. */
export type AuditedHistoryEvent = VisibleHistoryEvent<HistoryEvent> & { readonly leafIndex: number; readonly leafHash: string; readonly inclusionProof: string[] };

export interface AuditedBatchHistory extends AuditKeyView {
  readonly batchId: string;
  readonly asOf: BatchHistory['asOf'];
  /** Every event's inclusionProof is an audit path in this checkpoint's tree. */
  readonly checkpoint: PublishedCheckpoint;
  readonly events: AuditedHistoryEvent[];
}

@QueryHandler(GetAuditedBatchHistoryQuery)
export class GetAuditedBatchHistoryHandler implements IQueryHandler<GetAuditedBatchHistoryQuery, AuditedBatchHistory> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly engine: ProjectionEngine,
    private readonly signer: CheckpointSigner,
  ) {}

  async execute({ batchId, asOf, scope }: GetAuditedBatchHistoryQuery): Promise<AuditedBatchHistory> {
    const full = await history(this.db, batchId);
    if (full.events.length === 0) throw batchNotVisible(batchId);
    const cut = asOf ? await history(this.db, batchId, asOf) : full;
    const last = cut.events.at(-1);
    if (last !== undefined) await leafOf(this.db, this.store, this.engine, last.position);
    const leaves = await leavesAtPositions(
      this.db,
      cut.events.map((e) => e.position),
    );
    const lastLeaf = Math.max(-1, ...[...leaves.values()].map((l) => l.leafIndex));
    const checkpoint = await this.signer.covering(lastLeaf + 1);
    const source = auditNodeSource(this.db);
    const events: AuditedHistoryEvent[] = [];
    for (const event of await historyVisibleTo(this.db, scope, cut.events)) {
      const leaf = leaves.get(event.position);
      if (leaf === undefined) throw new Error(`audit log has no leaf for position ${event.position}`);
      events.push({ ...event, leafIndex: leaf.leafIndex, leafHash: leaf.leafHash, inclusionProof: await proofOf(source, leaf, checkpoint.treeSize) });
    }
    return { batchId, asOf: cut.asOf, ...keyView(this.signer), checkpoint: published(checkpoint), events };
  }
}

/** Every handler of the audit feature's log endpoints. */
export const AUDIT_LOG_HANDLERS = [ListCheckpointsHandler, GetInclusionProofHandler, GetConsistencyProofHandler, GetAuditedBatchHistoryHandler];
