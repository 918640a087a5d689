import { MIMEType } from 'node:util';
import type { ImportKind } from '#collection-import';
import type { OrganisationFacts } from '#domain';
import { applyDecorators, Body, Controller, HttpCode, HttpException, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../access/access-rule.decorator.js';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';
import { requestHeader } from '../common/request-header.js';
import { CSV_CHARSETS } from '../common/request-body.hooks.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { IMPORT_BODY_LIMIT_BYTES, ImportParams, ImportReportSchema, ImportRowsCommand, type ImportOutcome, type ImportQuery, type ImportReport } from './collection-import.commands.js';

/** `text/csv; charset=windows-1252` as the import's encoding (the body hook let only these through). */
function declaredCharset(contentType: string | undefined): 'utf-8' | 'windows-1252' | undefined {
  if (contentType === undefined) return undefined;
  try {
    const charset = new MIMEType(contentType).params.get('charset');
    return charset === null ? undefined : CSV_CHARSETS.get(charset.toLowerCase());
  } catch {
    return undefined;
  }
}

/** The query parameters both imports take, documented once. */
function ImportQueryDocs(): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'], description: 'Report every row’s fate without appending anything' }),
    ApiQuery({ name: 'mode', required: false, enum: ['all-or-nothing', 'valid-rows'], description: 'all-or-nothing (default): any error appends nothing; valid-rows: the valid rows are imported' }),
    ApiQuery({ name: 'separator', required: false, enum: ['semicolon', 'comma', 'tab'], description: 'Detected from the header line when left out' }),
    ApiQuery({ name: 'decimal', required: false, enum: ['comma', 'point'], description: 'The decimal mark of kg weights; detected when left out' }),
    ApiQuery({ name: 'encoding', required: false, enum: ['utf-8', 'windows-1252'], description: 'UTF-8 (with or without BOM) unless the bytes are not, then Windows-1252' }),
  );
}

function csvBody(example: string) {
  return {
    description: `The spreadsheet as CSV (text/csv), at most ${IMPORT_BODY_LIMIT_BYTES / 1024 / 1024} MiB: a header line in Danish or English, then one row per record`,
    schema: { type: 'string' as const, format: 'binary', example },
  };
}
// A municipality's weighbridge export as Excel writes it in Danish: `;`, decimal comma, dd-mm-yyyy.
const COLLECTIONS_BODY = csvBody('kommunekode;ordning;EAK-kode;vægt (kg);dato\n0657;Tøjcontainer;20 01 11;412,5;03-03-2025\n0657;Genbrugsplads;20 01 10;1.250,75;04-03-2025\n');
const RESIDUALS_BODY = csvBody('origin class,EWC code,weight (kg),description,composition,date\npre-consumer,04 02 22,1250,Cutting waste from denim production,cotton 95 %| elastane 5 %,2025-03-10\n');

function csvAnswer(kind: string) {
  return {
    'text/csv': {
      schema: { type: 'string', description: `With Accept: text/csv, the rows with errors: the original header and cells, the line and a column with every reason (${kind}.errors.csv)` },
    },
  };
}

/** Whether the client asked for the error report as CSV rather than the JSON report. */
function wantsCsv(request: FastifyRequest): boolean {
  const accept = requestHeader(request, 'accept') ?? '';
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

@ApiTags('collection')
@ApiBearerAuth()
@Controller('imports')
export class CollectionImportController {
  constructor(private readonly commands: CommandBus) {}

  @Post('collections')
  @HttpCode(200)
  @Access({ kind: 'write', acts: 'material' })
  @ApiConsumes('text/csv')
  @ApiBody(COLLECTIONS_BODY)
  @ZodApiResponse(ImportReportSchema, { description: 'Every row’s fate: imported, already imported, would import (dry run), error (with line, column, value and reason), or not imported (all-or-nothing found an error)', alsoAs: csvAnswer('collections') })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  @ApiOperation({
    summary:
      'Import municipal collections from a spreadsheet (CSV): Danish or English headers, `;` or `,`, decimal comma or point, UTF-8 or Windows-1252. A row imported before is recognised and appends nothing (decision 038)',
  })
  @ImportQueryDocs()
  collections(
    @Body() body: unknown,
    @Query(new ZodPipe(ImportParams)) params: ImportQuery,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportReport | string> {
    return this.run('collections', body, params, actor, meta, request, reply);
  }

  @Post('residuals')
  @HttpCode(200)
  @Access({ kind: 'write', acts: 'material' })
  @ApiConsumes('text/csv')
  @ApiBody(RESIDUALS_BODY)
  @ZodApiResponse(ImportReportSchema, { description: 'Every row’s fate, as for collections', alsoAs: csvAnswer('residuals') })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Import business residuals from a spreadsheet (CSV), as for collections (decision 038)' })
  @ImportQueryDocs()
  residuals(
    @Body() body: unknown,
    @Query(new ZodPipe(ImportParams)) params: ImportQuery,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportReport | string> {
    return this.run('residuals', body, params, actor, meta, request, reply);
  }

  private async run(kind: ImportKind, body: unknown, params: ImportQuery, actor: OrganisationFacts, meta: CommandMetadata, request: FastifyRequest, reply: FastifyReply): Promise<ImportReport | string> {
    // Only the text/csv parser (collection-import.module.ts) gives these routes bytes; a JSON body here is the wrong media type.
    if (!(body instanceof Uint8Array)) {
      throw new HttpException({ code: 'unsupported-media-type', message: 'an import takes the spreadsheet as text/csv' }, 415);
    }
    // The charset the client declared decides, unless the query names an encoding itself.
    const declared = declaredCharset(request.headers['content-type']);
    const effective = params.encoding === undefined && declared !== undefined ? { ...params, encoding: declared } : params;
    const outcome = await this.commands.execute<ImportRowsCommand, ImportOutcome>(new ImportRowsCommand(kind, body, effective, actor, meta));
    if (wantsCsv(request)) {
      void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${kind}.errors.csv"`);
      return outcome.errorCsv;
    }
    return outcome.report;
  }
}
