import { z } from 'zod';
import { ConflictError, ForbiddenError, InvalidCommandError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, type DecisionContext } from '../shared/decision-context.js';
import { Instant, Uuid } from '../shared/units.js';

/**
 * An organisation's webhook for catalogue matches (docs/decisions/046-symbiosis-catalogue.md,
 * "Webhooks"). One stream per organisation, `catalogue-webhook-<organisationId>`; at most one
 * endpoint at a time, a new registration replacing the old. The events never hold the signing
 * secret: the ledger derives it from its own webhook key and the registration id, so the log,
 * its exports and every read model can be shown without it.
 */
export const catalogueWebhookStreamId = (organisationId: string): string => `catalogue-webhook-${organisationId}`;

export const WEBHOOK_URL_MAX_LENGTH = 2_000;

export const CatalogueWebhookRegistered = z.object({
  organisationId: Uuid,
  /** Names this registration and, with the ledger's webhook key, its secret: a new registration is a new secret. */
  registrationId: Uuid,
  url: z.string().min(1).max(WEBHOOK_URL_MAX_LENGTH),
  registeredBy: Uuid,
  occurredAt: Instant,
});
export type CatalogueWebhookRegistered = z.infer<typeof CatalogueWebhookRegistered>;

export const CatalogueWebhookRemoved = z.object({
  organisationId: Uuid,
  registrationId: Uuid,
  removedBy: Uuid,
  occurredAt: Instant,
});
export type CatalogueWebhookRemoved = z.infer<typeof CatalogueWebhookRemoved>;

export const catalogueWebhookEventSchemas = { CatalogueWebhookRegistered, CatalogueWebhookRemoved } as const;

export interface CatalogueWebhookState {
  readonly organisationId: string;
  readonly registrationId: string;
  readonly url: string;
  readonly registeredAt: string;
  /** False once removed (a later registration makes it true again, with a new id). */
  readonly active: boolean;
}

export function evolveCatalogueWebhook(state: CatalogueWebhookState | undefined, event: DomainEvent): CatalogueWebhookState | undefined {
  switch (event.type) {
    case 'CatalogueWebhookRegistered':
      return { organisationId: event.data.organisationId, registrationId: event.data.registrationId, url: event.data.url, registeredAt: event.data.occurredAt, active: true };
    case 'CatalogueWebhookRemoved':
      return state && state.registrationId === event.data.registrationId ? { ...state, active: false } : state;
    default:
      return state;
  }
}

export interface RegisterCatalogueWebhook {
  readonly organisationId: string;
  readonly registrationId: string;
  readonly url: string;
  readonly occurredAt: string;
}

export interface RemoveCatalogueWebhook {
  readonly organisationId: string;
  readonly occurredAt: string;
}

function assertOwnOrOperator(ctx: DecisionContext, organisationId: string): void {
  if (ctx.actor.organisationId !== organisationId && !ctx.actor.roles.includes('operator')) {
    throw new ForbiddenError('not-webhook-owner', "only the organisation itself or the operator registers or removes the organisation's catalogue webhook", { organisationId });
  }
}

/**
 * Only http and https, with no user name or password in it: credentials in a URL end up in proxy
 * and access logs, and the payload is authenticated by its signature instead. Whether the host may
 * be reached (not a private or loopback address) is the API's to check, since it needs DNS.
 */
export function assertWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidCommandError('invalid-webhook-url', `"${url.slice(0, 100)}" is not an absolute URL`, {});
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidCommandError('invalid-webhook-url', `a webhook URL is http or https, not ${parsed.protocol.replace(':', '')}`, {});
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new InvalidCommandError('invalid-webhook-url', 'a webhook URL carries no user name or password: the signature authenticates the payload', {});
  }
  return parsed;
}

/** The organisation itself or the operator (for it); a new registration replaces the old one and its secret. */
export function decideRegisterCatalogueWebhook(_state: CatalogueWebhookState | undefined, command: RegisterCatalogueWebhook, ctx: DecisionContext): DomainEvent[] {
  assertOwnOrOperator(ctx, command.organisationId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  assertWebhookUrl(command.url);
  return [
    {
      type: 'CatalogueWebhookRegistered',
      data: { organisationId: command.organisationId, registrationId: command.registrationId, url: command.url, registeredBy: ctx.actor.organisationId, occurredAt: command.occurredAt },
    },
  ];
}

export function decideRemoveCatalogueWebhook(state: CatalogueWebhookState | undefined, command: RemoveCatalogueWebhook, ctx: DecisionContext): DomainEvent[] {
  assertOwnOrOperator(ctx, command.organisationId);
  assertBusinessTime(command.occurredAt, ctx);
  if (!state) throw new NotFoundError('unknown-webhook', `organisation ${command.organisationId} has no catalogue webhook`, { organisationId: command.organisationId });
  if (!state.active) throw new ConflictError('webhook-already-removed', `organisation ${command.organisationId}'s catalogue webhook is already removed`, { organisationId: command.organisationId });
  return [
    {
      type: 'CatalogueWebhookRemoved',
      data: { organisationId: command.organisationId, registrationId: state.registrationId, removedBy: ctx.actor.organisationId, occurredAt: command.occurredAt },
    },
  ];
}
