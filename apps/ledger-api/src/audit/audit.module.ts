import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { GetBatchHistoryHandler } from './audit.handlers.js';

@Module({ controllers: [AuditController], providers: [GetBatchHistoryHandler] })
export class AuditModule {}
