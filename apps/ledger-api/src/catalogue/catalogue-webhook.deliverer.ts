import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { EventStore } from '#event-store';
import { openCatalogueOffers, openCatalogueWants, type ReadDb } from '#projections';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { LedgerConfig } from '../config/ledger.config.js';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { EVENT_STORE, LEDGER_CONFIG, READ_DB } from '../ledger/tokens.js';
import { CatalogueFeed, type NewEntries } from './catalogue.feed.js';
import type { CatalogueWebhookPayload } from './catalogue-webhook.responses.js';
import { CatalogueWebhooks } from './catalogue-webhook.service.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, deliveryId, hostOf, isNonPublicAddress, retrySchedule, signatureHeader } from './catalogue-webhook.signing.js';

/** What /health shows of webhook delivery on this instance (to the operator). */
export interface WebhookHealth {
  /** `degraded` while some organisation's latest delivery was given up; never makes the ledger as a whole unhealthy. */
  readonly status: 'ok' | 'degraded';
  readonly delivered: number;
  /** Deliveries given up after every attempt, since this instance started. */
  readonly failed: number;
  /** Deliveries waiting for their next attempt. */
  readonly retrying: number;
  /** Organisations whose latest delivery was given up. */
  readonly failingOrganisations: number;
  readonly lastFailure?: { readonly organisationId: string; readonly deliveryId: string; readonly host: string; readonly attempts: number; readonly error: string; readonly at: string };
}

interface Delivery {
  readonly deliveryId: string;
  readonly organisationId: string;
  readonly registrationId: string;
  readonly url: URL;
  readonly body: string;
  attempt: number;
}

/** Answers other than 2xx, and network failures, are retried; the cause names which. */
class DeliveryFailure extends Error {}

/**
 * POSTs each new catalogue match to the webhook of every organisation concerned (decision 046,
 * "Webhooks"): the matches the event stream pushes, as the organisation may see them, signed with
 * its registration's secret, retried with doubling waits, then given up loudly (logged with the
 * cause, counted in /health). It polls on its own timer, so no request waits for a delivery.
 *
 * Every instance delivers what its own read models show, so with several instances a receiver is
 * sent a match once per instance, with the same delivery id: at least once, the id the dedupe key.
 * Pending retries live in memory: a restart drops them, and matches recorded while no instance ran
 * are not sent.
 */
