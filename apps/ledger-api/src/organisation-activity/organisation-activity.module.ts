import { Module } from '@nestjs/common';
import { OrganisationActivityController } from './organisation-activity.controller.js';
import { ListOrganisationProcessesHandler, ListOrganisationShipmentsHandler } from './organisation-activity.handlers.js';

@Module({ controllers: [OrganisationActivityController], providers: [ListOrganisationProcessesHandler, ListOrganisationShipmentsHandler] })
export class OrganisationActivityModule {}
