import { z } from 'zod';
import { batchEventSchemas } from './batch/batch.events.js';
import { emissionFactorEventSchemas } from './emission-factors/emission-factors.events.js';
import { organisationEventSchemas } from './organisation/organisation.events.js';
import { processEventSchemas } from './process/process.events.js';
import { organisationSizeEventSchemas } from './organisation/organisation-size.events.js';
import { programmeEventSchemas } from './programme/programme.events.js';
import { catalogueEventSchemas } from './catalogue/catalogue.events.js';
import { catalogueWebhookEventSchemas } from './catalogue/catalogue-webhook.js';
import { claimEventSchemas } from './claim/claim.events.js';

/** Every event type the ledger writes, with its zod schema. */
export const eventSchemas = {
  ...organisationEventSchemas,
  ...batchEventSchemas,
  ...processEventSchemas,
  ...emissionFactorEventSchemas,
  ...organisationSizeEventSchemas,
  ...programmeEventSchemas,
  ...catalogueEventSchemas,
  ...catalogueWebhookEventSchemas,
  ...claimEventSchemas,
} as const;

export type EventType = keyof typeof eventSchemas;
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];

/** Current schema version of every event type. Bump it, and add an upcaster, when a schema changes. */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<EventType, number>> = Object.fromEntries(
  EVENT_TYPES.map((t) => [t, 1]),
) as Record<EventType, number>;

/** A domain event: its type and its validated data, as a discriminated union. */
export type DomainEvent = {
  [K in EventType]: { type: K; data: z.infer<(typeof eventSchemas)[K]> };
}[EventType];

export type EventOfType<K extends EventType> = Extract<DomainEvent, { type: K }>;

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(eventSchemas, type);
}

/**
 * Upcasters turn data of an old schema version into the next version, on read. Events are never
 * rewritten in the store. Keyed by `${type}@${fromVersion}`.
 */
export type Upcaster = (data: unknown) => unknown;
const upcasters = new Map<string, Upcaster>();

export function registerUpcaster(type: EventType, fromVersion: number, upcast: Upcaster): void {
  upcasters.set(`${type}@${fromVersion}`, upcast);
}

/** Parses stored event data into the current schema, upcasting step by step. Throws on unknown types. */
export function parseEvent(type: string, schemaVersion: number, data: unknown): DomainEvent {
  if (!isEventType(type)) throw new Error(`unknown event type ${type}`);
  let version = schemaVersion;
  let current = data;
  while (version < CURRENT_SCHEMA_VERSION[type]) {
    const upcast = upcasters.get(`${type}@${version}`);
    if (!upcast) throw new Error(`no upcaster for ${type} from schema version ${version}`);
    current = upcast(current);
    version += 1;
  }
  return { type, data: eventSchemas[type].parse(current) } as DomainEvent;
}

/**
 * Trusts stored data to match the current schema without re-validating it: for projections on the
 * hot path, where every event was validated when it was appended. Old versions still get upcast.
 */
export function castEvent(type: string, schemaVersion: number, data: unknown): DomainEvent {
  if (!isEventType(type)) throw new Error(`unknown event type ${type}`);
  if (schemaVersion === CURRENT_SCHEMA_VERSION[type]) return { type, data } as DomainEvent;
  return parseEvent(type, schemaVersion, data);
}

export const streamIds = {
  batch: (batchId: string) => `batch-${batchId}`,
  process: (processId: string) => `process-${processId}`,
  organisation: (organisationId: string) => `organisation-${organisationId}`,
  programme: (programmeId: string) => `programme-${programmeId}`,
} as const;
