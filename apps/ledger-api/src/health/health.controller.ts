import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Controller, Get, HttpStatus, Req, Res, type OnModuleDestroy } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ZodApiResponse } from '../common/openapi.js';
import { Public, type AuthenticatedRequest } from '../common/actor.js';
import { HealthSchema, LivenessSchema, ReadinessSchema } from './health.responses.js';
import { HealthReporter } from './health.reporter.js';
import { publicAnswer, readiness, type HealthReport, type LivenessReport, type PublicHealth, type ReadinessReport } from './health.report.js';

export type { HealthReport, LivenessReport, PublicHealth, ReadinessReport } from './health.report.js';

/** Whether the caller authenticated as the operator: only it sees what is behind the status. */
function isOperator(request: AuthenticatedRequest): boolean {
  return request.actor?.roles.includes('operator') ?? false;
}

/**
 * Three probes, all public (decision 022): `/health` for people and monitors (503 when degraded),
 * `/health/live` for a liveness probe (200 whenever the process can answer: a failing read model is
 * not cured by a restart) and `/health/ready` for a readiness probe or a load balancer (503 unless
 * this instance should take traffic). Anyone gets the status and the HTTP code; the operator, with
 * its key, the whole report (decision 027): the details name the store, its error text, the log's
 * head position and the failing event, which tell an outsider how to hurt the ledger.
 */
@ApiTags('health')
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private readonly startedAt = Date.now();
  private readonly eventLoop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly reporter: HealthReporter) {
    this.eventLoop.enable();
  }

  onModuleDestroy(): void {
    this.eventLoop.disable();
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'The ledger’s health; 503 while degraded. Anyone gets the status; the operator, with its key, the store, read models (position, lag, failure) and checkpoint signing' })
  @ZodApiResponse(HealthSchema, { description: 'ok: `{status}`; the whole report when the operator asks with its key', example: { status: 'ok' } })
  @ZodApiResponse(HealthSchema, { status: 503, description: 'degraded: for the operator, `problems` says why, `projections.failure` and `signing.refusal` give the details', example: { status: 'degraded' } })
  async health(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport | PublicHealth<HealthReport['status']>> {
    const operator = isOperator(request);
    const report = operator ? await this.reporter.report() : await this.reporter.publicReport();
    reply.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return operator ? report : publicAnswer(report);
  }

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness probe: 200 while the process answers; to the operator, also how responsive its event loop is' })
  @ZodApiResponse(LivenessSchema, { description: 'alive', example: { status: 'ok' } })
  live(@Req() request: AuthenticatedRequest): LivenessReport | PublicHealth<LivenessReport['status']> {
    if (!isOperator(request)) return { status: 'ok' };
    const delayMs = Math.round(this.eventLoop.max / 1e6);
    this.eventLoop.reset();
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000), eventLoopDelayMs: delayMs };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness probe: 200 when the store answers, the read models are not failing and are caught up, and signing is not refused; else 503 (the reasons to the operator only)' })
  @ZodApiResponse(ReadinessSchema, { description: 'ready', example: { status: 'ready' } })
  @ZodApiResponse(ReadinessSchema, { status: 503, description: 'not ready: `problems` says why (to the operator)', example: { status: 'not-ready' } })
  async ready(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport | PublicHealth<ReadinessReport['status']>> {
    const operator = isOperator(request);
    const answer = readiness(operator ? await this.reporter.report() : await this.reporter.publicReport());
    reply.status(answer.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return operator ? answer : publicAnswer(answer);
  }
}
