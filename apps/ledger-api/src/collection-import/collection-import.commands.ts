import type { ImportKind } from '#collection-import';
import type { OrganisationFacts } from '#domain';
import { z } from 'zod';
import type { CommandMetadata } from '../ledger/command-metadata.js';

/**
 * The most a CSV import may send in one request: 32 MiB, some 400,000 rows of a typical collection
 * export. Larger than the JSON limit (1 MiB) because a spreadsheet is sent whole; bounded because
 * the file is read into memory and every row decided before the answer (decision 038). Beyond it: 413.
 */
export const IMPORT_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

const flag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((value) => value === 'true' || value === '1');

export const ImportParams = z
  .object({
    dryRun: flag.describe('Report every row’s fate without appending anything'),
    mode: z
      .enum(['all-or-nothing', 'valid-rows'])
      .default('all-or-nothing')
      .describe('all-or-nothing: any error appends nothing; valid-rows: the valid rows are imported and the others reported'),
    separator: z
      .enum(['semicolon', 'comma', 'tab', ';', ','])
      .optional()
      .transform((value) => (value === undefined ? undefined : value === 'semicolon' || value === ';' ? ';' : value === 'comma' || value === ',' ? ',' : '\t'))
      .describe('The field separator; detected from the header line when left out'),
    decimal: z
      .enum(['comma', 'point', ',', '.'])
      .optional()
      .transform((value) => (value === undefined ? undefined : value === 'comma' || value === ',' ? ',' : '.'))
      .describe('The decimal mark of weights in kg; detected when left out'),
    encoding: z.enum(['utf-8', 'windows-1252']).optional().describe('The file’s encoding; UTF-8 unless its bytes are not, then Windows-1252'),
  })
  .strict();
export type ImportQuery = z.infer<typeof ImportParams>;

export const ROW_FATES = ['imported', 'already-imported', 'would-import', 'error', 'not-imported'] as const;
export type RowFate = (typeof ROW_FATES)[number];

const RowErrorSchema = z.object({
  line: z.number().int(),
  column: z.string().describe('The header of the column, as the file wrote it; empty for an error of the whole row'),
  value: z.string(),
  code: z.string(),
  reason: z.string(),
});

export const ImportRowResultSchema = z.object({
  line: z.number().int().describe('The line of the file where the row ends (1 is the header)'),
  fate: z.enum(ROW_FATES),
  batchId: z.string().optional().describe('The batch the row is, or would be, recorded as'),
  cells: z.array(z.string()).describe('The row’s cells as the file had them, to show it beside its errors'),
  errors: z.array(RowErrorSchema),
});
export type ImportRowResult = z.infer<typeof ImportRowResultSchema>;

export const ImportReportSchema = z.object({
  kind: z.enum(['collections', 'residuals']),
  dryRun: z.boolean(),
  mode: z.enum(['all-or-nothing', 'valid-rows']),
  encoding: z.enum(['utf-8', 'windows-1252']),
  separator: z.string(),
  decimal: z.enum([',', '.']),
  language: z.enum(['da', 'en']),
  rows: z.number().int(),
  header: z.array(z.string()).describe('The file’s header, as it wrote it'),
  ignoredColumns: z.array(z.string()),
  summary: z.object({
    imported: z.number().int(),
    alreadyImported: z.number().int(),
    wouldImport: z.number().int(),
    errors: z.number().int(),
    notImported: z.number().int().describe('Valid rows left out because all-or-nothing found an error elsewhere'),
  }),
  /** Whether the import appended anything. */
  appended: z.boolean(),
  results: z.array(ImportRowResultSchema),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;

export class ImportRowsCommand {
  constructor(
    readonly kind: ImportKind,
    readonly bytes: Uint8Array,
    readonly params: ImportQuery,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

/** The answer of the handler: the report, and the CSV of the rows with errors to hand back. */
export interface ImportOutcome {
  readonly report: ImportReport;
  readonly errorCsv: string;
}
