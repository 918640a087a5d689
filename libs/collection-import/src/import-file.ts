import {
  COLLECTION_SCHEMES,
  EARLIEST_OCCURRED_AT,
  EWC_CODE_LIST,
  FIBRES,
  MAX_PROGRAMME_TAGS,
  MAX_TEXT_LENGTH,
  ProgrammeTags,
  ResidualOriginClass,
  Uuid,
  deterministicId,
  isKnownKommune,
  isPlainText,
  type Composition,
} from '#domain';
import { parse } from 'csv-parse/sync';
import {
  FIBRE_ALIASES,
  OPTIONAL_FIELDS,
  ORIGIN_CLASS_ALIASES,
  REQUIRED_FIELDS,
  SCHEME_ALIASES,
  fieldOfHeader,
  headerName,
  type ImportField,
  type ImportKind,
} from './import-columns.js';
import { readMass, type DecimalMark } from './kilograms.js';
import { readDate } from './local-dates.js';

export type Separator = ';' | ',' | '\t';

/** One reason a row cannot be imported: where (line and column), what it held, and why. */
export interface RowError {
  readonly line: number;
  /** The column's header as the file wrote it (or the expected header, when the column is missing). */
  readonly column: string;
  readonly value: string;
  readonly code: string;
  readonly reason: string;
}

/** A collection as the ledger's collect command takes it (the HTTP body's fields). */
export interface CollectionRow {
  readonly batchId: string;
  readonly kommuneCode: string;
  readonly collectionScheme: (typeof COLLECTION_SCHEMES)[number];
  readonly ewcCode: (typeof EWC_CODE_LIST)[number];
  readonly massGrams: number;
  readonly occurredAt: string;
  readonly collectorOrgId?: string;
  readonly programmeTags: string[];
}

/** A residual as the ledger's register command takes it. */
export interface ResidualRow {
  readonly batchId: string;
  readonly originClass: ResidualOriginClass;
  readonly ewcCode: (typeof EWC_CODE_LIST)[number];
  readonly massGrams: number;
  readonly composition: Composition;
  readonly description: string;
  readonly programmeTags: string[];
  readonly occurredAt: string;
}

export interface ParsedRow<T> {
  /** The file's line where the row ends (a quoted cell may span lines), 1 being the header. */
  readonly line: number;
  /** The cells as the file had them, to hand back in the error report. */
  readonly cells: readonly string[];
  /**
   * The row's identity: a name-based id of the importing organisation, the kind and the row's
   * normalised content, used as the command id (decision 038). Set when the row could be read.
   */
  readonly identity?: string;
  readonly command?: T;
  readonly errors: readonly RowError[];
}

export interface ImportFile<T> {
  readonly kind: ImportKind;
  readonly separator: Separator;
  readonly decimal: DecimalMark;
  /** The language of the headers; the error report answers in it. */
  readonly language: 'da' | 'en';
  readonly header: readonly string[];
  /** The header the file gave each field it has (to name a column in an error the ledger finds later). */
  readonly columns: Readonly<Partial<Record<ImportField, string>>>;
  /** Columns that mean nothing to the import; ignored, and named so that a typo is seen. */
  readonly ignoredColumns: readonly string[];
  /** Errors of the file as a whole (a missing column): every row is refused with them. */
  readonly fileErrors: readonly RowError[];
  readonly rows: readonly ParsedRow<T>[];
}

export interface ImportOptions {
  /** The importing organisation: part of every row's identity. */
  readonly organisationId: string;
  /** Today's date in Copenhagen (yyyy-mm-dd), from the caller's clock: later dates are refused. */
  readonly today: string;
  readonly separator?: Separator;
  readonly decimal?: DecimalMark;
}

/** A file that is not CSV at all (an unclosed quote): refused as a whole, at its line. */
export class MalformedCsvError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
    this.name = 'MalformedCsvError';
  }
}

