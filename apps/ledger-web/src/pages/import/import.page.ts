import { path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatInteger, formatTonnes } from '../../shared/format.js';
import { hrefOf } from '../../shared/router.js';
import { IMPORT_MESSAGES, type ImportMessages } from './import.messages.js';
import type { ImportReport, ImportRowResult } from './import.types.js';

/** Rows the preview table shows; the error report (CSV) holds every row with an error. */
const MAX_SHOWN_ROWS = 1_000;
/** Imported batches whose recorded weight the result reads back, to show what the ledger now holds. */
const MAX_READ_BACK = 20;

interface Choice {
  readonly name: string;
  readonly label: string;
}

function select(id: string, label: string, choices: readonly Choice[]): { field: HTMLElement; control: HTMLSelectElement } {
  const control = el('select', { attrs: { id, name: id } }, ...choices.map((choice) => el('option', { attrs: { value: choice.name } }, choice.label)));
  return { field: el('div', { class: 'import-field' }, el('label', { attrs: { for: id } }, label), control), control };
}

/**
 * `#/import`: a spreadsheet of collections or residuals, checked first (a dry run whose preview shows
 * every row's fate, and each error on its cell, in text and not by colour alone), then imported with
 * the chosen mode, then the result read back from the ledger (decision 038). The file is sent as it
 * is; the ledger reads it, so the page parses no CSV.
 */
