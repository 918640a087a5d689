import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isIP } from 'node:net';
import {
  assertWebhookUrl,
  castEvent,
  catalogueWebhookStreamId,
  decideRegisterCatalogueWebhook,
  decideRemoveCatalogueWebhook,
  evolveCatalogueWebhook,
  InvalidCommandError,
  NotFoundError,
  type CatalogueWebhookState,
  type OrganisationFacts,
} from '#domain';
import type { EventStore, StoredEvent } from '#event-store';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { LedgerConfig } from '../config/ledger.config.js';
import { newIdFor } from '../common/command-meta.decorator.js';
import { CommandExecutor } from '../ledger/command-executor.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { EVENT_STORE, LEDGER_CONFIG } from '../ledger/tokens.js';
import type { RegisterCatalogueWebhookBody, RemoveCatalogueWebhookBody } from './catalogue-webhook.bodies.js';
import type { CatalogueWebhookAnswer, RegisterCatalogueWebhookResult, RemoveCatalogueWebhookResult } from './catalogue-webhook.responses.js';
import { hostOf, isNonPublicAddress, webhookSecret } from './catalogue-webhook.signing.js';

export function foldCatalogueWebhook(events: readonly StoredEvent[]): CatalogueWebhookState | undefined {
  return events.reduce<CatalogueWebhookState | undefined>((state, e) => evolveCatalogueWebhook(state, castEvent(e.type, e.schemaVersion, e.data)), undefined);
}

export type AddressLookup = (hostname: string) => Promise<readonly string[]>;
const systemLookup: AddressLookup = async (hostname) => (await lookup(hostname, { all: true })).map((a) => a.address);

/**
 * Refuses a URL whose host is, or resolves to, a loopback, private or link-local address, unless
 * the operator allows them (LEDGER_WEBHOOK_ALLOW_PRIVATE): otherwise anyone with a key could make
 * the ledger POST into the network it runs in. Checked again on every attempt (the deliverer's
 * lookup), since a name can resolve elsewhere later.
 */
export async function assertReachableTarget(url: URL, allowPrivate: boolean, resolve: AddressLookup = systemLookup): Promise<void> {
  if (allowPrivate) return;
  const host = hostOf(url);
  let addresses: readonly string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    throw new InvalidCommandError('webhook-host-unresolvable', `the webhook host ${host} does not resolve`, {});
  }
  if (addresses.length === 0 || addresses.some(isNonPublicAddress)) {
    throw new InvalidCommandError('webhook-target-not-allowed', `the webhook host ${host} is, or resolves to, a loopback, private or link-local address, which this ledger does not POST to`, {});
  }
}

/**
 * Registering, removing and reading an organisation's catalogue webhook, and the secrets
 * (docs/decisions/046-symbiosis-catalogue.md, "Webhooks"). The registration is an event on the
 * organisation's webhook stream, so it survives restarts and every instance sees it.
 */
@Injectable()
export class CatalogueWebhooks implements OnModuleInit {
  private key: Buffer | undefined;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly directory: OrganisationDirectory,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.key = await this.loadKey();
  }

  /** LEDGER_WEBHOOK_KEY, or the key file (made on first start, readable by the ledger's user only). */
  private async loadKey(): Promise<Buffer> {
    const { key, keyFile } = this.config.webhooks;
    if (key !== undefined) return Buffer.from(key, 'utf8');
    try {
      return Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const generated = randomBytes(32).toString('hex');
    await mkdir(path.dirname(keyFile), { recursive: true });
    try {
      await writeFile(keyFile, `${generated}\n`, { mode: 0o600, flag: 'wx' });
      return Buffer.from(generated, 'utf8');
    } catch (error) {
      // Another instance on the same data directory wrote it first: use that one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'utf8');
    }
  }

  secretOf(registrationId: string): string {
    if (!this.key) throw new Error('the webhook key is not loaded yet');
    return webhookSecret(this.key, registrationId);
  }

  /** The organisation's registration as its stream holds it now (undefined: never registered). */
  async current(organisationId: string): Promise<CatalogueWebhookState | undefined> {
    return foldCatalogueWebhook(await this.store.readStream(catalogueWebhookStreamId(organisationId)));
  }

  async get(organisationId: string): Promise<CatalogueWebhookAnswer> {
    const state = await this.current(organisationId);
    if (!state) throw new NotFoundError('unknown-webhook', `organisation ${organisationId} has no catalogue webhook`, { organisationId });
    return { organisationId: state.organisationId, registrationId: state.registrationId, url: state.url, registeredAt: state.registeredAt, active: state.active };
  }

  async register(organisationId: string, body: RegisterCatalogueWebhookBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<RegisterCatalogueWebhookResult> {
    const registrationId = newIdFor(meta, 'catalogue-webhook', undefined);
    const command = { organisationId, registrationId, url: body.url, occurredAt: body.occurredAt ?? this.contexts.now().toISOString() };
    const ctx = await this.contexts.create(actor);
    // The operator may register for another organisation, so the organisation must exist.
    if (!(await this.directory.get(organisationId))) throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
    const result = await this.executor.execute(
      catalogueWebhookStreamId(organisationId),
      foldCatalogueWebhook,
      async (state) => {
        const events = decideRegisterCatalogueWebhook(state, command, ctx);
        await assertReachableTarget(assertWebhookUrl(body.url), this.config.webhooks.allowPrivateTargets);
        return events;
      },
      meta,
    );
    return { organisationId, registrationId, url: body.url, secret: this.secretOf(registrationId), position: result.position };
  }

  async remove(organisationId: string, body: RemoveCatalogueWebhookBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<RemoveCatalogueWebhookResult> {
    const command = { organisationId, occurredAt: body.occurredAt ?? this.contexts.now().toISOString() };
    const ctx = await this.contexts.create(actor);
    let registrationId = '';
    const result = await this.executor.execute(catalogueWebhookStreamId(organisationId), foldCatalogueWebhook, (state) => {
      const events = decideRemoveCatalogueWebhook(state, command, ctx);
      registrationId = state?.registrationId ?? '';
      return events;
    }, meta);
    if (registrationId === '') registrationId = (await this.current(organisationId))?.registrationId ?? '';
    return { organisationId, registrationId, position: result.position };
  }
}
