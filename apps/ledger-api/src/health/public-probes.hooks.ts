import type { FastifyInstance, FastifyReply } from 'fastify';
import { LEDGER_MIN_POSITION_HEADER } from '../ledger/ledger-position.js';
import { publicAnswer, readiness, type HealthReport } from './health.report.js';
import type { HealthReporter } from './health.reporter.js';

function answer(reply: FastifyReply, ok: boolean, body: { readonly status: string }): void {
  void reply.code(ok ? 200 : 503).send(body);
}

/**
 * Anonymous GETs of the three probes, answered in the edge's hooks rather than through Nest's pipeline
 * (decision 048). Monitors and load balancers call them without a key, often; for them the pipeline
 * would run a key lookup, rate limits and the access guard that all stand aside for a public route,
 * which made a probe cost several times what it answers. The answer is the controller's own for a
 * caller without a key, from the same HealthReporter: the status and its HTTP code only. A probe with
 * a credential (the operator's, who gets the whole report) or a Ledger-Min-Position goes on to the
 * controller. Installed after the security headers, the request id and the client-id check, so the
 * answer carries the same headers and a malformed X-Request-Id is refused as before.
 */
export function installPublicProbes(fastify: FastifyInstance, reporter: HealthReporter): void {
  const fromReport = (done: (error?: Error) => void, respond: (report: HealthReport) => void): void => {
    const now = reporter.publicReportNow();
    if (now) {
      respond(now);
      return;
    }
    reporter.publicReport().then(respond, (error: unknown) => {
      // Not expected (a store probe reports its failure rather than throwing); the error handler answers it.
      done(error instanceof Error ? error : new Error(String(error)));
    });
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'GET' || request.headers.authorization !== undefined || request.headers[LEDGER_MIN_POSITION_HEADER] !== undefined) {
      done();
      return;
    }
    switch (request.routeOptions.url) {
      case '/health':
        fromReport(done, (report) => answer(reply, report.status === 'ok', publicAnswer(report)));
        return;
      case '/health/ready':
        fromReport(done, (report) => {
          const ready = readiness(report);
          answer(reply, ready.status === 'ready', publicAnswer(ready));
        });
        return;
      case '/health/live':
        answer(reply, true, { status: 'ok' });
        return;
      default:
        done();
    }
  });
}
