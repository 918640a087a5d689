import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthReporter } from './health.reporter.js';

@Module({ controllers: [HealthController], providers: [HealthReporter], exports: [HealthReporter] })
export class HealthModule {}
