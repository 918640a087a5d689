import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';
import { GetCircularityHandler, GetInventoryHandler, GetMunicipalReportHandler, GetNationalReportHandler } from './reports.handlers.js';

@Module({ controllers: [ReportsController], providers: [GetCircularityHandler, GetMunicipalReportHandler, GetInventoryHandler, GetNationalReportHandler] })
export class ReportsModule {}
