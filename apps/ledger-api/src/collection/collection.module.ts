import { Module } from '@nestjs/common';
import { CollectionController } from './collection.controller.js';
import { CollectBatchHandler, RegisterResidualBatchHandler } from './collection.handlers.js';

@Module({ controllers: [CollectionController], providers: [CollectBatchHandler, RegisterResidualBatchHandler] })
export class CollectionModule {}
