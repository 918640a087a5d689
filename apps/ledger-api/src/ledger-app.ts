import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { installAbuseLimits, problemClientErrorHandler } from './common/rate-limit.hooks.js';
import { RateLimits } from './common/rate-limit.guard.js';
import { installRequestAudit, requestIdFor } from './common/request-audit.hooks.js';
import { installBodyEncodingChecks } from './common/request-body.hooks.js';
import { RequestAuditLog } from './common/request-audit.log.js';
import type { LedgerConfig } from './config/ledger.config.js';
import type { Clock } from './ledger/tokens.js';
import { OperatorBootstrap } from './organisations/operator-bootstrap.js';

export interface LedgerApp {
  readonly app: NestFastifyApplication;
  /** The operator key, when this start generated it (first start without LEDGER_OPERATOR_KEY). */
  readonly generatedOperatorKey: string | undefined;
}

/** Builds the whole HTTP service; main.ts, the e2e tests, the demo and the bench all start it this way. */
export async function createLedgerApp(config: LedgerConfig, options: { clock?: Clock; logger?: boolean } = {}): Promise<LedgerApp> {
  const limits = config.limits;
  const adapter = new FastifyAdapter({
    bodyLimit: limits.bodyLimitBytes,
    http: { maxHeaderSize: limits.maxHeaderBytes },
    clientErrorHandler: problemClientErrorHandler(limits),
    trustProxy: limits.trustProxy,
    requestIdHeader: false,
    genReqId: requestIdFor,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.clock), adapter, {
    logger: options.logger === false ? false : ['log', 'warn', 'error'],
    abortOnError: false,
  });
  app.enableShutdownHooks();
  // Before any route is served (decision 016): the audit hooks first, so a request the limits
  // refuse is still recorded with its request id; the limits act before the body is read.
  installRequestAudit(adapter.getInstance(), app.get(RequestAuditLog));
  installAbuseLimits(adapter.getInstance(), app.get(RateLimits), limits);
  // Before the body is parsed (decision 020): a body the server cannot decode is a 415, not misread.
  installBodyEncodingChecks(adapter.getInstance());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Textile ledger')
      .setDescription('Event-sourced ledger of textile material flows: collection, custody, processes, provenance and circularity. Mass is in integer grams.')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key of the acting organisation' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  await app.init();
  return { app, generatedOperatorKey: app.get(OperatorBootstrap).generatedKey };
}
