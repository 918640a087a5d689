/**
 * The CSV import's figure (decision 038): a 100,000-row spreadsheet of collections sent to
 * `POST /imports/collections` over real HTTP, in the CLI's chunks, as rows a second; against the
 * same run's bulk JSON import (`POST /batches/collections/bulk`, pages of 1,000) of the same
 * 100,000 collections on a fresh ledger. The ratio is what reading, checking and identifying the
 * rows costs over sending them as JSON.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { formatKilograms } from '#collection-import';
import { loadLedgerConfig } from '../apps/ledger-api/src/config/ledger.config.js';
import { createLedgerApp } from '../apps/ledger-api/src/ledger-app.js';
import { log, tempDir, type Figure } from './bench-support.js';

export type BenchLine = Figure;

const OPERATOR_KEY = 'tl_000000000000_bench-operator-key-with-plenty-of-entropy';
const SCHEMES = ['kerbside', 'bring-bank', 'recycling-centre', 'charity-shop'] as const;

/** Row i of the generated file: distinct by its weighbridge ticket, in date order over 2025 (about 274 a day), as a weighbridge exports them. */
export function generatedCollection(i: number): { kommuneCode: string; collectionScheme: string; ewcCode: string; massGrams: number; date: string; reference: string } {
  const day = new Date(Date.UTC(2025, 0, 1) + (Math.floor(i / 274) % 365) * 86_400_000).toISOString().slice(0, 10);
  return { kommuneCode: '0657', collectionScheme: SCHEMES[i % SCHEMES.length]!, ewcCode: i % 3 === 0 ? '20 01 10' : '20 01 11', massGrams: 1_000 + ((i * 7_919) % 2_000_000), date: day, reference: `V-${i}` };
}

/** A Danish Excel export of `rows` collections (`;`, decimal comma, dd-mm-yyyy). */
export function generatedCollectionsCsv(rows: number, from = 0): string {
  const lines = ['Kommunekode;Ordning;EAK-kode;Vægt (kg);Dato;Vejeseddel'];
  for (let i = from; i < from + rows; i += 1) {
    const c = generatedCollection(i);
    lines.push([c.kommuneCode, c.collectionScheme, c.ewcCode, formatKilograms(c.massGrams, ','), `${c.date.slice(8, 10)}-${c.date.slice(5, 7)}-${c.date.slice(0, 4)}`, c.reference].join(';'));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A ledger on a fresh data directory serving HTTP, with Herning's municipality registered: where the import benches send their rows. */
export async function withLedger<T>(use: (base: string, municipality: { id: string; key: string }) => Promise<T>): Promise<T> {
  const dir = tempDir('import');
  // The per-organisation budget of heavy work would pace one importer to 30,000 rows a minute
  // (decision 026): that is a policy, not the import's speed, so it is off here.
  const config = loadLedgerConfig({ LEDGER_DATA_DIR: dir, LEDGER_OPERATOR_KEY: OPERATOR_KEY, LEDGER_RECOVERY_INTERVAL_MS: '0', LEDGER_RATE_LIMIT_PER_MINUTE: '100000000', LEDGER_QUERY_COST_PER_MINUTE: '0' });
  const { app } = await createLedgerApp(config, { logger: false });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const registered = await fetch(`${base}/organisations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Herning Kommune', roles: ['municipality'], kommuneCode: '0657' }),
    });
    const municipality = (await registered.json()) as { organisationId: string; apiKey: string };
    if (!registered.ok) throw new Error(`registering the municipality: ${registered.status}`);
    return await use(base, { id: municipality.organisationId, key: municipality.apiKey });
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows a second of the CSV import, `chunk` rows a request, one request at a time as the CLI sends them. */
async function csvImportRate(rows: number, chunk: number): Promise<number> {
  return withLedger(async (base, { key }) => {
    const started = performance.now();
    for (let from = 0; from < rows; from += chunk) {
      const response = await fetch(`${base}/imports/collections?mode=valid-rows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
        body: generatedCollectionsCsv(Math.min(chunk, rows - from), from),
      });
      const report = (await response.json()) as { summary?: { imported: number } };
      if (!response.ok || report.summary?.imported !== Math.min(chunk, rows - from)) throw new Error(`the CSV import failed: ${response.status} ${JSON.stringify(report).slice(0, 300)}`);
    }
    return rows / ((performance.now() - started) / 1000);
  });
}

/** Rows a second of the bulk JSON import of the same collections, 1,000 a request, one at a time. */
async function bulkJsonRate(rows: number): Promise<number> {
  return withLedger(async (base, { key }) => {
    const started = performance.now();
    for (let from = 0; from < rows; from += 1_000) {
      const collections = Array.from({ length: Math.min(1_000, rows - from) }, (_, k) => {
        const c = generatedCollection(from + k);
        return { kommuneCode: c.kommuneCode, collectionScheme: c.collectionScheme, ewcCode: c.ewcCode, massGrams: c.massGrams, occurredAt: `${c.date}T00:00:00+01:00` };
      });
      const response = await fetch(`${base}/batches/collections/bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ collections }),
      });
      const answer = (await response.json()) as { succeeded?: number };
      if (!response.ok || answer.succeeded !== collections.length) throw new Error(`the bulk import failed: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
    }
    return rows / ((performance.now() - started) / 1000);
  });
}

export async function benchCollectionImport(options: { rows?: number; chunk?: number } = {}): Promise<BenchLine[]> {
  const rows = options.rows ?? 100_000;
  const chunk = options.chunk ?? 5_000;
  log(`bulk JSON import of ${rows} collections…`);
  const bulk = await bulkJsonRate(rows);
  log(`CSV import of the same ${rows} collections, ${chunk} rows a request…`);
  const csv = await csvImportRate(rows, chunk);
  return [{ name: `csv-import-${rows}-rows`, value: csv, unit: 'rows/s', reference: `bulk-json-import-${rows}-rows`, ratio: csv / bulk }];
}
