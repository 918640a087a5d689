import { Module } from '@nestjs/common';
import { EmissionFactorSeeder } from './emission-factor-seeder.js';
import { EmissionFactorsController } from './emission-factors.controller.js';
import {
  EmissionFactorSetInForceHandler,
  EmissionFactorSetWriter,
  GetEmissionFactorSetHandler,
  ListEmissionFactorSetsHandler,
  PublishEmissionFactorSetHandler,
} from './emission-factors.handlers.js';

/** Listed after OrganisationsModule in AppModule: the operator is bootstrapped before the seed sets are published. */
@Module({
  controllers: [EmissionFactorsController],
  providers: [EmissionFactorSetWriter, EmissionFactorSeeder, PublishEmissionFactorSetHandler, ListEmissionFactorSetsHandler, GetEmissionFactorSetHandler, EmissionFactorSetInForceHandler],
})
export class EmissionFactorsModule {}
