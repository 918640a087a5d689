import { Global, Inject, Module } from '@nestjs/common';
import type { EventStore } from '#event-store';
import type { LedgerConfig } from '../config/ledger.config.js';
import { EVENT_STORE, LEDGER_CONFIG } from '../ledger/tokens.js';
import { RateLimits } from './rate-limit.guard.js';
import { countAppendsPerRequest } from './request-audit.hooks.js';
import { RequestAuditLog } from './request-audit.log.js';

/** The abuse limits and the request audit log (decision 016), for the guard and GET /audit/requests. */
@Global()
@Module({ providers: [RequestAuditLog, RateLimits], exports: [RequestAuditLog, RateLimits] })
export class RequestAuditModule {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(LEDGER_CONFIG) config: LedgerConfig) {
    if (config.requestAudit.mode === 'file') countAppendsPerRequest(store);
  }
}