export function importPage(context: PageContext, main: HTMLElement): void {
  const m = IMPORT_MESSAGES[context.locale];
  let file: File | undefined;
  let checked: string | undefined;

  const kindRadios = (['collections', 'residuals'] as const).map((kind, index) =>
    el(
      'div',
      { class: 'import-radio' },
      el('input', { attrs: { type: 'radio', name: 'import-kind', id: `import-kind-${kind}`, value: kind, ...(index === 0 ? { checked: '' } : {}) } }),
      el('label', { attrs: { for: `import-kind-${kind}` } }, kind === 'collections' ? m.collections : m.residuals),
    ),
  );
  const fileInput = el('input', { attrs: { type: 'file', id: 'import-file', accept: '.csv,.txt,text/csv' } });
  const chosen = el('p', { class: 'import-chosen', attrs: { 'aria-live': 'polite', 'data-testid': 'import-chosen' } });
  const dropZone = el('div', { class: 'drop-zone', attrs: { 'data-testid': 'import-drop-zone' } }, m.dropZone);
  const mode = select('import-mode', m.mode, [
    { name: 'all-or-nothing', label: m.allOrNothing },
    { name: 'valid-rows', label: m.validRows },
  ]);
  const separator = select('import-separator', m.separator, [
    { name: '', label: m.detect },
    { name: 'semicolon', label: m.semicolon },
    { name: 'comma', label: m.comma },
    { name: 'tab', label: m.tab },
  ]);
  const decimal = select('import-decimal', m.decimal, [
    { name: '', label: m.detect },
    { name: 'comma', label: m.comma },
    { name: 'point', label: m.point },
  ]);
  const encoding = select('import-encoding', m.encoding, [
    { name: '', label: m.detect },
    { name: 'utf-8', label: 'UTF-8' },
    { name: 'windows-1252', label: 'Windows-1252' },
  ]);
  const checkButton = el('button', { attrs: { type: 'button', 'data-testid': 'import-check' } }, m.check);
  const importButton = el('button', { attrs: { type: 'button', disabled: '', 'data-testid': 'import-run' } }, m.importNow);
  const downloadButton = el('button', { class: 'link-button', attrs: { type: 'button', hidden: '', 'data-testid': 'import-download' } }, m.downloadErrors);
  const status = el('p', { attrs: { role: 'status', 'data-testid': 'import-status' } });
  const results = el('section', { attrs: { 'aria-labelledby': 'import-results-title', 'data-testid': 'import-results' } });

  const kind = (): 'collections' | 'residuals' => ((main.querySelector('input[name="import-kind"]:checked') as HTMLInputElement | null)?.value === 'residuals' ? 'residuals' : 'collections');
  const query = (dryRun: boolean): string => {
    const params = new URLSearchParams({ dryRun: String(dryRun), mode: mode.control.value });
    for (const [name, control] of [['separator', separator.control], ['decimal', decimal.control], ['encoding', encoding.control]] as const) if (control.value) params.set(name, control.value);
    return `${path`/imports/${kind()}`}?${params.toString()}`;
  };
  // A check stands for one file with one set of options: changing either asks for a new check.
  const settings = (): string => `${file?.name ?? ''}/${file?.size ?? 0}/${file?.lastModified ?? 0}/${query(false)}`;
  const invalidate = (): void => {
    if (checked !== settings()) importButton.setAttribute('disabled', '');
  };
  const choose = (chosenFile: File | undefined): void => {
    file = chosenFile;
    chosen.textContent = file ? m.chosenFile(file.name, formatInteger(file.size, context.locale)) : '';
    invalidate();
  };
  fileInput.addEventListener('change', () => choose(fileInput.files?.[0]));
  dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropZone.classList.add('drop-zone-active');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('drop-zone-active'));
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('drop-zone-active');
    choose((event as DragEvent).dataTransfer?.files[0]);
  });
  for (const control of [mode.control, separator.control, decimal.control, encoding.control]) control.addEventListener('change', invalidate);
  for (const radio of main.ownerDocument.getElementsByName('import-kind')) radio.addEventListener('change', invalidate);

  const run = async (dryRun: boolean): Promise<void> => {
    if (!file) {
      status.textContent = m.noFile;
      return;
    }
    status.textContent = m.working;
    checkButton.setAttribute('disabled', '');
    importButton.setAttribute('disabled', '');
    try {
      const response = await context.api.postCsv(query(dryRun), file, 'application/json');
      const report = (await response.json()) as ImportReport;
      if (dryRun) checked = settings();
      const readBack = dryRun ? new Map<string, number>() : await recordedMasses(context, report);
      status.textContent = summaryText(m, report, context.locale);
      renderReport(results, m, report, readBack, context);
      if (report.summary.errors > 0) downloadButton.removeAttribute('hidden');
      else downloadButton.setAttribute('hidden', '');
    } catch (error) {
      status.textContent = context.t.failed(error instanceof Error ? error.message : String(error));
    } finally {
      checkButton.removeAttribute('disabled');
      if (checked === settings()) importButton.removeAttribute('disabled');
    }
  };
  checkButton.addEventListener('click', () => void run(true));
  importButton.addEventListener('click', () => void run(false));
  downloadButton.addEventListener('click', () => {
    if (!file) return;
    context.api.postCsv(query(true), file, 'text/csv').then(
      async (response) => {
        const link = el('a', { attrs: { href: URL.createObjectURL(await response.blob()), download: `${file?.name.replace(/\.[^.]*$/, '') ?? kind()}.errors.csv` } });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      },
      (error: unknown) => {
        status.textContent = context.t.failed(error instanceof Error ? error.message : String(error));
      },
    );
  });

  show(
    main,
    el('h1', {}, m.title),
    el('p', {}, m.intro),
    el(
      'form',
      { class: 'import-form', attrs: { 'data-testid': 'import-form' } },
      el('fieldset', {}, el('legend', {}, m.kind), ...kindRadios),
      el('div', { class: 'import-field' }, el('label', { attrs: { for: 'import-file' } }, m.file), fileInput),
      dropZone,
      chosen,
      el('fieldset', {}, el('legend', {}, m.options), mode.field, separator.field, decimal.field, encoding.field),
      el('div', { class: 'import-actions' }, checkButton, importButton, downloadButton),
    ),
    status,
    results,
  );
  // The form never submits: Enter in a field must not reload the page.
  main.querySelector('form')?.addEventListener('submit', (event) => event.preventDefault());
}

function summaryText(m: ImportMessages, report: ImportReport, locale: PageContext['locale']): string {
  const n = (value: number) => formatInteger(value, locale);
  const counts = m.summary({
    rows: n(report.rows),
    wouldImport: n(report.summary.wouldImport),
    imported: n(report.summary.imported),
    alreadyImported: n(report.summary.alreadyImported),
    errors: n(report.summary.errors),
    notImported: n(report.summary.notImported),
  });
  const refused = !report.dryRun && report.mode === 'all-or-nothing' && report.summary.errors > 0 ? ` ${m.allOrNothingRefused}` : !report.dryRun && !report.appended ? ` ${m.nothingAppended}` : '';
  return `${counts}${refused}`;
}

