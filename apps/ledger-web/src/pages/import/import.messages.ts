import type { Locale } from '../../shared/format.js';

/** The import page's texts; one interface, so a missing translation is a type error. */
export interface ImportMessages {
  readonly nav: string;
  readonly title: string;
  readonly intro: string;
  readonly kind: string;
  readonly collections: string;
  readonly residuals: string;
  readonly file: string;
  readonly dropZone: string;
  readonly chosenFile: (name: string, size: string) => string;
  readonly options: string;
  readonly mode: string;
  readonly allOrNothing: string;
  readonly validRows: string;
  readonly separator: string;
  readonly decimal: string;
  readonly encoding: string;
  readonly detect: string;
  readonly semicolon: string;
  readonly comma: string;
  readonly tab: string;
  readonly point: string;
  readonly check: string;
  readonly importNow: string;
  readonly downloadErrors: string;
  readonly noFile: string;
  readonly working: string;
  readonly preview: string;
  readonly result: string;
  readonly line: string;
  readonly fate: string;
  readonly errors: string;
  readonly batch: string;
  readonly recorded: string;
  readonly fates: Readonly<Record<'imported' | 'already-imported' | 'would-import' | 'error' | 'not-imported', string>>;
  readonly summary: (counts: { rows: string; wouldImport: string; imported: string; alreadyImported: string; errors: string; notImported: string }) => string;
  readonly detected: (encoding: string, separator: string, decimal: string) => string;
  readonly ignoredColumns: (columns: string) => string;
  readonly nothingAppended: string;
  readonly allOrNothingRefused: string;
  readonly shownRows: (shown: string, all: string) => string;
  readonly cellError: (column: string, reason: string) => string;
}

export const IMPORT_MESSAGES: Readonly<Record<Locale, ImportMessages>> = {
  da: {
    nav: 'Import',
    title: 'Importér fra regneark',
    intro: 'Indsamlinger eller restprodukter fra en CSV-fil (Excel: "CSV (semikolonsepareret)"). Tjek filen først: intet registreres, før du importerer.',
    kind: 'Hvad indeholder filen?',
    collections: 'Indsamlinger',
    residuals: 'Restprodukter',
    file: 'CSV-fil',
    dropZone: 'Eller slip filen her.',
    chosenFile: (name, size) => `Valgt: ${name} (${size} byte)`,
    options: 'Indstillinger',
    mode: 'Ved fejl',
    allOrNothing: 'Alt eller intet: importér intet, hvis en række har fejl',
    validRows: 'Importér de gyldige rækker',
    separator: 'Skilletegn',
    decimal: 'Decimaltegn',
    encoding: 'Tegnsæt',
    detect: 'Find selv',
    semicolon: 'Semikolon (;)',
    comma: 'Komma (,)',
    tab: 'Tabulator',
    point: 'Punktum (.)',
    check: 'Tjek filen',
    importNow: 'Importér',
    downloadErrors: 'Hent fejlrapport (CSV)',
    noFile: 'Vælg en fil først.',
    working: 'Arbejder …',
    preview: 'Forhåndsvisning',
    result: 'Resultat',
    line: 'Linje',
    fate: 'Udfald',
    errors: 'Fejl',
    batch: 'Parti',
    recorded: 'Registreret vægt',
    fates: { imported: 'Importeret', 'already-imported': 'Allerede importeret', 'would-import': 'Vil blive importeret', error: 'Fejl', 'not-imported': 'Ikke importeret' },
    summary: (c) => `${c.rows} rækker: ${c.wouldImport} vil blive importeret, ${c.imported} importeret, ${c.alreadyImported} allerede importeret, ${c.errors} med fejl, ${c.notImported} ikke importeret.`,
    detected: (encoding, separator, decimal) => `Læst som ${encoding}, skilletegn "${separator}", decimaltegn "${decimal}".`,
    ignoredColumns: (columns) => `Kolonner, der ikke bruges: ${columns}`,
    nothingAppended: 'Intet blev registreret.',
    allOrNothingRefused: 'Filen har fejl, så intet blev importeret (alt eller intet). Ret fejlene, eller vælg at importere de gyldige rækker.',
    shownRows: (shown, all) => `Viser de første ${shown} af ${all} rækker.`,
    cellError: (column, reason) => `${column}: ${reason}`,
  },
  en: {
    nav: 'Import',
    title: 'Import from a spreadsheet',
    intro: 'Collections or residuals from a CSV file. Check the file first: nothing is recorded until you import.',
    kind: 'What does the file hold?',
    collections: 'Collections',
    residuals: 'Residuals',
    file: 'CSV file',
    dropZone: 'Or drop the file here.',
    chosenFile: (name, size) => `Chosen: ${name} (${size} bytes)`,
    options: 'Options',
    mode: 'On errors',
    allOrNothing: 'All or nothing: import nothing if any row has an error',
    validRows: 'Import the valid rows',
    separator: 'Separator',
    decimal: 'Decimal mark',
    encoding: 'Encoding',
    detect: 'Detect',
    semicolon: 'Semicolon (;)',
    comma: 'Comma (,)',
    tab: 'Tab',
    point: 'Point (.)',
    check: 'Check the file',
    importNow: 'Import',
    downloadErrors: 'Download the error report (CSV)',
    noFile: 'Choose a file first.',
    working: 'Working …',
    preview: 'Preview',
    result: 'Result',
    line: 'Line',
    fate: 'Fate',
    errors: 'Errors',
    batch: 'Batch',
    recorded: 'Recorded weight',
    fates: { imported: 'Imported', 'already-imported': 'Already imported', 'would-import': 'Would import', error: 'Error', 'not-imported': 'Not imported' },
    summary: (c) => `${c.rows} rows: ${c.wouldImport} would import, ${c.imported} imported, ${c.alreadyImported} already imported, ${c.errors} with errors, ${c.notImported} not imported.`,
    detected: (encoding, separator, decimal) => `Read as ${encoding}, separator "${separator}", decimal mark "${decimal}".`,
    ignoredColumns: (columns) => `Columns not used: ${columns}`,
    nothingAppended: 'Nothing was recorded.',
    allOrNothingRefused: 'The file has errors, so nothing was imported (all or nothing). Correct them, or choose to import the valid rows.',
    shownRows: (shown, all) => `Showing the first ${shown} of ${all} rows.`,
    cellError: (column, reason) => `${column}: ${reason}`,
  },
};
