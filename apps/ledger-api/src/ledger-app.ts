import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { serveWebApp } from '../../ledger-web/server/serve-web-app.js';
import { AppModule } from './app.module.js';
import { installAbuseLimits, problemClientErrorHandler } from './common/rate-limit.hooks.js';
import { RateLimits } from './common/rate-limit.guard.js';
import { CredentialRedactor } from './common/credential-redaction.js';
import { installClientIdChecks, installRequestAudit, requestIdFor } from './common/request-audit.hooks.js';
import { installSecurityHeaders } from './common/security-headers.js';
import { installBodyEncodingChecks } from './common/request-body.hooks.js';
import { RequestAuditLog } from './common/request-audit.log.js';
import type { LedgerConfig } from './config/ledger.config.js';
import type { Clock } from './ledger/tokens.js';
import { HealthReporter } from './health/health.reporter.js';
import { installPublicProbes } from './health/public-probes.hooks.js';
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
  // On every answer Fastify sends, an early hook's refusal too (decisions 027 and 049).
  installSecurityHeaders(adapter.getInstance(), { hsts: limits.hsts, oidcTokenEndpoint: config.oidc?.web?.tokenEndpoint });
  // Before any route is served (decision 016): the audit hooks first, so a request the limits
  // refuse is still recorded with its request id; the limits act before the body is read. The
  // operator's own key may have any shape, so the redaction is told it in clear (decision 027).
  installRequestAudit(adapter.getInstance(), app.get(RequestAuditLog), new CredentialRedactor([config.operatorKey]));
  installAbuseLimits(adapter.getInstance(), app.get(RateLimits), limits);
  // Before the body is read (decision 027): ids the ledger would store for ever are short tokens.
  installClientIdChecks(adapter.getInstance());
  // Before the body is parsed (decision 020): a body the server cannot decode is a 415, not misread.
  installBodyEncodingChecks(adapter.getInstance());
  // After the checks above, so that a probe's answer is made the same way as any other (decision 048).
  installPublicProbes(adapter.getInstance(), app.get(HealthReporter));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Textile ledger')
      .setDescription('Event-sourced ledger of textile material flows: collection, custody, processes, provenance and circularity. Mass is in integer grams.')
      .setVersion('0.1.0')
      // 3.1: its schemas are JSON Schema 2020-12, which is what the zod schemas of bodies and answers emit (decision 034).
      .setOpenAPIVersion('3.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key of the acting organisation' })
      .build(),
  );
  // No validator badge: it would load an image from a third-party host, which the CSP refuses.
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { validatorUrl: null } });
  // The web application at `/`, only the files its build wrote (decision 030).
  await serveWebApp(adapter.getInstance(), new Logger('WebApp'));

  try {
    await app.init();
  } catch (error) {
    // A start refused by a lifecycle hook (decision 029) releases what the others opened (stores,
    // the projection worker), so that main.ts exits with the refusal instead of hanging on them.
    await app.close().catch(() => undefined);
    throw error;
  }
  return { app, generatedOperatorKey: app.get(OperatorBootstrap).generatedKey };
}