/** The separator of the header line: the most frequent of `;`, `,` and tab outside quotes. */
export function detectSeparator(text: string): Separator {
  const firstLine = text.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '';
  const unquoted = firstLine.replace(/"[^"]*"/g, '');
  const counts: Array<[Separator, number]> = [
    [';', unquoted.split(';').length - 1],
    [',', unquoted.split(',').length - 1],
    ['\t', unquoted.split('\t').length - 1],
  ];
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ';';
}

/**
 * The decimal mark of the weights: a comma-separated file writes a decimal point; a `;`-separated one
 * (Danish Excel) a decimal comma, unless its weights show points and never a comma. Weights whose
 * only mark is a point before exactly three digits (`1.250`) read either way, a thousand times
 * apart: that is `undefined`, and the file is refused until the mark is given.
 */
export function detectDecimal(separator: Separator, weights: readonly string[]): DecimalMark | undefined {
  if (separator === ',') return '.';
  const cells = weights.map((w) => w.trim());
  if (cells.some((w) => w.includes(','))) return ',';
  const dotted = cells.filter((w) => w.includes('.'));
  if (dotted.length === 0) return ',';
  if (dotted.some((w) => /^-?\d+\.(?:\d{1,2}|\d{4,})$/.test(w))) return '.';
  // Several groups (`1.234.567`) are thousands; one group of three is either.
  return dotted.some((w) => /^-?\d{1,3}(?:\.\d{3}){2,}$/.test(w)) ? ',' : undefined;
}

