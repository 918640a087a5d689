import { CURRENT_SCHEMA_VERSION, commandEventId, type DomainEvent } from '#domain';
import { DuplicateEventIdError, NO_STREAM_REVISION, WrongExpectedRevisionError, type EventStore, type StoredEvent } from '#event-store';
import { Inject, Injectable } from '@nestjs/common';
import { eventMetadataOf, type CommandMetadata } from './command-metadata.js';
import { EVENT_STORE } from './tokens.js';

export interface CommandResult {
  readonly streamId: string;
  readonly eventIds: readonly string[];
  readonly eventTypes: readonly string[];
  /** Global position of the last event written; read models include the command once they reach it. */
  readonly position: number;
  /** True when this was a retry of a command the ledger had already recorded. */
  readonly replayed: boolean;
}

const MAX_ATTEMPTS = 5;

/**
 * The path of every single-stream command: load → fold → decide (pure) → append with the expected
 * revision. On a version conflict the stream is read again and the command decided again: that is
 * always safe, because the decision re-checks every rule against the fresh state.
 */
@Injectable()
export class CommandExecutor {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute<S>(
    streamId: string,
    fold: (events: readonly StoredEvent[]) => S,
    decide: (state: S) => DomainEvent[] | Promise<DomainEvent[]>,
    meta: CommandMetadata,
    options: { createsStream?: boolean } = {},
  ): Promise<CommandResult> {
    for (let attempt = 1; ; attempt += 1) {
      // A command that creates its stream needs no read: the 'no-stream' append checks atomically
      // that the stream is new, and only after a conflict do we read (to replay a retry, or refuse).
      const events = options.createsStream && attempt === 1 ? [] : await this.store.readStream(streamId);
      const previous = events.filter((e) => e.metadata.commandId === meta.commandId);
      if (previous.length > 0) {
        // A retry of a command already recorded answers with the first result and appends nothing.
        return {
          streamId,
          eventIds: previous.map((e) => e.eventId),
          eventTypes: previous.map((e) => e.type),
          position: previous[previous.length - 1]!.position,
          replayed: true,
        };
      }
      const decided = await decide(fold(events));
      const expected = events.length === 0 ? 'no-stream' : events[events.length - 1]!.revision;
      const toAppend = decided.map((event, index) => ({
        eventId: commandEventId(meta.commandId, index),
        type: event.type,
        schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
        data: event.data,
        metadata: eventMetadataOf(meta),
      }));
      try {
        const result = await this.store.append(streamId, toAppend, expected === NO_STREAM_REVISION ? 'no-stream' : expected);
        return { streamId, eventIds: toAppend.map((e) => e.eventId), eventTypes: toAppend.map((e) => e.type), position: result.position, replayed: false };
      } catch (error) {
        // A duplicate event id means a concurrent attempt of this very command (a client retry) was
        // stored after a revision this attempt did not read; reading again replays it.
        if ((error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }
}
