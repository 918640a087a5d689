import { Module } from '@nestjs/common';
import { AnomaliesController } from './anomalies.controller.js';
import { ListAnomaliesHandler } from './anomalies.handlers.js';
import { AuditLogController } from './audit-log.controller.js';
import { AuditController } from './audit.controller.js';
import { AUDIT_LOG_HANDLERS, GetBatchHistoryHandler } from './audit.handlers.js';
import { CheckpointSigner } from './checkpoint-signer.js';
import { RequestAuditController } from './request-audit.controller.js';

@Module({ controllers: [AuditController, AuditLogController, AnomaliesController, RequestAuditController], providers: [GetBatchHistoryHandler, CheckpointSigner, ...AUDIT_LOG_HANDLERS, ListAnomaliesHandler] })
export class AuditModule {}
