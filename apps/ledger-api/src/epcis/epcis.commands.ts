import type { OrganisationFacts } from '#domain';
import { z } from 'zod';
import { ProblemDetailsSchema } from '../common/openapi.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';

/**
 * The most an `application/ld+json` capture may send: 32 MiB, some 30,000 events, like the CSV import
 * (an `application/json` body keeps the ledger's 1 MiB limit). The document is kept whole until its
 * job has run, so it is bounded; beyond it: 413.
 */
export const CAPTURE_BODY_LIMIT_BYTES = 32 * 1024 * 1024;
/** At most this many events per document: each is a command, charged like one of a bulk request. */
export const MAX_CAPTURE_EVENTS = 50_000;

export const CAPTURE_FATES = ['captured', 'already-captured', 'refused'] as const;

export const CaptureEventResultSchema = z.object({
  index: z.number().int().describe('The event’s index in epcisBody.eventList'),
  eventID: z.string().optional(),
  fate: z.enum(CAPTURE_FATES).describe('captured: recorded now; already-captured: this eventID was recorded before, nothing appended; refused: see problem'),
  command: z.string().optional().describe('The ledger command the event was read as (collect, dispatch, process, …)'),
  problem: ProblemDetailsSchema.optional().describe('Why the event was refused: the same problem the API answers for the same command, or `unmappable-event` with a pointer'),
});
export type CaptureEventResult = z.infer<typeof CaptureEventResultSchema>;

export const CaptureJobSchema = z.object({
  jobId: z.string(),
  status: z.enum(['accepted', 'running', 'finished']),
  capturedBy: z.string().describe('The organisation that captured the document; every event is decided as its command'),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  events: z.number().int(),
  summary: z.object({ captured: z.number().int(), alreadyCaptured: z.number().int(), refused: z.number().int() }),
  results: z.array(CaptureEventResultSchema),
});
export type CaptureJob = z.infer<typeof CaptureJobSchema>;

export const CaptureJobListSchema = z.object({ items: z.array(CaptureJobSchema.omit({ results: true })) });
export type CaptureJobList = z.infer<typeof CaptureJobListSchema>;

export class CaptureEpcisDocumentCommand {
  constructor(
    readonly document: unknown,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export class GetCaptureJobQuery {
  constructor(
    readonly jobId: string,
    readonly viewer: OrganisationFacts,
  ) {}
}

export class ListCaptureJobsQuery {
  constructor(readonly viewer: OrganisationFacts) {}
}
