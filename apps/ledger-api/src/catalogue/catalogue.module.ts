import { Module } from '@nestjs/common';
import { CatalogueController } from './catalogue.controller.js';
import { CatalogueWebhookController } from './catalogue-webhook.controller.js';
import { CatalogueWebhookDeliverer } from './catalogue-webhook.deliverer.js';
import { CatalogueWebhooks } from './catalogue-webhook.service.js';
import { CatalogueFeed } from './catalogue.feed.js';
import { CatalogueReader } from './catalogue.reader.js';
import { CatalogueWriter } from './catalogue.writer.js';

/** The symbiosis catalogue: offers, wants, matches, requests, deals (docs/decisions/046-symbiosis-catalogue.md). */
@Module({
  controllers: [CatalogueController, CatalogueWebhookController],
  providers: [CatalogueWriter, CatalogueReader, CatalogueFeed, CatalogueWebhooks, CatalogueWebhookDeliverer],
})
export class CatalogueModule {}
