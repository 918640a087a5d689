import type { EventStore, EventToAppend, ExpectedRevision } from '#event-store';
import { commandEventId } from '#domain';
import type { Scenario, ScenarioEvent } from './scenario-generator.js';

export interface AppendScenarioOptions {
  /**
   * Appends in flight at once (default 1: one after another). Above 1, up to that many consecutive
   * appends are issued without waiting, so a group-committing store (SqliteEventStore) writes them
   * in one transaction. That keeps the scenario's order only if the store commits concurrent appends
   * in call order, as SqliteEventStore's FIFO queue does; every result is checked, and a store that
   * reorders makes this throw rather than record a history with effects before their causes.
   */
  readonly concurrency?: number;
  /** Called after each window with the events appended so far. */
  readonly onProgress?: (appended: number, total: number) => void;
}

export interface AppendScenarioResult {
  /** Append calls made: one per command and stream (a multi-event command is one atomic append). */
  readonly appends: number;
  readonly events: number;
  /** Global position of the last event written. */
  readonly lastPosition: number;
}

interface AppendCall {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly events: EventToAppend[];
}

/**
 * The events one command decided were one atomic append in the ledger (e.g. OrganisationRegistered
 * + ApiKeyIssued), so they are appended together again. They are recognised by their ids: the n-th
 * event of a command has id commandEventId(commandId, n), which process steps (named by process,
 * step and index) never have.
 */
function toAppendCalls(events: readonly ScenarioEvent[]): AppendCall[] {
  const calls: AppendCall[] = [];
  let current: AppendCall | undefined;
  for (const { streamId, expectedRevision, event } of events) {
    if (current && current.streamId === streamId && event.eventId === commandEventId(event.metadata.commandId, current.events.length)) {
      current.events.push(event);
      continue;
    }
    current = { streamId, expected: expectedRevision, events: [event] };
    calls.push(current);
  }
  return calls;
}

/** Appends a scenario's events to a store in the scenario's order (see `concurrency`). */
export async function appendScenario(store: EventStore, scenario: Pick<Scenario, 'events'>, options: AppendScenarioOptions = {}): Promise<AppendScenarioResult> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const calls = toAppendCalls(scenario.events);
  let lastPosition = -1;
  let appended = 0;
  for (let start = 0; start < calls.length; start += concurrency) {
    const window = calls.slice(start, start + concurrency);
    const results = await Promise.all(window.map((call) => store.append(call.streamId, call.events, call.expected)));
    results.forEach((result, i) => {
      if (result.position <= lastPosition) {
        const call = window[i]!;
        throw new Error(
          `append to ${call.streamId} committed at position ${result.position}, not after ${lastPosition}: the store reordered concurrent appends; use concurrency 1`,
        );
      }
      lastPosition = result.position;
      appended += window[i]!.events.length;
    });
    options.onProgress?.(appended, scenario.events.length);
  }
  return { appends: calls.length, events: appended, lastPosition };
}
