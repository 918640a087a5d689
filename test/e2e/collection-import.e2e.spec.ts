import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeWindows1252 } from '#collection-import';
import { LedgerHarness, type LedgerResponse, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

interface RowResult {
  line: number;
  fate: string;
  batchId?: string;
  errors: Array<{ line: number; column: string; value: string; code: string; reason: string }>;
}
interface ImportReport {
  kind: string;
  dryRun: boolean;
  encoding: string;
  separator: string;
  decimal: string;
  language: string;
  rows: number;
  ignoredColumns: string[];
  summary: { imported: number; alreadyImported: number; wouldImport: number; errors: number; notImported: number };
  appended: boolean;
  results: RowResult[];
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/csv/${name}`, import.meta.url));

describe('CSV import of collections and residuals', () => {
  let ledger: LedgerHarness;
  let collector: RegisteredOrganisation;
  let herning: RegisteredOrganisation;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    collector = await ledger.registerOrganisation('Trasborg Indsamling', ['collector']);
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    await ledger.authoriseCollector(herning, collector.id);
    await ledger.authoriseCollector(await ledger.registerOrganisation('Holstebro Kommune', ['municipality'], '0661'), collector.id);
  });
  afterAll(async () => {
    await ledger.close();
  });

  const send = (kind: 'collections' | 'residuals', bytes: Uint8Array | string, query = '', key = collector.key, headers: Record<string, string> = {}): Promise<LedgerResponse<ImportReport>> =>
    ledger.request<ImportReport>('POST', `/imports/${kind}${query ? `?${query}` : ''}`, {
      key,
      body: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes),
      headers: { 'content-type': 'text/csv', ...headers },
    });

  it('imports a Danish Excel export (";", decimal comma, Windows-1252, 657 without its zero) exactly to the gram', async () => {
    const bytes = encodeWindows1252(fixture('danish-excel.csv').toString('utf8'));
    const before = await ledger.store.headPosition();
    const response = await send('collections', bytes);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ encoding: 'windows-1252', separator: ';', decimal: ',', language: 'da', rows: 3, ignoredColumns: [], appended: true });
    expect(response.body.summary).toEqual({ imported: 3, alreadyImported: 0, wouldImport: 0, errors: 0, notImported: 0 });
    expect(await ledger.store.headPosition()).toBe(before + 3);
    expect(Number(response.headers['ledger-position'])).toBe(before + 3);
    const batch = await ledger.get<{ massGrams: number }>(`/batches/${response.body.results[0]!.batchId}`, collector.key);
    expect(batch.body).toMatchObject({ massGrams: 1_234_567 });
  });

  it('appends nothing when the same file is imported again: every row is already imported', async () => {
    const bytes = encodeWindows1252(fixture('danish-excel.csv').toString('utf8'));
    const head = await ledger.store.headPosition();
    const dry = await send('collections', bytes, 'dryRun=true');
    expect(dry.body.summary).toMatchObject({ alreadyImported: 3, wouldImport: 0 });
    const again = await send('collections', bytes);
    expect(again.body.summary).toMatchObject({ imported: 0, alreadyImported: 3 });
    expect(again.body.appended).toBe(false);
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('imports an English CSV with a BOM, commas, a quoted thousands separator and programme tags', async () => {
    const response = await send('collections', fixture('english.csv'));
    expect(response.body).toMatchObject({ encoding: 'utf-8', separator: ',', decimal: '.', language: 'en' });
    expect(response.body.summary.imported).toBe(2);
    const batch = await ledger.get<{ massGrams: number }>(`/batches/${response.body.results[1]!.batchId}`, collector.key);
    expect(batch.body.massGrams).toBe(1_096_250);
  });

  it('reports every kind of bad row by line, column, value and reason; a dry run and all-or-nothing append nothing', async () => {
    const bytes = fixture('bad-rows.csv');
    const head = await ledger.store.headPosition();
    const dry = await send('collections', bytes, 'dryRun=true');
    expect(dry.status).toBe(200);
    const byLine = Object.fromEntries(dry.body.results.map((r) => [r.line, r.errors.map((e) => `${e.column}|${e.value}|${e.code}`)]));
    expect(byLine).toEqual({
      2: ['kommunekode|9999|unknown-kommune'],
      3: ['EAK-kode|99 99 99|bad-ewc-code'],
      4: ['vægt (kg)|-3|negative-weight'],
      5: ['vægt (kg)|ti|not-a-number'],
      6: ['dato|01-01-2099|future-date'],
      7: [],
      8: ['||duplicate-row'],
      9: ['vægt (kg)|1000000,001|weight-above-maximum'],
      // Found by the ledger's own decision, not the file reader: the collector is not authorised for København.
      10: ['kommunekode|0101|collector-not-authorised'],
      11: ['vægt (kg)||missing-value'],
      12: ['dato|1999-12-31|date-before-earliest'],
      13: [],
    });
    expect(dry.body.summary).toMatchObject({ wouldImport: 2, errors: 10 });
    expect(dry.body.results.every((r) => r.errors.every((e) => e.reason.length > 10))).toBe(true);

    const allOrNothing = await send('collections', bytes);
    expect(allOrNothing.body.summary).toMatchObject({ imported: 0, notImported: 2, errors: 10 });
    expect(allOrNothing.body.appended).toBe(false);
    expect(await ledger.store.headPosition()).toBe(head);

    const csv = await send('collections', bytes, 'dryRun=true', collector.key, { accept: 'text/csv' });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = String(csv.body).replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('kommunekode;ordning;EAK-kode;vægt (kg);dato;vejeseddel;linje;fejl');
    expect(lines).toHaveLength(11);
    expect(lines[3]).toMatch(/^0657;kerbside;20 01 11;'-3;2025-03-10;B-3;4;vægt \(kg\): the weight -3 is negative$/);
  });

  it('in valid-rows mode imports the valid rows, and a corrected file then adds only the corrected rows', async () => {
    const bad = fixture('bad-rows.csv').toString('utf8');
    const first = await send('collections', bad, 'mode=valid-rows');
    expect(first.body.summary).toMatchObject({ imported: 2, errors: 10 });
    const head = await ledger.store.headPosition();
    const corrected = bad.replace('9999;', '0661;').replace(';-3;', ';3;').replace(';ti;', ';10,5;').replace('B-6\n0657;kerbside;20 01 11;10;2025-03-10;B-6', 'B-6\n0657;kerbside;20 01 11;10;2025-03-10;B-7');
    const second = await send('collections', corrected, 'mode=valid-rows');
    expect(second.body.summary).toMatchObject({ imported: 4, alreadyImported: 2, errors: 6 });
    expect(await ledger.store.headPosition()).toBe(head + 4);
  });

  it('refuses a file without a required column in every row, and an unclosed quote as malformed CSV', async () => {
    const missing = await send('collections', 'kommunekode;ordning;vægt (kg);dato\n0657;kerbside;1;2025-03-10\n', 'dryRun=true');
    expect(missing.body.results[0]!.errors).toEqual([expect.objectContaining({ line: 2, column: 'EAK-kode', code: 'missing-column' })]);
    const malformed = await send('collections', 'kommunekode;ordning\n"0657;kerbside\n');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'malformed-csv' });
  });

  it('imports residual registrations with their composition', async () => {
    const response = await send('residuals', fixture('residuals.csv'));
    expect(response.body.summary.imported).toBe(2);
    const batch = await ledger.get<{ massGrams: number }>(`/batches/${response.body.results[0]!.batchId}`, collector.key);
    expect(batch.body.massGrams).toBe(1_250_000);
  });

  it('answers 415 for text/csv on a JSON route and JSON on an import route, and 413 beyond 32 MiB, appending nothing', async () => {
    const head = await ledger.store.headPosition();
    const onJsonRoute = await ledger.request<{ code: string }>('POST', '/batches/collections', { key: collector.key, body: Buffer.from('a;b\n'), headers: { 'content-type': 'text/csv' } });
    expect(onJsonRoute.status).toBe(415);
    expect(onJsonRoute.headers['content-type']).toMatch(/problem\+json/);
    const json = await ledger.post<{ code: string }>('/imports/collections', { rows: [] }, collector.key);
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('unsupported-media-type');
    const row = '0657;kerbside;20 01 11;1;2025-03-10\n';
    const huge = Buffer.from(`kommunekode;ordning;EAK-kode;vægt (kg);dato\n${row.repeat(Math.ceil((32 * 1024 * 1024) / row.length) + 1)}`);
    const tooLarge = await ledger.request<{ code: string }>('POST', '/imports/collections', { key: collector.key, body: huge, headers: { 'content-type': 'text/csv' } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('body-too-large');
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('given a spreadsheet declared as Windows-1252 in its media type, when it is imported, then the declared charset decides; a charset it cannot read is a 415', async () => {
    // Bytes that are valid UTF-8 too: only the declared charset makes them Windows-1252.
    const declared = await send('collections', 'kommunekode;ordning;EAK-kode;vægt (kg);dato\n0657;kerbside;20 01 11;2;2025-03-12\n', 'dryRun=true', collector.key, { 'content-type': 'text/csv; charset=windows-1252' });
    expect(declared.status).toBe(200);
    expect(declared.body).toMatchObject({ encoding: 'windows-1252' });
    const head = await ledger.store.headPosition();
    const unreadable = await send('collections', 'kommunekode;ordning;EAK-kode;vægt (kg);dato\n', '', collector.key, { 'content-type': 'text/csv; charset=koi8-r' });
    expect(unreadable.status).toBe(415);
    expect((unreadable.body as unknown as { code: string }).code).toBe('unsupported-charset');
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('refuses, row by row, the collections of an organisation that is neither the municipality nor a collector, as the bulk endpoint does', async () => {
    const brand = await ledger.registerOrganisation('Butik', ['brand']);
    const head = await ledger.store.headPosition();
    const response = await send('collections', fixture('english.csv'), 'mode=valid-rows', brand.key);
    expect(response.status).toBe(200);
    expect(response.body.results.map((r) => r.errors.map((e) => e.code))).toEqual([['not-collecting-party'], ['not-collecting-party']]);
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('refuses an auditor (read-only) before reading the file', async () => {
    const auditor = await ledger.registerOrganisation('Revisor', ['auditor']);
    const response = await send('collections', fixture('english.csv'), '', auditor.key);
    expect(response.status).toBe(403);
    expect((response.body as unknown as { code: string }).code).toBe('read-only-role');
  });
});
