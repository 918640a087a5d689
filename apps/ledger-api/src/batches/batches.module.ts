import { Module } from '@nestjs/common';
import { BatchesController } from './batches.controller.js';
import { GetBatchHandler, GetLineageHandler, GetProvenanceHandler, ListBatchesHandler } from './batches.handlers.js';

@Module({ controllers: [BatchesController], providers: [GetBatchHandler, ListBatchesHandler, GetLineageHandler, GetProvenanceHandler] })
export class BatchesModule {}
