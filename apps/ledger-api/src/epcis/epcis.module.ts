import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { EpcisCaptureJobs } from './epcis-capture.jobs.js';
import { EpcisContextController } from './epcis-context.controller.js';
import { EpcisEventsReader } from './epcis-events.reader.js';
import { identifiersOf, loadEpcisConfig } from './epcis.config.js';
import { CAPTURE_BODY_LIMIT_BYTES } from './epcis.commands.js';
import { EpcisController } from './epcis.controller.js';
import { CaptureEpcisDocumentHandler, ExportBatchEventsHandler, ExportOrganisationEventsHandler, GetCaptureJobHandler, ListCaptureJobsHandler, QueryEpcisEventsHandler } from './epcis.handlers.js';
import { EPCIS_IDENTIFIERS } from './epcis.tokens.js';

const CAPTURE_ROUTE = '/epcis/capture';

/**
 * EPCIS 2.0 (decision 047). `application/ld+json`, EPCIS's media type, is parsed as JSON only for
 * the capture route, under a limit of its own (like text/csv for the imports); elsewhere it is a 415.
 */
@Module({
  controllers: [EpcisController, EpcisContextController],
  providers: [
    { provide: EPCIS_IDENTIFIERS, useFactory: () => identifiersOf(loadEpcisConfig(process.env)) },
    EpcisEventsReader,
    EpcisCaptureJobs,
    ExportBatchEventsHandler,
    ExportOrganisationEventsHandler,
    QueryEpcisEventsHandler,
    CaptureEpcisDocumentHandler,
    GetCaptureJobHandler,
    ListCaptureJobsHandler,
  ],
})
export class EpcisModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser('application/ld+json', { parseAs: 'string', bodyLimit: CAPTURE_BODY_LIMIT_BYTES }, (request, body, done) => {
      if ((request.routeOptions.url ?? '') !== CAPTURE_ROUTE) {
        done(Object.assign(new Error(`application/ld+json is accepted only by ${CAPTURE_ROUTE}`), { statusCode: 415 }), undefined);
        return;
      }
      try {
        done(null, JSON.parse(body as string) as unknown);
      } catch {
        done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 }), undefined);
      }
    });
  }
}
