import { Uuid, type OrganisationFacts } from '#domain';
import { LEDGER_CONTEXT_PATH } from '#epcis';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../access/access-rule.decorator.js';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { CAPTURE_BODY_LIMIT_BYTES, CaptureEpcisDocumentCommand, CaptureJobListSchema, CaptureJobSchema, GetCaptureJobQuery, ListCaptureJobsQuery, type CaptureJob, type CaptureJobList } from './epcis.commands.js';
import {
  BatchExportParams,
  EventQueryParams,
  ExportBatchEventsQuery,
  ExportOrganisationEventsQuery,
  OrganisationExportParams,
  QueryEpcisEventsQuery,
  type BatchExportQuery,
  type EventQuery,
  type EventQueryAnswer,
  type OrganisationExportQuery,
} from './epcis.queries.js';
import { EPCIS_DOCUMENT_EXAMPLE, EPCIS_QUERY_DOCUMENT_EXAMPLE, EpcisDocumentSchema } from './epcis.responses.js';

/** The absolute URL of the ledger's context as this request reached the ledger. */
function contextUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${LEDGER_CONTEXT_PATH}`;
}

const LD_JSON = 'application/ld+json';

/**
 * GS1 EPCIS 2.0 in and out (decision 047): documents of a batch's or an organisation's events, the
 * REST query interface's common parameters, the ledger's JSON-LD context, and capture.
 */
@ApiTags('epcis')
@ApiBearerAuth()
@Controller('epcis')
export class EpcisController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get('batches/:batchId/events')
  @Access({ kind: 'batch', param: 'batchId' })
  @Header('content-type', `${LD_JSON}; charset=utf-8`)
  @ApiOperation({ summary: 'A batch’s events as an EPCISDocument, optionally with every batch upstream or downstream that the caller sees in full' })
  @ZodApiResponse(EpcisDocumentSchema, { description: 'An EPCIS 2.0 document (JSON-LD); validates against GS1’s schema', example: EPCIS_DOCUMENT_EXAMPLE })
  @ApiProblems(400, 401, 403, 404, 422, 429, 503)
  batch(@Param('batchId', new ZodPipe(Uuid)) batchId: string, @Query(new ZodPipe(BatchExportParams)) params: BatchExportQuery, @Actor() viewer: OrganisationFacts, @Req() request: FastifyRequest): Promise<Record<string, unknown>> {
    return this.queries.execute(new ExportBatchEventsQuery(batchId, params.direction, viewer, contextUrlOf(request)));
  }

  @Get('organisations/:organisationId/events')
  @Access({ kind: 'organisation', param: 'organisationId' })
  @Header('content-type', `${LD_JSON}; charset=utf-8`)
  @ApiOperation({ summary: 'The events an organisation recorded or was a party of, by event time in [from, to), as an EPCISDocument' })
  @ZodApiResponse(EpcisDocumentSchema, { description: 'An EPCIS 2.0 document (JSON-LD)', example: EPCIS_DOCUMENT_EXAMPLE })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  organisation(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string, @Query(new ZodPipe(OrganisationExportParams)) params: OrganisationExportQuery, @Actor() viewer: OrganisationFacts, @Req() request: FastifyRequest): Promise<Record<string, unknown>> {
    const period = { ...(params.from !== undefined ? { from: params.from } : {}), ...(params.to !== undefined ? { to: params.to } : {}) };
    return this.queries.execute(new ExportOrganisationEventsQuery(organisationId, period, viewer, contextUrlOf(request)));
  }

  @Get('events')
  @Access({ kind: 'scoped', scope: 'batches' })
  @ApiOperation({
    summary:
      'The EPCIS 2.0 REST query interface, common parameters: eventType, GE_eventTime, LT_eventTime, EQ_bizStep, MATCH_epc, MATCH_anyEPCClass; perPage and nextPageToken (also in the Link header). Only events about batches the caller sees in full',
  })
  @ZodApiResponse(EpcisDocumentSchema, { description: 'An EPCISQueryDocument', example: EPCIS_QUERY_DOCUMENT_EXAMPLE })
  @ApiProblems(400, 401, 403, 429, 503)
  async events(@Query(new ZodPipe(EventQueryParams)) params: EventQuery, @Actor() viewer: OrganisationFacts, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const answer = await this.queries.execute<QueryEpcisEventsQuery, EventQueryAnswer>(new QueryEpcisEventsQuery(params, viewer, contextUrlOf(request)));
    void reply.header('content-type', `${LD_JSON}; charset=utf-8`);
    if (answer.nextPageToken !== undefined) {
      const next = new URLSearchParams(Object.entries({ ...params, nextPageToken: answer.nextPageToken }).map(([k, v]): [string, string] => [k, String(v)]));
      void reply.header('link', `</epcis/events?${next.toString()}>; rel="next"`).header('next-page-token', answer.nextPageToken);
      return { ...answer.document, 'tl:nextPageToken': answer.nextPageToken };
    }
    return answer.document;
  }

  @Post('capture')
  @HttpCode(202)
  @Access({ kind: 'write', acts: 'material' })
  @ApiConsumes(LD_JSON, 'application/json')
  @ApiBody({ description: `An EPCISDocument; as application/ld+json up to ${CAPTURE_BODY_LIMIT_BYTES / 1024 / 1024} MiB`, schema: { type: 'object', example: EPCIS_DOCUMENT_EXAMPLE } })
  @ZodApiResponse(CaptureJobSchema, { status: 202, description: 'The capture job (Location names it); its events are decided one by one as the capturing organisation’s commands' })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Capture an EPCISDocument: refused whole (400, schema errors as JSON pointers) unless it validates; else 202 with a job. An eventID captured before appends nothing' })
  async capture(@Body() document: unknown, @Actor() actor: OrganisationFacts, @CommandMeta() meta: CommandMetadata, @Res({ passthrough: true }) reply: FastifyReply): Promise<CaptureJob> {
    const job = await this.commands.execute<CaptureEpcisDocumentCommand, CaptureJob>(new CaptureEpcisDocumentCommand(document, actor, meta));
    void reply.header('location', `/epcis/capture/${job.jobId}`);
    return job;
  }

  @Get('capture')
  @Access({ kind: 'authenticated' })
  @ApiOperation({ summary: 'The caller’s capture jobs, newest first, without their per-event results' })
  @ZodApiResponse(CaptureJobListSchema, { description: 'The organisation’s capture jobs' })
  @ApiProblems(401, 429)
  jobs(@Actor() viewer: OrganisationFacts): Promise<CaptureJobList> {
    return this.queries.execute(new ListCaptureJobsQuery(viewer));
  }

  @Get('capture/:jobId')
  @Access({ kind: 'authenticated' })
  @ApiOperation({ summary: 'A capture job of the caller: its status and every event’s fate (captured, already captured, refused with its problem)' })
  @ZodApiResponse(CaptureJobSchema, { description: 'The job' })
  @ApiProblems(400, 401, 404, 429)
  job(@Param('jobId', new ZodPipe(Uuid)) jobId: string, @Actor() viewer: OrganisationFacts): Promise<CaptureJob> {
    return this.queries.execute(new GetCaptureJobQuery(jobId, viewer));
  }
}
