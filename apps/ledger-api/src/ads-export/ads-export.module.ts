import { Module } from '@nestjs/common';
import { AdsExportController } from './ads-export.controller.js';
import { GetAdsExportHandler } from './ads-export.handlers.js';

@Module({ controllers: [AdsExportController], providers: [GetAdsExportHandler] })
export class AdsExportModule {}
