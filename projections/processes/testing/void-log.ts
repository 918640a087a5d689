/**
 * Test-only: appends the void of a completed process to an EventLog exactly as the void manager
 * writes it (decision 011). Not exported from projections/index.ts.
 */
import { expect } from '@jest/globals';
import { voidedProcess, type ProcessStarted } from '#domain';
import type { StoredEvent } from '#event-store';
import type { ProjectedEvent, Projection, ReadDb } from '../../runner/projection.js';
import { dump, project, type EventLog } from '../../testing/fixtures.js';

export interface VoidOptions {
  /**
   * `voided`: the whole void; `unrestored`: stopped between ProcessVoided and the restores;
   * `pending`: stopped after voiding the outputs; `rejected`: the first output voided, then the
   * void rejected and that output reverted; `rejected-unreverted`: rejected, revert not yet written.
   */
  readonly mode?: 'voided' | 'unrestored' | 'pending' | 'rejected' | 'rejected-unreverted';
  readonly attempt?: number;
  readonly reason?: string;
  readonly occurredAt?: string;
  /** The organisation asking (default: the one that ran the process). */
  readonly actorOrgId?: string;
}

export interface VoidRecord {
  readonly intent: StoredEvent;
  readonly voided?: StoredEvent;
  readonly outputsVoided: StoredEvent[];
  readonly restored: StoredEvent[];
}

export function voidProcess(log: EventLog, processId: string, options: VoidOptions = {}): VoidRecord {
  const stream = `process-${processId}`;
  const started = log.events.find((e) => e.streamId === stream && e.type === 'ProcessStarted')?.data as ProcessStarted | undefined;
  const completed = log.events.find((e) => e.streamId === stream && e.type === 'ProcessCompleted');
  if (!started || !completed) throw new Error(`process ${processId} is not completed in this log`);
  const attempt = options.attempt ?? 0;
  const reason = options.reason ?? 'recorded against the wrong lot';
  const occurredAt = options.occurredAt ?? log.now();
  const actor = { actorOrgId: options.actorOrgId ?? started.organisationId };
  const firstEventOf = (batchId: string) => log.events.find((e) => e.streamId === `batch-${batchId}`)!;
  const consumedEventOf = (batchId: string) =>
    log.events.filter((e) => e.streamId === `batch-${batchId}` && e.type === 'BatchConsumed' && (e.data as { processId: string }).processId === processId).at(-1)!;

  const intent = log.append(
    stream,
    {
      type: 'ProcessVoidStarted',
      data: {
        processId,
        attempt,
        correctedEventId: completed.eventId,
        reason,
        organisationId: started.organisationId,
        outputs: started.outputs.map((o) => ({ batchId: o.batchId, massGrams: o.massGrams, producedEventId: firstEventOf(o.batchId).eventId, expectedRevision: 0 })),
        inputs: started.inputs.map((i) => ({ batchId: i.batchId, massGrams: i.massGrams, consumedEventId: consumedEventOf(i.batchId).eventId })),
        occurredAt,
      },
    },
    actor,
  );
  const mode = options.mode ?? 'voided';
  const voidOutput = (batchId: string): StoredEvent =>
    log.append(`batch-${batchId}`, { type: 'BatchVoided', data: { batchId, processId, attempt, correctedEventId: firstEventOf(batchId).eventId, reason, occurredAt } }, actor);
  if (mode === 'rejected' || mode === 'rejected-unreverted') {
    const first = started.outputs[0]!.batchId;
    const outputsVoided = [voidOutput(first)];
    log.append(stream, { type: 'ProcessVoidRejected', data: { processId, attempt, reason: 'an output was used meanwhile', batchId: started.outputs[1]?.batchId ?? first } }, actor);
    if (mode === 'rejected') log.append(`batch-${first}`, { type: 'BatchVoidReverted', data: { batchId: first, processId, attempt } }, actor);
    return { intent, outputsVoided, restored: [] };
  }
  const outputsVoided = started.outputs.map((o) => voidOutput(o.batchId));
  if (mode === 'pending') return { intent, outputsVoided, restored: [] };
  const voided = log.append(
    stream,
    voidedProcess(started, { processId, attempt, correctedEventId: completed.eventId, reason, organisationId: started.organisationId, occurredAt }),
    actor,
  );
  if (mode === 'unrestored') return { intent, voided, outputsVoided, restored: [] };
  const restored = started.inputs.map((i) =>
    log.append(
      `batch-${i.batchId}`,
      { type: 'BatchRestored', data: { batchId: i.batchId, processId, correctedEventId: consumedEventOf(i.batchId).eventId, massGrams: i.massGrams, reason, occurredAt } },
      actor,
    ),
  );
  return { intent, voided, outputsVoided, restored };
}

/**
 * Projects `events` into fresh read DBs three ways: in one page; one event per page; and one event
 * per page with a restart (a fresh instance loaded from its tables) before each. A void reads rows
 * back from the tables mid-page (DeferredEvents), so all three must still write the same rows.
 * Returns the rows of the one-page run, by table.
 */
export async function expectSameRowsWhateverThePages(openDb: () => Promise<ReadDb>, make: () => Projection, events: readonly ProjectedEvent[]): Promise<Record<string, unknown[]>> {
  const run = async (mode: 'one-page' | 'event-by-event' | 'restart-each-event'): Promise<Record<string, unknown[]>> => {
    const db = await openDb();
    let projection = make();
    await projection.migrate(db);
    await projection.load(db);
    if (mode === 'one-page') {
      await project(db, projection, events);
    } else {
      for (const event of events) {
        if (mode === 'restart-each-event') {
          projection = make();
          await projection.load(db);
        }
        await project(db, projection, [event]);
      }
    }
    const rows: Record<string, unknown[]> = {};
    for (const table of projection.tables) rows[table] = await dump(db, table);
    return rows;
  };
  const onePage = await run('one-page');
  expect(await run('event-by-event')).toEqual(onePage);
  expect(await run('restart-each-event')).toEqual(onePage);
  return onePage;
}
