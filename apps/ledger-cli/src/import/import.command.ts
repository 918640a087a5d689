import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
import { decodeCsvBytes, errorReportCsv, readImportFile, type CsvEncoding, type ImportKind, type RowError } from '#collection-import';
import { importProgress } from './import-progress.js';

export const IMPORT_USAGE = 'import collections|residuals <file.csv> [--dry-run] [--mode all-or-nothing|valid-rows] [--separator semicolon|comma|tab] [--decimal comma|point] [--encoding utf-8|windows-1252] [--chunk <rows>]   (LEDGER_URL, LEDGER_API_KEY)';

export class ImportUsageError extends Error {}

/** Rows sent in one request: small enough for a progress bar that moves, large enough to share group commits. */
const DEFAULT_CHUNK_ROWS = 5_000;
/** A refusal worth waiting for: the organisation's budget (429) or read models catching up (503). */
const MAX_RETRIES = 20;

interface RowResult {
  line: number;
  fate: 'imported' | 'already-imported' | 'would-import' | 'error' | 'not-imported';
  errors: RowError[];
}
interface ImportReport {
  separator: string;
  decimal: string;
  results: RowResult[];
}

interface Options {
  kind: ImportKind;
  file: string;
  dryRun: boolean;
  mode: 'all-or-nothing' | 'valid-rows';
  separator?: string;
  decimal?: string;
  encoding?: CsvEncoding;
  chunkRows: number;
}

function parseArgs(args: readonly string[]): Options {
  const [kind, file, ...rest] = args;
  if ((kind !== 'collections' && kind !== 'residuals') || !file) throw new ImportUsageError('import: name the kind (collections or residuals) and the file');
  const options: Options = { kind, file, dryRun: false, mode: 'all-or-nothing', chunkRows: DEFAULT_CHUNK_ROWS };
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i];
    const value = (allowed?: readonly string[]): string => {
      const next = rest[++i];
      if (next === undefined || (allowed && !allowed.includes(next))) throw new ImportUsageError(`import: ${arg} takes ${allowed ? allowed.join(' or ') : 'a value'}`);
      return next;
    };
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--mode') options.mode = value(['all-or-nothing', 'valid-rows']) as Options['mode'];
    else if (arg === '--separator') options.separator = value(['semicolon', 'comma', 'tab']);
    else if (arg === '--decimal') options.decimal = value(['comma', 'point']);
    else if (arg === '--encoding') options.encoding = value(['utf-8', 'windows-1252']) as CsvEncoding;
    else if (arg === '--chunk') {
      options.chunkRows = Number(value());
      if (!Number.isInteger(options.chunkRows) || options.chunkRows < 1) throw new ImportUsageError('import: --chunk takes a positive number of rows');
    } else throw new ImportUsageError(`import: unexpected argument ${JSON.stringify(arg)}`);
  }
  return options;
}

/** One CSV cell for the ledger, quoted: a chunk re-states the file's cells exactly, whatever they hold. */
const quoted = (cell: string) => `"${cell.replace(/"/g, '""')}"`;

const SEPARATOR_NAME: Record<string, string> = { ';': 'semicolon', ',': 'comma', '\t': 'tab' };

/**
 * `ledger import collections <file.csv>`: sends a spreadsheet to a running ledger in chunks of rows,
 * with a progress bar (rows, rate, ETA) on stderr and a summary on stdout; the rows with errors go to
 * `<file>.errors.csv` beside it. The file is read here once, whole, so that every chunk is sent with
 * the same separator and decimal mark, and a row repeated across chunks is still a duplicate. Under
 * all-or-nothing every chunk is first checked as a dry run, and nothing is sent for import unless
 * all rows passed (decision 038). Answers the exit code: 0 all rows fine, 1 rows with errors or a
 * refusal, 2 usage.
 */