function readCsv(text: string, separator: Separator): Array<{ record: string[]; line: number }> {
  try {
    const records = parse(text, { delimiter: separator, relax_column_count: true, skip_empty_lines: true, bom: true, info: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    return records.filter((r) => r.record.some((cell) => cell.trim() !== '')).map((r) => ({ record: r.record, line: r.info.lines }));
  } catch (error) {
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as { lines: number }).lines : undefined;
    throw new MalformedCsvError(`the file is not valid CSV${line ? ` at line ${line}` : ''}: ${(error as Error).message}`, line);
  }
}

/** EWC codes as spreadsheets write them: `20 01 11`, `200111`, `20.01.11`, `20-01-11`, `20 01 11*`. */
function normaliseEwcCode(text: string): string | undefined {
  const digits = text.replace(/[\s.\-*]/g, '');
  if (!/^\d{6}$/.test(digits)) return undefined;
  const code = `${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)}`;
  return (EWC_CODE_LIST as readonly string[]).includes(code) ? code : undefined;
}

/** `bomuld 95 %, elastan 5 %` or `cotton:95|elastane:5`: percentages with up to two decimals, summing to 100. */
function readComposition(text: string): Composition | string {
  const entries = text.split(/[|,+/]/).map((part) => part.trim()).filter((part) => part !== '');
  const shares: Array<{ fibre: (typeof FIBRES)[number]; share: number }> = [];
  for (const entry of entries) {
    const match = /^([\p{L} -]+?)\s*[:=]?\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*%?$/u.exec(entry);
    if (!match) return `"${entry}" is not a fibre and a percentage, e.g. cotton 95 %`;
    const name = match[1]!.trim().toLowerCase();
    const fibre = (FIBRE_ALIASES[name] ?? name) as (typeof FIBRES)[number];
    if (!(FIBRES as readonly string[]).includes(fibre)) return `"${match[1]}" is not a fibre the ledger knows (${FIBRES.join(', ')})`;
    shares.push({ fibre, share: Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0')) });
  }
  const total = shares.reduce((sum, s) => sum + s.share, 0);
  if (shares.length === 0) return 'the composition is empty';
  if (total !== 10_000) return `the shares add up to ${total / 100} %, not 100 %`;
  if (new Set(shares.map((s) => s.fibre)).size !== shares.length) return 'a fibre is listed twice';
  return shares;
}

function readTags(text: string): string[] | string {
  const tags = [...new Set(text.split(/[\s,|]+/).filter((t) => t !== '').map((t) => t.toLowerCase()))].sort();
  const parsed = ProgrammeTags.safeParse(tags);
  if (!parsed.success) return tags.length > MAX_PROGRAMME_TAGS ? `more than ${MAX_PROGRAMME_TAGS} programme tags` : 'programme tags are lower-case slugs such as tekstilsymbiose-herning';
  return tags;
}

/**
 * The batch id of an imported row: a UUID version 8 (RFC 9562 §5.8) whose first 48 bits are the
 * row's business time in milliseconds and whose other bits come from the row's identity. As
 * deterministic as a name-based id, so a repeated row names the same batch, but ordered by time
 * like the UUID v7 ids the ledger gives batches itself: a file's rows land near each other in
 * every index keyed by batch, where random ids cost about 40 % of an import's rate (decision 038).
 */
export function rowBatchId(identity: string, occurredAt: string): string {
  const milliseconds = Date.parse(occurredAt);
  if (!Number.isSafeInteger(milliseconds) || milliseconds < 0) throw new RangeError(`${occurredAt} is not an instant after 1970`);
  const hash = deterministicId(`${identity}/batch`).replace(/-/g, '');
  const time = milliseconds.toString(16).padStart(12, '0').slice(-12);
  const variant = ((Number.parseInt(hash[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-8${hash.slice(13, 16)}-${variant}${hash.slice(17, 20)}-${hash.slice(20, 32)}`;
}

interface Cells {
  get(field: ImportField): string | undefined;
  columnOf(field: ImportField): string;
}

/**
 * Reads a whole import file: detects (or takes) its separator and decimal mark, maps its Danish or
 * English headers, and reads every row to the command it stands for, or to every error it has.
 * Pure: the caller's clock gives `today`, and checks that need the ledger's state (is the collector
 * registered, was the row imported before) are the ledger's own decision, made by the caller.
 */
export function readImportFile(kind: 'collections', text: string, options: ImportOptions): ImportFile<CollectionRow>;
export function readImportFile(kind: 'residuals', text: string, options: ImportOptions): ImportFile<ResidualRow>;
export function readImportFile(kind: ImportKind, text: string, options: ImportOptions): ImportFile<CollectionRow | ResidualRow>;
export function readImportFile(kind: ImportKind, text: string, options: ImportOptions): ImportFile<CollectionRow | ResidualRow> {
  const separator = options.separator ?? detectSeparator(text);
  const records = readCsv(text, separator);
  const [headerRecord, ...dataRecords] = records;
  const header = (headerRecord?.record ?? []).map((h) => h.replace(/^\ufeff/, '').trim());
  const columns = new Map<ImportField, number>();
  const ignoredColumns: string[] = [];
  let danish = 0;
  let english = 0;
  const allowed = new Set<ImportField>([...REQUIRED_FIELDS[kind], ...OPTIONAL_FIELDS[kind]]);
  header.forEach((name, index) => {
    const known = fieldOfHeader(name);
    if (!known || !allowed.has(known.field) || columns.has(known.field)) {
      if (name !== '') ignoredColumns.push(name);
      return;
    }
    columns.set(known.field, index);
    if (known.language === 'da') danish += 1;
    else english += 1;
  });
  const language = danish >= english ? 'da' : 'en';
  const fileErrors: RowError[] = [];
  for (const field of REQUIRED_FIELDS[kind]) {
    if (!columns.has(field)) {
      fileErrors.push({ line: 1, column: headerName(field, language), value: '', code: 'missing-column', reason: `the file has no column ${headerName(field, 'da')} / ${headerName(field, 'en')}` });
    }
  }
  if (!columns.has('kilograms') && !columns.has('grams')) {
    fileErrors.push({ line: 1, column: headerName('kilograms', language), value: '', code: 'missing-column', reason: 'the file has no weight column: vægt (kg) / weight (kg), or vægt (g) / grams' });
  }
  const weightIndex = columns.get('kilograms') ?? columns.get('grams');
  const detected = options.decimal ?? detectDecimal(separator, weightIndex === undefined ? [] : dataRecords.map((r) => r.record[weightIndex] ?? ''));
  if (detected === undefined) {
    fileErrors.push({
      line: 1,
      column: header[weightIndex!] ?? headerName('kilograms', language),
      value: '',
      code: 'ambiguous-decimal-mark',
      reason: 'every weight reads both as kg with a decimal point (1.250 = 1,25 kg) and with a thousands point (1.250 = 1250 kg): give the decimal mark (decimal=comma or decimal=point)',
    });
  }
  const decimal: DecimalMark = detected ?? ',';

  const seen = new Map<string, number>();
  const rows = dataRecords.map(({ record, line }): ParsedRow<CollectionRow | ResidualRow> => {
    const errors: RowError[] = fileErrors.map((e) => ({ ...e, line }));
    const cells: Cells = {
      get: (field) => {
        const index = columns.get(field);
        return index === undefined ? undefined : (record[index] ?? '').trim();
      },
      columnOf: (field) => {
        const index = columns.get(field);
        return index === undefined ? headerName(field, language) : header[index]!;
      },
    };
    const refuse = (field: ImportField, code: string, reason: string) => errors.push({ line, column: cells.columnOf(field), value: cells.get(field) ?? '', code, reason });
    const required = (field: ImportField): string | undefined => {
      const value = cells.get(field);
      if (value === undefined) return undefined;
      if (value === '') {
        refuse(field, 'missing-value', `${cells.columnOf(field)} is empty`);
        return undefined;
      }
      return value;
    };
    for (const [index, cell] of record.entries()) {
      if (!isPlainText(cell)) errors.push({ line, column: header[index] ?? `#${index + 1}`, value: cell, code: 'text-not-plain', reason: 'the cell holds a line break, a control character or a bidirectional override, which the ledger does not store' });
    }

    const ewcText = required('ewcCode');
    const ewcCode = ewcText === undefined ? undefined : normaliseEwcCode(ewcText);
    if (ewcText !== undefined && ewcCode === undefined) refuse('ewcCode', 'bad-ewc-code', `"${ewcText}" is not an EAK/EWC code of textiles the ledger records (${EWC_CODE_LIST.join(', ')})`);

    const weightField: ImportField = columns.has('kilograms') ? 'kilograms' : 'grams';
    const weightText = required(weightField);
    let massGrams: number | undefined;
    if (weightText !== undefined) {
      const mass = readMass(weightText, weightField === 'kilograms' ? 'kg' : 'g', decimal);
      if ('grams' in mass) massGrams = mass.grams;
      else refuse(weightField, mass.code, mass.reason);
    }

    const dateText = required('date');
    let occurredAt: string | undefined;
    if (dateText !== undefined) {
      const date = readDate(dateText);
      if ('code' in date) refuse('date', date.code, date.reason);
      else if (date.date > options.today) refuse('date', 'future-date', `${date.date} lies in the future (today is ${options.today} in Copenhagen)`);
      else if (Date.parse(date.occurredAt) < Date.parse(EARLIEST_OCCURRED_AT)) refuse('date', 'date-before-earliest', `${date.date} lies before 2000, the earliest business time the ledger records (decision 020)`);
      else occurredAt = date.occurredAt;
    }

    let programmeTags: string[] = [];
    const tagsText = cells.get('programmeTags');
    if (tagsText) {
      const tags = readTags(tagsText);
      if (typeof tags === 'string') refuse('programmeTags', 'bad-programme-tags', tags);
      else programmeTags = tags;
    }
    const reference = cells.get('reference') ?? '';
    if (reference.length > 200) refuse('reference', 'reference-too-long', 'a reference is at most 200 characters');

    let content: unknown[] | undefined;
    let command: Omit<CollectionRow, 'batchId'> | Omit<ResidualRow, 'batchId'> | undefined;
    if (kind === 'collections') {
      const kommuneText = required('kommuneCode');
      // Excel drops the leading zero of 0657 when the column is numeric: three digits are read as four.
      const kommuneCode = kommuneText === undefined ? undefined : /^\d{3}$/.test(kommuneText) ? `0${kommuneText}` : kommuneText;
      if (kommuneCode !== undefined && !isKnownKommune(kommuneCode)) refuse('kommuneCode', 'unknown-kommune', `"${kommuneText}" is not the code of one of the 98 Danish kommuner`);
      const schemeText = required('collectionScheme');
      const schemeKey = schemeText?.toLowerCase().replace(/\s+/g, ' ');
      const scheme = schemeKey === undefined ? undefined : (SCHEME_ALIASES[schemeKey] ?? schemeKey);
      if (scheme !== undefined && !(COLLECTION_SCHEMES as readonly string[]).includes(scheme)) {
        refuse('collectionScheme', 'unknown-collection-scheme', `"${schemeText}" is not a collection scheme (${COLLECTION_SCHEMES.join(', ')}, or kantstensindsamling, tøjcontainer, genbrugsplads, genbrugsbutik, andet)`);
      }
      const collectorText = cells.get('collectorOrgId');
      if (collectorText && !Uuid.safeParse(collectorText).success) refuse('collectorOrgId', 'bad-collector', `"${collectorText}" is not an organisation id (a UUID)`);
      if (errors.length === 0) {
        command = {
          kommuneCode: kommuneCode!,
          collectionScheme: scheme as CollectionRow['collectionScheme'],
          ewcCode: ewcCode as CollectionRow['ewcCode'],
          massGrams: massGrams!,
          occurredAt: occurredAt!,
          ...(collectorText ? { collectorOrgId: collectorText.toLowerCase() } : {}),
          programmeTags,
        };
        content = [kommuneCode, scheme, ewcCode, massGrams, occurredAt, collectorText?.toLowerCase() ?? '', reference, programmeTags];
      }
    } else {
      const originText = required('originClass');
      const originKey = originText?.toLowerCase().replace(/\s+/g, ' ');
      const origin = originKey === undefined ? undefined : (ORIGIN_CLASS_ALIASES[originKey] ?? originKey);
      if (origin !== undefined && !ResidualOriginClass.safeParse(origin).success) refuse('originClass', 'unknown-origin-class', `"${originText}" is not an origin class (pre-consumer / før forbrug, post-consumer-business / erhverv efter forbrug)`);
      const description = required('description');
      if (description !== undefined && description.length > MAX_TEXT_LENGTH) refuse('description', 'description-too-long', `a description is at most ${MAX_TEXT_LENGTH} characters`);
      const compositionText = cells.get('composition');
      let composition: Composition = [{ fibre: 'unknown', share: 10_000 }];
      if (compositionText) {
        const read = readComposition(compositionText);
        if (typeof read === 'string') refuse('composition', 'bad-composition', read);
        else composition = read;
      }
      if (errors.length === 0) {
        command = {
          originClass: origin as ResidualOriginClass,
          ewcCode: ewcCode as ResidualRow['ewcCode'],
          massGrams: massGrams!,
          composition,
          description: description!,
          programmeTags,
          occurredAt: occurredAt!,
        };
        content = [origin, ewcCode, massGrams, occurredAt, description, composition.map((c) => `${c.fibre}:${c.share}`), reference, programmeTags];
      }
    }
    if (content === undefined || command === undefined) return { line, cells: record, errors };
    const identity = deterministicId(`csv-import/${kind}/${options.organisationId}/${JSON.stringify(content)}`);
    const first = seen.get(identity);
    if (first !== undefined) {
      return {
        line,
        cells: record,
        errors: [{ line, column: '', value: '', code: 'duplicate-row', reason: `the same ${kind === 'collections' ? 'collection' : 'residual'} as line ${first}; if both are real, tell them apart in a reference column` }],
      };
    }
    seen.set(identity, line);
    return { line, cells: record, identity, command: { ...command, batchId: rowBatchId(identity, command.occurredAt) }, errors };
  });
  const columnNames: Partial<Record<ImportField, string>> = {};
  for (const [field, index] of columns) columnNames[field] = header[index]!;
  return { kind, separator, decimal, language, header, columns: columnNames, ignoredColumns, fileErrors, rows };
}
