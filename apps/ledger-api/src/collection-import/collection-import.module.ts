import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CollectionImportController } from './collection-import.controller.js';
import { IMPORT_BODY_LIMIT_BYTES } from './collection-import.commands.js';
import { ImportRowsHandler } from './collection-import.handlers.js';

/** The routes that take text/csv; every other route refuses it as 415, as before. */
const IMPORT_ROUTES = new Set(['/imports/collections', '/imports/residuals']);

/**
 * The CSV imports (decision 038). Fastify's content-type parsers are not per route, so the text/csv
 * parser is the server's, but it hands over bytes only to the import routes, under a limit of its own
 * (32 MiB instead of the 1 MiB of JSON bodies); on any other route text/csv stays a 415.
 */
@Module({ controllers: [CollectionImportController], providers: [ImportRowsHandler] })
export class CollectionImportModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT_BYTES }, (request, body, done) => {
      if (!IMPORT_ROUTES.has(request.routeOptions.url ?? '')) {
        done(Object.assign(new Error(`text/csv is accepted only by ${[...IMPORT_ROUTES].join(' and ')}; this route takes application/json`), { statusCode: 415 }), undefined);
        return;
      }
      done(null, body);
    });
  }
}
