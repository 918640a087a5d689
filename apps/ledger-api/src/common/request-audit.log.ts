import { createReadStream, mkdirSync } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { LedgerConfig, RequestAuditConfig } from '../config/ledger.config.js';
import { LEDGER_CONFIG } from '../ledger/tokens.js';

/**
 * One request: who (organisation, key id, address), what (method, route pattern, path parameters,
 * query), when (time, duration) and the outcome (status, position appended). Never a header value,
 * a request body or a response body: those are where credentials and new API keys travel.
 */
export interface RequestAuditEntry {
  readonly time: string;
  readonly requestId: string;
  readonly organisationId: string | null;
  readonly keyId: string | null;
  /** The operator behind the request when it acted as `organisationId` (impersonation), and why. */
  readonly impersonatedBy: string | null;
  readonly impersonationReason: string | null;
  readonly ip: string;
  readonly method: string;
  /** The route pattern, e.g. `/batches/:batchId/dispatch`; null when no route matched. */
  readonly route: string | null;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly status: number;
  readonly durationMs: number;
  readonly idempotencyKey: string | null;
  /** Known when the command id derives from the Idempotency-Key (command-meta.decorator.ts). */
  readonly commandId: string | null;
  /** The highest log position this request appended, and how many events; null/0 when none. */
  readonly position: number | null;
  readonly appendedEvents: number;
}

export interface RequestAuditFilter {
  readonly from: Date;
  readonly to: Date;
  readonly organisationId?: string | undefined;
  readonly limit: number;
}

/** A torn line (a crash during a write) is skipped, not an error. */
function parseLine(line: string): RequestAuditEntry | undefined {
  if (line === '') return undefined;
  try {
    return JSON.parse(line) as RequestAuditEntry;
  } catch {
    return undefined;
  }
}

async function endsWithoutNewline(file: FileHandle): Promise<boolean> {
  const { size } = await file.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await file.read(last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

/** A day's file name, `requests-YYYY-MM-DD.ndjson`; the day sorts as text in time order. */
const DAY_FILE = /^requests-(\d{4}-\d{2}-\d{2})\.ndjson$/;

/** Flush at once when this many entries wait, whatever the interval. */
const MAX_BUFFERED = 1_000;

/**
 * The request audit log (decision 016): append-only NDJSON, one file a UTC day
 * (`requests-YYYY-MM-DD.ndjson`). Entries are buffered in memory and appended and fsynced every
 * `flushIntervalMs` (or every 1,000 entries), off the request path, and on shutdown; a crash loses
 * at most the entries of the last interval.
 */
@Injectable()
export class RequestAuditLog implements OnApplicationShutdown {
  private readonly logger = new Logger('RequestAudit');
  private readonly config: RequestAuditConfig;
  private buffer: RequestAuditEntry[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly checked = new Set<string>();

  constructor(@Inject(LEDGER_CONFIG) ledgerConfig: LedgerConfig) {
    this.config = ledgerConfig.requestAudit;
    if (this.enabled) {
      mkdirSync(this.config.dir, { recursive: true, mode: 0o700 });
      this.timer = setInterval(() => void this.flush(), this.config.flushIntervalMs);
      this.timer.unref();
    }
  }

  get enabled(): boolean {
    return this.config.mode === 'file';
  }

  get dir(): string {
    return this.config.dir;
  }

  record(entry: RequestAuditEntry): void {
    if (!this.enabled) return;
    this.buffer.push(entry);
    if (this.buffer.length >= MAX_BUFFERED) void this.flush();
  }

  /** Writes what is buffered; resolves once it (and every earlier flush) is on disk. */
  flush(): Promise<void> {
    const entries = this.buffer;
    this.buffer = [];
    // Chained, so files only ever grow in the order entries were recorded.
    this.writing = this.writing.then(() => this.write(entries)).catch((error: unknown) => {
      this.logger.error(`request audit entries could not be written: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.writing;
  }

  private async write(entries: readonly RequestAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const byDay = new Map<string, string[]>();
    for (const entry of entries) {
      const day = entry.time.slice(0, 10);
      const lines = byDay.get(day) ?? [];
      lines.push(JSON.stringify(entry));
      byDay.set(day, lines);
    }
    for (const [day, lines] of byDay) {
      const name = this.fileFor(day);
      // Owner only (decision 027): the log names every organisation's requests and addresses.
      const file = await open(name, 'a+', 0o600);
      try {
        const first = !this.checked.has(name);
        // The umask can only remove bits; chmod also fixes a file an older version left readable.
        if (first) await file.chmod(0o600);
        // A crash during a write can leave a torn last line; end it, so the next entry stays whole.
        const torn = first && (await endsWithoutNewline(file));
        this.checked.add(name);
        await file.write(`${torn ? '\n' : ''}${lines.join('\n')}\n`);
        await file.datasync();
      } finally {
        await file.close();
      }
    }
  }

  fileFor(day: string): string {
    return path.join(this.config.dir, `requests-${day}.ndjson`);
  }

  /**
   * The days in [fromDay, toDay] that have a file, oldest first: the directory is listed once,
   * asynchronously, whatever the range (decision 026), instead of asking for a file per day.
   */
  async daysWithEntries(fromDay: string, toDay: string): Promise<string[]> {
    const names = await readdir(this.config.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const days: string[] = [];
    for (const name of names) {
      const day = DAY_FILE.exec(name)?.[1];
      if (day !== undefined && day >= fromDay && day <= toDay) days.push(day);
    }
    return days.sort();
  }

  /** Entries with from ≤ time ≤ to, oldest first, at most `limit` (+ whether more matched). */
  async read(filter: RequestAuditFilter): Promise<{ entries: RequestAuditEntry[]; truncated: boolean }> {
    await this.flush();
    const entries: RequestAuditEntry[] = [];
    const from = filter.from.toISOString();
    const to = filter.to.toISOString();
    for (const day of await this.daysWithEntries(from.slice(0, 10), to.slice(0, 10))) {
      const file = this.fileFor(day);
      const input = createReadStream(file, 'utf8');
      const lines = createInterface({ input, crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          const entry = parseLine(line);
          if (!entry) continue;
          if (entry.time < from || entry.time > to) continue;
          if (filter.organisationId !== undefined && entry.organisationId !== filter.organisationId) continue;
          if (entries.length === filter.limit) return { entries, truncated: true };
          entries.push(entry);
        }
      } finally {
        lines.close();
        input.destroy();
      }
    }
    return { entries, truncated: false };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
