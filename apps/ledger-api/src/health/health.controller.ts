import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '#event-store';
import { ProjectionEngine } from '#projections';
import { Public } from '../common/actor.js';
import { EVENT_STORE } from '../ledger/tokens.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  store: { store: string; ok: boolean; headPosition: number; detail?: string };
  projections: { position: number; lag: number };
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionEngine,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Store status and projection lag (events the read models have not applied yet)' })
  async health(): Promise<HealthReport> {
    const store = await this.store.status();
    const position = this.runner.position();
    const lag = Math.max(0, store.headPosition - position);
    return { status: store.ok ? 'ok' : 'degraded', store, projections: { position, lag } };
  }
}
