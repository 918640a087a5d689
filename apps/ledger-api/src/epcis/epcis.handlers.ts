import { batchNotVisible, MalformedRequestError } from '#domain';
import { epcisDocument, validateEpcisDocument, type PositionedEpcisEvent } from '#epcis';
import { downstream, upstream, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { QUERY_COST, QueryCostBudget } from '../common/cost-budget.js';
import { newUuidV7 } from '../common/new-uuid.js';
import type { LedgerConfig } from '../config/ledger.config.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { LEDGER_CONFIG, READ_DB } from '../ledger/tokens.js';
import { EpcisCaptureJobs } from './epcis-capture.jobs.js';
import { EpcisEventsReader } from './epcis-events.reader.js';
import { CaptureEpcisDocumentCommand, GetCaptureJobQuery, ListCaptureJobsQuery, MAX_CAPTURE_EVENTS, type CaptureJob, type CaptureJobList } from './epcis.commands.js';
import { ExportBatchEventsQuery, ExportOrganisationEventsQuery, QueryEpcisEventsQuery, type EventQuery, type EventQueryAnswer } from './epcis.queries.js';

function documentOf(events: readonly PositionedEpcisEvent[], contextUrl: string): Record<string, unknown> {
  return epcisDocument(
    events.map((e) => e.event),
    { ledgerContextUrl: contextUrl, creationDate: new Date().toISOString() },
  );
}

@QueryHandler(ExportBatchEventsQuery)
export class ExportBatchEventsHandler implements IQueryHandler<ExportBatchEventsQuery, Record<string, unknown>> {
  private readonly maxNodes: number;

  constructor(
    private readonly reader: EpcisEventsReader,
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly budget: QueryCostBudget,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.maxNodes = config.heavyQueries.lineageMaxNodes;
  }

  async execute({ batchId, direction, viewer, contextUrl }: ExportBatchEventsQuery): Promise<Record<string, unknown>> {
    let batchIds = [batchId];
    if (direction !== 'none') {
      // A lineage walk, paid for like GET /batches/:id/lineage (decision 026); only batches the viewer sees in full are exported.
      this.budget.admit(viewer.organisationId, 'this lineage walk');
      const graph = await (direction === 'upstream' ? upstream : downstream)(this.db, batchId, undefined, { maxNodes: this.maxNodes });
      this.budget.charge(viewer.organisationId, graph.nodes.length * QUERY_COST.lineageNode);
      batchIds = graph.nodes.map((n) => n.batchId);
    }
    const events = await this.reader.visibleTo(viewer, await this.reader.ofBatches(batchIds));
    if (events.length === 0) throw batchNotVisible(batchId);
    return documentOf(events, contextUrl);
  }
}

@QueryHandler(ExportOrganisationEventsQuery)
export class ExportOrganisationEventsHandler implements IQueryHandler<ExportOrganisationEventsQuery, Record<string, unknown>> {
  constructor(private readonly reader: EpcisEventsReader) {}

  /** The events the organisation recorded or is a party of (actor, custodian, consignee), by event time in [from, to). */
  async execute({ organisationId, period, contextUrl }: ExportOrganisationEventsQuery): Promise<Record<string, unknown>> {
    const from = period.from === undefined ? -Infinity : Date.parse(period.from);
    const to = period.to === undefined ? Infinity : Date.parse(period.to);
    const { events } = await this.reader.scan(-1, Number.MAX_SAFE_INTEGER, async (page) =>
      page.filter((e) => {
        const time = Date.parse(String(e.event['eventTime']));
        return e.organisationIds.includes(organisationId) && time >= from && time < to;
      }),
    );
    return documentOf(events, contextUrl);
  }
}

/** Whether an event meets a SimpleEventQuery's parameters. */
function matches(e: PositionedEpcisEvent, params: EventQuery, batchUri: (uri: string) => string | undefined): boolean {
  const event = e.event;
  const time = Date.parse(String(event['eventTime']));
  if (params.eventType && event['type'] !== params.eventType) return false;
  if (params.GE_eventTime && time < Date.parse(params.GE_eventTime)) return false;
  if (params.LT_eventTime && time >= Date.parse(params.LT_eventTime)) return false;
  if (params.EQ_bizStep) {
    const step = String(event['bizStep'] ?? '');
    if (step !== params.EQ_bizStep && `https://ref.gs1.org/cbv/BizStep-${step}` !== params.EQ_bizStep) return false;
  }
  for (const uri of [params.MATCH_epc, params.MATCH_anyEPCClass]) {
    if (uri === undefined) continue;
    const batchId = batchUri(uri);
    if (batchId === undefined || !e.batchIds.includes(batchId)) return false;
  }
  return true;
}

@QueryHandler(QueryEpcisEventsQuery)
export class QueryEpcisEventsHandler implements IQueryHandler<QueryEpcisEventsQuery, EventQueryAnswer> {
  constructor(private readonly reader: EpcisEventsReader) {}

  async execute({ params, viewer, contextUrl }: QueryEpcisEventsQuery): Promise<EventQueryAnswer> {
    const after = params.nextPageToken === undefined ? -1 : Number(params.nextPageToken);
    const { events, more } = await this.reader.scan(after, params.perPage, (page) =>
      this.reader.visibleTo(
        viewer,
        page.filter((e) => matches(e, params, (uri) => this.reader.ids.idOf('batch', uri))),
      ),
    );
    const nextPageToken = more && events.length > 0 ? String(events[events.length - 1]!.position) : undefined;
    const base = documentOf(events, contextUrl);
    const document = {
      '@context': base['@context'],
      type: 'EPCISQueryDocument',
      schemaVersion: '2.0',
      creationDate: base['creationDate'],
      epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events.map((e) => e.event) } } },
    };
    return { document, ...(nextPageToken !== undefined ? { nextPageToken } : {}) };
  }
}

