/**
 * Export and import of the whole event log, for moving a ledger from the embedded SQLite file to
 * PostgreSQL (docs/operations.md). The file is NDJSON: a header line, then one stored event per line
 * in position order, exactly as the source store holds it (positions, revisions, recordedAt, hashes),
 * so the imported log has the same hash chain and rebuilds to byte-identical read models.
 *
 * Version 2 carries the signed checkpoints the export covers, right after the header: they are
 * evidence and move with the log. `events verify` checks every one of their Merkle roots against the
 * events (signatures need the key: `ledger verify` after the import checks those).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import {
  LogImportError,
  LogImportVerifier,
  MerkleFrontier,
  ledgerLeafHash,
  supportsCheckpoints,
  supportsVerbatimImport,
  type EventStore,
  type SignedCheckpoint,
  type StoredEvent,
} from '#event-store';

export const EVENT_LOG_FORMAT = 'textile-ledger-event-log';
export const EVENT_LOG_VERSION = 2;
const READABLE_VERSIONS = new Set([1, 2]);

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
  if (supportsCheckpoints(store)) {
    // Positions are gap-free on the stores that export, so the first head+1 events are the export.
    for (const checkpoint of await store.listCheckpoints()) {
      if (checkpoint.treeSize <= headPosition + 1) await write(JSON.stringify({ checkpoint }));
    }
  }
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
  /** Signed checkpoints carried by the file, each checked against the events' Merkle root. */
  readonly checkpoints: number;
}

async function* readEventLog(file: string): AsyncGenerator<{ header: EventLogHeader } | { event: StoredEvent; line: number } | { checkpoint: SignedCheckpoint; line: number }> {
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
      if (header.format !== EVENT_LOG_FORMAT || !READABLE_VERSIONS.has(Number(header.version)) || typeof header.headPosition !== 'number') {
        throw new Error(`${file}: not a ${EVENT_LOG_FORMAT} v1 or v2 file`);
      }
      yield { header: header as EventLogHeader };
    } else if (typeof value === 'object' && value !== null && 'checkpoint' in value) {
      yield { checkpoint: (value as { checkpoint: SignedCheckpoint }).checkpoint, line: n };
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
  const checkpoints: SignedCheckpoint[] = [];
  for await (const item of readEventLog(file)) {
    if ('checkpoint' in item) checkpoints.push(item.checkpoint);
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
  if (checkpoints.length > 0) {
    if (!supportsCheckpoints(store)) throw new Error('the events were imported, but this event store cannot keep the file\'s signed checkpoints');
    for (const checkpoint of checkpoints) await store.appendCheckpoint(checkpoint);
  }
  return verified;
}

/**
 * Checks a log file with no store at all: consecutive positions, every stream's chain and every
 * hash, and the event count against the header (a truncated file fails). For backups and transfers.
 */
export async function verifyEventLog(file: string, consequence = 'the file is not a faithful log'): Promise<ImportSummary> {
  const verifier = new LogImportVerifier(0);
  const tree = MerkleFrontier.empty();
  const roots = new Map<number, { rootHash: string; line: number }>();
  let header: EventLogHeader | undefined;
  for await (const item of readEventLog(file)) {
    if ('header' in item) {
      header = item.header;
      continue;
    }
    if ('checkpoint' in item) {
      roots.set(item.checkpoint.treeSize, { rootHash: item.checkpoint.rootHash, line: item.line });
      continue;
    }
    try {
      verifier.check(item.event);
    } catch (error) {
      if (error instanceof LogImportError) throw new Error(`${file}:${item.line}: ${error.message}; ${consequence}`);
      throw error;
    }
    tree.append(ledgerLeafHash(item.event));
    const signed = roots.get(tree.size);
    if (signed && tree.root().toString('hex') !== signed.rootHash) {
      throw new Error(`${file}:${signed.line}: the checkpoint of ${tree.size} events does not match the Merkle root of the file's first ${tree.size} events (up to line ${item.line}); ${consequence}`);
    }
  }
  for (const [treeSize, { line }] of roots) {
    if (treeSize > tree.size) throw new Error(`${file}:${line}: a checkpoint covers ${treeSize} events but the file holds ${tree.size}; ${consequence}`);
  }
  if (!header) throw new Error(`${file}: empty file`);
  if (verifier.events !== header.headPosition + 1) {
    throw new Error(`${file}: holds ${verifier.events} events but its header promises ${header.headPosition + 1} (truncated?); ${consequence}`);
  }
  return { events: verifier.events, streams: verifier.streams, headPosition: header.headPosition, checkpoints: roots.size };
}