@Injectable()
export class CatalogueWebhookDeliverer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CatalogueWebhook');
  private readonly schedule: readonly number[];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly failingOrganisations = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private since: number | undefined;
  private ticking = false;
  private stopped = false;
  private delivered = 0;
  private failed = 0;
  private lastFailure: WebhookHealth['lastFailure'];

  constructor(
    private readonly feed: CatalogueFeed,
    private readonly webhooks: CatalogueWebhooks,
    private readonly directory: OrganisationDirectory,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.schedule = retrySchedule(config.webhooks.attempts, config.webhooks.retryBaseMs);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.webhooks.pollMs === 0) return;
    // From the log's head: what was recorded before this instance started is not sent again.
    this.since = await this.store.headPosition();
    this.timer = setInterval(() => void this.tick(), this.config.webhooks.pollMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    for (const request of this.inFlight) request.destroy();
  }

  health(): WebhookHealth {
    return {
      status: this.failingOrganisations.size > 0 ? 'degraded' : 'ok',
      delivered: this.delivered,
      failed: this.failed,
      retrying: this.retryTimers.size,
      failingOrganisations: this.failingOrganisations.size,
      ...(this.lastFailure ? { lastFailure: this.lastFailure } : {}),
    };
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.since === undefined || this.stopped) return;
    this.ticking = true;
    try {
      const entries = await this.feed.newEntriesSince(this.since);
      this.since = entries.next;
      if (entries.offers.length > 0 || entries.wants.length > 0) await this.enqueue(entries);
    } catch (error) {
      this.logger.warn(`could not look for new catalogue matches: ${String(error)}`);
    } finally {
      this.ticking = false;
    }
  }

  /** Every organisation that may have a new match: the new entries' owners and the owners of every open entry. */
  private async enqueue(entries: NewEntries): Promise<void> {
    const owners = new Set<string>([...entries.offers.map((o) => o.offer.holderOrgId), ...entries.wants.map((w) => w.want.buyerOrgId)]);
    for (const o of await openCatalogueOffers(this.db)) owners.add(o.offer.holderOrgId);
    for (const w of await openCatalogueWants(this.db)) owners.add(w.want.buyerOrgId);
    for (const organisationId of owners) {
      const registration = await this.webhooks.current(organisationId);
      if (!registration?.active) continue;
      const facts = await this.directory.get(organisationId);
      if (!facts) continue;
      for (const { event } of await this.feed.matchesFor(facts, entries)) {
        const id = deliveryId(registration.registrationId, event.offer.offerId, event.want.wantId);
        const payload: CatalogueWebhookPayload = { deliveryId: id, type: 'catalogue.match', organisationId, createdAt: new Date().toISOString(), match: event };
        void this.attempt({ deliveryId: id, organisationId, registrationId: registration.registrationId, url: new URL(registration.url), body: JSON.stringify(payload), attempt: 1 });
      }
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    if (this.stopped) return;
    try {
      await this.post(delivery);
      this.delivered += 1;
      this.failingOrganisations.delete(delivery.organisationId);
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      const where = `catalogue webhook delivery ${delivery.deliveryId} to organisation ${delivery.organisationId} (${hostOf(delivery.url)})`;
      const wait = this.schedule[delivery.attempt - 1];
      if (wait !== undefined && !this.stopped) {
        this.logger.warn(`${where}, attempt ${delivery.attempt} of ${this.config.webhooks.attempts}, failed: ${cause}; retrying in ${wait} ms`);
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          void this.attempt({ ...delivery, attempt: delivery.attempt + 1 });
        }, wait);
        timer.unref();
        this.retryTimers.add(timer);
        return;
      }
      this.failed += 1;
      this.failingOrganisations.add(delivery.organisationId);
      this.lastFailure = { organisationId: delivery.organisationId, deliveryId: delivery.deliveryId, host: hostOf(delivery.url), attempts: delivery.attempt, error: cause, at: new Date().toISOString() };
      this.logger.error(`${where} given up after ${delivery.attempt} attempts: ${cause}`);
    }
  }

  /** One attempt: signed afresh (a new timestamp), to an address checked again, no redirects followed. */
  private post(delivery: Delivery): Promise<void> {
    const { url, body } = delivery;
    const allowPrivate = this.config.webhooks.allowPrivateTargets;
    const host = hostOf(url);
    if (!allowPrivate && isIP(host) && isNonPublicAddress(host)) return Promise.reject(new DeliveryFailure(`${host} is a loopback, private or link-local address`));
    const secret = this.webhooks.secretOf(delivery.registrationId);
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'user-agent': 'textile-ledger-webhook',
      [SIGNATURE_HEADER]: signatureHeader(secret, body, Math.floor(Date.now() / 1000)),
      [DELIVERY_HEADER]: delivery.deliveryId,
      [EVENT_HEADER]: 'catalogue.match',
    };
    const timeout = this.config.webhooks.timeoutMs;
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<void>((resolve, reject) => {
      const request = client.request(url, { method: 'POST', headers, timeout, lookup: guardedLookup(allowPrivate) }, (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new DeliveryFailure(`the receiver answered ${status}`));
        });
        response.on('error', reject);
      });
      this.inFlight.add(request);
      request.on('close', () => this.inFlight.delete(request));
      request.on('timeout', () => request.destroy(new DeliveryFailure(`no answer within ${timeout} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** Resolves as usual, but refuses a name that resolves to a non-public address (unless allowed): the check that holds at connect time. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses.map((a) => ({ address: a.address, family: a.family }));
      if (!allowPrivate && list.some((a) => isNonPublicAddress(a.address))) {
        return callback(new DeliveryFailure(`${hostname} resolves to a loopback, private or link-local address`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new DeliveryFailure(`${hostname} resolves to no address`), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}