/**
 * A capture: the document is checked against GS1's schema first (refused whole, with JSON pointers,
 * when it does not validate), then kept as a job whose events run one by one (EpcisCaptureJobs).
 */
@CommandHandler(CaptureEpcisDocumentCommand)
export class CaptureEpcisDocumentHandler implements ICommandHandler<CaptureEpcisDocumentCommand, CaptureJob> {
  constructor(
    private readonly jobs: EpcisCaptureJobs,
    private readonly budget: QueryCostBudget,
    private readonly contexts: DecisionContextFactory,
  ) {}

  async execute({ document, actor, meta }: CaptureEpcisDocumentCommand): Promise<CaptureJob> {
    const checked = validateEpcisDocument(document);
    if (!checked.valid) {
      throw new MalformedRequestError('invalid-epcis-document', `the document is not valid EPCIS 2.0 (GS1's JSON schema): ${checked.errors.slice(0, 3).map((e) => `${e.pointer} ${e.message}`).join('; ')}`, {
        errors: checked.errors.map((e) => ({ path: e.pointer, message: e.message })),
      });
    }
    const body = document as { type?: unknown; epcisBody?: { eventList?: unknown[] } };
    if (body.type !== 'EPCISDocument') throw new MalformedRequestError('not-an-epcis-document', 'capture takes an EPCISDocument', { errors: [{ path: '/type', message: 'must be EPCISDocument' }] });
    const events = body.epcisBody?.eventList?.length ?? 0;
    if (events > MAX_CAPTURE_EVENTS) throw new MalformedRequestError('too-many-events', `a capture takes at most ${MAX_CAPTURE_EVENTS} events; send the rest in another document`, { errors: [{ path: '/epcisBody/eventList', message: `${events} events` }] });
    // Charged like a bulk request of as many commands (decision 026).
    this.budget.admit(actor.organisationId, `a capture of ${events} events`);
    this.budget.charge(actor.organisationId, events * QUERY_COST.bulkItem);
    return this.jobs.accept(newUuidV7(), document as Record<string, unknown>, events, actor, meta, this.contexts.now());
  }
}

@QueryHandler(GetCaptureJobQuery)
export class GetCaptureJobHandler implements IQueryHandler<GetCaptureJobQuery, CaptureJob> {
  constructor(private readonly jobs: EpcisCaptureJobs) {}

  execute({ jobId, viewer }: GetCaptureJobQuery): Promise<CaptureJob> {
    return Promise.resolve(this.jobs.get(jobId, viewer));
  }
}

@QueryHandler(ListCaptureJobsQuery)
export class ListCaptureJobsHandler implements IQueryHandler<ListCaptureJobsQuery, CaptureJobList> {
  constructor(private readonly jobs: EpcisCaptureJobs) {}

  execute({ viewer }: ListCaptureJobsQuery): Promise<CaptureJobList> {
    return Promise.resolve({ items: this.jobs.list(viewer).map(({ results: _results, ...job }) => job) });
  }
}
