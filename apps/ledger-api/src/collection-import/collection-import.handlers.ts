import {
  MalformedCsvError,
  copenhagenDate,
  decodeCsvBytes,
  errorReportCsv,
  readImportFile,
  type CollectionRow,
  type ImportField,
  type ImportFile,
  type ParsedRow,
  type ResidualRow,
  type RowError,
} from '#collection-import';
import { MalformedRequestError, decideCollectBatch, decideRegisterResidualBatch, actsAsMunicipalityOf, streamIds, type DecisionContext, type OrganisationFacts } from '#domain';
import type { EventStore } from '#event-store';
import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { QUERY_COST, QueryCostBudget } from '../common/cost-budget.js';
import { toProblem } from '../common/problem-details.filter.js';
import { CollectBatchCommand, RegisterResidualBatchCommand } from '../collection/collection.commands.js';
import type { BatchCommandResult } from '../ledger/batch-command.runner.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { OrganisationDirectory, type CollectorAuthorisationLookup } from '../ledger/organisation-directory.js';
import { EVENT_STORE } from '../ledger/tokens.js';
import { ImportRowsCommand, type ImportOutcome, type ImportRowResult } from './collection-import.commands.js';

/** Rows decided and appended at once: their appends share group commits, as a bulk request's do. */
const CONCURRENT_ROWS = 1_000;

/** Which column a refusal of the ledger's decision is about, so the report can point at the cell. */
const FIELD_OF_CODE: Readonly<Record<string, ImportField>> = {
  'unknown-kommune': 'kommuneCode',
  'not-collecting-party': 'kommuneCode',
  'collector-not-authorised': 'kommuneCode',
  'time-in-future': 'date',
  'time-before-earliest': 'date',
  'mass-above-maximum': 'kilograms',
  'unknown-organisation': 'collectorOrgId',
  'not-a-collector': 'collectorOrgId',
  'collector-mismatch': 'collectorOrgId',
};

type Row = ParsedRow<CollectionRow | ResidualRow>;

async function inChunks<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) results.push(...(await Promise.all(items.slice(start, start + size).map(run))));
  return results;
}

/**
 * A CSV import (decision 038): reads the file (libs/collection-import), asks the same decision the
 * single and bulk endpoints ask of every readable row before anything is appended, and then sends
 * each row as the same command those endpoints send, under a command id that is the row's identity,
 * so a row imported before is answered as a replay and appends nothing.
 */
