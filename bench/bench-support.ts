import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';

/** One line of bench output. Every ratio divides by a reference measured in the same run. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  reference: string;
  ratio: number;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export function emit(figure: Figure): void {
  process.stdout.write(`${JSON.stringify({ ...figure, value: round(figure.value), ratio: round(figure.ratio) })}\n`);
}

export const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/** The middle value (the upper one of an even count). */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function tempDir(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `ledger-bench-${name}-`));
}

/** A representative event row of ~290 bytes, as STACK.md's raw figures used. */
export function sampleEvent(i: number): { data: string; metadata: string } {
  return {
    data: JSON.stringify({ batchId: `0190${String(i).padStart(28, '0')}`, kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 123_456 + i, occurredAt: '2026-03-10T09:00:00+01:00' }),
    metadata: JSON.stringify({ actorOrgId: '0190aaaa-0000-7000-8000-000000000001', commandId: `c-${i}` }),
  };
}

/** Raw read in global order + JSON.parse of data and metadata: what any rebuild must at least do. */
export function rawReadAndParse(filename: string): { events: number; rate: number } {
  const db = new Database(filename, { readonly: true });
  const rows = db.prepare('SELECT data, metadata FROM events ORDER BY position');
  let n = 0;
  let checksum = 0;
  const start = performance.now();
  for (const row of rows.iterate() as Iterable<{ data: string; metadata: string }>) {
    const data = JSON.parse(row.data) as Record<string, unknown>;
    const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
    checksum += Object.keys(data).length + Object.keys(metadata).length;
    n += 1;
  }
  const rate = n / ((performance.now() - start) / 1000);
  db.close();
  if (checksum === 0) throw new Error('nothing read');
  return { events: n, rate };
}

/** p50 and p95 of `runs` timed calls, after a few untimed warm-up calls. */
export async function latency(runs: number, call: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 5; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}
