import type { RowError } from './import-file.js';

/**
 * A cell a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or carriage return)
 * is written with a leading apostrophe, so that a file handed back never executes what it carries
 * (OWASP "CSV injection"). The apostrophe shows; the value is still readable and correctable.
 */
export function neutraliseCell(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function csvCell(cell: string): string {
  const safe = neutraliseCell(cell);
  return /[";,\r\n\t]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line, every cell quoted where needed and neutralised. */
export function csvLine(cells: readonly string[], separator: string): string {
  return cells.map(csvCell).join(separator);
}

/**
 * The rows with errors as a CSV to hand back to whoever made the file: the original header and
 * cells, the file's line, and one more column with every reason, in the file's own separator and
 * language, so that it opens in the same spreadsheet and can be corrected and imported again.
 */
export function errorReportCsv(
  header: readonly string[],
  rows: ReadonlyArray<{ readonly line: number; readonly cells: readonly string[]; readonly errors: readonly RowError[] }>,
  options: { separator: string; language: 'da' | 'en' },
): string {
  const extra = options.language === 'da' ? ['linje', 'fejl'] : ['line', 'error'];
  const lines = [csvLine([...header, ...extra], options.separator)];
  for (const row of rows) {
    if (row.errors.length === 0) continue;
    const padded = header.map((_, index) => row.cells[index] ?? '');
    const reasons = row.errors.map((e) => (e.column ? `${e.column}: ${e.reason}` : e.reason)).join(' | ');
    lines.push(csvLine([...padded, String(row.line), reasons], options.separator));
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
