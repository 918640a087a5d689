import { Module } from '@nestjs/common';
import { WebConfigController } from './web-config.controller.js';

@Module({ controllers: [WebConfigController] })
export class WebConfigModule {}
