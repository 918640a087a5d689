import { Module } from '@nestjs/common';
import { ApiKeyResolver } from './api-key.resolver.js';
import { ApiKeysController } from './api-keys.controller.js';
import { IssueApiKeyHandler, ListApiKeysHandler, RevokeApiKeyHandler } from './api-keys.handlers.js';
import { CollectorAuthorisationsController } from './collector-authorisations.controller.js';
import {
  AuthoriseCollectorHandler,
  CollectorAuthorisationWriter,
  ListCollectorAuthorisationsHandler,
  RevokeCollectorAuthorisationHandler,
} from './collector-authorisations.handlers.js';
import { OperatorBootstrap } from './operator-bootstrap.js';
import { OrganisationsController } from './organisations.controller.js';
import { GetOrganisationHandler, ListOrganisationsHandler, RegisterOrganisationHandler } from './organisations.handlers.js';

@Module({
  controllers: [OrganisationsController, ApiKeysController, CollectorAuthorisationsController],
  providers: [
    RegisterOrganisationHandler,
    GetOrganisationHandler,
    ListOrganisationsHandler,
    OperatorBootstrap,
    ApiKeyResolver,
    IssueApiKeyHandler,
    RevokeApiKeyHandler,
    ListApiKeysHandler,
    CollectorAuthorisationWriter,
    AuthoriseCollectorHandler,
    RevokeCollectorAuthorisationHandler,
    ListCollectorAuthorisationsHandler,
  ],
  // The resolver is the app-wide guard's, too (AppModule imports this module).
  exports: [OperatorBootstrap, ApiKeyResolver],
})
export class OrganisationsModule {}