@CommandHandler(ImportRowsCommand)
export class ImportRowsHandler implements ICommandHandler<ImportRowsCommand, ImportOutcome> {
  constructor(
    private readonly commands: CommandBus,
    private readonly contexts: DecisionContextFactory,
    private readonly directory: OrganisationDirectory,
    private readonly budget: QueryCostBudget,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute({ kind, bytes, params, actor, meta }: ImportRowsCommand): Promise<ImportOutcome> {
    if (bytes.length === 0) throw new MalformedRequestError('empty-file', 'the CSV file is empty: send the header line and the rows');
    let decoded: ReturnType<typeof decodeCsvBytes>;
    try {
      decoded = decodeCsvBytes(bytes, params.encoding);
    } catch {
      throw new MalformedRequestError('invalid-encoding', 'the file is not valid UTF-8; leave out encoding=utf-8, or send encoding=windows-1252');
    }
    let file: ImportFile<CollectionRow | ResidualRow>;
    try {
      file = readImportFile(kind, decoded.text, {
        organisationId: actor.organisationId,
        today: copenhagenDate(this.contexts.now()),
        ...(params.separator ? { separator: params.separator } : {}),
        ...(params.decimal ? { decimal: params.decimal } : {}),
      });
    } catch (error) {
      if (error instanceof MalformedCsvError) throw new MalformedRequestError('malformed-csv', error.message, error.line !== undefined ? { line: error.line } : {});
      throw error;
    }
    // Charged like a bulk request, by its rows (decision 026): a dry run reads, an import writes.
    this.budget.admit(actor.organisationId, `an import of ${file.rows.length} ${kind}`);
    this.budget.charge(actor.organisationId, file.rows.length * (params.dryRun ? 1 : QUERY_COST.bulkItem));

    const errors = new Map<Row, RowError[]>(file.rows.map((row) => [row, [...row.errors]]));
    const readable = file.rows.filter((row) => row.command !== undefined && row.identity !== undefined);
    const authorisations = await this.decideEach(kind, file, readable, actor, errors);
    const valid = readable.filter((row) => errors.get(row)!.length === 0);
    const anyError = valid.length < file.rows.length;
    const fates = new Map<Row, ImportRowResult['fate']>();

    if (params.dryRun) {
      // Only the dry run reads the streams: the import itself learns "already imported" from the
      // append, which answers a command id it has seen with the first result (decision 004).
      await inChunks(valid, CONCURRENT_ROWS, async (row) => {
        const events = await this.store.readStream(streamIds.batch(row.command!.batchId));
        fates.set(row, events.some((e) => e.metadata.commandId === row.identity) ? 'already-imported' : 'would-import');
      });
    } else if (anyError && params.mode === 'all-or-nothing') {
      for (const row of valid) fates.set(row, 'not-imported');
    } else {
      // The event store answers an append of events it already holds with their first result
      // (decision 004), so a row imported before comes back at a position this import did not write.
      const headBefore = await this.store.headPosition();
      let lastPosition = 0;
      await inChunks(valid, CONCURRENT_ROWS, async (row) => {
        // The row's identity is its command id: the same row sent again, in this file or a later
        // one, is the same command, and the executor answers it as a replay without appending.
        // Rows do not wait for the read models one by one: the import waits once, after its last row.
        const rowMeta: CommandMetadata = { ...meta, commandId: row.identity!, causationId: meta.commandId, idempotent: true, settlesLater: true };
        try {
          const result = await this.commands.execute<CollectBatchCommand | RegisterResidualBatchCommand, BatchCommandResult>(
            kind === 'collections'
              ? new CollectBatchCommand(row.command as CollectionRow, actor, rowMeta, authorisations)
              : new RegisterResidualBatchCommand(row.command as ResidualRow, actor, rowMeta),
          );
          fates.set(row, result.replayed || result.position <= headBefore ? 'already-imported' : 'imported');
          lastPosition = Math.max(lastPosition, result.position);
        } catch (error) {
          // Refused at the append although the decision allowed it a moment before (an authorisation
          // revoked meanwhile, say): reported on its row like any other refusal.
          errors.get(row)!.push(this.rowError(file, row, error));
        }
      });
      if (lastPosition > 0) await this.readYourWrites.settle(lastPosition);
    }

    const results: ImportRowResult[] = file.rows.map((row) => {
      const rowErrors = errors.get(row)!;
      const fate = rowErrors.length > 0 ? 'error' : (fates.get(row) ?? 'error');
      return { line: row.line, fate, ...(row.command ? { batchId: row.command.batchId } : {}), cells: [...row.cells], errors: rowErrors };
    });
    const count = (fate: ImportRowResult['fate']) => results.filter((r) => r.fate === fate).length;
    const summary = {
      imported: count('imported'),
      alreadyImported: count('already-imported'),
      wouldImport: count('would-import'),
      errors: count('error'),
      notImported: count('not-imported'),
    };
    const report = {
      kind,
      dryRun: params.dryRun,
      mode: params.mode,
      encoding: decoded.encoding,
      separator: file.separator,
      decimal: file.decimal,
      language: file.language,
      rows: file.rows.length,
      header: [...file.header],
      ignoredColumns: [...file.ignoredColumns],
      summary,
      appended: summary.imported > 0,
      results,
    };
    const errorCsv = errorReportCsv(
      file.header,
      file.rows.map((row) => ({ line: row.line, cells: row.cells, errors: errors.get(row)! })),
      { separator: file.separator, language: file.language },
    );
    return { report, errorCsv };
  }

  /**
   * Asks, of every readable row, the very decision the single endpoint's handler asks, on a batch
   * that does not exist yet, without appending: the ledger's own rules (the actor may record this
   * kommune, the collector is registered and authorised, the time and mass within bounds) are
   * checked once, here, and all-or-nothing knows every refusal before the first append.
   */
  private async decideEach(kind: ImportRowsCommand['kind'], file: ImportFile<CollectionRow | ResidualRow>, rows: readonly Row[], actor: OrganisationFacts, errors: Map<Row, RowError[]>): Promise<CollectorAuthorisationLookup | undefined> {
    const collections = kind === 'collections' ? rows.map((row) => row.command as CollectionRow) : [];
    const collectorIds = [...new Set(collections.map((c) => c.collectorOrgId ?? actor.organisationId))];
    const ctx: DecisionContext = await this.contexts.create(actor, collectorIds);
    // One read of the collector authorisations for every kommune of the file, as the bulk endpoint does.
    const authorisations = kind === 'collections' && actor.roles.includes('collector') ? await this.directory.collectorAuthorisations(collections.map((c) => c.kommuneCode)) : undefined;
    for (const row of rows) {
      try {
        if (kind === 'collections') {
          const body = row.command as CollectionRow;
          const command = { ...body, collectorOrgId: body.collectorOrgId ?? actor.organisationId };
          const collectorAuthorised = actor.roles.includes('collector') && !actsAsMunicipalityOf(actor, command.kommuneCode) ? authorisations : undefined;
          decideCollectBatch(undefined, command, { ...ctx, ...(collectorAuthorised ? { collectorAuthorised } : {}) });
        } else {
          decideRegisterResidualBatch(undefined, row.command as ResidualRow, ctx);
        }
      } catch (error) {
        errors.get(row)!.push(this.rowError(file, row, error));
      }
    }
    return authorisations;
  }

  private rowError(file: ImportFile<CollectionRow | ResidualRow>, row: Row, error: unknown): RowError {
    const problem = toProblem(error);
    if (problem.status >= 500) throw error;
    const code = problem.code ?? `http-${problem.status}`;
    const field = FIELD_OF_CODE[code];
    const column = field === 'kilograms' ? (file.columns.kilograms ?? file.columns.grams ?? '') : field ? (file.columns[field] ?? '') : '';
    const index = file.header.indexOf(column);
    return { line: row.line, column, value: index >= 0 ? (row.cells[index] ?? '') : '', code, reason: problem.detail };
  }
}
