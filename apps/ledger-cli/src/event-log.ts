/**
 * Export and import of the whole event log, for moving a ledger from the embedded SQLite file to
 * PostgreSQL (docs/operations.md). The file is NDJSON: a header line, then one stored event per line
 * in position order, exactly as the source store holds it (positions, revisions, recordedAt, hashes),
 * so the imported log has the same hash chain and rebuilds to byte-identical read models.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { LogImportError, LogImportVerifier, supportsVerbatimImport, type EventStore, type StoredEvent } from '#event-store';

export const EVENT_LOG_FORMAT = 'textile-ledger-event-log';
export const EVENT_LOG_VERSION = 1;

interface EventLogHeader {
  readonly format: typeof EVENT_LOG_FORMAT;
  readonly version: number;
  /** Head position of the source when the export began; the export holds every event up to it. */
  readonly headPosition: number;
}

export interface ExportSummary {
  readonly events: number;
  readonly headPosition: number;
  readonly lastHash: string | null;
}

const PAGE = 5_000;

/** Writes every event up to the source's current head. Safe while the ledger runs: later appends are left out. */
export async function exportEventLog(store: EventStore, file: string, onProgress?: (done: number, total: number) => void): Promise<ExportSummary> {
  const headPosition = await store.headPosition();
  const out = createWriteStream(file, { encoding: 'utf8' });
  const write = async (line: string): Promise<void> => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  const header: EventLogHeader = { format: EVENT_LOG_FORMAT, version: EVENT_LOG_VERSION, headPosition };
  await write(JSON.stringify(header));
  let after = -1;
  let events = 0;
  let lastHash: string | null = null;
  while (after < headPosition) {
    const page = await store.readAll({ after, maxCount: PAGE });
    if (page.length === 0) break;
    for (const event of page) {
      if (event.position > headPosition) break;
      await write(JSON.stringify(event));
      events += 1;
      lastHash = event.hash;
      after = event.position;
    }
    onProgress?.(after, headPosition);
    if (page[page.length - 1]!.position > headPosition) break;
  }
  out.end();
  await once(out, 'finish');
  return { events, headPosition, lastHash };
}

export interface ImportSummary {
  readonly events: number;
  readonly streams: number;
  readonly headPosition: number;
}

async function* readEventLog(file: string): AsyncGenerator<{ header: EventLogHeader } | { event: StoredEvent; line: number }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${n}: not valid JSON`);
    }
    if (n === 1) {
      const header = value as Partial<EventLogHeader>;
      if (header.format !== EVENT_LOG_FORMAT || header.version !== EVENT_LOG_VERSION || typeof header.headPosition !== 'number') {
        throw new Error(`${file}: not a ${EVENT_LOG_FORMAT} v${EVENT_LOG_VERSION} file`);
      }
      yield { header: header as EventLogHeader };
    } else {
      yield { event: value as StoredEvent, line: n };
    }
  }
}

/**
 * Imports into an EMPTY store. First pass: verifies the whole file (consecutive positions, every
 * stream's chain and every hash, the event count against the header) and writes nothing if anything
 * is wrong. Second pass: writes it in transactions of 5,000 events.
 */
export async function importEventLog(store: EventStore, file: string, onProgress?: (done: number, total: number) => void): Promise<ImportSummary> {
  if (!supportsVerbatimImport(store)) throw new Error('this event store cannot import a log verbatim');
  const head = await store.headPosition();
  if (head !== -1) throw new Error(`the target event log is not empty (head position ${head}): import only into a new store`);
  const verified = await verifyEventLog(file, 'nothing was imported');
  const { headPosition } = verified;

  let batch: StoredEvent[] = [];
  for await (const item of readEventLog(file)) {
    if (!('event' in item)) continue;
    batch.push(item.event);
    if (batch.length === PAGE) {
      await store.importVerbatim(batch);
      onProgress?.(batch[batch.length - 1]!.position, headPosition);
      batch = [];
    }
  }
  if (batch.length > 0) {
    await store.importVerbatim(batch);
    onProgress?.(batch[batch.length - 1]!.position, headPosition);
  }
  return verified;
}

/**
 * Checks a log file with no store at all: consecutive positions, every stream's chain and every
 * hash, and the event count against the header (a truncated file fails). For backups and transfers.
 */
export async function verifyEventLog(file: string, consequence = 'the file is not a faithful log'): Promise<ImportSummary> {
  const verifier = new LogImportVerifier(0);
  let header: EventLogHeader | undefined;
  for await (const item of readEventLog(file)) {
    if ('header' in item) {
      header = item.header;
      continue;
    }
    try {
      verifier.check(item.event);
    } catch (error) {
      if (error instanceof LogImportError) throw new Error(`${file}:${item.line}: ${error.message}; ${consequence}`);
      throw error;
    }
  }
  if (!header) throw new Error(`${file}: empty file`);
  if (verifier.events !== header.headPosition + 1) {
    throw new Error(`${file}: holds ${verifier.events} events but its header promises ${header.headPosition + 1} (truncated?); ${consequence}`);
  }
  return { events: verifier.events, streams: verifier.streams, headPosition: header.headPosition };
}
