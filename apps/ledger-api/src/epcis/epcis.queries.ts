import type { OrganisationFacts } from '#domain';
import { z } from 'zod';

export const EXPORT_DIRECTIONS = ['none', 'upstream', 'downstream'] as const;

export const BatchExportParams = z
  .object({ direction: z.enum(EXPORT_DIRECTIONS).default('none').describe('upstream: with every batch it came from; downstream: with every batch it went into') })
  .strict();
export type BatchExportQuery = z.infer<typeof BatchExportParams>;

const instant = z.iso.datetime({ offset: true });

export const OrganisationExportParams = z
  .object({ from: instant.optional().describe('Event time, inclusive'), to: instant.optional().describe('Event time, exclusive') })
  .strict()
  .refine((p) => p.from === undefined || p.to === undefined || Date.parse(p.from) < Date.parse(p.to), { message: '`from` must be before `to`', path: ['to'] });
export type OrganisationExportQuery = z.infer<typeof OrganisationExportParams>;

/** The common parameters of the EPCIS 2.0 REST query interface (a SimpleEventQuery). */
export const EventQueryParams = z
  .object({
    eventType: z.enum(['ObjectEvent', 'TransformationEvent']).optional(),
    GE_eventTime: instant.optional().describe('Events at or after this time'),
    LT_eventTime: instant.optional().describe('Events before this time'),
    EQ_bizStep: z.string().min(1).max(300).optional().describe('A CBV business step (shipping, or its URI) or one of the ledger’s'),
    MATCH_epc: z.string().min(1).max(300).optional().describe('A batch URI (the ledger names batches as classes, so this matches epcClass too)'),
    MATCH_anyEPCClass: z.string().min(1).max(300).optional().describe('A batch URI in any quantity list'),
    perPage: z.coerce.number().int().min(1).max(1_000).default(100),
    nextPageToken: z.string().regex(/^[0-9]{1,16}$/, 'pass the nextPageToken of the previous page').optional(),
  })
  .strict();
export type EventQuery = z.infer<typeof EventQueryParams>;

export class ExportBatchEventsQuery {
  constructor(
    readonly batchId: string,
    readonly direction: BatchExportQuery['direction'],
    readonly viewer: OrganisationFacts,
    readonly contextUrl: string,
  ) {}
}

export class ExportOrganisationEventsQuery {
  constructor(
    readonly organisationId: string,
    readonly period: { from?: string; to?: string },
    readonly viewer: OrganisationFacts,
    readonly contextUrl: string,
  ) {}
}

export class QueryEpcisEventsQuery {
  constructor(
    readonly params: EventQuery,
    readonly viewer: OrganisationFacts,
    readonly contextUrl: string,
  ) {}
}

export interface EventQueryAnswer {
  readonly document: Record<string, unknown>;
  readonly nextPageToken?: string;
}
