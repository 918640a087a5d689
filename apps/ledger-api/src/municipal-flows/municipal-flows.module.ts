import { Module } from '@nestjs/common';
import { MunicipalFlowsController } from './municipal-flows.controller.js';
import { GetMunicipalFlowsHandler } from './municipal-flows.handler.js';

@Module({ controllers: [MunicipalFlowsController], providers: [GetMunicipalFlowsHandler] })
export class MunicipalFlowsModule {}
