import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deterministicId, NotFoundError, streamIds, type OrganisationFacts } from '#domain';
import { commandOfEpcisEvent, EpcisMappingError, type CapturedCommand, type EpcisIdentifiers } from '#epcis';
import type { EventStore } from '#event-store';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CollectBatchBody, CollectBatchCommand, RegisterResidualBatchBody, RegisterResidualBatchCommand } from '../collection/collection.commands.js';
import { CorrectMassBody, CorrectMassCommand, VoidProcessBody, VoidProcessCommand } from '../corrections/corrections.commands.js';
import { CancelTransferBody, CancelTransferCommand, DispatchTransferBody, DispatchTransferCommand, ReceiveTransferBody, ReceiveTransferCommand } from '../custody/custody.commands.js';
import { RecordOutcomeBody, RecordOutcomeCommand } from '../outcomes/outcomes.commands.js';
import { RecordProcessBody, RecordProcessCommand } from '../processes/processes.commands.js';
import { toProblem } from '../common/problem-details.filter.js';
import type { LedgerConfig } from '../config/ledger.config.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { EVENT_STORE, LEDGER_CONFIG } from '../ledger/tokens.js';
import type { CaptureEventResult, CaptureJob } from './epcis.commands.js';
import { EPCIS_IDENTIFIERS } from './epcis.tokens.js';

type Json = Record<string, unknown>;

/** What a capture job keeps on disk besides its state: who captured, and the document to (re)run. */
interface StoredJob {
  readonly job: CaptureJob;
  readonly meta: CommandMetadata;
}

/**
 * The command id of a captured event: derived from its eventID (and, for an error declaration,
 * from that too, since EPCIS gives the declaration the eventID of the event it corrects), so the
 * same event captured again is the same command, and the ledger answers it as a replay.
 */
export function captureCommandId(eventID: string, errorDeclaration: boolean): string {
  return deterministicId(`epcis-capture/${eventID}${errorDeclaration ? '#error-declaration' : ''}`);
}

/**
 * Capture jobs (decision 047). A job's state and its document are files under the data directory,
 * written before the 202 is answered: a job a restart interrupted is run again from its first event
 * at start-up, which is safe because every event is an idempotent command. Events run one after
 * another, in document order: a receipt needs its dispatch, a process its inputs.
 */