export async function runImportCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parseArgs(args);
  const baseUrl = (env.LEDGER_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const apiKey = env.LEDGER_API_KEY;
  if (!apiKey) throw new ImportUsageError('import: set LEDGER_API_KEY to the API key of the importing organisation');
  const started = performance.now();

  const { text, encoding } = decodeCsvBytes(readFileSync(options.file), options.encoding);
  const separatorChar = options.separator === undefined ? undefined : ({ semicolon: ';', comma: ',', tab: '\t' } as const)[options.separator as 'semicolon'];
  const decimalChar = options.decimal === undefined ? undefined : options.decimal === 'comma' ? ',' : '.';
  // Read locally with a stand-in organisation: only to fix the separator and decimal mark for all
  // chunks and find rows repeated anywhere in the file; the ledger reads every row again itself.
  const local = readImportFile(options.kind, text, {
    organisationId: '00000000-0000-4000-8000-000000000000',
    today: '9999-12-31',
    ...(separatorChar ? { separator: separatorChar } : {}),
    ...(decimalChar ? { decimal: decimalChar } : {}),
  });
  const records = (parse(text, { delimiter: local.separator, relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][]).filter((r) => r.some((c) => c.trim() !== ''));
  const [header = [], ...rows] = records;
  if (rows.length !== local.rows.length) throw new Error('the file reads differently twice; report this as a bug');
  const duplicates = new Set(local.rows.flatMap((row, index) => (row.errors.some((e) => e.code === 'duplicate-row') ? [index] : [])));
  const errorsByIndex = new Map<number, RowError[]>();
  for (const index of duplicates) errorsByIndex.set(index, local.rows[index]!.errors.filter((e) => e.code === 'duplicate-row') as RowError[]);
  const toSend = rows.map((_, index) => index).filter((index) => !duplicates.has(index));

  const query = (dryRun: boolean) =>
    new URLSearchParams({
      dryRun: String(dryRun),
      mode: options.mode,
      separator: SEPARATOR_NAME[local.separator]!,
      decimal: local.decimal === ',' ? 'comma' : 'point',
      encoding: 'utf-8',
    });
  const send = async (indexes: readonly number[], dryRun: boolean): Promise<ImportReport> => {
    const body = [header, ...indexes.map((i) => rows[i]!)].map((cells) => cells.map(quoted).join(local.separator)).join('\n');
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(`${baseUrl}/imports/${options.kind}?${query(dryRun).toString()}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv; charset=utf-8', accept: 'application/json' },
        body,
      });
      if ((response.status === 429 || response.status === 503) && attempt < MAX_RETRIES) {
        const wait = Math.min(60, Math.max(1, Number(response.headers.get('retry-after') ?? '1')));
        process.stderr.write(`\nthe ledger asks to wait ${wait} s (${response.status}); waiting\n`);
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        continue;
      }
      const answer = (await response.json()) as ImportReport & { detail?: string; code?: string };
      if (!response.ok) throw new Error(`the ledger refused the import (${response.status} ${answer.code ?? ''}): ${answer.detail ?? ''}`);
      return answer;
    }
  };
  const fates = new Map<number, RowResult['fate']>();
  const pass = async (dryRun: boolean, label: string) => {
    const progress = importProgress(label, toSend.length);
    progress(0);
    for (let start = 0; start < toSend.length; start += options.chunkRows) {
      const chunk = toSend.slice(start, start + options.chunkRows);
      const report = await send(chunk, dryRun);
      report.results.forEach((result, k) => {
        const index = chunk[k]!;
        const line = local.rows[index]!.line;
        fates.set(index, result.fate);
        // The ledger numbers the lines of the chunk it was sent; the report names the file's own.
        if (result.errors.length > 0) errorsByIndex.set(index, result.errors.map((e) => ({ ...e, line })));
      });
      progress(Math.min(toSend.length, start + chunk.length));
    }
  };

  const checkFirst = !options.dryRun && options.mode === 'all-or-nothing';
  if (options.dryRun || checkFirst) await pass(true, 'checking');
  const anyError = errorsByIndex.size > 0;
  if (!options.dryRun && !(checkFirst && anyError)) await pass(false, 'importing');
  if (checkFirst && anyError) for (const index of toSend) if (!errorsByIndex.has(index)) fates.set(index, 'not-imported');

  const count = (fate: RowResult['fate']) => [...fates.entries()].filter(([index, f]) => f === fate && !errorsByIndex.has(index)).length;
  let errorsFile: string | null = null;
  if (errorsByIndex.size > 0) {
    errorsFile = `${options.file}.errors.csv`;
    const reportRows = rows.map((cells, index) => ({ line: local.rows[index]!.line, cells, errors: errorsByIndex.get(index) ?? [] }));
    writeFileSync(errorsFile, errorReportCsv(header, reportRows, { separator: local.separator, language: local.language }));
  }
  const seconds = Math.round(performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      command: `import ${options.kind}`,
      file: options.file,
      dryRun: options.dryRun,
      mode: options.mode,
      encoding,
      rows: rows.length,
      imported: count('imported'),
      alreadyImported: count('already-imported'),
      wouldImport: count('would-import'),
      notImported: count('not-imported'),
      errors: errorsByIndex.size,
      errorsFile,
      seconds,
      rowsPerSecond: Math.round(rows.length / Math.max(seconds, 0.001)),
    })}\n`,
  );
  return errorsByIndex.size > 0 ? 1 : 0;
}
