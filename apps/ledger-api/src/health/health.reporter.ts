import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { EventStore } from '#event-store';
import { ProjectionEngine } from '#projections';
// Health is the one place that looks at every part of the ledger, the signer and webhooks included (decision 022).
import { CheckpointSigner } from '../audit/checkpoint-signer.js';
import { CatalogueWebhookDeliverer } from '../catalogue/catalogue-webhook.deliverer.js';
import { EVENT_STORE } from '../ledger/tokens.js';
import { healthReport, type HealthReport, type SigningHealth, type StoreHealth } from './health.report.js';

/**
 * How long a store probe that succeeded stands for the public probes (decision 048). Anyone may call
 * `/health` as often as they like; without this each call would be a query on the store, so a public,
 * unauthenticated route would set the store's load. A probe that failed is never reused: a store
 * that stops answering shows at the next call, one that recovers within this time.
 */
export const PUBLIC_STORE_PROBE_TTL_MS = 1_000;

/** The store's probe, and the last one that succeeded, reused for the public answers for a short while. */
export class StoreProbe {
  private lastGood: { readonly at: number; readonly store: StoreHealth } | undefined;
  private inFlight: Promise<StoreHealth> | undefined;

  constructor(
    private readonly probe: () => Promise<StoreHealth>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A probe of its own. */
  async fresh(): Promise<StoreHealth> {
    const store = await this.probe();
    this.lastGood = store.ok ? { at: this.now(), store } : undefined;
    return store;
  }

  /** A successful probe of the last PUBLIC_STORE_PROBE_TTL_MS, else a new one (shared while in flight). */
  recent(): Promise<StoreHealth> {
    const cached = this.cached();
    if (cached) return Promise.resolve(cached);
    this.inFlight ??= this.fresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** A successful probe of the last PUBLIC_STORE_PROBE_TTL_MS, if there is one. */
  cached(): StoreHealth | undefined {
    const last = this.lastGood;
    return last && this.now() - last.at < PUBLIC_STORE_PROBE_TTL_MS ? last.store : undefined;
  }
}

/** The ledger's health report, from the store, the read models, the signer and the webhooks. */
@Injectable()
export class HealthReporter {
  private signer: CheckpointSigner | null | undefined;
  private webhookDeliverer: CatalogueWebhookDeliverer | null | undefined;
  private readonly storeProbe: StoreProbe;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly runner: ProjectionEngine,
    private readonly modules: ModuleRef,
  ) {
    this.storeProbe = new StoreProbe(() => store.status());
  }

  /** The whole report, from a store probe of its own: for the operator, who sees the head position. */
  async report(): Promise<HealthReport> {
    return this.reportFrom(await this.storeProbe.fresh());
  }

  /** The report behind the public answers: everything as it is now, the store as StoreProbe.recent has it. */
  async publicReport(): Promise<HealthReport> {
    return this.reportFrom(await this.storeProbe.recent());
  }

  /**
   * The public report at once, when the store's last probe is recent enough to stand for it; else
   * undefined, and the caller awaits publicReport. Lets the edge answer a probe without a promise.
   */
  publicReportNow(): HealthReport | undefined {
    const store = this.storeProbe.cached();
    return store ? this.reportFrom(store) : undefined;
  }

  private reportFrom(store: StoreHealth): HealthReport {
    return healthReport(store, this.runner.health(), this.signing(), this.webhooks()?.health());
  }

  /**
   * Looked up, not injected, so the health module need not import the audit and catalogue modules:
   * a ledger built without them simply reports no signing or no webhooks. Resolved once.
   */
  private optional<T>(type: new (...args: never[]) => T): T | null {
    try {
      return this.modules.get(type, { strict: false });
    } catch {
      return null;
    }
  }

  private webhooks(): CatalogueWebhookDeliverer | null {
    if (this.webhookDeliverer === undefined) this.webhookDeliverer = this.optional(CatalogueWebhookDeliverer);
    return this.webhookDeliverer;
  }

  private signing(): SigningHealth | undefined {
    if (this.signer === undefined) this.signer = this.optional(CheckpointSigner);
    if (!this.signer) return undefined;
    const status = this.signer.status();
    return status.refusal !== undefined ? { signing: status.signing, refusal: status.refusal } : { signing: status.signing };
  }
}
