import { Module } from '@nestjs/common';
import { OperatorBootstrap } from './operator-bootstrap.js';
import { OrganisationsController } from './organisations.controller.js';
import { GetOrganisationHandler, ListOrganisationsHandler, RegisterOrganisationHandler } from './organisations.handlers.js';

@Module({
  controllers: [OrganisationsController],
  providers: [RegisterOrganisationHandler, GetOrganisationHandler, ListOrganisationsHandler, OperatorBootstrap],
  exports: [OperatorBootstrap],
})
export class OrganisationsModule {}
