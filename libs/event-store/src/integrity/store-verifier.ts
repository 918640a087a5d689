/**
 * Whole-store verification (`ledger verify`, decision 010): every stream's hash chain and the
 * Merkle log against the signed checkpoints, read page by page. Memory grows with the number of
 * streams and checkpoints, plus 16 bytes per event for the event-id fingerprints (a Set of the ids
 * themselves would take several times that); never with the events themselves.
 */
import { hash, type KeyObject } from 'node:crypto';

import { supportsCheckpoints, type CheckpointLog, type SignedCheckpoint } from '../checkpoint-log.port.js';
import type { EventStore, StoredEvent } from '../event-store.port.js';
import { verifyCheckpointSignature } from './checkpoint-signature.js';
import { LogChainChecker, type EventIdRegistry, type LogProblem, type LogProblemKind } from './log-import-verifier.js';
import { MerkleFrontier, leafHash, ledgerLeafHash } from './merkle-tree.js';

/**
 * A witness of the Merkle log: the leaf hash recorded for each leaf index when the leaf was added
 * (the audit-log read model keeps one row per leaf). It is not trusted as such: it is used only
 * where it reproduces a signed root, and then it shows exactly which leaf the store no longer has.
 */
export interface RecordedLeaves {
  /** The leaf hash recorded for leaf `index` (0-based, in log order), or undefined when none was recorded. */
  leaf(index: number): Promise<Buffer | undefined> | Buffer | undefined;
}

export type StoreProblemKind =
  | LogProblemKind
  | 'unreadable'
  | 'merkle-divergence'
  | 'checkpoint-root'
  | 'checkpoint-last-position'
  | 'checkpoint-beyond-log'
  | 'checkpoint-signature'
  | 'checkpoint-origin'
  | 'checkpoint-order'
  | 'no-public-key';

export interface StoreProblem {
  readonly kind: StoreProblemKind;
  readonly position?: number;
  readonly streamId?: string;
  readonly revision?: number;
  readonly eventId?: string;
  readonly checkpointTreeSize?: number;
  /** When the evidence only bounds where the log went wrong: the positions it lies between, inclusive. */
  readonly range?: { readonly fromPosition: number; readonly toPosition: number };
  readonly reason: string;
}

export interface StoreVerification {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  /** The head when verification began; later appends are left out. */
  readonly headPosition: number;
  readonly checkpoints: { readonly checked: number; readonly latestTreeSize: number };
  /** The first bad event in log order; a problem with the checkpoints alone comes after every event problem. */
  readonly firstProblem?: StoreProblem;
  /** The first `maxProblems` problems, in the same order. */
  readonly problems: readonly StoreProblem[];
  readonly problemCount: number;
}

export interface StoreVerifierOptions {
  /** Default: the store's own checkpoints when it keeps them (supportsCheckpoints), else none. */
  readonly checkpoints?: readonly SignedCheckpoint[] | Pick<CheckpointLog, 'listCheckpoints'>;
  /** The operator's public key. Without it no signature can be checked, and that alone fails verification when there are checkpoints. */
  readonly publicKey?: KeyObject;
  /**
   * After a key rotation (decision 024): the operator's keys, oldest first (publicKey, when given too,
   * counts as the newest). Each checkpoint must be signed by one of them, and never by a key older
   * than one that signed an earlier checkpoint: a retired key signs nothing new.
   */
  readonly publicKeys?: readonly KeyObject[];
  /** When given, a checkpoint naming another log fails. */
  readonly origin?: string;
  /** SQLite and PostgreSQL: true (default). EventStoreDB, whose commit positions have gaps: false. */
  readonly gapFreePositions?: boolean;
  readonly recordedLeaves?: RecordedLeaves;
  /** Events per readAll page (default 5,000). */
  readonly pageSize?: number;
  /** Problems listed in the report (default 20); all are counted. */
  readonly maxProblems?: number;
  readonly onProgress?: (position: number, headPosition: number) => void;
}

