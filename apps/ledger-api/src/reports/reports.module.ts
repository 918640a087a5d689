import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';
import { GetCircularityHandler, GetInventoryHandler, GetMunicipalReportHandler } from './reports.handlers.js';

@Module({ controllers: [ReportsController], providers: [GetCircularityHandler, GetMunicipalReportHandler, GetInventoryHandler] })
export class ReportsModule {}
