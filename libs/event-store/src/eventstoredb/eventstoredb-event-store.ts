import { randomUUID } from 'node:crypto';

import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { v5 as uuidV5, validate as isUuid } from 'uuid';

import {
  DuplicateEventIdError,
  NO_STREAM_REVISION,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type PageHandler,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port.js';
import { CheckpointOrderError, assertCheckpointShape, type CheckpointLog, type SignedCheckpoint } from '../checkpoint-log.port.js';
import { checkpointPage, chainEvents, firstCheckpointAtLeast, matchesExpected, toSignedCheckpoint } from '../append-support.js';
import { GENESIS_HASH } from '../integrity/event-hash.js';

export interface EventStoreDbEventStoreOptions {
  /** e.g. esdb://localhost:2113?tls=false */
  readonly connectionString: string;
  /** Source of recordedAt; injectable so tests and replays are deterministic. */
  readonly clock?: () => Date;
  /**
   * Prefix of every EventStoreDB stream this adapter writes (default `ledger:`). Port stream `order-1`
   * is stored as `ledger:order-1`, so no port stream id can ever name a system stream (`$…`), and the
   * adapter's events can be told apart from anything else in `$all`.
   */
  readonly streamPrefix?: string;
  /**
   * Prefix of the claim streams that make event ids unique across streams (default `ledger-id:`).
   * Neither prefix may start with the other, so a port stream id can never name a claim stream.
   */
  readonly claimStreamPrefix?: string;
  /**
   * The stream that holds the signed checkpoints, one event per checkpoint in ascending tree size
   * (default `ledger-checkpoints`). It must not start with either prefix, so that no port stream and
   * no claim can ever name it; readAll and subscriptions leave it out because it lacks the stream
   * prefix. It is not a `$` stream: those need admin rights on a secured server.
   */
  readonly checkpointStream?: string;
}

/**
 * Fixed namespace of the UUID v5 ids derived from non-UUID event ids. Changing it would make retries
 * of already stored events look like new events, so it is part of the storage format.
 */
const EVENT_ID_NAMESPACE = '6f1d3c52-8a0e-5b7e-9c41-2d7f0a6b3e18';
/** Format marker in every event's metadata: only events carrying it are returned by reads. */
const FORMAT_VERSION = 1;
/** Events read per request when scanning `$all`, which also holds system events and claims. */
const SCAN_BATCH = 256;
/** Attempts for an append whose caller accepts any revision ('any', 'stream-exists'). */
const MAX_APPEND_ATTEMPTS = 20;
const CLAIM_EVENT_TYPE = 'LedgerEventIdClaimed';
const CHECKPOINT_EVENT_TYPE = 'LedgerCheckpointSigned';
/** Attempts of a checkpoint append that lost a race for the checkpoint stream's head. */
const MAX_CHECKPOINT_ATTEMPTS = 20;

/** What the adapter puts into EventStoreDB's custom metadata of each event. */
interface StoredMetadata {
  /** Read by EventStoreDB's $by_correlation_id projection and its UI. */
  readonly $correlationId: string;
  readonly $causationId: string;
  readonly ledger: {
    readonly v: number;
    /** The port's event id, unchanged (the EventStoreDB id may be derived from it). */
    readonly eventId: string;
    readonly schemaVersion: number;
    readonly recordedAt: string;
    readonly prevHash: string;
    readonly hash: string;
    readonly metadata: EventMetadata;
  };
}

interface ClaimData {
  /** EventStoreDB stream name the event id belongs to. */
  readonly stream: string;
  readonly eventId: string;
}

/** One event as delivered by the client, from a stream read, an `$all` read or a subscription. */
type RecordedLike = NonNullable<ResolvedEvent['event']> | NonNullable<AllStreamResolvedEvent['event']>;

/**
 * Event store on an EventStoreDB / KurrentDB (24+) server, through the official gRPC client.
 *
 * Mapping (see docs/eventstoredb-tests.md):
 * - stream id `s` → EventStoreDB stream `${streamPrefix}s`;
 * - event id → the EventStoreDB event id when it is a UUID, else a UUID v5 derived from it; the
 *   original id travels in the metadata so reads return it unchanged;
 * - revision → the stream revision; position → the `$all` commit position (a byte offset, equal to
 *   the prepare position for gRPC appends, so it is unique per event and increases in commit order);
 * - recordedAt → this adapter's clock at append time, stored in the metadata, because the hash chain
 *   covers recordedAt and must be computed before the server assigns its own `created` timestamp;
 * - prevHash/hash → stored in the metadata, computed over the event as a reader gets it back.
 *
 * EventStoreDB event ids are unique per stream position, not globally. The port's "an event id
 * exists at most once in the whole store" is enforced with one claim stream per event id
 * (`${claimStreamPrefix}<uuid>`), written before the event itself; EventStoreDB has no multi-stream
 * transactions, so see `append` for what that leaves open.
 */
export class EventStoreDbEventStore implements EventStore, CheckpointLog {
  private closed = false;
  private readonly subscriptions = new Set<EventStoreDbSubscription>();
  private readonly commitListeners = new Set<() => void>();
  private readonly clock: () => Date;
  private readonly prefix: string;
  private readonly claimPrefix: string;
  private readonly checkpointStream: string;

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly target: string,
    options: EventStoreDbEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.prefix = options.streamPrefix ?? 'ledger:';
    this.claimPrefix = options.claimStreamPrefix ?? 'ledger-id:';
    for (const prefix of [this.prefix, this.claimPrefix]) {
      if (prefix.length === 0 || prefix.startsWith('$')) {
        throw new RangeError(`stream prefixes must be non-empty and must not start with '$', got '${prefix}'`);
      }
    }
    if (this.prefix.startsWith(this.claimPrefix) || this.claimPrefix.startsWith(this.prefix)) {
      throw new RangeError(`streamPrefix '${this.prefix}' and claimStreamPrefix '${this.claimPrefix}' overlap`);
    }
    this.checkpointStream = options.checkpointStream ?? 'ledger-checkpoints';
    if (
      this.checkpointStream.length === 0 ||
      this.checkpointStream.startsWith('$') ||
      this.checkpointStream.startsWith(this.prefix) ||
      this.checkpointStream.startsWith(this.claimPrefix)
    ) {
      throw new RangeError(
        `checkpointStream '${this.checkpointStream}' must be non-empty, must not start with '$', and must not start with '${this.prefix}' or '${this.claimPrefix}'`,
      );
    }
  }

  /** Connects and checks that the server answers, so a wrong connection string fails here and not on first use. */
  static async open(options: EventStoreDbEventStoreOptions): Promise<EventStoreDbEventStore> {
    const client = EventStoreDBClient.connectionString(options.connectionString);
    try {
      const store = new EventStoreDbEventStore(client, redactCredentials(options.connectionString), options);
      await store.headNow();
      return store;
    } catch (error) {
      await client.dispose().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Steps, repeated from the top when EventStoreDB reports a concurrent write and the caller accepts
   * any revision:
   * 1. reject an id given twice in this append;
   * 2. look up the claim stream of every id: claimed for another stream → DuplicateEventIdError;
   *    claimed for this stream → read the stream and apply the idempotency rule of the SQL adapters
   *    (exact retry → the original result, anything else → DuplicateEventIdError);
   * 3. read the stream's last event (revision and hash) and check the caller's expected revision;
   * 4. claim the new ids (append to each claim stream with NO_STREAM; the claim event id is derived
   *    from event id + stream, so EventStoreDB itself answers a retried claim idempotently);
   * 5. append with the exact revision read in step 3 (also for 'any' and 'stream-exists'), so the
   *    prevHash taken from that event cannot be outdated when the append succeeds.
   *
   * Known gap: a claim is not atomic with its append. If the append then fails (a concurrent writer
   * won, or the process dies in between), the claim stays: the id can still be appended to the
   * stream it was claimed for, but appending it to any other stream raises DuplicateEventIdError
   * although the event is stored nowhere. Events written to our streams by other clients, bypassing
   * claims, are not covered by the cross-stream check.
   */
  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) {
      throw new RangeError(`append to ${streamId}: no events given`);
    }
    const seen = new Set<string>();
    for (const event of events) {
      if (seen.has(event.eventId)) {
        throw new DuplicateEventIdError(event.eventId, streamId);
      }
      seen.add(event.eventId);
    }
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.tryAppend(streamId, events, expected);
      if (outcome.kind === 'done') {
        if (outcome.wrote) {
          this.announceCommit();
        }
        return outcome.result;
      }
      // Only a head that moved under an expectation that still holds is worth another attempt.
      const retriable = expected === 'any' || (expected === 'stream-exists' && outcome.actual !== 'no-stream');
      if (!retriable || attempt >= MAX_APPEND_ATTEMPTS) {
        throw new WrongExpectedRevisionError(streamId, expected, outcome.actual);
      }
      // Another writer moved the stream between our read of its head and our append: jittered
      // back-off so that a crowd of 'any' writers on one stream does not retry in lockstep.
      await sleep(Math.random() * Math.min(100, 5 * attempt));
    }
  }

  /**
   * Optimistic concurrency on the checkpoint stream: read its last checkpoint, decide, then append
   * with that exact revision as the expected one. A concurrent writer makes the append fail with a
   * wrong expected version; the whole decision is then taken again on the new head, so of two calls
   * with one tree size exactly one answers true, and a smaller tree size that lost the race gets
   * CheckpointOrderError.
   */
  async appendCheckpoint(checkpoint: SignedCheckpoint): Promise<boolean> {
    this.assertOpen();
    assertCheckpointShape(checkpoint);
    const fields = toSignedCheckpoint(checkpoint);
    for (let attempt = 1; ; attempt++) {
      const last = await this.checkpointAtOrAfter(END);
      if (last !== undefined && fields.treeSize <= last.checkpoint.treeSize) {
        if (fields.treeSize === last.checkpoint.treeSize) return false;
        const covering = await this.checkpointCovering(fields.treeSize);
        if (covering?.treeSize === fields.treeSize) return false;
        throw new CheckpointOrderError(fields.treeSize, last.checkpoint.treeSize);
      }
      const expectedRevision: AppendExpectedRevision = last === undefined ? NO_STREAM : BigInt(last.revision);
      try {
        await this.client.appendToStream(
          this.checkpointStream,
          jsonEvent({
            // Fresh per call, not derived from the tree size: EventStoreDB would answer a second
            // writer's same id at the same expected revision as an idempotent success, and that
            // caller would be told true for a checkpoint that is not the stored one.
            id: randomUUID(),
            type: CHECKPOINT_EVENT_TYPE,
            data: { ...fields },
            metadata: { ledgerCheckpoint: FORMAT_VERSION },
          }),
          { expectedRevision },
        );
        return true;
      } catch (error) {
        if (!isErrorType(error, ErrorType.WRONG_EXPECTED_VERSION) || attempt >= MAX_CHECKPOINT_ATTEMPTS) throw error;
        await sleep(Math.random() * Math.min(100, 5 * attempt));
      }
    }
  }

  async listCheckpoints(options?: { readonly fromTreeSize?: number; readonly limit?: number }): Promise<SignedCheckpoint[]> {
    this.assertOpen();
    const { fromTreeSize, limit } = checkpointPage(options);
    const first = await this.firstCheckpointFrom(fromTreeSize);
    if (first === undefined) return [];
    const recorded = await this.readStreamRaw(this.checkpointStream, {
      fromRevision: BigInt(first.revision),
      ...(limit === undefined ? {} : { maxCount: limit }),
      direction: FORWARDS,
    });
    return recorded.map((event) => this.toCheckpointOrThrow(event).checkpoint);
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | undefined> {
    this.assertOpen();
    return (await this.checkpointAtOrAfter(END))?.checkpoint;
  }

  async checkpointCovering(treeSize: number): Promise<SignedCheckpoint | undefined> {
    this.assertOpen();
    if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
      throw new RangeError(`treeSize must be a non-negative integer, got ${String(treeSize)}`);
    }
    return (await this.firstCheckpointFrom(treeSize))?.checkpoint;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const from = Math.max(0, options.fromRevision ?? 0);
    if (options.maxCount !== undefined && options.maxCount <= 0) {
      return [];
    }
    const recorded = await this.readStreamRaw(this.streamNameOf(streamId), {
      fromRevision: BigInt(from),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      direction: FORWARDS,
    });
    return recorded.map((event) => this.toStoredEventOrThrow(event));
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const { maxCount } = options;
    if (!Number.isInteger(maxCount) || maxCount <= 0) {
      throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
    }
    const after = options.after ?? -1;
    const out: StoredEvent[] = [];
    let cursor = after;
    for (;;) {
      // `fromPosition` is inclusive, hence one extra event for the one at the cursor itself. Reading
      // more than maxCount pays off because `$all` interleaves claims, system and projection events.
      const batch = Math.min(SCAN_BATCH, Math.max(4 * maxCount, 32)) + 1;
      const page = await collect(
        this.client.readAll({ fromPosition: cursor < 0 ? START : positionOf(cursor), maxCount: batch, direction: FORWARDS }),
      );
      for (const resolved of page) {
        const recorded = resolved.event;
        if (recorded === undefined) {
          continue;
        }
        const position = toNumberPosition(recorded.position?.commit ?? resolved.commitPosition ?? 0n);
        if (position <= cursor) {
          continue;
        }
        cursor = position;
        const stored = this.toStoredEvent(recorded);
        if (stored !== undefined && stored.position > after) {
          out.push(stored);
          if (out.length === maxCount) {
            return out;
          }
        }
      }
      if (page.length < batch) {
        return out;
      }
    }
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.headNow();
  }

  subscribeToAll(
    handler: PageHandler,
    options: SubscribeOptions & { onError?: (error: unknown) => void } = {},
  ): Subscription {
    this.assertOpen();
    const subscription = new EventStoreDbSubscription(handler, options, {
      subscribe: (after) =>
        this.client.subscribeToAll({
          fromPosition: after < 0 ? START : positionOf(after),
          filter: excludeSystemEvents(),
        }),
      toStoredEvent: (resolved) => (resolved.event === undefined ? undefined : this.toStoredEvent(resolved.event)),
      onStopped: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async status(): Promise<{ store: string; ok: boolean; headPosition: number; detail?: string }> {
    if (this.closed) {
      return { store: 'eventstoredb', ok: false, headPosition: -1, detail: 'closed' };
    }
    try {
      return { store: 'eventstoredb', ok: true, headPosition: await this.headNow(), detail: this.target };
    } catch (error) {
      return {
        store: 'eventstoredb',
        ok: false,
        headPosition: -1,
        detail: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /** Stops all subscriptions, then closes the gRPC channel. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  /**
   * Calls `listener` after every append of this instance that wrote events. Subscriptions of this
   * adapter are pushed by the server and need no wake-up; this exists for readers outside the store
   * (the projection worker). Returns the unsubscribe function.
   */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Tells the onCommit listeners that new events may be in the store. */
  announceCommit(): void {
    for (const listener of [...this.commitListeners]) {
      listener();
    }
  }

  private async tryAppend(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<{ kind: 'done'; result: AppendResult; wrote: boolean } | { kind: 'conflict'; actual: number | 'no-stream' }> {
    const stream = this.streamNameOf(streamId);
    const ids = events.map((e) => toEsdbEventId(e.eventId));

    // Step 2: who owns each id?
    const owners = await Promise.all(ids.map((id) => this.claimOwner(id)));
    owners.forEach((owner, i) => {
      if (owner !== undefined && owner !== stream) {
        throw new DuplicateEventIdError(events[i]!.eventId, streamId);
      }
    });
    if (owners.some((owner) => owner === stream)) {
      const retried = await this.idempotentResult(streamId, events, expected);
      if (retried !== undefined) {
        return { kind: 'done', result: retried, wrote: false };
      }
    }

    // Step 3: the head of the stream, and the caller's expectation checked against it.
    const head = await this.lastEventOf(stream);
    const current = head?.revision ?? NO_STREAM_REVISION;
    if (!matchesExpected(expected, current)) {
      return { kind: 'conflict', actual: current === NO_STREAM_REVISION ? 'no-stream' : current };
    }

    // Step 4: claims for the ids not yet claimed by this stream.
    await Promise.all(
      ids.map(async (id, i) => {
        if (owners[i] === stream) {
          return;
        }
        const owner = await this.claim(id, stream, events[i]!.eventId);
        if (owner !== stream) {
          throw new DuplicateEventIdError(events[i]!.eventId, streamId);
        }
      }),
    );

    // Step 5: the append, with the hash chain continued from the head read in step 3.
    const recordedAt = this.clock().toISOString();
    const proposed = chainEvents(streamId, current, head?.prevHashForNext ?? GENESIS_HASH, events, recordedAt).map(({ event, data, metadata, prevHash, hash }, i) => {
      const stored: StoredMetadata = {
        $correlationId: metadata.correlationId,
        $causationId: metadata.causationId,
        ledger: {
          v: FORMAT_VERSION,
          eventId: event.eventId,
          schemaVersion: event.schemaVersion,
          recordedAt,
          prevHash,
          hash,
          metadata,
        },
      };
      // The client JSON-serialises data itself; its JSONType leaves out numbers, booleans and null,
      // which are valid JSON documents as well and come back unchanged.
      return jsonEvent({ id: ids[i]!, type: event.type, data: data as JSONType, metadata: stored });
    });
    const expectedRevision: AppendExpectedRevision = current === NO_STREAM_REVISION ? NO_STREAM : BigInt(current);
    try {
      await this.client.appendToStream(stream, proposed, { expectedRevision });
    } catch (error) {
      if (isErrorType(error, ErrorType.WRONG_EXPECTED_VERSION)) {
        const actual = (error as { actualVersion?: unknown }).actualVersion;
        return { kind: 'conflict', actual: typeof actual === 'bigint' ? Number(actual) : 'no-stream' };
      }
      throw error;
    }
    const lastRevision = current + events.length;
    // The position is taken from the event as read back rather than from the append response, so
    // that it is by construction the one readStream and readAll report for that event.
    const [last] = await this.readStreamRaw(stream, { fromRevision: BigInt(lastRevision), maxCount: 1, direction: FORWARDS });
    if (last === undefined || toEsdbEventIdOf(last) !== ids[ids.length - 1]) {
      throw new Error(`append to ${streamId}: revision ${lastRevision} not readable after a successful append`);
    }
    return {
      kind: 'done',
      result: { nextExpectedRevision: lastRevision, position: this.toStoredEventOrThrow(last).position },
      // EventStoreDB answers an identical append at the same revision as a success without writing;
      // announcing it anyway only costs the listeners a read.
      wrote: true,
    };
  }

  /**
   * Some ids are claimed for this stream: either a retry of an append that went through, or an
   * append that failed after claiming. Applies the SQL adapters' rule; undefined when none of the ids
   * is actually in the stream (the claims were left by a failed append).
   */
  private async idempotentResult(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | undefined> {
    const stored = await this.readStream(streamId);
    const byId = new Map(stored.map((e) => [e.eventId, e]));
    const first = byId.get(events[0]!.eventId);
    if (first === undefined) {
      const later = events.find((e) => byId.has(e.eventId));
      if (later !== undefined) {
        throw new DuplicateEventIdError(later.eventId, streamId);
      }
      return undefined;
    }
    const startsWhereExpected =
      expected === 'any' || expected === 'stream-exists'
        ? true
        : expected === 'no-stream'
          ? first.revision === 0
          : first.revision === expected + 1;
    if (!startsWhereExpected) {
      throw new DuplicateEventIdError(events[0]!.eventId, streamId);
    }
    let last = first;
    for (let i = 1; i < events.length; i++) {
      const found = byId.get(events[i]!.eventId);
      if (found === undefined || found.revision !== first.revision + i) {
        throw new DuplicateEventIdError(found === undefined ? events[0]!.eventId : events[i]!.eventId, streamId);
      }
      last = found;
    }
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  /** The EventStoreDB stream an event id is claimed for, or undefined if it is not claimed. */
  private async claimOwner(esdbEventId: string): Promise<string | undefined> {
    const [claim] = await this.readStreamRaw(this.claimStreamOf(esdbEventId), {
      fromRevision: START,
      maxCount: 1,
      direction: FORWARDS,
    });
    if (claim === undefined) {
      return undefined;
    }
    const data = claim.data as Partial<ClaimData> | undefined;
    if (typeof data?.stream !== 'string') {
      throw new Error(`claim stream ${this.claimStreamOf(esdbEventId)} holds an unreadable claim`);
    }
    return data.stream;
  }

  /** Claims an id for `stream`; returns the owner afterwards (this stream, or the one that was first). */
  private async claim(esdbEventId: string, stream: string, eventId: string): Promise<string> {
    const claimStream = this.claimStreamOf(esdbEventId);
    const data: ClaimData = { stream, eventId };
    try {
      await this.client.appendToStream(
        claimStream,
        jsonEvent({ id: uuidV5(`${esdbEventId}|${stream}`, EVENT_ID_NAMESPACE), type: CLAIM_EVENT_TYPE, data: { ...data } }),
        { expectedRevision: NO_STREAM },
      );
      return stream;
    } catch (error) {
      if (isErrorType(error, ErrorType.WRONG_EXPECTED_VERSION)) {
        const owner = await this.claimOwner(esdbEventId);
        if (owner !== undefined) {
          return owner;
        }
      }
      throw error;
    }
  }

  /** The oldest checkpoint with a tree size of at least `treeSize`: tree sizes grow with the revision. */
  private async firstCheckpointFrom(treeSize: number): Promise<{ revision: number; checkpoint: SignedCheckpoint } | undefined> {
    const entry = (found: { revision: number; checkpoint: SignedCheckpoint } | undefined) =>
      found === undefined ? undefined : { ...found, treeSize: found.checkpoint.treeSize };
    return firstCheckpointAtLeast(treeSize, entry(await this.checkpointAtOrAfter(END)), async (revision) =>
      entry(await this.checkpointAtOrAfter(BigInt(revision))),
    );
  }

  /** The checkpoint at `revision` (or the next one after it); END: the last one. */
  private async checkpointAtOrAfter(revision: bigint | typeof END): Promise<{ revision: number; checkpoint: SignedCheckpoint } | undefined> {
    const [recorded] = await this.readStreamRaw(this.checkpointStream, {
      fromRevision: revision,
      maxCount: 1,
      direction: revision === END ? BACKWARDS : FORWARDS,
    });
    return recorded === undefined ? undefined : this.toCheckpointOrThrow(recorded);
  }

  private toCheckpointOrThrow(recorded: RecordedLike): { revision: number; checkpoint: SignedCheckpoint } {
    const data = recorded.data as Partial<SignedCheckpoint> | undefined;
    if (recorded.type !== CHECKPOINT_EVENT_TYPE || typeof data !== 'object' || data === null) {
      throw new Error(`${this.checkpointStream} revision ${String(recorded.revision)} is not a checkpoint (type ${recorded.type})`);
    }
    const checkpoint = toSignedCheckpoint(data as SignedCheckpoint);
    return { revision: Number(recorded.revision), checkpoint };
  }

  /** Last event of a stream, with its hash; undefined for a stream that does not exist. */
  private async lastEventOf(stream: string): Promise<{ revision: number; prevHashForNext: string } | undefined> {
    const [last] = await this.readStreamRaw(stream, { fromRevision: END, maxCount: 1, direction: BACKWARDS });
    if (last === undefined) {
      return undefined;
    }
    const stored = this.toStoredEventOrThrow(last);
    return { revision: stored.revision, prevHashForNext: stored.hash };
  }

  private async readStreamRaw(
    stream: string,
    options: { fromRevision: bigint | typeof START | typeof END; maxCount?: number; direction: typeof FORWARDS | typeof BACKWARDS },
  ): Promise<RecordedLike[]> {
    try {
      const resolved = await collect(this.client.readStream(stream, options));
      return resolved.flatMap((r) => (r.event === undefined ? [] : [r.event]));
    } catch (error) {
      if (isErrorType(error, ErrorType.STREAM_NOT_FOUND)) {
        return [];
      }
      throw error;
    }
  }

  /** Walks `$all` backwards from the end, in bounded pages, to the last event of this adapter. */
  private async headNow(): Promise<number> {
    let from: Position | typeof END = END;
    for (;;) {
      const page: AllStreamResolvedEvent[] = await collect(this.client.readAll({ fromPosition: from, maxCount: SCAN_BATCH, direction: BACKWARDS }));
      for (const resolved of page) {
        if (resolved.event !== undefined) {
          const stored = this.toStoredEvent(resolved.event);
          if (stored !== undefined) {
            return stored.position;
          }
        }
      }
      const oldest: AllStreamResolvedEvent['event'] = page[page.length - 1]?.event;
      // The second test guards against a server that would not move backwards: never loop forever.
      if (page.length < SCAN_BATCH || oldest === undefined || (from !== END && oldest.position.commit >= from.commit)) {
        return -1;
      }
      // A backwards read from an event's own position starts just before that event.
      from = oldest.position;
    }
  }

  private streamNameOf(streamId: string): string {
    return `${this.prefix}${streamId}`;
  }

  private claimStreamOf(esdbEventId: string): string {
    return `${this.claimPrefix}${esdbEventId}`;
  }

  /** Undefined for anything this adapter did not write: system events, claims, other applications' events. */
  private toStoredEvent(recorded: RecordedLike): StoredEvent | undefined {
    if (!recorded.streamId.startsWith(this.prefix) || !recorded.isJson) {
      return undefined;
    }
    const stored = recorded.metadata as Partial<StoredMetadata> | undefined;
    const ledger = stored?.ledger;
    if (ledger === undefined || ledger.v !== FORMAT_VERSION) {
      return undefined;
    }
    if (recorded.position === undefined) {
      throw new Error(
        `event ${ledger.eventId} in ${recorded.streamId} was read without its $all position (EventStoreDB 22.6 or later is required)`,
      );
    }
    return {
      streamId: recorded.streamId.slice(this.prefix.length),
      revision: Number(recorded.revision),
      position: toNumberPosition(recorded.position.commit),
      eventId: ledger.eventId,
      type: recorded.type,
      schemaVersion: ledger.schemaVersion,
      data: recorded.data,
      metadata: ledger.metadata,
      recordedAt: ledger.recordedAt,
      prevHash: ledger.prevHash,
      hash: ledger.hash,
    };
  }

  private toStoredEventOrThrow(recorded: RecordedLike): StoredEvent {
    const stored = this.toStoredEvent(recorded);
    if (stored === undefined) {
      throw new Error(`event ${recorded.id} in ${recorded.streamId} was not written by this adapter`);
    }
    return stored;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error('EventStoreDbEventStore is closed');
    }
  }
}

interface SubscriptionSource {
  readonly subscribe: (after: number) => AllStreamSubscription;
  readonly toStoredEvent: (resolved: AllStreamResolvedEvent) => StoredEvent | undefined;
  readonly onStopped: () => void;
}

/**
 * A catch-up subscription to `$all` that delivers pages strictly one after another. A page closes
 * when it is full or when the client has no further event buffered, so live events are not held
 * back. While the handler runs, the gRPC stream's flow control holds the server back. When the
 * server or the connection drops the subscription, it resubscribes from the last delivered position.
 */
class EventStoreDbSubscription implements Subscription {
  private stopped = false;
  private current: AllStreamSubscription | undefined;
  private wakeBackOff: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly handler: PageHandler,
    private readonly options: SubscribeOptions & { onError?: (error: unknown) => void },
    private readonly source: SubscriptionSource,
  ) {
    this.done = this.run();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wakeBackOff?.();
    const current = this.current;
    if (current !== undefined) {
      await current.unsubscribe().catch(() => undefined);
      // Cancelling the gRPC call does not end the client's readable (the cancellation error is
      // swallowed and never piped through), so the loop would wait for the next event forever.
      current.destroy();
    }
    await this.done;
  }

  private async run(): Promise<void> {
    let checkpoint = this.options.after ?? -1;
    const pageSize = Math.max(1, this.options.pageSize ?? 500);
    let backOffMs = 100;
    try {
      // Let subscribeToAll return before the first page is handled.
      await Promise.resolve();
      while (!this.stopped) {
        const subscription = this.source.subscribe(checkpoint);
        this.current = subscription;
        // A dropped connection surfaces as an error of the readable; nobody listening would crash the process.
        subscription.on('error', () => undefined);
        let page: StoredEvent[] = [];
        try {
          for await (const resolved of subscription) {
            if (this.stopped) {
              break;
            }
            const stored = this.source.toStoredEvent(resolved);
            // The subscription's fromPosition is a resume point; `> checkpoint` makes it exclusive
            // whatever the server does with the event sitting at it.
            if (stored !== undefined && stored.position > checkpoint && stored.position > (page.at(-1)?.position ?? -1)) {
              page.push(stored);
            }
            if (page.length > 0 && (page.length >= pageSize || subscription.readableLength === 0)) {
              const delivered = page;
              page = [];
              await this.deliver(delivered);
              checkpoint = delivered[delivered.length - 1]!.position;
              backOffMs = 100;
            }
          }
        } catch (error) {
          if (error instanceof HandlerError) {
            throw error.cause;
          }
          // Dropped: fall through to resubscribe from the checkpoint after a back-off.
        } finally {
          await subscription.unsubscribe().catch(() => undefined);
          subscription.destroy();
        }
        if (!this.stopped) {
          await this.backOff(backOffMs);
          backOffMs = Math.min(backOffMs * 2, 5_000);
        }
      }
    } catch (error) {
      if (!this.stopped) {
        this.stopped = true;
        this.options.onError?.(error);
      }
    } finally {
      this.current = undefined;
      this.source.onStopped();
    }
  }

  /** Tells a handler failure (stop, report) apart from a dropped subscription (resubscribe). */
  private async deliver(page: readonly StoredEvent[]): Promise<void> {
    try {
      await this.handler(page);
    } catch (error) {
      throw new HandlerError(error);
    }
  }

  private backOff(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeBackOff = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeBackOff = finish;
    });
  }
}

class HandlerError extends Error {
  constructor(override readonly cause: unknown) {
    super('subscription handler failed');
  }
}

/** EventStoreDB requires UUID event ids; other ids map to a deterministic UUID v5 so retries keep their id. */
function toEsdbEventId(eventId: string): string {
  // The nil UUID is refused by the server as an event id, so it is derived like any other string.
  return isUuid(eventId) && !NIL_UUID.test(eventId) ? eventId.toLowerCase() : uuidV5(eventId, EVENT_ID_NAMESPACE);
}

const NIL_UUID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

function toEsdbEventIdOf(recorded: RecordedLike): string {
  return recorded.id.toLowerCase();
}

/** For gRPC appends every event's commit and prepare positions are its own log position. */
function positionOf(position: number): Position {
  const value = BigInt(position);
  return { commit: value, prepare: value };
}

function toNumberPosition(commit: bigint): number {
  if (commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`commit position ${commit} does not fit a JavaScript number`);
  }
  return Number(commit);
}

/** Duck-typed on `type`: the client's error classes may come from another module realm under Jest. */
function isErrorType(error: unknown, type: ErrorType): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === type;
}

async function collect<E>(read: AsyncIterable<E>): Promise<E[]> {
  const out: E[] = [];
  for await (const item of read) {
    out.push(item);
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps user and password out of GET /health. */
function redactCredentials(connectionString: string): string {
  return connectionString.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}
