import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { generatedCollectionsCsv } from '../../../../bench/collection-import.bench.js';
import { LedgerHarness, type RegisteredOrganisation } from '../../../../test/fixtures/ledger-harness.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../../..');
/** The compiled CLI, as an operator runs it (`npm test` builds first). */
const CLI = path.join(root, 'dist/apps/ledger-cli/src/ledger.command.js');

interface Summary {
  rows: number;
  imported: number;
  alreadyImported: number;
  wouldImport: number;
  notImported: number;
  errors: number;
  errorsFile: string | null;
  seconds: number;
  rowsPerSecond: number;
}

/**
 * `npm run ledger -- import collections <file>` against a listening ledger: a generated 100,000-row
 * Danish Excel export (with three bad rows) sent in chunks with progress, the errors written beside
 * the file, and a second run recognising every row as imported.
 */
describe('the import command of the CLI', () => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let baseUrl: string;
  let dir: string;

  beforeAll(async () => {
    // The budget of heavy work would pace one importer to 30,000 rows a minute (decision 026); the
    // CLI waits out a 429 (its Retry-After), which this test would spend minutes on. It is a policy
    // that bulk-collection.e2e.spec.ts tests; here the import itself is under test.
    ledger = await LedgerHarness.start({ env: { LEDGER_QUERY_COST_PER_MINUTE: '0' } });
    await ledger.app.listen(0, '127.0.0.1');
    baseUrl = await ledger.app.getUrl();
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-cli-import-'));
  }, 60_000);
  afterAll(async () => {
    await ledger?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<{ code: number; summary: Summary; stderr: string }> {
    const env = { PATH: process.env.PATH, HOME: os.tmpdir(), LEDGER_URL: baseUrl, LEDGER_API_KEY: herning.key };
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, 'import', 'collections', ...args], { env, cwd: root, maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, summary: JSON.parse(stdout) as Summary, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (!failed.stdout) throw new Error(`the CLI failed: ${failed.stderr ?? String(error)}`);
      return { code: failed.code ?? -1, summary: JSON.parse(failed.stdout) as Summary, stderr: failed.stderr ?? '' };
    }
  }

  it('imports 100,000 rows with progress, writes the three bad ones beside the file, and a second run appends nothing', async () => {
    const file = path.join(dir, 'indsamlinger-2025.csv');
    const bad = ['9999;kerbside;20 01 11;1,5;01-02-2025;BAD-1', '0657;kerbside;99 99 99;1,5;01-02-2025;BAD-2', '0657;kerbside;20 01 11;-1,5;01-02-2025;BAD-3'];
    writeFileSync(file, `${generatedCollectionsCsv(100_000)}${bad.join('\r\n')}\r\n`);
    const head = await ledger.store.headPosition();

    const started = performance.now();
    const first = await cli([file, '--mode', 'valid-rows']);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`CLI import of 100,003 rows: ${seconds.toFixed(1)} s, ${first.summary.rowsPerSecond} rows/s\n`);
    expect(first.code).toBe(1);
    expect(first.summary).toMatchObject({ rows: 100_003, imported: 100_000, alreadyImported: 0, errors: 3, errorsFile: `${file}.errors.csv` });
    expect(await ledger.store.headPosition()).toBe(head + 100_000);
    // The progress line names rows, rate and time left.
    expect(first.stderr).toMatch(/importing \[[#-]{30}\] \d+\/100003 rows, \d+ rows\/s, ETA /);
    const errors = readFileSync(`${file}.errors.csv`, 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    expect(errors[0]).toBe('Kommunekode;Ordning;EAK-kode;Vægt (kg);Dato;Vejeseddel;linje;fejl');
    expect(errors.slice(1).map((line) => line.split(';').slice(-2, -1)[0])).toEqual(['100002', '100003', '100004']);

    const again = await cli([file, '--dry-run']);
    expect(again.summary).toMatchObject({ alreadyImported: 100_000, wouldImport: 0, errors: 3 });
    expect(await ledger.store.headPosition()).toBe(head + 100_000);
  }, 600_000);

  it('under all-or-nothing checks every chunk first and appends nothing when a row is bad', async () => {
    const file = path.join(dir, 'small.csv');
    writeFileSync(file, `${generatedCollectionsCsv(50, 200_000)}9999;kerbside;20 01 11;1,5;01-02-2025;BAD\r\n`);
    const head = await ledger.store.headPosition();
    const result = await cli([file, '--chunk', '20']);
    expect(result.code).toBe(1);
    expect(result.summary).toMatchObject({ rows: 51, imported: 0, notImported: 50, errors: 1 });
    expect(await ledger.store.headPosition()).toBe(head);
    writeFileSync(file, generatedCollectionsCsv(50, 200_000));
    const fixed = await cli([file, '--chunk', '20']);
    expect(fixed.code).toBe(0);
    expect(fixed.summary).toMatchObject({ imported: 50, errors: 0, errorsFile: null });
    expect(await ledger.store.headPosition()).toBe(head + 50);
  }, 120_000);
});
