import { sign } from 'node:crypto';
import {
  MerkleFrontier,
  inclusionProof,
  ledgerLeafHash,
  signNextCheckpoint,
  type AuditSigningKey,
  type CheckpointLog,
  type EventStore,
  type MerkleNodeSource,
  type SignedCheckpoint,
  type StoredEvent,
} from '#event-store';
import { collectBatchStreams } from '#audit-evidence';
import { AUDIT_BUNDLE_FORMAT, bundleSigningText, toBundleCheckpoint, type AuditBundle, type BundleEvent, type UnsignedAuditBundle } from './audit-bundle.js';

export interface AuditBundleRequest {
  readonly batchId: string;
  /** Also every ancestor batch, back to collection, with the processes that made them. */
  readonly upstream: boolean;
  readonly key: AuditSigningKey;
  readonly origin: string;
  readonly now: Date;
}

export class UnknownBatchError extends Error {
  constructor(readonly batchId: string) {
    super(`batch ${batchId} has no events in this ledger`);
    this.name = 'UnknownBatchError';
  }
}

/**
 * The whole log's Merkle tree in memory, every completed node kept, built straight from the events
 * (not from the read models, which the export must not have to trust): 64 bytes per event.
 */
class LogTree implements MerkleNodeSource {
  private readonly frontier = MerkleFrontier.empty();
  private readonly levels: Buffer[][] = [];
  private readonly leafByPosition = new Map<number, number>();
  private after = -1;

  constructor(
    private readonly store: EventStore,
    /** Positions whose leaf index the bundle will need. */
    private readonly wanted: ReadonlySet<number>,
  ) {}

  get size(): number {
    return this.frontier.size;
  }

  get lastPosition(): number {
    return this.after;
  }

  leafIndexOf(position: number): number | undefined {
    return this.leafByPosition.get(position);
  }

  /** Reads on until the tree holds `size` leaves, or to the head of the log. */
  async grow(size = Number.MAX_SAFE_INTEGER): Promise<void> {
    while (this.frontier.size < size) {
      const page = await this.store.readAll({ after: this.after, maxCount: Math.min(10_000, size - this.frontier.size) });
      if (page.length === 0) return;
      for (const event of page) {
        if (this.wanted.has(event.position)) this.leafByPosition.set(event.position, this.frontier.size);
        for (const node of this.frontier.append(ledgerLeafHash(event))) (this.levels[node.level] ??= [])[node.index] = node.hash;
        this.after = event.position;
      }
    }
  }

  node(level: number, index: number): Buffer {
    const hash = this.levels[level]?.[index];
    if (hash === undefined) throw new Error(`no node at level ${level}, index ${index} in a tree of ${this.frontier.size} leaves`);
    return hash;
  }
}

/** Builds a bundle for one batch, its events proven to a freshly signed checkpoint (proveEvidence). */
export async function exportAuditBundle(store: EventStore & CheckpointLog, request: AuditBundleRequest): Promise<AuditBundle> {
  const streams = await collectBatchStreams(store, request.batchId, request.upstream);
  if (streams.size === 0) throw new UnknownBatchError(request.batchId);
  const signed = await proveEvidence(store, streams, request);
  if (signed === undefined) throw new UnknownBatchError(request.batchId);
  const unsigned: UnsignedAuditBundle = {
    format: AUDIT_BUNDLE_FORMAT,
    exportedAt: request.now.toISOString(),
    subject: { batchId: request.batchId, upstream: request.upstream },
    publicKey: request.key.publicKeyPem,
    ...signed,
  };
  return { ...unsigned, bundleSignature: signText(bundleSigningText(unsigned), request.key) };
}

/** What a file's signature is made with: the checkpoint signing key (decision 014). */
export function signText(text: string, key: AuditSigningKey): string {
  return sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64');
}

export interface EvidenceSigning {
  readonly key: AuditSigningKey;
  readonly origin: string;
  readonly now: Date;
}

/**
 * The streams' events with an inclusion proof each, to a checkpoint signed over the whole log (with
 * the same consistency check the server makes), so the file holds the streams' latest events; a
 * checkpoint that another signer stored meanwhile for a larger tree is used instead, and the tree
 * read on to it. Shared by evidence bundles and claim certificates (decision 045). Undefined for an
 * empty log.
 */
export async function proveEvidence(
  store: EventStore & CheckpointLog,
  streams: ReadonlyMap<string, readonly StoredEvent[]>,
  request: EvidenceSigning,
): Promise<{ checkpoint: AuditBundle['checkpoint']; events: BundleEvent[] } | undefined> {
  const wanted = new Set<number>();
  for (const events of streams.values()) for (const event of events) wanted.add(event.position);
  const tree = new LogTree(store, wanted);
  await tree.grow();
  const next = await signNextCheckpoint({ log: store, tree, treeSize: tree.size, lastPosition: tree.lastPosition, key: request.key, origin: request.origin, now: request.now });
  if (next === undefined) return undefined;
  if (next.kind === 'refused') throw new Error(`cannot export evidence: ${next.reason}`);
  const checkpoint: SignedCheckpoint = next.checkpoint;
  await tree.grow(checkpoint.treeSize);
  if (tree.size < checkpoint.treeSize) throw new Error(`the log holds ${tree.size} events but checkpoint ${checkpoint.treeSize} says more: run \`npm run ledger -- verify\``);

  const covered: Array<{ event: StoredEvent; leafIndex: number }> = [];
  for (const events of streams.values()) {
    for (const event of events) {
      const leafIndex = tree.leafIndexOf(event.position);
      if (leafIndex !== undefined && leafIndex < checkpoint.treeSize) covered.push({ event, leafIndex });
    }
  }
  covered.sort((a, b) => a.event.position - b.event.position);
  const events: BundleEvent[] = [];
  for (const { event, leafIndex } of covered) {
    const proof = await inclusionProof(tree, leafIndex, checkpoint.treeSize);
    events.push({ ...event, leafIndex, inclusionProof: proof.map((h) => h.toString('hex')) });
  }
  return { checkpoint: toBundleCheckpoint(checkpoint), events };
}
