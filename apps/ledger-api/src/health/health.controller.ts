import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Controller, Get, HttpStatus, Inject, Req, Res, type OnModuleDestroy } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ZodApiResponse } from '../common/openapi.js';
import { HealthSchema, LivenessSchema, ReadinessSchema } from './health.responses.js';
import type { FastifyReply } from 'fastify';
import type { EventStore } from '#event-store';
import { ProjectionEngine } from '#projections';
// Health is the one place that looks at every part of the ledger, the signer and webhooks included (decision 022).
import { CheckpointSigner } from '../audit/checkpoint-signer.js';
import { CatalogueWebhookDeliverer } from '../catalogue/catalogue-webhook.deliverer.js';
import { Public, type AuthenticatedRequest } from '../common/actor.js';
import { EVENT_STORE } from '../ledger/tokens.js';
import {
  healthReport,
  publicAnswer,
  readiness,
  type HealthReport,
  type LivenessReport,
  type PublicHealth,
  type ReadinessReport,
  type SigningHealth,
} from './health.report.js';

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
  private signer: CheckpointSigner | null | undefined;
  private webhookDeliverer: CatalogueWebhookDeliverer | null | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionEngine,
    private readonly modules: ModuleRef,
  ) {
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
    const report = await this.report();
    reply.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return isOperator(request) ? report : publicAnswer(report);
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
    const answer = readiness(await this.report());
    reply.status(answer.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return isOperator(request) ? answer : publicAnswer(answer);
  }

  private async report(): Promise<HealthReport> {
    return healthReport(await this.store.status(), this.runner.health(), this.signing(), this.webhooks()?.health());
  }

  /** Looked up like the signer: a ledger built without the catalogue reports no webhooks. */
  private webhooks(): CatalogueWebhookDeliverer | null {
    if (this.webhookDeliverer === undefined) {
      try {
        this.webhookDeliverer = this.modules.get(CatalogueWebhookDeliverer, { strict: false });
      } catch {
        this.webhookDeliverer = null;
      }
    }
    return this.webhookDeliverer ?? null;
  }

  private signing(): SigningHealth | undefined {
    // Looked up, not injected, so the health module need not import the audit module (a ledger
    // built without it simply reports no signing).
    if (this.signer === undefined) {
      try {
        this.signer = this.modules.get(CheckpointSigner, { strict: false });
      } catch {
        this.signer = null;
      }
    }
    if (!this.signer) return undefined;
    const status = this.signer.status();
    return status.refusal !== undefined ? { signing: status.signing, refusal: status.refusal } : { signing: status.signing };
  }
}
