import { Global, Module } from '@nestjs/common';
import { ActorSites } from './actor-sites.js';
import { SitesController } from './sites.controller.js';
import { AmendSiteHandler, CloseSiteHandler, DeclareSiteHandler, ListSitesHandler, SiteWriter } from './sites.handlers.js';

/** Global: the commands that may name a site (collections, receipts, processes, outcomes) read the actor's sites through ActorSites. */
@Global()
@Module({
  controllers: [SitesController],
  providers: [ActorSites, SiteWriter, DeclareSiteHandler, AmendSiteHandler, CloseSiteHandler, ListSitesHandler],
  exports: [ActorSites],
})
export class SitesModule {}
