/** The API's answer to `POST /imports/{kind}` (apps/ledger-api/src/collection-import). */
export type RowFate = 'imported' | 'already-imported' | 'would-import' | 'error' | 'not-imported';

export interface RowError {
  readonly line: number;
  readonly column: string;
  readonly value: string;
  readonly code: string;
  readonly reason: string;
}

export interface ImportRowResult {
  readonly line: number;
  readonly fate: RowFate;
  readonly batchId?: string;
  readonly cells: readonly string[];
  readonly errors: readonly RowError[];
}

export interface ImportReport {
  readonly kind: 'collections' | 'residuals';
  readonly dryRun: boolean;
  readonly mode: 'all-or-nothing' | 'valid-rows';
  readonly encoding: string;
  readonly separator: string;
  readonly decimal: string;
  readonly rows: number;
  readonly header: readonly string[];
  readonly ignoredColumns: readonly string[];
  readonly summary: { readonly imported: number; readonly alreadyImported: number; readonly wouldImport: number; readonly errors: number; readonly notImported: number };
  readonly appended: boolean;
  readonly results: readonly ImportRowResult[];
}