@Injectable()
export class EpcisCaptureJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger('EpcisCapture');
  private readonly dir: string;
  private readonly jobs = new Map<string, CaptureJob>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly commands: CommandBus,
    private readonly directory: OrganisationDirectory,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EPCIS_IDENTIFIERS) private readonly ids: EpcisIdentifiers,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.dir = path.join(config.dataDir, 'epcis-capture-jobs');
  }

  onApplicationBootstrap(): void {
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith('.job.json'))) {
      const stored = JSON.parse(readFileSync(path.join(this.dir, name), 'utf8')) as StoredJob;
      this.jobs.set(stored.job.jobId, stored.job);
      if (stored.job.status !== 'finished') {
        this.logger.log(`resuming capture job ${stored.job.jobId} from its first event`);
        const reset: CaptureJob = { ...stored.job, status: 'accepted', results: [], summary: { captured: 0, alreadyCaptured: 0, refused: 0 } };
        this.jobs.set(reset.jobId, reset);
        this.enqueue(reset.jobId, stored.meta);
      }
    }
  }

  /** Records a job for the document, durably, and queues it. */
  accept(jobId: string, document: Json, events: number, actor: OrganisationFacts, meta: CommandMetadata, now: Date): CaptureJob {
    const job: CaptureJob = { jobId, status: 'accepted', capturedBy: actor.organisationId, createdAt: now.toISOString(), events, summary: { captured: 0, alreadyCaptured: 0, refused: 0 }, results: [] };
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(path.join(this.dir, `${jobId}.document.json`), JSON.stringify(document));
    this.save(job, meta);
    this.jobs.set(jobId, job);
    this.enqueue(jobId, meta);
    this.forgetOldest();
    return job;
  }

  /** Keeps the newest finished jobs: a job's results are for reading soon after, not an archive (the events are the record). */
  private forgetOldest(): void {
    const finished = [...this.jobs.values()].filter((j) => j.status === 'finished').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const job of finished.slice(0, Math.max(0, finished.length - KEPT_JOBS))) {
      this.jobs.delete(job.jobId);
      rmSync(path.join(this.dir, `${job.jobId}.job.json`), { force: true });
    }
  }

  get(jobId: string, viewer: OrganisationFacts): CaptureJob {
    const job = this.jobs.get(jobId);
    if (!job || job.capturedBy !== viewer.organisationId) throw new NotFoundError('unknown-capture-job', `no capture job ${jobId} of this organisation`, { jobId });
    return job;
  }

  list(viewer: OrganisationFacts): CaptureJob[] {
    return [...this.jobs.values()].filter((j) => j.capturedBy === viewer.organisationId).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Resolves once every queued job has run (for tests and the bench). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(jobId: string, meta: CommandMetadata): void {
    this.queue = this.queue.then(() => this.run(jobId, meta)).catch((error: unknown) => this.logger.error(`capture job ${jobId} failed: ${String(error)}`));
  }

  private save(job: CaptureJob, meta: CommandMetadata): void {
    const file = path.join(this.dir, `${job.jobId}.job.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ job, meta } satisfies StoredJob));
    renameSync(`${file}.tmp`, file);
  }

  private async run(jobId: string, meta: CommandMetadata): Promise<void> {
    const job = this.jobs.get(jobId)!;
    const actor = await this.directory.get(job.capturedBy);
    const documentFile = path.join(this.dir, `${jobId}.document.json`);
    const document = JSON.parse(readFileSync(documentFile, 'utf8')) as { epcisBody: { eventList: Json[] } };
    const running: CaptureJob = { ...job, status: 'running' };
    this.jobs.set(jobId, running);
    const results: CaptureEventResult[] = [];
    const headBefore = await this.store.headPosition();
    let lastPosition = 0;
    const events = document.epcisBody.eventList;
    // Events run in waves: consecutive events about batches no other event of the wave touches are
    // decided concurrently (their appends share group commits, as a bulk request's do); an event
    // about a batch the wave already touches waits for the wave, so each batch's events keep their order.
    for (let start = 0; start < events.length; ) {
      const touched = new Set<string>();
      let end = start;
      while (end < events.length && end - start < WAVE) {
        const keys = actor === undefined ? [] : touchedBy(events[end]!, this.ids);
        if (keys === 'all' ? end > start : keys.some((k) => touched.has(k))) break;
        if (keys === 'all') {
          end += 1;
          break;
        }
        for (const k of keys) touched.add(k);
        end += 1;
      }
      const wave = await Promise.all(
        events.slice(start, end).map((event, k) =>
          actor === undefined ? Promise.resolve(refused(start + k, event, new NotFoundError('unknown-organisation', 'the capturing organisation is no longer registered'))) : this.captureOne(start + k, event, actor, meta, headBefore),
        ),
      );
      for (const result of wave as Array<{ result: CaptureEventResult; position?: number }>) {
        if (result.position !== undefined) lastPosition = Math.max(lastPosition, result.position);
        results.push(result.result);
      }
      // Progress is visible while the job runs; the file is written at the end only, to keep a big job fast.
      this.jobs.set(jobId, { ...running, results: [...results], summary: summarise(results) });
      start = end;
    }
    if (lastPosition > 0) await this.readYourWrites.settle(lastPosition);
    const finished: CaptureJob = { ...running, status: 'finished', finishedAt: new Date().toISOString(), results, summary: summarise(results) };
    this.jobs.set(jobId, finished);
    this.save(finished, meta);
    rmSync(documentFile, { force: true });
  }

  private async captureOne(index: number, event: Json, actor: OrganisationFacts, jobMeta: CommandMetadata, headBefore: number): Promise<{ result: CaptureEventResult; position?: number }> {
    const eventID = typeof event['eventID'] === 'string' ? event['eventID'] : undefined;
    if (eventID === undefined) {
      return { result: refusedResult(index, undefined, undefined, mappingProblem(index, new EpcisMappingError('missing-event-id', 'the ledger captures an event once by its eventID: give every event one', '/eventID'))) };
    }
    let command: CapturedCommand;
    try {
      command = commandOfEpcisEvent(event, this.ids);
    } catch (error) {
      if (error instanceof EpcisMappingError) return { result: refusedResult(index, eventID, undefined, mappingProblem(index, error)) };
      throw error;
    }
    const meta: CommandMetadata = {
      ...jobMeta,
      commandId: captureCommandId(eventID, event['errorDeclaration'] !== undefined),
      causationId: jobMeta.commandId,
      idempotent: true,
      settlesLater: true,
    };
    try {
      const answer = await this.execute(command, actor, meta);
      const already = answer.replayed === true || answer.position <= headBefore;
      return { result: { index, eventID, fate: already ? 'already-captured' : 'captured', command: command.kind }, position: answer.position };
    } catch (error) {
      const problem = problemOf(error);
      if (problem.status >= 500) throw error;
      return { result: refusedResult(index, eventID, command.kind, problem) };
    }
  }

  /** Sends the command the event stands for, as the endpoint recording the same thing would, through the command bus. */
  private async execute(command: CapturedCommand, actor: OrganisationFacts, meta: CommandMetadata): Promise<{ position: number; replayed?: boolean }> {
    switch (command.kind) {
      case 'collect':
        return this.commands.execute(new CollectBatchCommand(CollectBatchBody.parse(command.body), actor, meta));
      case 'register-residual':
        return this.commands.execute(new RegisterResidualBatchCommand(RegisterResidualBatchBody.parse(command.body), actor, meta));
      case 'dispatch':
        return this.commands.execute(new DispatchTransferCommand(command.batchId, DispatchTransferBody.parse(command.body), actor, meta));
      case 'receive':
        return this.commands.execute(new ReceiveTransferCommand(command.batchId, ReceiveTransferBody.parse(command.body), actor, meta));
      case 'cancel':
        return this.commands.execute(new CancelTransferCommand(command.batchId, CancelTransferBody.parse(command.body), actor, meta));
      case 'process':
        return this.commands.execute(new RecordProcessCommand(RecordProcessBody.parse(command.body), actor, meta));
      case 'outcome':
        return this.commands.execute(new RecordOutcomeCommand(command.batchId, RecordOutcomeBody.parse(command.body), actor, meta));
      case 'void-process':
        return this.commands.execute(new VoidProcessCommand(command.processId, VoidProcessBody.parse(command.body), actor, meta));
      case 'correct-mass': {
        const correctedEventId = await this.correctedEventId(command.batchId, command.correctedEventID);
        return this.commands.execute(new CorrectMassCommand(command.batchId, CorrectMassBody.parse({ ...command.body, correctedEventId }), actor, meta));
      }
    }
  }

  /**
   * The ledger's own id of the event an error declaration corrects: the event this ledger recorded
   * when it captured that eventID, or, for an event of this ledger's own, the id its URI names.
   * Unknown ids are left to the decision, which refuses a correction of an event that did not set the mass.
   */
  private async correctedEventId(batchId: string, correctedEventID: string): Promise<string> {
    const events = await this.store.readStream(streamIds.batch(batchId));
    const capturedAs = captureCommandId(correctedEventID, false);
    const captured = events.find((e) => e.metadata.commandId === capturedAs);
    if (captured) return captured.eventId;
    return this.ids.idOf('event', correctedEventID) ?? correctedEventID;
  }
}

/** The API's problem for an error, as the job reports it: every problem has a code. */
function problemOf(error: unknown): NonNullable<CaptureEventResult['problem']> {
  const problem = toProblem(error);
  return { ...problem, code: problem.code ?? `http-${problem.status}` };
}

/** Finished jobs kept, the oldest forgotten first. */
const KEPT_JOBS = 1_000;

/** Events decided at once, at most: as many as a bulk request's (decision 026). */
const WAVE = 1_000;

/**
 * What an event's command reads and writes: its batches, and a process its process; `all` for a
 * void, whose batches only the ledger knows. An event the ledger cannot read touches nothing (it is refused alone).
 */
function touchedBy(event: Json, ids: EpcisIdentifiers): string[] | 'all' {
  let command: CapturedCommand;
  try {
    command = commandOfEpcisEvent(event, ids);
  } catch {
    return [];
  }
  switch (command.kind) {
    case 'void-process':
      return 'all';
    case 'process': {
      const body = command.body as { processId?: string; inputs?: Array<{ batchId?: string }>; outputs?: Array<{ batchId?: string }> };
      return [`process:${String(body.processId)}`, ...[...(body.inputs ?? []), ...(body.outputs ?? [])].map((b) => `batch:${String(b.batchId)}`)];
    }
    case 'collect':
    case 'register-residual':
      return [`batch:${String(command.body['batchId'])}`];
    default:
      return [`batch:${command.batchId}`];
  }
}

function summarise(results: readonly CaptureEventResult[]): CaptureJob['summary'] {
  const count = (fate: CaptureEventResult['fate']) => results.filter((r) => r.fate === fate).length;
  return { captured: count('captured'), alreadyCaptured: count('already-captured'), refused: count('refused') };
}

function mappingProblem(index: number, error: EpcisMappingError): CaptureEventResult['problem'] {
  return {
    type: `https://textile-ledger.org/problems/${error.code}`,
    title: 'Unprocessable Content',
    status: 422,
    detail: error.message,
    code: error.code,
    pointer: `/epcisBody/eventList/${index}${error.pointer}`,
  };
}

function refusedResult(index: number, eventID: string | undefined, command: string | undefined, problem: CaptureEventResult['problem']): CaptureEventResult {
  return { index, ...(eventID !== undefined ? { eventID } : {}), fate: 'refused', ...(command ? { command } : {}), ...(problem ? { problem } : {}) };
}

function refused(index: number, event: Json, error: unknown): { result: CaptureEventResult } {
  const eventID = typeof event['eventID'] === 'string' ? event['eventID'] : undefined;
  return { result: refusedResult(index, eventID, undefined, problemOf(error)) };
}