/** The weights the ledger recorded for the first imported batches, read after the write (decision 024). */
async function recordedMasses(context: PageContext, report: ImportReport): Promise<Map<string, number>> {
  const imported = report.results.filter((r) => r.fate === 'imported' && r.batchId).slice(0, MAX_READ_BACK);
  const masses = new Map<string, number>();
  await Promise.all(
    imported.map(async (row) => {
      const batch = await context.api.getJson<{ massGrams: number }>(path`/batches/${row.batchId!}`);
      masses.set(row.batchId!, batch.massGrams);
    }),
  );
  return masses;
}

function renderReport(container: HTMLElement, m: ImportMessages, report: ImportReport, readBack: ReadonlyMap<string, number>, context: PageContext): void {
  const shown = report.results.slice(0, MAX_SHOWN_ROWS);
  const header = report.header;
  const rowOf = (result: ImportRowResult): HTMLTableRowElement => {
    const wholeRowErrors = result.errors.filter((e) => !header.includes(e.column));
    const cells = header.map((column, index) => {
      const errors = result.errors.filter((e) => e.column === column);
      const value = result.cells[index] ?? '';
      if (errors.length === 0) return el('td', {}, value);
      return el(
        'td',
        { class: 'cell-error', attrs: { 'aria-invalid': 'true', 'data-testid': `cell-error-${result.line}-${index}` } },
        el('span', { class: 'cell-value' }, value),
        ...errors.map((e) => el('span', { class: 'cell-error-text' }, `⚠ ${e.reason}`)),
      );
    });
    const mass = result.batchId ? readBack.get(result.batchId) : undefined;
    return el(
      'tr',
      { class: result.errors.length > 0 ? 'row-error' : '', attrs: { 'data-line': String(result.line), 'data-fate': result.fate } },
      el('th', { attrs: { scope: 'row' } }, String(result.line)),
      el('td', {}, m.fates[result.fate]),
      ...cells,
      el('td', {}, ...wholeRowErrors.map((e) => el('span', { class: 'cell-error-text' }, `⚠ ${e.column ? m.cellError(e.column, e.reason) : e.reason}`))),
      readBack.size > 0
        ? el(
            'td',
            { attrs: { 'data-testid': mass !== undefined ? `recorded-${result.batchId}` : undefined } },
            mass !== undefined && result.batchId ? el('a', { attrs: { href: hrefOf({ page: 'batch', batchId: result.batchId }) } }, formatTonnes(mass, context.locale)) : '',
          )
        : null,
    );
  };
  show(
    container,
    el('h2', { attrs: { id: 'import-results-title' } }, report.dryRun ? m.preview : m.result),
    el('p', {}, m.detected(report.encoding, report.separator === '\t' ? 'tab' : report.separator, report.decimal)),
    report.ignoredColumns.length > 0 ? el('p', {}, m.ignoredColumns(report.ignoredColumns.join(', '))) : null,
    report.results.length > shown.length ? el('p', {}, m.shownRows(formatInteger(shown.length, context.locale), formatInteger(report.results.length, context.locale))) : null,
    el(
      'div',
      { class: 'table-scroll plain-cells', attrs: { tabindex: '0', role: 'region', 'aria-labelledby': 'import-results-title' } },
      el(
        'table',
        { attrs: { 'data-testid': 'import-table' } },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { attrs: { scope: 'col' } }, m.line),
            el('th', { attrs: { scope: 'col' } }, m.fate),
            ...header.map((column) => el('th', { attrs: { scope: 'col' } }, column)),
            el('th', { attrs: { scope: 'col' } }, m.errors),
            readBack.size > 0 ? el('th', { attrs: { scope: 'col' } }, m.recorded) : null,
          ),
        ),
        el('tbody', {}, ...shown.map(rowOf)),
      ),
    ),
  );
}