/** Event-id fingerprints in an open-addressing table: 52 bits of SHA-1 in one float64 slot. */
class EventIdFingerprints implements EventIdRegistry {
  private slots = new Float64Array(1 << 12);
  private used = 0;
  /** Fingerprints seen more than once: a duplicate id, or (rarely) two ids sharing a fingerprint. */
  readonly repeated = new Set<number>();

  add(eventId: string): 'new' | 'maybe-duplicate' {
    const fingerprint = eventIdFingerprint(eventId);
    if (this.insert(fingerprint)) return 'new';
    this.repeated.add(fingerprint);
    return 'maybe-duplicate';
  }

  private insert(fingerprint: number): boolean {
    if ((this.used + 1) * 2 > this.slots.length) this.grow();
    const mask = this.slots.length;
    for (let i = fingerprint % mask; ; i = (i + 1) % mask) {
      const slot = this.slots[i]!;
      if (slot === 0) {
        this.slots[i] = fingerprint;
        this.used += 1;
        return true;
      }
      if (slot === fingerprint) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.used = 0;
    for (const fingerprint of old) if (fingerprint !== 0) this.insert(fingerprint);
  }
}

/** Never 0 (the empty slot), below 2^53 (exact in a float64). */
function eventIdFingerprint(eventId: string): number {
  const digest = hash('sha1', eventId, 'buffer');
  return digest.readUIntBE(0, 6) * 16 + (digest[6]! & 0x0f) + 1;
}

/** The ledger leaf of an event; a hash field that is not even hex (already reported) still gives a leaf, just never the signed one. */
function leafOf(event: StoredEvent): Buffer {
  try {
    return ledgerLeafHash(event);
  } catch {
    return leafHash(Buffer.from(`unhashable ${event.position} ${String(event.hash)}`));
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(event: StoredEvent): Pick<StoreProblem, 'position' | 'streamId' | 'revision' | 'eventId'> {
  return { position: event.position, streamId: event.streamId, revision: event.revision, eventId: event.eventId };
}

function fromLogProblem(problem: LogProblem): StoreProblem {
  const { event } = problem;
  if (problem.kind === 'position-gap' && problem.missingPosition !== undefined) {
    const missing = problem.missingPosition;
    const last = event.position - 1;
    return {
      kind: 'position-gap',
      position: missing,
      ...(last > missing ? { range: { fromPosition: missing, toPosition: last } } : {}),
      reason: `no event at position ${missing}${last > missing ? ` to ${last}` : ''}: the log goes on at position ${event.position} (stream ${event.streamId} revision ${event.revision}); deleted?`,
    };
  }
  return { kind: problem.kind, ...describe(event), reason: problem.reason };
}

const sortKey = (problem: StoreProblem): [number, number] => [
  problem.position ?? problem.range?.fromPosition ?? Number.POSITIVE_INFINITY,
  problem.checkpointTreeSize ?? Number.POSITIVE_INFINITY,
];

async function loadCheckpoints(source: readonly SignedCheckpoint[] | Pick<CheckpointLog, 'listCheckpoints'>): Promise<SignedCheckpoint[]> {
  if (Array.isArray(source)) return [...(source as readonly SignedCheckpoint[])];
  const log = source as Pick<CheckpointLog, 'listCheckpoints'>;
  const all: SignedCheckpoint[] = [];
  for (let from = 0; ; ) {
    const page = await log.listCheckpoints({ fromTreeSize: from, limit: 1000 });
    all.push(...page);
    if (page.length < 1000) return all;
    from = page[page.length - 1]!.treeSize + 1;
  }
}

interface GoodCheckpoint {
  readonly treeSize: number;
  readonly lastPosition: number;
  readonly peaks: Buffer[];
}

/** Verifies the whole store; see StoreVerification. Safe while the ledger runs: it checks the log as of its head at the start. */
export async function verifyStore(store: Pick<EventStore, 'readAll' | 'headPosition'>, options: StoreVerifierOptions = {}): Promise<StoreVerification> {
  const pageSize = options.pageSize ?? 5_000;
  const maxProblems = options.maxProblems ?? 20;
  const gapFree = options.gapFreePositions ?? true;
  const witness = options.recordedLeaves;
  const source = options.checkpoints ?? (supportsCheckpoints(store as EventStore) ? (store as EventStore & CheckpointLog) : []);
  // Checkpoints before the head: every checkpoint read was signed over events that were already
  // committed, so none can legitimately reach beyond the head read afterwards.
  const checkpoints = await loadCheckpoints(source);
  const headPosition = await store.headPosition();

  const eventProblems: StoreProblem[] = [];
  const checkpointProblems: StoreProblem[] = [];
  let eventProblemCount = 0;
  const addEventProblem = (problem: StoreProblem): void => {
    eventProblemCount += 1;
    // The pass finds them in log order, so the first ones kept are the earliest.
    if (eventProblems.length < maxProblems) eventProblems.push(problem);
  };
  let unreadable = false;

  // ---- The checkpoints on their own: order, origin, signature. ----
  const trusted = new Set<SignedCheckpoint>();
  const operatorKeys = [...(options.publicKeys ?? []), ...(options.publicKey ? [options.publicKey] : [])];
  let newestSignerIndex = -1;
  let previousSize = -1;
  for (const checkpoint of checkpoints) {
    const treeSize = checkpoint.treeSize;
    let good = true;
    if (treeSize <= previousSize) {
      checkpointProblems.push({ kind: 'checkpoint-order', checkpointTreeSize: treeSize, reason: `checkpoint of tree size ${treeSize} is listed after one of tree size ${previousSize}: tree sizes must strictly increase` });
      good = false;
    }
    previousSize = Math.max(previousSize, treeSize);
    if (options.origin !== undefined && checkpoint.origin !== options.origin) {
      checkpointProblems.push({ kind: 'checkpoint-origin', checkpointTreeSize: treeSize, reason: `checkpoint of tree size ${treeSize} names the log "${checkpoint.origin}", not "${options.origin}"` });
      good = false;
    }
    const signerIndex = operatorKeys.findIndex((key) => verifyCheckpointSignature(checkpoint, key));
    if (operatorKeys.length > 0 && signerIndex === -1) {
      checkpointProblems.push({
        kind: 'checkpoint-signature',
        checkpointTreeSize: treeSize,
        reason: `checkpoint of tree size ${treeSize} is not validly signed by the operator's key (it names key ${checkpoint.keyId}): the checkpoint was altered or replaced`,
      });
      good = false;
    } else if (signerIndex !== -1 && signerIndex < newestSignerIndex) {
      checkpointProblems.push({
        kind: 'checkpoint-signature',
        checkpointTreeSize: treeSize,
        reason: `checkpoint of tree size ${treeSize} is signed by key ${checkpoint.keyId}, which an earlier checkpoint's key had already replaced: a retired key signs nothing new`,
      });
      good = false;
    }
    newestSignerIndex = Math.max(newestSignerIndex, signerIndex);
    if (good) trusted.add(checkpoint);
  }
  if (operatorKeys.length === 0 && checkpoints.length > 0) {
    checkpointProblems.push({ kind: 'no-public-key', reason: `no public key given: the signatures of ${checkpoints.length} checkpoint(s) were not checked` });
  }
  const pending = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize);

  // ---- One pass over the log. ----
  const fingerprints = new EventIdFingerprints();
  const checker = new LogChainChecker({ gapFreePositions: gapFree, eventIds: fingerprints });
  const frontier = MerkleFrontier.empty();
  let lastGood: GoodCheckpoint = { treeSize: 0, lastPosition: -1, peaks: [] };
  /** Leaf index of the latest event with a chain problem: a root mismatch after it is already explained. */
  let lastProblemLeaf = -1;
  let divergenceFound = false;
  let lastPosition = -1;

  const compare = async (checkpoint: SignedCheckpoint, atPosition: number): Promise<void> => {
    const { treeSize } = checkpoint;
    const rootMatches = frontier.root().toString('hex') === checkpoint.rootHash;
    const positionMatches = checkpoint.lastPosition === atPosition;
    if (!trusted.has(checkpoint)) {
      if (!rootMatches) {
        checkpointProblems.push({ kind: 'checkpoint-root', checkpointTreeSize: treeSize, reason: `checkpoint of tree size ${treeSize} (not validly signed) has a root that does not match the log` });
      }
      return;
    }
    if (rootMatches && positionMatches) {
      lastGood = { treeSize, lastPosition: atPosition, peaks: frontier.peaks() };
      return;
    }
    if (rootMatches) {
      checkpointProblems.push({ kind: 'checkpoint-last-position', checkpointTreeSize: treeSize, reason: `checkpoint of tree size ${treeSize} says its last event is at position ${checkpoint.lastPosition}, the log has it at ${atPosition}` });
      return;
    }
    if (lastProblemLeaf >= lastGood.treeSize || divergenceFound) {
      checkpointProblems.push({
        kind: 'checkpoint-root',
        checkpointTreeSize: treeSize,
        reason: `the log's Merkle root over its first ${treeSize} events differs from signed checkpoint ${treeSize}, as the problems before it explain`,
      });
      return;
    }
    divergenceFound = true;
    addEventProblem(await locateDivergence(store, checkpoint, lastGood, atPosition, witness, pageSize));
  };

  const take = async (treeSize: number, atPosition: number): Promise<void> => {
    while (pending.length > 0 && pending[0]!.treeSize === treeSize) await compare(pending.shift()!, atPosition);
  };

  await take(0, -1);
  let after = -1;
  reading: while (after < headPosition) {
    let page: StoredEvent[];
    try {
      page = await store.readAll({ after, maxCount: pageSize });
    } catch (error) {
      addEventProblem({ kind: 'unreadable', position: after + 1, reason: `the log cannot be read after position ${after}: ${message(error)}` });
      unreadable = true;
      break;
    }
    if (page.length === 0) break;
    for (const event of page) {
      if (event.position > headPosition) break reading;
      const leafIndex = checker.events;
      const problems = checker.check(event);
      if (problems.length > 0) {
        lastProblemLeaf = leafIndex;
        for (const problem of problems) addEventProblem(fromLogProblem(problem));
      }
      frontier.append(leafOf(event));
      lastPosition = event.position;
      after = event.position;
      if (pending[0]?.treeSize === frontier.size) await take(frontier.size, event.position);
    }
    options.onProgress?.(after, headPosition);
  }

  // ---- Checkpoints that sign more events than the log holds (when all of it could be read). ----
  for (const checkpoint of unreadable ? [] : pending) {
    if (!trusted.has(checkpoint)) continue;
    const signed = `signed checkpoint ${checkpoint.treeSize} covers ${checkpoint.treeSize} events up to position ${checkpoint.lastPosition}, the log holds ${checker.events} up to position ${lastPosition}`;
    if (lastPosition < checkpoint.lastPosition) {
      const firstMissing = lastPosition + 1;
      addEventProblem({
        kind: 'checkpoint-beyond-log',
        ...(gapFree ? { position: firstMissing } : {}),
        range: { fromPosition: firstMissing, toPosition: checkpoint.lastPosition },
        checkpointTreeSize: checkpoint.treeSize,
        reason: `${signed}: the tail was truncated, the events ${gapFree ? `from position ${firstMissing} on ` : `after position ${lastPosition} `}are gone`,
      });
    } else {
      addEventProblem({ kind: 'checkpoint-beyond-log', checkpointTreeSize: checkpoint.treeSize, reason: `${signed}: events were deleted from within it` });
    }
  }

  // ---- Event ids whose fingerprint repeated: confirm from the log, which only a duplicate or a rare collision makes necessary. ----
  if (fingerprints.repeated.size > 0 && !unreadable) {
    try {
      // Anywhere in the log: kept whatever the cap, then sorted in with the others.
      for (const problem of await confirmDuplicates(store, fingerprints.repeated, headPosition, pageSize)) {
        eventProblemCount += 1;
        eventProblems.push(problem);
      }
    } catch (error) {
      addEventProblem({ kind: 'unreadable', reason: `the log could not be read again to confirm ${fingerprints.repeated.size} repeated event id(s): ${message(error)}` });
    }
  }

  const ordered = [...eventProblems].sort((a, b) => sortKey(a)[0] - sortKey(b)[0]);
  const problems = [...ordered, ...checkpointProblems.sort((a, b) => sortKey(a)[1] - sortKey(b)[1])].slice(0, maxProblems);
  const problemCount = eventProblemCount + checkpointProblems.length;
  return {
    ok: problemCount === 0,
    events: checker.events,
    streams: checker.streams,
    headPosition,
    checkpoints: { checked: checkpoints.length, latestTreeSize: checkpoints.reduce((max, c) => Math.max(max, c.treeSize), 0) },
    ...(problems[0] ? { firstProblem: problems[0] } : {}),
    problems,
    problemCount,
  };
}

/** Reads up to `count` events after `after`. */
async function readRange(store: Pick<EventStore, 'readAll'>, after: number, count: number, pageSize: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  while (events.length < count) {
    const page = await store.readAll({ after, maxCount: Math.min(pageSize, count - events.length) });
    if (page.length === 0) break;
    events.push(...page);
    after = page[page.length - 1]!.position;
  }
  return events;
}

/**
 * A signed root differs while every chain checked out: someone rewrote events and recomputed their
 * stream's chain, or reordered them. The previous good checkpoint bounds where; the recorded leaves,
 * once they are shown to reproduce the signed root, say exactly which event.
 */
async function locateDivergence(
  store: Pick<EventStore, 'readAll'>,
  checkpoint: SignedCheckpoint,
  lastGood: GoodCheckpoint,
  atPosition: number,
  witness: RecordedLeaves | undefined,
  pageSize: number,
): Promise<StoreProblem> {
  const { treeSize } = checkpoint;
  const fromPosition = lastGood.lastPosition + 1;
  const bounded: StoreProblem = {
    kind: 'merkle-divergence',
    range: { fromPosition, toPosition: atPosition },
    checkpointTreeSize: treeSize,
    reason:
      `the log's Merkle root over its first ${treeSize} events differs from signed checkpoint ${treeSize}, though every hash chain checks out: ` +
      `an event between position ${fromPosition} and ${atPosition} (${lastGood.treeSize > 0 ? `after signed checkpoint ${lastGood.treeSize}, which matches` : 'no earlier checkpoint matches'}) ` +
      `was changed, inserted, removed or moved, and its stream's chain recomputed`,
  };
  if (!witness) return bounded;
  // Only the events after the good checkpoint are re-read, and only once: at the first divergence.
  let events: StoredEvent[];
  try {
    events = await readRange(store, lastGood.lastPosition, treeSize - lastGood.treeSize, pageSize);
  } catch (error) {
    return { ...bounded, reason: `${bounded.reason}; the events could not be read again to compare them with the recorded leaves: ${message(error)}` };
  }
  const recorded = MerkleFrontier.fromPeaks(lastGood.treeSize, lastGood.peaks);
  let firstDifferent: StoredEvent | undefined;
  for (let i = 0; i < treeSize - lastGood.treeSize; i += 1) {
    const leaf = await witness.leaf(lastGood.treeSize + i);
    if (!leaf || leaf.length !== 32) return { ...bounded, reason: `${bounded.reason}; no leaf is recorded for leaf ${lastGood.treeSize + i}` };
    recorded.append(leaf);
    const event = events[i];
    if (!firstDifferent && event && !leafOf(event).equals(leaf)) firstDifferent = event;
  }
  if (!recorded.root().equals(Buffer.from(checkpoint.rootHash, 'hex'))) {
    return { ...bounded, reason: `${bounded.reason}; the recorded leaves do not reproduce the signed root either, so they cannot say which event` };
  }
  if (!firstDifferent) {
    // The recorded leaves match the signature, the store's leaves match them: the store holds fewer events than signed.
    return { ...bounded, reason: `${bounded.reason}; the store is missing events the recorded leaves hold` };
  }
  return {
    kind: 'merkle-divergence',
    ...describe(firstDifferent),
    checkpointTreeSize: treeSize,
    reason:
      `the event at position ${firstDifferent.position} is not the one signed: its Merkle leaf differs from the leaf recorded for it, ` +
      `and the recorded leaves reproduce signed checkpoint ${treeSize}; it was changed, inserted or moved, and its stream's chain recomputed`,
  };
}

async function confirmDuplicates(store: Pick<EventStore, 'readAll'>, repeated: ReadonlySet<number>, headPosition: number, pageSize: number): Promise<StoreProblem[]> {
  const firstSeen = new Map<string, number>();
  const problems: StoreProblem[] = [];
  for (let after = -1; after < headPosition; ) {
    const page = await store.readAll({ after, maxCount: pageSize });
    if (page.length === 0) break;
    for (const event of page) {
      if (event.position > headPosition) return problems;
      after = event.position;
      if (!repeated.has(eventIdFingerprint(event.eventId))) continue;
      const first = firstSeen.get(event.eventId);
      if (first === undefined) firstSeen.set(event.eventId, event.position);
      else problems.push({ kind: 'duplicate-event-id', ...describe(event), reason: `event id ${event.eventId} appears twice: at position ${first} and here` });
    }
  }
  return problems;
}

/** The plain-text report of `ledger verify`. */
export function formatStoreVerification(result: StoreVerification): string {
  const lines: string[] = [];
  const uncovered = result.events - result.checkpoints.latestTreeSize;
  lines.push(`${result.ok ? 'OK' : 'FAILED'}: ${result.events} events in ${result.streams} streams (head position ${result.headPosition})`);
  lines.push(
    `checkpoints: ${result.checkpoints.checked}, latest tree size ${result.checkpoints.latestTreeSize}` +
      (uncovered > 0 ? `; the last ${uncovered} event(s) are not covered by a checkpoint yet` : ''),
  );
  if (result.firstProblem) {
    lines.push('', `first problem: ${describeProblem(result.firstProblem)}`);
    if (result.problemCount > 1) {
      lines.push('', `${result.problemCount} problems${result.problemCount > result.problems.length ? ` (the first ${result.problems.length} listed)` : ''}:`);
      for (const problem of result.problems) lines.push(`  - ${describeProblem(problem)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function describeProblem(problem: StoreProblem): string {
  const where: string[] = [];
  if (problem.position !== undefined) where.push(`position ${problem.position}`);
  else if (problem.range) where.push(`positions ${problem.range.fromPosition}..${problem.range.toPosition}`);
  if (problem.streamId !== undefined) where.push(`stream ${problem.streamId}`);
  if (problem.revision !== undefined) where.push(`revision ${problem.revision}`);
  if (problem.eventId !== undefined) where.push(`event ${problem.eventId}`);
  if (problem.checkpointTreeSize !== undefined) where.push(`checkpoint ${problem.checkpointTreeSize}`);
  return `${where.length > 0 ? `[${where.join(', ')}] ` : ''}${problem.reason} (${problem.kind})`;
}

